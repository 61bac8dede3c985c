"""Golden renders of one audit report as text, Markdown and JSON (UPDATE_GOLDEN=1 rewrites)."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path

from reconciler.audit.report import AuditReport
from reconciler.render.audit_markdown import LIMIT, MARKER, render_audit_markdown
from reconciler.render.audit_text import listed_words, render_audit_text
from reconciler.render.json_render import render_json
from tests.audit.helpers import listed, run, sample_report
from tests.commonmark import comments, visible
from tests.golden import check_golden, plain
from tests.plan.helpers import campaign, recorded

GOLDEN = Path(__file__).parent / "golden"


def report() -> AuditReport:
    return dataclasses.replace(
        sample_report(), workspace="production", endpoint="https://rest.iad-03.braze.com"
    )


def test_text_golden() -> None:
    check_golden(GOLDEN, "audit.txt", plain(render_audit_text(report().to_dict())))


def test_markdown_golden() -> None:
    check_golden(GOLDEN, "audit.md", render_audit_markdown(report().to_dict()))


def test_json_golden() -> None:
    text = render_json(report().to_dict())
    check_golden(GOLDEN, "audit.json", text)
    data = json.loads(text)
    assert data["format_version"] == 1
    assert data["drift"] is True
    assert AuditReport.from_dict(data) == report()


def test_text_ends_with_the_summary() -> None:
    lines = plain(render_audit_text(report().to_dict())).splitlines()
    assert lines[-2:] == [
        "Audit: 2 in sync, 3 pending changes, 1 uncertain, 1 unexpected, 1 missing, 1 mismatched.",
        "Drift: Braze or the ledger differs from git (see above).",
    ]
    gift = campaign()
    quiet = plain(render_audit_text(run([gift], [recorded(gift)]).to_dict()))
    assert quiet.splitlines()[-1] == "In sync: 1 API schedule as applied (Braze cannot list them)."
    assert "everything" not in quiet.splitlines()[-1]


def test_markdown_starts_with_its_marker_and_is_sorted_by_time() -> None:
    text = render_audit_markdown(report().to_dict())
    lines = text.splitlines()
    assert lines[0] == MARKER
    assert "**Drift: 3 pending changes, 1 uncertain, 1 unexpected, 1 missing, 1 mismatched" in text
    start = lines.index("|---|---|---|---|---|---|") + 1
    rows = lines[start : lines.index("", start)]
    assert len(rows) == 9
    times = [row.split(" | ")[1] for row in rows if "UTC" in row.split(" | ")[1]]
    assert times == sorted(times)
    assert "Spring | teaser <b>" in visible(text), "cells show pipes and tags as written"


def test_markdown_in_sync_and_empty() -> None:
    gift = campaign()
    text = render_audit_markdown(run([gift], [recorded(gift)]).to_dict())
    assert "In sync within 30 d: 1 API schedule as applied (Braze cannot list them)." in visible(
        text
    )
    empty = render_audit_markdown(run().to_dict())
    assert "Nothing is due within 30 d." in empty
    assert empty.startswith(MARKER + "\n")


def test_markdown_stays_under_the_limit() -> None:
    listing = [
        listed(f"{i:08d}-0000-4000-8000-000000000000", name=f"Broadcast {i} " + "x" * 80)
        for i in range(3000)
    ]
    big = run([], [], listing, horizon=timedelta(days=30))
    text = render_audit_markdown(big.to_dict())
    assert len(text) < LIMIT
    assert "more entries are not listed" in text


def test_listed_times_in_words() -> None:
    assert listed_words("2026-12-03T14:00:00-05:00", "America/New_York") == (
        "2026-12-03 14:00 -05:00 (America/New_York)"
    )
    assert listed_words("2026-12-03T14:00:00Z", None) == "2026-12-03 14:00 UTC"
    assert listed_words("2026-12-03 14:00:00", "America/New_York") == (
        "2026-12-03 14:00 (America/New_York)"
    )
    assert listed_words("2026-12-01T09:00:00", "local_time_zones") == (
        "2026-12-01 09:00 in each user's zone"
    )
    assert listed_words("2026-12-05T00:00:00", "intelligent_delivery") == (
        "2026-12-05 at each user's best time"
    )
    assert listed_words("soon", None) == "soon"
    assert listed_words(None, "local_time_zones") == "no next send time (local_time_zones)"


def test_a_hostile_broadcast_name_stays_inert() -> None:
    name = "Sale\x1b]0;pwned\x07\n::warning ::x <!-- [b]"
    report = run([], [], [listed(name=name)]).to_dict()
    text = plain(render_audit_text(report))
    assert "\x1b" not in text
    assert not [line for line in text.splitlines() if line.startswith("::")]
    assert 'Campaign "Sale\\x1b]0;pwned\\x07\\n::warning ::x <!-- [b]"' in text
    markdown = render_audit_markdown(report)
    assert comments(markdown) == [" braze-reconciler:audit "]
    assert 'Campaign "Sale\\x1b]0;pwned\\x07\\n::warning ::x <!-- [b]"' in visible(markdown)
