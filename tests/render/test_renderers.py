"""Golden renders of one plan as text, Markdown and JSON (set UPDATE_GOLDEN=1 to rewrite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.plan.model import Plan, PlanOptions
from reconciler.plan.planner import plan
from reconciler.render.json_render import plan_document, render_json
from reconciler.render.markdown import LIMIT, MARKER, render_markdown
from reconciler.render.text import render_text
from reconciler.state.base import RecordStatus
from reconciler.templates import MessageTemplate
from tests.golden import check_golden, plain
from tests.plan.helpers import (
    CAMPAIGN,
    CANVAS,
    NOW,
    campaign,
    canvas,
    evolve,
    message,
    recorded,
    resource,
    send_id,
)

GOLDEN = Path(__file__).parent / "golden"

BACK_IN_STOCK = """kind: CampaignSchedule
name: back-in-stock
spec:
  campaign_id: c1dae081-f8ba-4589-84dc-0a9b121dc236
  recipients:
    - external_user_id: cust-100245
      trigger_properties: {size: M}
    - email: walker@example.com
      prioritization: [identified]
  schedule: {time: "2026-12-08T13:30:00Z"}
"""


BACK_IN_STOCK_CAMPAIGN = "c1dae081-f8ba-4589-84dc-0a9b121dc236"
MESSAGES = {
    CAMPAIGN: (
        MessageTemplate(
            'variation "Gift guide" (apple_push)',
            "apple_push",
            {"title": "Gift guide", "alert": "Hi {{${first_name} | default: 'there'}}, open it"},
        ),
    ),
    CANVAS: (
        MessageTemplate(
            'step "Welcome" (email)', "email", {"subject": "Welcome: {{context.${offer}}}"}
        ),
    ),
    BACK_IN_STOCK_CAMPAIGN: (
        MessageTemplate(
            "sms",
            "sms",
            {"body": "Back in size {{api_trigger_properties.${size} | default: 'yours'}}"},
        ),
    ),
}
"""The campaigns' and the Canvas's messages, as the online lookups give them."""


def sample_plan() -> Plan:
    desired = [
        campaign("gift-guide", time="2026-12-05T12:00:00", local=True),
        message("flash-sale", alert="Flash sale, {{${first_name}}}: 30% off"),
        canvas("onboarding"),
        resource(BACK_IN_STOCK),
        send_id(),
        campaign("soon", time="2026-12-02T09:00:00Z"),
        campaign("frozen", time="2026-12-01T09:10:00Z"),
    ]
    onboarding = recorded(canvas("onboarding"), schedule_id="sched-canvas")
    onboarding = evolve(onboarding, body={**(onboarding.body or {}), "context": {"offer": "OLD"}})
    onboarding = evolve(onboarding, body_hash="sha256:old")
    records = [
        recorded(campaign("gift-guide", time="2026-12-05T10:00:00", local=True), schedule_id="s-1"),
        recorded(message("flash-sale", alert="Sale"), schedule_id="s-2"),
        onboarding,
        recorded(message("retired", time="2026-12-01T08:40:00Z"), schedule_id="s-4"),
        recorded(campaign("last-week", time="2026-11-24T10:00:00Z"), schedule_id="s-5"),
        recorded(campaign("soon", time="2026-12-02T09:00:00Z"), schedule_id="s-6"),
        recorded(campaign("frozen", time="2026-12-01T08:10:00Z"), schedule_id="s-7"),
    ]
    result = plan(
        {r.address: r for r in desired}, {r.address: r for r in records}, NOW, messages=MESSAGES
    )
    return result.evolve(
        workspace="production",
        endpoint="https://rest.iad-03.braze.com",
        serial=42,
        created_at="2026-12-01T08:00:05Z",
        manifests_digest="sha256:digest",
    )


def test_text_golden() -> None:
    check_golden(GOLDEN, "plan.txt", plain(render_text(sample_plan())))


def test_markdown_golden() -> None:
    check_golden(GOLDEN, "plan.md", render_markdown(sample_plan()))


def test_json_golden() -> None:
    text = render_json(plan_document(sample_plan()))
    check_golden(GOLDEN, "plan.json", text)
    data = json.loads(text)
    assert data["format_version"] == 1
    for change in data["changes"]:
        assert {"address", "action", "before", "after", "blocked"} <= set(change)
        assert change["action"] in {"create", "update", "replace", "delete", "forget", "noop"}


def test_text_ends_with_the_summary_line() -> None:
    text = plain(render_text(sample_plan()))
    assert text.splitlines()[-1] == (
        "Plan: 2 to create, 3 to update, 1 to replace, 1 to delete, 1 to forget."
    )


def test_markdown_masks_recipients_unless_asked() -> None:
    sample = sample_plan()
    masked = render_markdown(sample)
    assert "cust-100245" not in masked
    assert "walker@example.com" not in masked
    assert masked.startswith(MARKER + "\n")
    shown = render_markdown(sample, show_recipients=True)
    assert "cust-100245" in shown
    assert "walker@example.com" in shown


def test_markdown_is_sorted_by_send_time() -> None:
    text = render_markdown(sample_plan())
    lines = text.splitlines()
    start = lines.index("|---|---|---|---|---|") + 1
    rows = lines[start : lines.index("", start)]
    times = [row.split("|")[3].strip() for row in rows]
    assert len(rows) == 7  # the schedule that fired is folded into one line, not a row
    assert times == sorted(times)


def test_markdown_stays_under_the_comment_limit() -> None:
    desired = [
        campaign(f"bulk-{i:04d}", extra=f"\n  trigger_properties: {{n: {i}}}") for i in range(1500)
    ]
    big = plan({r.address: r for r in desired}, {}, NOW, PlanOptions())
    text = render_markdown(big)
    assert len(text) < LIMIT
    assert "more changes are not listed" in text


def test_no_changes() -> None:
    gift = campaign()
    result = plan({gift.address: gift}, {gift.address: recorded(gift)}, NOW)
    assert "No changes. 1 managed resources match the manifests." in plain(render_text(result))
    assert "No changes: Braze matches the manifests." in render_markdown(result)


@pytest.mark.parametrize("status", [RecordStatus.UNCERTAIN])
def test_blocked_changes_are_named(status: RecordStatus) -> None:
    gift = campaign()
    result = plan({gift.address: gift}, {gift.address: evolve(recorded(gift), status=status)}, NOW)
    text = plain(render_text(result))
    assert "1 change blocked by a safety gate: campaign_schedule/gift-guide (uncertain)" in text
    assert "apply` will refuse this plan (exit 4)" in render_markdown(result)
