"""Braze's own request examples are accepted: by the emulator (the real client's transport,
over loopback) and, for the three schedule creates, by ``validate`` as manifests. Where an
example contradicts its own page, each correction is shown to be needed: without it, the
emulator and ``validate`` refuse the example exactly there (documented_examples.py).

Also: what Braze may accept though a person probably did not mean it (the doubtful corpus:
unknown fields, both time modes, a priority out of range) is accepted by the emulator, and
kept as written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from reconciler.braze.client import BrazeClient
from reconciler.braze.models import ENDPOINTS
from reconciler.cli import cli
from reconciler.emulator.server import EmbeddedEmulator
from reconciler.manifest.diagnostics import format_path
from reconciler.manifest.loader import load_manifests
from tests.contract import demo
from tests.contract.conftest import START, campaign_body, canvas_body, message_body
from tests.contract.documented_examples import (
    ENDPOINT_EXAMPLES,
    EXAMPLES,
    SCHEDULE_ID,
    SEND_ID,
    Correction,
    Example,
    corrected,
    with_ids,
)
from tests.manifest.test_doubtful_corpus import DOUBTFUL

NOW = "2026-11-01T12:00:00Z"
assert START.isoformat().replace("+00:00", "Z") == NOW

CORRECTIONS = [(example, correction) for example in EXAMPLES for correction in example.corrections]
CREATES = [example for example in EXAMPLES if example.kind is not None]


def test_every_messaging_endpoint_has_its_example() -> None:
    paths = [example.path for example in ENDPOINT_EXAMPLES]
    assert sorted(paths) == sorted(ENDPOINTS)  # 14, one each
    assert {example.kind for example in CREATES} == {
        "ScheduledMessage",
        "CampaignSchedule",
        "CanvasSchedule",
    }


def _prepared(client: BrazeClient, example: Example, body: dict[str, Any]) -> dict[str, Any]:
    """The send ids the example names, created for its campaign; a schedule for the update
    and delete examples, whose id replaces ``schedule_identifier``."""
    for campaign in (demo.API_CAMPAIGN, demo.TRIGGERED_CAMPAIGN):
        client.create_send_id({"campaign_id": campaign, "send_id": SEND_ID})
    if body.get("schedule_id") != SCHEDULE_ID:
        return body
    kind, create = {
        "/messages": ("ScheduledMessage", message_body),
        "/campaigns": ("CampaignSchedule", campaign_body),
        "/canvas/": ("CanvasSchedule", canvas_body),
    }[next(prefix for prefix in ("/messages", "/campaigns", "/canvas/") if
           example.path.startswith(prefix))]  # fmt: skip
    created = client.create_schedule(kind, create())
    return dict(with_ids(body, created.body["schedule_id"]))


def _call(http: httpx.Client, example: Example, body: dict[str, Any]) -> httpx.Response:
    if example.path == "/messages/scheduled_broadcasts":
        return http.get(example.path, params=body)
    return http.post(example.path, json=body)


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_the_emulator_accepts_the_example(
    example: Example, client: BrazeClient, http: httpx.Client, emulator: EmbeddedEmulator
) -> None:
    body = _prepared(client, example, corrected(example))
    answer = _call(http, example, body)
    assert 200 <= answer.status_code < 300, (example.page, answer.json())
    schedule_id = answer.json().get("schedule_id")
    if schedule_id is not None:  # kept exactly as sent
        assert emulator.admin.schedule(schedule_id)["body"] == body


def _path(error: str) -> tuple[str, ...]:
    """``recipients.0.user_alias: ...`` -> ("recipients", "0", "user_alias")."""
    where, _, _ = error.partition(": ")
    return tuple(where.split(".")) if where else ()


def _related(found: tuple[str, ...], loc: tuple[str | int, ...]) -> bool:
    wanted = tuple(str(part) for part in loc)
    shorter = min(len(found), len(wanted))
    return found[:shorter] == wanted[:shorter]


@pytest.mark.parametrize(
    ("example", "correction"),
    CORRECTIONS,
    ids=[f"{e.name}: {format_path(c.loc)}" for e, c in CORRECTIONS],
)
def test_each_correction_is_needed_by_the_emulator(
    example: Example, correction: Correction, client: BrazeClient, http: httpx.Client
) -> None:
    body = _prepared(client, example, corrected(example, leave_out=correction))
    answer = _call(http, example, body)
    assert answer.status_code == 400, correction.rule
    errors = answer.json()["errors"]
    assert errors
    assert all(_related(_path(error), correction.loc) for error in errors), errors


def _validate(tmp_path: Path, example: Example, body: dict[str, Any]) -> dict[str, Any]:
    manifest = {"kind": example.kind, "name": "documented-example", "spec": body}
    path = tmp_path / "example.yaml"
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")  # JSON is YAML
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json", "--now", NOW])
    assert result.exit_code in (0, 3), result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


EXPECTED_WARNINGS = {
    "create scheduled messages": ["both_time_modes", "send_id_not_declared"],
    "schedule API-triggered campaigns": ["send_id_not_declared"],
    "schedule API-triggered Canvases": [],
}


@pytest.mark.parametrize("example", CREATES, ids=[example.name for example in CREATES])
def test_validate_accepts_the_create_example_as_a_manifest(
    example: Example, tmp_path: Path
) -> None:
    report = _validate(tmp_path, example, corrected(example))
    assert report["errors"] == 0, report["diagnostics"]
    codes = sorted(diagnostic["code"] for diagnostic in report["diagnostics"])
    assert codes == EXPECTED_WARNINGS[example.name]


CREATE_CORRECTIONS = [(e, c) for e, c in CORRECTIONS if e.kind is not None]


@pytest.mark.parametrize(
    ("example", "correction"),
    CREATE_CORRECTIONS,
    ids=[f"{e.name}: {format_path(c.loc)}" for e, c in CREATE_CORRECTIONS],
)
def test_each_correction_is_needed_by_validate(
    example: Example, correction: Correction, tmp_path: Path
) -> None:
    report = _validate(tmp_path, example, corrected(example, leave_out=correction))
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert errors, correction.rule
    for error in errors:  # there, at its line and column, with a hint
        found = tuple(error["path"].replace("[", ".").replace("]", "").split("."))
        assert _related(found, ("spec", *correction.loc)), error
        assert error["line"] > 1, error
        assert error["hint"], error


DOUBTFUL_FILES = sorted(DOUBTFUL.glob("*.yaml"))


@pytest.mark.parametrize("path", DOUBTFUL_FILES, ids=[p.stem for p in DOUBTFUL_FILES])
def test_the_emulator_accepts_what_validate_only_doubts(
    path: Path, client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    loaded = load_manifests([path], START)
    assert loaded.ok
    assert loaded.warnings
    (resource,) = loaded.resources
    created = client.create_schedule(resource.kind.value, resource.body)
    assert emulator.admin.schedule(created.body["schedule_id"])["body"] == resource.body


def test_both_time_modes_send_in_optimal_time(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    body = campaign_body(schedule={"time": "2026-11-27T09:00:00", "in_local_time": True,
                                   "at_optimal_time": True})  # fmt: skip
    created = client.create_schedule("CampaignSchedule", body)
    window = emulator.admin.schedule(created.body["schedule_id"])["send_window"]
    # read as optimal time: the whole date in every zone, which contains the local-time window
    assert window == {
        "mode": "optimal",
        "first": "2026-11-26T10:00:00.000Z",
        "last": "2026-11-28T12:00:00.000Z",
    }
