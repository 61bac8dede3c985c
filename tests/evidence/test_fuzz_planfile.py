"""Fuzzing saved plan files: random JSON, and a real plan with any field replaced by any JSON
value (signed, as by one who holds the key), never give a traceback: only a saved plan, an
invalid-input error (exit 3) or a refusal (exit 5). Deep nesting is checked one by one."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.errors import SavedPlanError, UsageError
from reconciler.kinds import Kind
from reconciler.plan.model import Action, Call, Change, Plan, Request
from reconciler.plan.planfile import load_plan, save_plan, signature_of
from reconciler.render.reasons import WORDS
from tests.evidence.conftest import FUZZ_SETTINGS

KEY = "fuzz-plan-key-0123456789abcdef"
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def real_plan() -> dict[str, Any]:
    change = Change(
        address="scheduled_message/a",
        kind=Kind.SCHEDULED_MESSAGE,
        action=Action.CREATE,
        after={"broadcast": True, "schedule": {"time": "2026-12-03T15:00:00Z"}},
        requests=(
            Request(call=Call.CREATE, path="/messages/schedule/create", body={"broadcast": True}),
        ),
    )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "plan.json"
        plan = Plan(changes=(change,), now=datetime(2026, 12, 1, 8, tzinfo=UTC))
        save_plan(plan, path, KEY, WORDS)
        data: dict[str, Any] = json.loads(path.read_text())
    return data


REAL = real_plan()


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*prefix, index))
    return found


PATHS = [p for p in paths_of(REAL) if p != ("signature",)]


def load_text(directory: Path, text: str) -> Plan | None:
    path = directory / "plan.json"
    path.write_text(text, encoding="utf-8")
    refused: UsageError | SavedPlanError
    try:
        return load_plan(path, KEY)
    except (UsageError, SavedPlanError) as exc:
        refused = exc
    assert refused.exit_code in (3, 5)
    assert "saved plan" in refused.message
    return None


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-plans")


@FUZZ_SETTINGS
@given(value=JSON)
def test_any_json_document_is_read_or_refused(fuzz_dir: Path, value: Any) -> None:
    load_text(fuzz_dir, json.dumps(value))


@FUZZ_SETTINGS
@given(where=st.sampled_from(PATHS), value=JSON)
def test_a_signed_plan_with_any_field_replaced_is_read_or_refused(
    fuzz_dir: Path, where: tuple[Any, ...], value: Any
) -> None:
    data = json.loads(json.dumps(REAL))
    target = data
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    data["signature"] = signature_of(data, KEY)
    load_text(fuzz_dir, json.dumps(data))


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        json.dumps(REAL).replace('"broadcast": true', '"broadcast": ' + "[" * 900 + "]" * 900),
    ],
    ids=["deep-list", "deep-object", "deep-signed-body"],
)
def test_deep_nesting_is_refused_or_read_without_a_traceback(fuzz_dir: Path, text: str) -> None:
    load_text(fuzz_dir, text)
