"""Draft DashboardSchedule manifests: valid names, unique, valid manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.audit.expectations import drafts, resource_name, schema_reference, write_drafts
from reconciler.audit.report import Status
from reconciler.manifest.loader import load_manifests
from reconciler.manifest.schema import SCHEMA_ID
from tests.audit.helpers import NEWSLETTER, expectation, listed, run
from tests.plan.helpers import NOW

REPO = Path(__file__).parents[2]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("December newsletter", "december-newsletter"),
        ("Ñandú — Spring/Summer 2027!!", "nandu-spring-summer-2027"),
        ("__Q4.final__", "q4.final"),
        ("", "campaign-3d4847b5"),
        ("日本のお知らせ", "campaign-3d4847b5"),
        ("x" * 300, "x" * 100),
    ],
)
def test_resource_names(title: str, expected: str) -> None:
    assert resource_name(title, "Campaign", NEWSLETTER) == expected


def test_drafts_only_for_unexpected_broadcasts_with_unique_names() -> None:
    listing = [
        listed(),
        listed("11111111-2222-4333-8444-555555555555", name="December newsletter"),
        listed(
            "22222222-2222-4333-8444-555555555555",
            type_="Canvas",
            name='Say "hi":\n# not a comment',
            next_send_time="soon",
            schedule_type=None,
        ),
        listed("33333333-2222-4333-8444-555555555555", name="Declared"),
    ]
    declared = expectation("declared", campaign_id="33333333-2222-4333-8444-555555555555")
    report = run([declared], [], listing)
    assert [e.status for e in report.entries].count(Status.UNEXPECTED) == 3
    found = drafts(report, taken={"december-newsletter"})
    assert [d.name for d in found] == [
        "december-newsletter-11111111",
        "december-newsletter-3d4847b5",
        "say-hi-not-a-comment",
    ]
    odd = found[2].text
    assert 'canvas_id: "22222222-2222-4333-8444-555555555555"' in odd
    assert 'name: "Say \\"hi\\":\\n# not a comment"' in odd
    assert "  next_send_time:" not in odd, "an unreadable time is left out"
    assert "# Braze listed a next send time that cannot be read: 'soon'" in odd
    assert "schedule_type" not in odd


def test_drafts_are_valid_manifests(tmp_path: Path) -> None:
    listing = [
        listed(tags=["newsletter", "holiday"]),
        listed(
            "22222222-2222-4333-8444-555555555555",
            type_="Canvas",
            name="Advent: calendar #1",
            next_send_time="2026-12-02 09:00:00",
            schedule_type="local_time_zones",
        ),
    ]
    written = write_drafts(run([], [], listing), tmp_path / "drafts", taken=())
    assert [p.name for p in written] == ["advent-calendar-1.yaml", "december-newsletter.yaml"]
    text = written[1].read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema={SCHEMA_ID}\n")
    assert "# Braze tags: newsletter, holiday\n" in text
    result = load_manifests([tmp_path / "drafts"], NOW)
    assert result.diagnostics == []
    assert sorted(r.address for r in result.resources) == [
        "dashboard_schedule/advent-calendar-1",
        "dashboard_schedule/december-newsletter",
    ]
    adopted = run(result.resources, [], listing)
    assert {e.status for e in adopted.entries} == {Status.IN_SYNC}


def test_the_schema_is_referenced_relative_to_a_checkout() -> None:
    assert schema_reference(REPO / "examples" / "dashboard") == "../../schemas/manifest.schema.json"
    assert schema_reference(REPO) == "schemas/manifest.schema.json"


def test_the_schema_url_outside_a_checkout(tmp_path: Path) -> None:
    assert schema_reference(tmp_path) == SCHEMA_ID
