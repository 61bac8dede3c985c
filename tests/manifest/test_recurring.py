"""Recurring manifests: the feature switch, occurrences as desired resources (addresses,
bodies, horizon, what is still sending), what the planner can ask a rule, warnings at their
line and column, names and addresses, pickling, and the JSON Schema."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.manifest.loader import LoadResult, load_manifests
from reconciler.manifest.resource import (
    is_valid_name,
    is_valid_resource_name,
    parse_address,
    split_occurrence,
)

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CAMPAIGN = "924cd632-0dc9-4a59-a3f1-b892936fd233"
WEEKLY = f"""kind: CampaignSchedule
name: weekly-digest
description: The Monday digest
labels: {{team: growth}}
recurrence:
  rule: FREQ=WEEKLY;BYDAY=MO
  start: 2026-11-02T09:00:00
  time_zone: America/New_York
  until: 2027-03-31
  except: [2026-12-28]
spec:
  campaign_id: {CAMPAIGN}
  broadcast: true
  trigger_properties: {{edition: weekly}}
"""


def load(tmp_path: Path, text: str, now: datetime = NOW, **options: timedelta) -> LoadResult:
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    return load_manifests([tmp_path], now, options.get("default_horizon"))


def validate(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner(env=env).invoke(
        cli, ["validate", str(path), "--format", "json", "--now", "2026-12-01T08:00:00Z"]
    )
    assert result.exit_code in (0, 3), result.output
    return [
        f"{d['severity']} {d['line']}:{d['column']} {d['code']} {d['path']} | {d['message']}"
        + (f" => {d['replacement']}" if d["replacement"] else "")
        for d in json.loads(result.stdout)["diagnostics"]
    ]


def test_only_schedule_kinds_recur(tmp_path: Path) -> None:
    assert validate(tmp_path, WEEKLY) == []
    # Kinds that make no schedule never recur.
    send_id = f"kind: SendId\nname: s\nrecurrence: {{}}\nspec: {{campaign_id: {CAMPAIGN}}}\n"
    assert validate(tmp_path, send_id)[0].startswith("error 3:1 unknown_field recurrence")


def test_rules_checked_together_point_at_the_field_to_change(tmp_path: Path) -> None:
    both = WEEKLY.replace(
        "time_zone: America/New_York", "in_local_time: true\n  at_optimal_time: true"
    )
    assert validate(tmp_path, both) == [
        "error 9:20 conflicting_time_modes recurrence.at_optimal_time | in_local_time and "
        "at_optimal_time are both true"
    ]
    never_ten = WEEKLY.replace("FREQ=WEEKLY;BYDAY=MO", "FREQ=HOURLY;INTERVAL=2;BYHOUR=10")
    assert validate(tmp_path, never_ten) == [
        "error 6:9 invalid_rule recurrence.rule | the rule cannot be used from start "
        "2026-11-02T09:00:00: Invalid rrule byxxx generates an empty set."
    ]


def test_a_rule_whose_start_day_never_comes_is_refused(tmp_path: Path) -> None:
    # A yearly rule without BYMONTHDAY takes start's day: there is no February 30.
    february = WEEKLY.replace("FREQ=WEEKLY;BYDAY=MO", "FREQ=YEARLY;BYMONTH=2").replace(
        "2026-11-02T09:00:00", "2027-01-30T09:00:00"
    )
    assert validate(tmp_path, february.replace("  until: 2027-03-31\n", "")) == [
        "error 5:1 recurrence_never_sends recurrence | the recurrence has no occurrence: "
        "FREQ=YEARLY;BYMONTH=2 from 2027-01-30T09:00:00 never matches"
    ]


def test_each_occurrence_in_the_horizon_is_a_resource(tmp_path: Path) -> None:
    result = load(tmp_path, WEEKLY)
    assert result.ok, result.diagnostics
    assert [(r.address, r.schedule_time) for r in result.resources] == [
        ("campaign_schedule/weekly-digest@2026-12-07", "2026-12-07T14:00:00Z"),
        ("campaign_schedule/weekly-digest@2026-12-14", "2026-12-14T14:00:00Z"),
    ]
    first, second = result.resources
    assert first.body == {
        "campaign_id": CAMPAIGN,
        "broadcast": True,
        "trigger_properties": {"edition": "weekly"},
        "schedule": {"time": "2026-12-07T14:00:00Z"},
    }
    assert first.body_hash != second.body_hash
    assert (first.kind, first.schedule_mode, first.parent_id) == (
        "CampaignSchedule",
        "utc",
        CAMPAIGN,
    )
    assert (first.description, dict(first.labels), first.protect) == (
        "The Monday digest",
        {"team": "growth"},
        False,
    )
    assert first.occurrence_key == "2026-12-07"
    assert first.rule_address == "campaign_schedule/weekly-digest"
    assert first.recurrence is second.recurrence
    assert first.recurrence is not None
    assert (first.recurrence.summary, first.recurrence.rule, first.recurrence.time_zone) == (
        "weekly on Monday at 09:00 in America/New_York",
        "FREQ=WEEKLY;BYDAY=MO",
        "America/New_York",
    )
    assert str(first.location_of("name")) == f"{tmp_path / 'm.yaml'}:2:7"
    assert str(first.location_of("spec.schedule.time")) == f"{tmp_path / 'm.yaml'}:7:10"
    assert list(result.rules) == ["campaign_schedule/weekly-digest"]


def test_the_horizon_comes_from_the_manifest_then_the_run_then_the_default(
    tmp_path: Path,
) -> None:
    def keys(result: LoadResult) -> list[str | None]:
        return [r.occurrence_key for r in result.resources]

    assert len(keys(load(tmp_path, WEEKLY))) == 2  # 14 days
    assert len(keys(load(tmp_path, WEEKLY, default_horizon=timedelta(days=28)))) == 3
    own = WEEKLY.replace("  except:", "  horizon: 3w\n  except:")
    assert keys(load(tmp_path, own, default_horizon=timedelta(days=1))) == [
        "2026-12-07",
        "2026-12-14",
        "2026-12-21",
    ]
    # The excepted date is no occurrence; the next one is.
    assert keys(load(tmp_path, own.replace("3w", "6w"))) == [
        "2026-12-07",
        "2026-12-14",
        "2026-12-21",
        "2027-01-04",
        "2027-01-11",
    ]


def test_an_occurrence_still_sending_is_desired_and_a_sent_one_is_not(tmp_path: Path) -> None:
    local = WEEKLY.replace("time_zone: America/New_York", "in_local_time: true")
    # 09:00 local on 2026-12-07 sends from 2026-12-06T19:00Z to 2026-12-07T21:00Z.
    sending = load(tmp_path, local, now=datetime(2026, 12, 7, 20, 0, tzinfo=UTC))
    assert sending.resources[0].address == "campaign_schedule/weekly-digest@2026-12-07"
    assert sending.resources[0].body["schedule"] == {
        "time": "2026-12-07T09:00:00",
        "in_local_time": True,
    }
    sent = load(tmp_path, local, now=datetime(2026, 12, 7, 21, 0, tzinfo=UTC))
    assert sent.resources[0].address == "campaign_schedule/weekly-digest@2026-12-14"


def test_the_rule_answers_for_occurrences_outside_the_horizon(tmp_path: Path) -> None:
    rule = load(tmp_path, WEEKLY).rules["campaign_schedule/weekly-digest"]
    far = rule.resource_for("2027-03-29")
    assert far is not None
    assert (far.address, far.schedule_time) == (
        "campaign_schedule/weekly-digest@2027-03-29",
        "2027-03-29T13:00:00Z",
    )
    assert rule.resource_for("2026-12-28") is None  # excepted
    assert rule.resource_for("2027-04-05") is None  # after until
    assert rule.resource_for("2026-12-08") is None  # a Tuesday
    assert rule.horizon() == timedelta(days=14)
    assert rule.template.address == "campaign_schedule/weekly-digest"
    assert "schedule" not in rule.template.body


def test_warnings_at_their_line_and_column(tmp_path: Path) -> None:
    text = WEEKLY.replace("2026-11-02T09:00:00", "2026-11-03T09:00:00").replace(
        "[2026-12-28]", "[2026-12-28, 2026-12-29]"
    )
    assert validate(tmp_path, text) == [
        "warning 7:10 start_not_in_rule recurrence.start | start 2026-11-03T09:00:00 is not an "
        "occurrence of FREQ=WEEKLY;BYDAY=MO; the first is 2026-11-09T09:00:00 "
        "=> 2026-11-09T09:00:00",
        "warning 10:24 except_unused recurrence.except[1] | except 2026-12-29 is not an "
        "occurrence of the rule: it skips nothing",
    ]
    ended = WEEKLY.replace("until: 2027-03-31", "until: 2026-11-30")
    assert validate(tmp_path, ended) == [
        "warning 5:1 recurrence_ended recurrence | the recurrence has no occurrence left to "
        "send (until 2026-11-30)",
        "warning 10:12 except_unused recurrence.except[0] | except 2026-12-28 is not an "
        "occurrence of the rule: it skips nothing",
    ]


def test_a_finished_recurrence_alone_is_not_an_empty_path(tmp_path: Path) -> None:
    ended = WEEKLY.replace("until: 2027-03-31", "until: 2026-11-30").replace(
        "  except: [2026-12-28]\n", ""
    )
    result = load(tmp_path, ended)
    assert (result.resources, list(result.rules)) == ([], ["campaign_schedule/weekly-digest"])
    path = tmp_path / "m.yaml"
    out = CliRunner().invoke(cli, ["validate", str(path), "--now", "2026-12-01T08:00:00Z"])
    assert out.exit_code == 0, out.output


ONE_SHOT = f"""---
kind: CampaignSchedule
name: weekly-digest
spec:
  campaign_id: {CAMPAIGN}
  broadcast: true
  send_id: weekly
  schedule: {{time: "2026-12-05T10:00:00Z"}}
"""


def test_a_rule_has_a_name_of_its_kind_like_any_manifest(tmp_path: Path) -> None:
    assert validate(tmp_path, WEEKLY + ONE_SHOT)[0] == (
        f"error 17:7 duplicate_address name | campaign_schedule/weekly-digest is declared twice "
        f"(first at {tmp_path / 'm.yaml'}:2:7)"
    )
    assert validate(tmp_path, WEEKLY + "---\n" + WEEKLY)[0].startswith(
        "error 17:7 duplicate_address name"
    )


def test_an_undeclared_send_id_is_said_once_per_rule(tmp_path: Path) -> None:
    text = WEEKLY.replace("  broadcast: true\n", "  broadcast: true\n  send_id: weekly\n")
    assert validate(tmp_path, text) == [
        "warning 14:12 send_id_not_declared spec.send_id | send_id 'weekly' is not declared by "
        "a SendId manifest"
    ]


def test_names_cannot_hold_an_occurrence_key(tmp_path: Path) -> None:
    text = WEEKLY.replace("name: weekly-digest", "name: weekly-digest@2026-12-07")
    assert validate(tmp_path, text) == [
        "error 2:7 invalid_name name | name 'weekly-digest@2026-12-07' is not a valid resource name"
    ]


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("weekly-digest", True),
        ("weekly-digest@2026-12-07", True),
        ("weekly-digest@2026-12-07T09", True),
        ("weekly-digest@", False),
        ("weekly-digest@2026-12-32", False),
        ("weekly-digest@2026-12-07T24", False),
        ("weekly-digest@2026-12-07@2026-12-08", False),
        ("@2026-12-07", False),
        ("Weekly@2026-12-07", False),
    ],
)
def test_occurrence_addresses(name: str, valid: bool) -> None:
    assert is_valid_resource_name(name) is valid
    assert not is_valid_name(name) or "@" not in name
    if valid:
        assert parse_address(f"campaign_schedule/{name}")[1] == name
    else:
        with pytest.raises(ValueError, match="is not a resource address"):
            parse_address(f"campaign_schedule/{name}")


def test_split_occurrence() -> None:
    assert split_occurrence("weekly@2026-12-07") == ("weekly", "2026-12-07")
    assert split_occurrence("weekly") == ("weekly", None)


def test_occurrences_pickle_cheaply_and_share_their_rule(tmp_path: Path) -> None:
    result = load(tmp_path, WEEKLY.replace("  except:", "  horizon: 90d\n  except:"))
    occurrences = result.resources
    assert len(occurrences) == 11  # 12 Mondays in 90 days, one excepted
    again = pickle.loads(pickle.dumps(occurrences))
    assert again == occurrences
    assert all(o.recurrence is again[0].recurrence for o in again)
    one = len(pickle.dumps(occurrences[:1]))
    assert len(pickle.dumps(occurrences)) < one * 4  # the rule and the spec are stored once


def test_many_files_read_in_worker_processes_give_the_same_occurrences(tmp_path: Path) -> None:
    for index in range(70):  # more than PARALLEL_MIN_FILES
        text = WEEKLY.replace("weekly-digest", f"weekly-{index:02d}")
        (tmp_path / f"m{index:02d}.yaml").write_text(text, encoding="utf-8")
    result = load_manifests([tmp_path], NOW)
    assert result.ok
    assert len(result.resources) == 140
    assert len(result.rules) == 70
    assert result.resources[0].address == "campaign_schedule/weekly-00@2026-12-07"


SCHEMA = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text(encoding="utf-8"))
SPEC = {"campaign_id": CAMPAIGN}
BASE: dict[str, object] = {"kind": "CampaignSchedule", "name": "w", "spec": SPEC}
RULE = {"rule": "FREQ=WEEKLY;BYDAY=MO", "start": "2026-11-02T09:00:00", "time_zone": "UTC"}
SCHEDULE = {"time": "2026-11-02T09:00:00Z"}


@pytest.mark.parametrize(
    ("document", "valid"),
    [
        ({**BASE, "recurrence": RULE}, True),
        ({**BASE, "spec": {**SPEC, "schedule": SCHEDULE}}, True),
        ({**BASE, "recurrence": RULE, "spec": {**SPEC, "schedule": SCHEDULE}}, False),
        (BASE, False),
        ({**BASE, "recurrence": {**RULE, "count": 0}}, False),
        ({**BASE, "recurrence": {**RULE, "every": "week"}}, False),
    ],
)
def test_the_json_schema_knows_a_recurring_spec_has_no_schedule(
    document: dict[str, object], valid: bool
) -> None:
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document))
    assert (not errors) is valid, [e.message for e in errors]
