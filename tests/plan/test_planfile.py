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
    save_plan(sample(), path, KEY)
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


REFUSED: dict[str, tuple[Edit, str]] = {
    "an unknown field": (
        lambda d: d["changes"][0].update(shiny=1),
        "changes[0].shiny: unknown field (only `plan --out` writes a saved plan)",
    ),
    "an unknown field of the plan": (
        lambda d: d.update(execute=True),
        "execute: unknown field (only `plan --out` writes a saved plan)",
    ),
    "a flag as a string": (
        lambda d: d["changes"][1].update(protect="yes"),
        "changes[1].protect: expected true or false, got a string",
    ),
    "an unknown action": (
        lambda d: d["changes"][0].update(action="explode"),
        "changes[0].action: 'explode' is not 'create', 'update', 'replace', 'delete', "
        "'forget', 'rename' or 'noop'",
    ),
    "an unknown kind": (
        lambda d: d["changes"][0].update(kind="Spaceship"),
        "changes[0].kind: 'Spaceship' is not 'ScheduledMessage', 'CampaignSchedule', "
        "'CanvasSchedule', 'SendId' or 'DashboardSchedule'",
    ),
    "changes as an object": (
        lambda d: d.update(changes={}),
        "changes: expected a list, got an object",
    ),
    "a change as a string": (
        lambda d: d["changes"].__setitem__(0, "create everything"),
        "changes[0]: expected an object, got a string",
    ),
    "a count as a flag": (lambda d: d.update(serial=True), "serial: expected an integer, got "),
    "a number as a string": (
        lambda d: d["options"].update(freeze_window_seconds="900"),
        "options.freeze_window_seconds: expected an integer, got a string",
    ),
    "a send time without an offset": (
        lambda d: d["changes"][0].update(send_at="2026-12-05T10:00:00"),
        "changes[0].send_at: '2026-12-05T10:00:00' is not a time with a UTC offset",
    ),
    "a creation time that is not a time": (
        lambda d: d.update(created_at="yesterday"),
        "created_at: 'yesterday' is not a time with a UTC offset",
    ),
    "an unknown lifecycle": (
        lambda d: d["changes"][0].update(lifecycle="late"),
        "changes[0].lifecycle: 'late' is not 'pending', 'frozen', 'sending' or 'sent'",
    ),
    "an unknown ledger status": (
        lambda d: d["changes"][1].update(recorded_status="lost"),
        "changes[1].recorded_status: 'lost' is not 'active', 'adopted', 'uncertain', "
        "'fired' or 'vanished'",
    ),
    "an unknown schedule mode": (
        lambda d: d["changes"][0].update(schedule_mode="weekly"),
        "changes[0].schedule_mode: 'weekly' is not 'utc', 'local' or 'optimal'",
    ),
    "an unknown call": (
        lambda d: d["changes"][0]["requests"][0].update(call="post"),
        "changes[0].requests[0].call: 'post' is not 'create', 'update' or 'delete'",
    ),
    "a request without a body": (
        lambda d: d["changes"][0]["requests"][0].pop("body"),
        "changes[0].requests[0].body: missing",
    ),
    "a body as a list": (
        lambda d: d["changes"][0]["requests"][0].update(body=[]),
        "changes[0].requests[0].body: expected an object, got a list",
    ),
    "a label that is not text": (
        lambda d: d["changes"][0]["labels"].update(team=1),
        "changes[0].labels.team: expected a string, got an integer",
    ),
    "an unknown block code": (
        lambda d: d["changes"][2].update(blocked={"code": "maybe", "reason": "x"}),
        "changes[2].blocked.code: 'maybe' is not 'protected', 'destroy_threshold', 'frozen', "
        "'sending', 'past', 'uncertain', 'resend' or 'vanished'",
    ),
    "reasons that are not words": (
        lambda d: d["changes"][0].update(reasons=[{"code": "not_recorded"}]),
        "changes[0].reasons[0]: expected a string, got an object",
    ),
    "notes as a string": (
        lambda d: d["changes"][0].update(notes="ledger only"),
        "changes[0].notes: expected a list, got a string",
    ),
    "a symbol of another type": (
        lambda d: d["changes"][0].update(symbol=1),
        "changes[0].symbol: expected a string, got an integer",
    ),
    "a summary of another type": (
        lambda d: d.update(summary=[]),
        "summary: expected an object, got a list",
    ),
    "a count of blocked changes as a flag": (
        lambda d: d.update(blocked=False),
        "blocked: expected an integer, got true or false",
    ),
    "another format": (
        lambda d: d.update(format_version=2),
        "format_version: this tool reads format 1, not 2",
    ),
    "no time of planning": (lambda d: d.pop("now"), "now: missing"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_signed_plan_of_the_wrong_shape_is_refused_naming_the_field(
    tmp_path: Path, name: str
) -> None:
    edit, words = REFUSED[name]
    path = saved(tmp_path, edit)
    with pytest.raises(SavedPlanError) as refused:
        load_plan(path, KEY)
    assert refused.value.exit_code == 5
    assert refused.value.message.startswith(f"{path} is a malformed saved plan: {words}")


def test_the_planner_and_a_read_plan_agree_on_every_type(tmp_path: Path) -> None:
    """What the planner builds without validation passes the validation of a read plan."""
    made = sample()
    assert Plan.model_validate(made.model_dump()) == made
    assert load_plan(saved(tmp_path), KEY).model_dump() == wordless(made).model_dump()
