"""Saved plans are the plan's JSON form, read back by the model: strictly, naming the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import SavedPlanError
from reconciler.plan.model import Action, Plan, PlanOptions
from reconciler.plan.planfile import load_plan, save_plan, signature_of
from reconciler.plan.planner import plan
from reconciler.render.json_render import plan_document
from reconciler.render.reasons import WORDS
from tests.plan.helpers import NOW, campaign, message, recorded, wordless

KEY = "planfile-test-key-0123456789abcdef"
GOLDEN = Path(__file__).parent.parent / "render" / "golden" / "plan.json"
Edit = Callable[[dict[str, Any]], object]


def sample() -> Plan:
    """A delete that is blocked (protected), an update, and a create of a message."""
    moved = campaign("moved", time="2026-12-06T10:00:00Z")
    desired = {r.address: r for r in (message("new"), moved)}
    records = [recorded(campaign("moved")), recorded(campaign("kept", protect=True))]
    result = plan(desired, {r.address: r for r in records}, NOW, PlanOptions(allow_late=True))
    assert [c.action for c in result.changes] == [Action.DELETE, Action.UPDATE, Action.CREATE]
    assert result.changes[0].blocked is not None
    return result.evolve(workspace="default", endpoint="local", serial=3, created_at=NOW)


def saved(tmp_path: Path, edit: Edit | None = None) -> Path:
    """A saved plan, edited then signed again: as by one who holds the key."""
    path = tmp_path / "plan.json"
    save_plan(sample(), path, KEY, WORDS)
    if edit is not None:
        data = json.loads(path.read_text())
        edit(data)
        data["signature"] = signature_of(data, KEY)
        path.write_text(json.dumps(data))
    return path


def test_a_saved_plan_is_the_json_form_and_reads_back_as_the_plan(tmp_path: Path) -> None:
    path = saved(tmp_path)
    data = json.loads(path.read_text())
    assert data.pop("signature").startswith("hmac-sha256:")
    assert data == plan_document(sample())
    assert load_plan(path, KEY) == wordless(sample())


def test_the_golden_plan_json_reads_as_a_plan() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    read = Plan.model_validate_json(GOLDEN.read_text(encoding="utf-8"))
    document = plan_document(read)
    for change in golden["changes"]:
        change.update(reasons=[], notes=[])  # words, for people: not read back
    assert document == golden


GONE = object()
"""As the value of a ``REFUSED`` row: the field is removed."""
ANY_ACTION = "'create', 'update', 'replace', 'delete', 'forget', 'rename' or 'noop'"
ANY_KIND = (
    "'ScheduledMessage', 'CampaignSchedule', 'CanvasSchedule', 'SendId', 'DashboardSchedule' "
    "or 'TestGroup'"
)
ANY_STATUS = "'active', 'adopted', 'uncertain', 'fired' or 'vanished'"
ANY_BLOCK = (
    "'protected', 'destroy_threshold', 'frozen', 'sending', 'past', 'uncertain', 'resend', "
    "'vanished' or 'reference'"
)
UNKNOWN = "unknown field (only `plan --out` writes a saved plan)"
REFUSED: list[tuple[tuple[str | int, ...], object, str]] = [
    # where, the value written there, what the refusal says
    (("changes", 0, "shiny"), 1, f"changes[0].shiny: {UNKNOWN}"),
    (("execute",), True, f"execute: {UNKNOWN}"),
    (("changes", 1, "protect"), "yes", "changes[1].protect: expected true or false, got a string"),
    (("changes", 0, "action"), "explode", f"changes[0].action: 'explode' is not {ANY_ACTION}"),
    (("changes", 0, "kind"), "Spaceship", f"changes[0].kind: 'Spaceship' is not {ANY_KIND}"),
    (("changes",), {}, "changes: expected a list, got an object"),
    (("changes", 0), "create everything", "changes[0]: expected an object, got a string"),
    (("serial",), True, "serial: expected an integer, got true or false"),
    (
        ("options", "freeze_window_seconds"),
        "900",
        "options.freeze_window_seconds: expected an integer, got a string",
    ),
    (
        ("changes", 0, "send_at"),
        "2026-12-05T10:00:00",
        "changes[0].send_at: '2026-12-05T10:00:00' is not a time with a UTC offset",
    ),
    (("created_at",), "yesterday", "created_at: 'yesterday' is not a time with a UTC offset"),
    (
        ("changes", 0, "lifecycle"),
        "late",
        "changes[0].lifecycle: 'late' is not 'pending', 'frozen', 'sending' or 'sent'",
    ),
    (
        ("changes", 1, "recorded_status"),
        "lost",
        f"changes[1].recorded_status: 'lost' is not {ANY_STATUS}",
    ),
    (
        ("changes", 0, "schedule_mode"),
        "weekly",
        "changes[0].schedule_mode: 'weekly' is not 'utc', 'local' or 'optimal'",
    ),
    (
        ("changes", 0, "requests", 0, "call"),
        "post",
        "changes[0].requests[0].call: 'post' is not 'create', 'update' or 'delete'",
    ),
    (("changes", 0, "requests", 0, "body"), GONE, "changes[0].requests[0].body: missing"),
    (
        ("changes", 0, "requests", 0, "body"),
        [],
        "changes[0].requests[0].body: expected an object, got a list",
    ),
    (
        ("changes", 0, "labels"),
        {"team": 1},
        "changes[0].labels.team: expected a string, got an integer",
    ),
    (
        ("changes", 2, "blocked"),
        {"code": "maybe", "reason": "x"},
        f"changes[2].blocked.code: 'maybe' is not {ANY_BLOCK}",
    ),
    (
        ("changes", 0, "reasons"),
        [{"code": "sent"}],
        "changes[0].reasons[0]: expected a string, got an object",
    ),
    (("changes", 0, "notes"), "ledger only", "changes[0].notes: expected a list, got a string"),
    (("changes", 0, "symbol"), 1, "changes[0].symbol: expected a string, got an integer"),
    (("summary",), [], "summary: expected an object, got a list"),
    (("blocked",), False, "blocked: expected an integer, got true or false"),
    (("format_version",), 2, "format_version: this tool reads format 1, not 2"),
    (("now",), GONE, "now: missing"),
]


def written(where: tuple[str | int, ...], value: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for step in where[:-1]:
            target = target[step]
        if value is GONE:
            del target[where[-1]]
        else:
            target[where[-1]] = value

    return edit


@pytest.mark.parametrize(("where", "value", "words"), REFUSED, ids=lambda v: repr(v)[:40])
def test_a_signed_plan_of_the_wrong_shape_is_refused_naming_the_field(
    tmp_path: Path, where: tuple[str | int, ...], value: object, words: str
) -> None:
    path = saved(tmp_path, written(where, value))
    with pytest.raises(SavedPlanError) as refused:
        load_plan(path, KEY)
    assert refused.value.exit_code == 5
    assert refused.value.message.startswith(f"{path} is a malformed saved plan: {words}")


def test_the_planner_and_a_read_plan_agree_on_every_type(tmp_path: Path) -> None:
    """What the planner builds without validation passes the validation of a read plan."""
    made = sample()
    assert Plan.model_validate(made.model_dump()) == made
    assert load_plan(saved(tmp_path), KEY).model_dump() == wordless(made).model_dump()
