"""Golden renders of a plan whose reference checks found problems: a blocked change and its
reasons, the warnings, and the lookups counted, in text, Markdown and JSON (set
UPDATE_GOLDEN=1 to rewrite)."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.plan.model import BlockCode, Plan
from reconciler.plan.planner import plan
from reconciler.plan.references import Found, ObjectKind, References
from reconciler.render.json_render import plan_document, render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.reasons import problem_words
from reconciler.render.text import render_text
from reconciler.templates import MessageTemplate
from tests.golden import check_golden, plain
from tests.plan.helpers import CAMPAIGN, CANVAS, NOW, campaign, canvas

GOLDEN = Path(__file__).parent / "golden"


def references_plan() -> Plan:
    desired = [
        campaign("gift-guide", extra="\n  trigger_properties: {headline: Gifts, colour: red}"),
        canvas("onboarding"),
    ]
    references = References(
        objects={
            (ObjectKind.CAMPAIGN, CAMPAIGN): Found(
                ObjectKind.CAMPAIGN,
                CAMPAIGN,
                name="Holiday gift guide",
                schedule_type="api_triggered",
                texts=(
                    MessageTemplate(
                        "variation 'iOS push' (apple_push)",
                        "apple_push",
                        {
                            "alert": "{{api_trigger_properties.${headline}}}: code "
                            "{{api_trigger_properties.${discount_code}}}"
                        },
                    ),
                ),
            ),
            (ObjectKind.CANVAS, CANVAS): Found(
                ObjectKind.CANVAS,
                CANVAS,
                name="Winter onboarding",
                schedule_type="api_triggered",
                paused=True,
                texts=(
                    MessageTemplate(
                        "step 'Welcome', variation 'Email' (email)",
                        "email",
                        {"subject": "Your offer: {{context.${offer}}}"},
                    ),
                ),
            ),
        },
        lookups=2,
    )
    shown = {
        object_id: found.texts
        for (_, object_id), found in references.objects.items()
        if found is not None and found.texts is not None
    }
    result = plan(
        {r.address: r for r in desired},
        {},
        NOW,
        messages=shown,
        references=references,
        problem_words=problem_words,
    )
    return result.evolve(workspace="production", endpoint="https://rest.iad-03.braze.com")


def test_the_checks_block_and_warn() -> None:
    result = references_plan()
    (blocked,) = result.blocked
    assert blocked.address == "campaign_schedule/gift-guide"
    assert blocked.blocked is not None
    assert blocked.blocked.code is BlockCode.REFERENCE
    assert "the property 'discount_code'" in blocked.blocked.reason
    assert result.lookups == 2
    assert len(result.warnings) == 2  # colour unused; the Canvas is paused


def test_text_golden() -> None:
    check_golden(GOLDEN, "plan-references.txt", plain(render_text(references_plan())))


def test_markdown_golden() -> None:
    check_golden(GOLDEN, "plan-references.md", render_markdown(references_plan()))


def test_json_golden() -> None:
    text = render_json(plan_document(references_plan()))
    check_golden(GOLDEN, "plan-references.json", text)
    data = json.loads(text)
    assert data["lookups"] == 2
    assert data["changes"][0]["blocked"]["code"] == "reference"


def test_a_plan_without_lookups_writes_no_count() -> None:
    result = plan({}, {}, NOW)
    assert "lookups" not in json.loads(render_json(plan_document(result)))
