"""What recipients will read: each change's main texts rendered, before and after (plan.texts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.plan import texts as texts_module
from reconciler.plan.model import Action, Plan
from reconciler.plan.planfile import load_plan, save_plan
from reconciler.plan.planner import plan
from reconciler.render.json_render import plan_document
from reconciler.render.markdown import render_markdown
from reconciler.render.reasons import WORDS
from reconciler.render.text import render_text
from reconciler.templates import MessageTemplate
from tests.golden import plain
from tests.plan.helpers import CAMPAIGN, CANVAS, NOW, campaign, message, recorded, resource

PUSH = MessageTemplate(
    'variation "Push A" (apple_push)',
    "apple_push",
    {"title": "For {{${first_name}}}", "alert": "Code {{api_trigger_properties.${code}}}"},
)
WELCOME = MessageTemplate(
    'step "Welcome" (email)', "email", {"subject": "Use {{context.${offer}}} today"}
)


def planned(desired: list[Any], records: list[Any] = (), **kwargs: Any) -> Plan:  # type: ignore[assignment]
    return plan({r.address: r for r in desired}, {r.address: r for r in records}, NOW, **kwargs)


def test_a_scheduled_message_shows_its_texts_before_and_after() -> None:
    old = recorded(message("m", alert="Old {{${first_name}}}"), schedule_id="s")
    [change] = planned([message("m", alert="New {{${first_name}}}")], [old]).changes
    assert change.action is Action.UPDATE
    assert change.texts is not None
    [text] = change.texts
    assert (text.message, text.field) == ("apple_push", "alert")
    assert (text.before, text.after) == ("Old {first_name}", "New {first_name}")
    [created] = planned([message("m")]).changes
    assert created.texts is not None
    assert (created.texts[0].before, created.texts[0].after) == (None, "Sale")


def test_no_op_delete_and_forget_render_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counted(source: str, properties: object) -> str:
        calls.append(source)
        return source

    monkeypatch.setattr(texts_module, "render_text", counted)
    same = message("same")
    result = planned(
        [same], [recorded(same, schedule_id="s1"), recorded(message("gone"), schedule_id="s2")]
    )
    assert [c.action for c in result.changes] == [Action.DELETE, Action.NOOP]
    assert all(c.texts is None for c in result.changes)
    assert calls == []


def test_a_campaign_schedule_renders_the_campaigns_messages_with_its_properties() -> None:
    schedule = campaign(
        "promo",
        extra="\n  trigger_properties: {code: GIFT10}",
    )
    [change] = planned([schedule], messages={CAMPAIGN: (PUSH,)}).changes
    assert change.texts is not None
    assert [(t.message, t.field, t.after) for t in change.texts] == [
        ('variation "Push A" (apple_push)', "title", "For {first_name}"),
        ('variation "Push A" (apple_push)', "alert", "Code GIFT10"),
    ]
    # a callable source, and one that does not know the campaign
    [called] = planned(
        [schedule], messages=lambda id_: (PUSH,) if id_ == CAMPAIGN else None
    ).changes
    assert called.texts == change.texts
    [unknown] = planned([schedule], messages={}).changes
    assert unknown.texts is None
    [without] = planned([schedule]).changes
    assert without.texts is None


def test_a_missing_property_shows_and_recipients_who_differ_are_counted() -> None:
    schedule = resource(
        f"""kind: CampaignSchedule
name: per-user
spec:
  campaign_id: {CAMPAIGN}
  recipients:
    - external_user_id: a
      trigger_properties: {{code: A1}}
    - external_user_id: b
      trigger_properties: {{code: B2}}
    - external_user_id: c
  schedule: {{time: "2026-12-05T10:00:00Z"}}
"""
    )
    [change] = planned([schedule], messages={CAMPAIGN: (PUSH,)}).changes
    assert change.texts is not None
    alert = change.texts[1]
    assert alert.after == "Code {api_trigger_properties.code: missing}"
    assert alert.differing_recipients == 2
    assert change.texts[0].differing_recipients == 0


def test_when_every_recipient_gives_the_property_the_first_recipients_text_is_shown() -> None:
    """No one reads the top level alone: showing the property "missing" would alarm a reviewer
    for nothing. The first recipient's text is shown, and the others counted against it."""
    schedule = resource(
        f"""kind: CampaignSchedule
name: per-user
spec:
  campaign_id: {CAMPAIGN}
  recipients:
    - external_user_id: a
      trigger_properties: {{code: A1}}
    - external_user_id: b
      trigger_properties: {{code: B2}}
    - external_user_id: c
      trigger_properties: {{code: A1}}
  schedule: {{time: "2026-12-05T10:00:00Z"}}
"""
    )
    [change] = planned([schedule], messages={CAMPAIGN: (PUSH,)}).changes
    assert change.texts is not None
    title, alert = change.texts
    assert alert.after == "Code A1"
    assert alert.first_recipient
    assert alert.differing_recipients == 1
    assert not title.first_recipient  # reads no property
    text = plain(render_text(Plan(changes=(change,), now=NOW)))
    assert (
        'alert: "Code A1"; as the first recipient reads it; 1 other recipient reads another '
        "text (its own properties)"
    ) in text


def test_a_canvas_schedule_reads_its_context() -> None:
    old = recorded(
        resource(
            f"""kind: CanvasSchedule
name: welcome
spec:
  canvas_id: {CANVAS}
  broadcast: true
  canvas_entry_properties: {{offer: OLD}}
  schedule: {{time: "2026-12-09T09:00:00Z"}}
"""
        ),
        schedule_id="c",
    )
    new = resource(
        f"""kind: CanvasSchedule
name: welcome
spec:
  canvas_id: {CANVAS}
  broadcast: true
  context: {{offer: NEW}}
  schedule: {{time: "2026-12-09T09:00:00Z"}}
"""
    )
    [change] = planned([new], [old], messages={CANVAS: (WELCOME,)}).changes
    assert change.texts is not None
    [text] = change.texts
    assert (text.before, text.after) == ("Use OLD today", "Use NEW today")


def test_texts_are_escaped_in_every_renderer() -> None:
    hostile = "\\u001b[31mred <!-- {{${first_name}}} | `x` ::warning::"
    [change] = planned([message("m", alert=hostile)]).changes
    result = planned([message("m", alert=hostile)])
    text = render_text(result)
    assert "\x1b" not in text
    markdown = render_markdown(result)
    [row] = [line for line in markdown.splitlines() if line.startswith("| <code>apple_push")]
    assert "<!--" not in row
    assert "`" not in row
    assert "&#60;&#33;--" in row
    assert "\x1b" not in markdown
    assert change.texts is not None
    assert change.texts[0].after is not None
    assert "\x1b" in change.texts[0].after  # the data keeps the text as it is
    assert "{first_name}" in plain(text)


def test_a_saved_plan_reads_its_texts_back(tmp_path: Path) -> None:
    result = planned([campaign("promo")], messages={CAMPAIGN: (PUSH,)})
    path = tmp_path / "plan.json"
    save_plan(result, path, None, WORDS)
    loaded = load_plan(path)
    assert loaded.changes[0].texts == result.changes[0].texts
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["changes"][0]["texts"][0]["field"] == "title"
    # a plan without texts writes none (older saved plans read as before)
    assert "texts" not in plan_document(planned([campaign("promo")]))["changes"][0]
