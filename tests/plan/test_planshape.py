"""The saved-plan shape check knows every field the plan's JSON form writes."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.plan.planshape import check_shape

GOLDEN = Path(__file__).parent.parent / "render" / "golden" / "plan.json"


def test_the_golden_plan_json_has_the_shape_of_a_saved_plan() -> None:
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert check_shape(data) is None


def test_a_field_no_plan_writes_is_refused_by_name() -> None:
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    data["changes"][0]["surprise"] = 1
    assert check_shape(data) == (
        "changes[0].surprise: unknown field (only `plan --out` writes a saved plan)"
    )
