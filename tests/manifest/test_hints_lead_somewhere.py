"""Every hint of the invalid and doubtful corpora that names a replacement value, followed
literally, leads somewhere: to a valid manifest, or to a different diagnostic, never back to the
same one. Warnings' replacements are followed as errors' are.

The replacement is machine-applicable (``replacement`` in ``validate --format json``): it is
written in place of the key or value at the diagnostic's line and column, in JSON form (a quoted
string, or true/false, both valid YAML), and the file is validated again. Hints such as
"2026-12-12Z" (which Python read as a date at midnight, giving the same "no offset" hint
again) or "quote the value" for a Unix timestamp (which then fails as "not ISO 8601") are
what this test exists to catch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from tests.manifest.test_doubtful_corpus import DOUBTFUL
from tests.manifest.test_invalid_corpus import CORPUS, NOW

MAX_ROUNDS = 5


def diagnostics_of(path: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json", "--now", NOW])
    assert result.exit_code in (0, 3), result.output
    assert "Traceback" not in result.output
    diagnostics: list[dict[str, Any]] = json.loads(result.stdout)["diagnostics"]
    return diagnostics


def errors_of(path: Path) -> list[dict[str, Any]]:
    return [d for d in diagnostics_of(path) if d["severity"] == "error"]


def token_span(line: str, start: int) -> int:
    """Where the YAML scalar (a key or a value) that starts at ``start`` ends: quoted, or plain
    in block or flow style."""
    if line[start] in "'\"":
        return line.index(line[start], start + 1) + 1
    end = start
    while end < len(line) and line[end] not in ",}]#" and not line.startswith(": ", end):
        end += 1
    return len(line[:end].rstrip().removesuffix(":"))


def follow(path: Path, diagnostics: list[dict[str, Any]]) -> None:
    """Write each replacement in place of its value (rightmost first on a line)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for diagnostic in sorted(diagnostics, key=lambda d: (d["line"], -d["column"])):
        index, start = diagnostic["line"] - 1, diagnostic["column"] - 1
        line = lines[index]
        end = token_span(line, start)
        lines[index] = line[:start] + json.dumps(diagnostic["replacement"]) + line[end:]
    path.write_text("\n".join(lines), encoding="utf-8")


def corpus_with_replacements() -> list[Path]:
    return [
        path
        for path in sorted(CORPUS.glob("*.yaml")) + sorted(DOUBTFUL.glob("*.yaml"))
        if any(d["replacement"] is not None for d in diagnostics_of(path))
    ]


WITH_REPLACEMENTS = corpus_with_replacements()


def test_the_corpus_has_machine_applicable_hints() -> None:
    names = {path.stem for path in WITH_REPLACEMENTS}
    assert {
        "01-unknown-top-level-field",
        "02-misspelled-audience-field",
        "03-unknown-kind",
        "10-utc-time-without-offset",
        "11-local-time-with-offset",
        "12-recipients-on-a-scheduled-message",
        "13-broadcast-as-string",
        "14-protect-yes",
        "15-label-value-number",
        "41-card-expires-on-a-date",
        "46-last-used-app-on-a-date",
        "47-subscription-state-typo",
        "54-schedule-time-number",
        "56-date-only-time",
        "57-segment-id-pasted-with-its-url",
        "58-local-date-only-time",
        "60-sms-ids-are-names",
        "01-misspelled-spec-field",
        "02-local-and-optimal-time",
        "04-frequency-capping-wrong-name",
        "05-misspelled-email-field",
        "61-recurrence-rule-misspelt",
        "62-recurrence-unknown-time-zone",
        "69-recurrence-start-with-offset",
        "70-recurrence-start-without-time-of-day",
        "71-recurrence-horizon-out-of-range",
    } <= names


@pytest.mark.parametrize("source", WITH_REPLACEMENTS, ids=[p.stem for p in WITH_REPLACEMENTS])
def test_following_a_replacement_never_gives_the_same_error_again(
    source: Path, tmp_path: Path
) -> None:
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes())
    found = diagnostics_of(path)
    for _ in range(MAX_ROUNDS):
        followed = [d for d in found if d["replacement"] is not None]
        if not followed:
            break
        follow(path, followed)
        found = diagnostics_of(path)
        again = {(d["code"], d["path"]) for d in followed} & {(d["code"], d["path"]) for d in found}
        assert not again, (again, path.read_text(encoding="utf-8"))
    else:
        pytest.fail(f"still a replacement after {MAX_ROUNDS} rounds: {found}")
    if source.stem in FIXED_BY_REPLACEMENTS:
        # Every diagnostic named its fix, and none hid later checks: the result is clean
        # (but for a time that the corpus's clock finds past, which only warns).
        left = [d for d in found if d["code"] != "time_past"]
        assert left == [], path.read_text(encoding="utf-8")


FIXED_BY_REPLACEMENTS = {
    "02-misspelled-audience-field",
    "10-utc-time-without-offset",
    "11-local-time-with-offset",
    "13-broadcast-as-string",
    "14-protect-yes",
    "15-label-value-number",
    "47-subscription-state-typo",
    "54-schedule-time-number",
    "56-date-only-time",
    "57-segment-id-pasted-with-its-url",
    "58-local-date-only-time",
    "41-card-expires-on-a-date",
    "46-last-used-app-on-a-date",
    "01-misspelled-spec-field",
    "02-local-and-optimal-time",
    "04-frequency-capping-wrong-name",
    "05-misspelled-email-field",
    "61-recurrence-rule-misspelt",
    "62-recurrence-unknown-time-zone",
    "69-recurrence-start-with-offset",
    "70-recurrence-start-without-time-of-day",
    "71-recurrence-horizon-out-of-range",
}
"""Corpus files whose every error names its replacement (an unknown kind, for one, also
hides the checks of the spec, which then come next)."""


def test_a_date_only_time_leads_to_a_valid_time_not_zz(tmp_path: Path) -> None:
    path = tmp_path / "day.yaml"
    path.write_bytes((CORPUS / "56-date-only-time.yaml").read_bytes())
    (error,) = errors_of(path)
    assert error["replacement"] == "2026-12-12T09:00:00Z"
    follow(path, [error])
    assert '    time: "2026-12-12T09:00:00Z"' in path.read_text(encoding="utf-8")
    assert errors_of(path) == []


def test_a_unix_timestamp_leads_to_its_iso_time(tmp_path: Path) -> None:
    path = tmp_path / "stamp.yaml"
    path.write_bytes((CORPUS / "54-schedule-time-number.yaml").read_bytes())
    (error,) = errors_of(path)
    assert error["replacement"] == "2025-12-05T13:00:00Z"
    follow(path, [error])
    assert errors_of(path) == []  # valid; 2025 is past on the corpus's clock: only a warning


def test_a_date_only_local_time_in_a_flow_mapping_leads_to_a_wall_clock_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(
        "kind: CampaignSchedule\n"
        "name: c\n"
        "spec: {campaign_id: 924cd632-0dc9-4a59-a3f1-b892936fd234, broadcast: true,\n"
        "  schedule: {time: 2026-12-12, in_local_time: true}}\n",
        encoding="utf-8",
    )
    (error,) = errors_of(path)
    assert error["replacement"] == "2026-12-12T09:00:00"  # no offset: sent in local time
    follow(path, [error])
    assert errors_of(path) == []
