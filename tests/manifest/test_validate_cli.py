"""``validate`` through the real command: formats, exit codes, warnings, examples, schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.manifest.schema import manifest_schema_text
from reconciler.manifest.yamlload import compose_documents

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLES_NOW = "2026-12-01T08:00:00Z"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout


def test_examples_are_valid() -> None:
    code, out = run("validate", str(EXAMPLES), "--now", EXAMPLES_NOW)
    assert code == 0, out
    # the weekly digest counts its two occurrences in the horizon; the test group is one
    assert out.endswith("13 resources in 9 files valid.\n")


def test_examples_cover_every_kind_and_channel() -> None:
    kinds: set[str] = set()
    channels: set[str] = set()
    modes: set[str] = set()
    for path in EXAMPLES.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema="), path
        for document in compose_documents(text):
            kinds.add(document.value["kind"])
            spec = document.value["spec"]
            channels.update(spec.get("messages", {}))
            schedule = spec.get("schedule", {})
            if schedule:
                modes.add(
                    "local"
                    if schedule.get("in_local_time")
                    else "optimal"
                    if schedule.get("at_optimal_time")
                    else "utc"
                )
    assert kinds == {
        "ScheduledMessage",
        "CampaignSchedule",
        "CanvasSchedule",
        "SendId",
        "DashboardSchedule",
        "TestGroup",
    }
    assert channels >= {
        "apple_push",
        "android_push",
        "email",
        "sms",
        "webhook",
        "content_card",
        "web_push",
    }
    assert modes == {"utc", "local", "optimal"}


def test_examples_match_the_committed_json_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text(encoding="utf-8"))
    for path in EXAMPLES.rglob("*.yaml"):
        for document in compose_documents(path.read_text(encoding="utf-8")):
            jsonschema.validate(document.value, schema)


def test_committed_schema_is_what_the_models_generate() -> None:
    committed = (ROOT / "schemas" / "manifest.schema.json").read_text(encoding="utf-8")
    assert committed == manifest_schema_text(), "run `braze-reconciler schema` and commit it"


def test_schema_command_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    code, _ = run("schema", "--out", str(out))
    assert code == 0
    assert out.read_text(encoding="utf-8") == manifest_schema_text()
    code, printed = run("schema", "--out", "-")
    assert printed == manifest_schema_text()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PAST = """kind: CampaignSchedule
name: fired
spec:
  campaign_id: 924cd632-0dc9-4a59-a3f1-b892936fd233
  broadcast: true
  schedule:
    time: "2026-11-20T10:00:00Z"
"""


def test_a_past_time_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "past.yaml", PAST)
    code, out = run("validate", str(path), "--now", "2026-12-01T08:00:00Z")
    assert code == 0
    assert out == (
        f"{path}:7:11: warning: campaign_schedule/fired: spec.schedule.time: send time "
        "2026-11-20T10:00:00Z passed 10 d 22 h ago [time_past]\n"
        "  hint: fired schedules may stay in git; the plan forgets them once sent and refuses "
        "to create one in the past\n"
        "1 resource in 1 file valid (1 warning).\n"
    )


def test_more_than_90_days_ahead_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "far.yaml", PAST.replace("2026-11-20", "2027-06-01"))
    code, out = run("validate", str(path), "--now", "2026-12-01T08:00:00Z", "--format", "json")
    assert code == 0
    (warning,) = json.loads(out)["diagnostics"]
    assert warning["code"] == "time_beyond_horizon"
    assert warning["severity"] == "warning"
    assert warning["message"] == "send time 2027-06-01T10:00:00Z is more than 90 days ahead"
    assert warning["hint"] == (
        "older versions of Braze's docs allowed schedules up to 90 days ahead (the current ones "
        "do not say); if Braze refuses it, create it later"
    )


def test_local_time_is_past_only_after_the_last_zone(tmp_path: Path) -> None:
    text = PAST.replace('"2026-11-20T10:00:00Z"', '"2026-12-01T00:00:00"\n    in_local_time: true')
    path = write(tmp_path, "local.yaml", text)
    # 08:00 UTC: midnight has passed in UTC+14 .. UTC-8, not yet in UTC-12 (until 12:00 UTC)
    code, out = run("validate", str(path), "--now", "2026-12-01T08:00:00Z")
    assert (code, out) == (0, "1 resource in 1 file valid.\n")
    code, out = run("validate", str(path), "--now", "2026-12-01T12:00:00Z")
    assert "[time_past]" in out


def test_json_format(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", PAST.replace("broadcast: true", "broadcast: yes"))
    code, out = run("validate", str(path), "--format", "json", "--now", EXAMPLES_NOW)
    assert code == 3
    report = json.loads(out)
    assert report == {
        "format_version": 1,
        "valid": False,
        "resources": 0,
        "files": 1,
        "errors": 1,
        "warnings": 0,
        "diagnostics": [
            {
                "severity": "error",
                "code": "bool_type",
                "message": "expected true or false, got string 'yes'",
                "file": str(path),
                "line": 5,
                "column": 14,
                "address": "campaign_schedule/fired",
                "path": "spec.broadcast",
                "hint": "write true or false without quotes (yes, no, on, off are strings)",
                "related": [],
                "replacement": True,
            }
        ],
    }


def test_github_annotations(tmp_path: Path) -> None:
    path = write(tmp_path, "bad,name.yaml", PAST.replace("broadcast: true", "broadcast: yes"))
    code, out = run("validate", str(path), "--format", "github", "--now", EXAMPLES_NOW)
    assert code == 3
    escaped = str(path).replace(",", "%2C")
    assert out.splitlines()[0] == (
        f"::error file={escaped},line=5,col=14,title=braze-reconciler bool_type::"
        "campaign_schedule/fired: spec.broadcast: expected true or false, got string 'yes' "
        "(hint: write true or false without quotes (yes, no, on, off are strings))"
    )


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 3
    assert f"error: {tmp_path / 'nope'}: no such file or directory" in result.stderr


def test_directories_are_searched_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    write(tmp_path / "b", "z.yml", PAST.replace("name: fired", "name: two"))
    write(tmp_path, "a.yaml", PAST.replace("name: fired", "name: one"))
    write(tmp_path / ".hidden", "x.yaml", "not: [valid")
    write(tmp_path, "notes.txt", "ignored")
    code, out = run("validate", str(tmp_path), "--format", "json", "--now", "2026-11-01T00:00:00Z")
    assert code == 0
    assert json.loads(out)["files"] == 2


@pytest.mark.parametrize("bad_now", ["yesterday", "2026-12-01T08:00:00"])
def test_now_must_be_an_instant(bad_now: str) -> None:
    result = CliRunner().invoke(cli, ["validate", str(EXAMPLES), "--now", bad_now])
    assert result.exit_code == 3
    assert "Invalid value for '--now'" in result.stderr
