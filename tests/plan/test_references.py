"""The reference checks as the planner applies them: pure, from a ``References`` value."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from reconciler.braze.models.details import CampaignDetails, CanvasDetails, MessageDetails
from reconciler.manifest.resource import Resource
from reconciler.plan.model import Action, BlockCode
from reconciler.plan.planner import plan
from reconciler.plan.references import (
    Found,
    ObjectKind,
    ProblemCode,
    References,
    problems,
    wanted,
)
from reconciler.render.reasons import problem_words
from reconciler.templates import MessageTemplate
from tests.plan.helpers import CAMPAIGN, CANVAS, NOW, campaign, canvas, message, recorded, resource
from tests.plan.helpers import send_id as send_id_resource

FLASH = "d111a44a-a347-4ab0-837e-9142cbd2a2fe"
SEGMENT = "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02"


def _campaign(**fields: Any) -> References:
    found = dataclasses.replace(
        Found(ObjectKind.CAMPAIGN, CAMPAIGN, schedule_type="api_triggered"), **fields
    )
    return References(objects={(ObjectKind.CAMPAIGN, CAMPAIGN): found}, lookups=1)


def _codes(references: References, source: object = None) -> list[ProblemCode]:
    return [p.code for p in problems(source or campaign(), references)]  # type: ignore[arg-type]


def test_wanted_collects_each_id_once() -> None:
    flash = resource(
        f"""kind: ScheduledMessage
name: flash
spec:
  broadcast: true
  segment_id: {SEGMENT}
  campaign_id: {FLASH}
  schedule: {{time: "2026-12-03T15:00:00Z"}}
  messages:
    apple_push: {{alert: Sale, message_variation_id: 3f7f44c6-c17e-48ba-bfa1-6b6f4c5b95ea}}
"""
    )
    found = wanted([campaign("a"), campaign("b"), canvas(), flash, send_id_resource()])
    assert found.campaigns == {CAMPAIGN, FLASH}  # a send id's campaign is not checked
    assert found.canvases == {CANVAS}
    assert found.segments == {SEGMENT}
    assert not found.empty
    assert wanted([]).empty


@pytest.mark.parametrize(
    ("fields", "codes"),
    [
        ({}, []),
        ({"archived": True}, [ProblemCode.ARCHIVED]),
        ({"draft": True}, [ProblemCode.DRAFT]),
        ({"schedule_type": "time_based"}, [ProblemCode.NOT_API_TRIGGERED]),
        ({"schedule_type": "api_campaign"}, [ProblemCode.NOT_API_TRIGGERED]),
        ({"schedule_type": "surprise"}, [ProblemCode.UNKNOWN_DELIVERY]),
        ({"schedule_type": None}, [ProblemCode.UNKNOWN_DELIVERY]),
    ],
)
def test_a_triggered_campaign_state_and_delivery(
    fields: dict[str, object], codes: list[ProblemCode]
) -> None:
    assert _codes(_campaign(**fields)) == codes


def test_unknown_and_not_looked_up() -> None:
    unknown = References(objects={(ObjectKind.CAMPAIGN, CAMPAIGN): None})
    assert _codes(unknown) == [ProblemCode.UNKNOWN]
    assert _codes(References()) == []  # not looked up: nothing to say
    skipped = References(
        objects={(ObjectKind.CAMPAIGN, CAMPAIGN): None},
        skipped={ObjectKind.CAMPAIGN: "campaigns.details"},
    )
    assert _codes(skipped) == []


def _listed(recipients: str) -> Resource:
    return resource(
        f"""kind: CampaignSchedule
name: listed
spec:
  campaign_id: {CAMPAIGN}
  trigger_properties: {{a: 1}}
  recipients:
{recipients}
  schedule: {{time: "2026-12-05T10:00:00Z"}}
"""
    )


def test_a_property_given_by_every_recipient_counts() -> None:
    texts = (
        MessageTemplate(
            "variation 'A' (email)",
            "email",
            {"subject": "{{api_trigger_properties.${a}}} {{api_trigger_properties.${b}}}"},
        ),
    )
    found = Found(ObjectKind.CAMPAIGN, CAMPAIGN, schedule_type="api_triggered", texts=texts)
    references = References(objects={(ObjectKind.CAMPAIGN, CAMPAIGN): found})
    everyone = _listed(
        """    - {external_user_id: x, trigger_properties: {b: 1, c: 1}}
    - {external_user_id: y, trigger_properties: {b: 2}}"""
    )
    assert [(p.code, p.property_name) for p in problems(everyone, references)] == [
        (ProblemCode.UNUSED_PROPERTY, "c")
    ]
    some = _listed(
        """    - {external_user_id: x, trigger_properties: {b: 1}}
    - {external_user_id: y}"""
    )
    assert [(p.code, p.property_name) for p in problems(some, references)] == [
        (ProblemCode.MISSING_PROPERTY, "b")
    ]


def test_a_canvas_property_missing_and_one_unused() -> None:
    found = Found(
        ObjectKind.CANVAS,
        CANVAS,
        name="Onboarding",
        schedule_type="api_triggered",
        texts=(
            MessageTemplate(
                "step 'Welcome', variation 'Email' (email)",
                "email",
                {"subject": "Hi {{context.${store}}}"},
            ),
        ),
    )
    references = References(objects={(ObjectKind.CANVAS, CANVAS): found})
    found_problems = problems(canvas(), references)
    assert [(p.code, p.property_name) for p in found_problems] == [
        (ProblemCode.MISSING_PROPERTY, "store"),
        (ProblemCode.UNUSED_PROPERTY, "offer"),
    ]
    words = problem_words(found_problems[0])
    assert words.startswith("test.yaml:6:12: Canvas ")
    assert "step 'Welcome', variation 'Email' (email) subject uses the property 'store'" in words


def test_an_api_campaign_and_its_variations() -> None:
    flash = resource(
        f"""kind: ScheduledMessage
name: flash
spec:
  broadcast: true
  segment_id: {SEGMENT}
  campaign_id: {FLASH}
  schedule: {{time: "2026-12-03T15:00:00Z"}}
  messages:
    apple_push: {{alert: Sale, message_variation_id: 11111111-1111-4111-8111-111111111111}}
    android_push:
      {{alert: Sale, title: Sale, message_variation_id: 22222222-2222-4222-8222-222222222222}}
    kindle_push:
      {{alert: Sale, title: Sale, message_variation_id: 33333333-3333-4333-8333-333333333333}}
"""
    )
    found = Found(
        ObjectKind.CAMPAIGN,
        FLASH,
        schedule_type="time_based",
        variations={
            "11111111-1111-4111-8111-111111111111": "email",
            "33333333-3333-4333-8333-333333333333": None,
        },
    )
    references = References(
        objects={(ObjectKind.CAMPAIGN, FLASH): found}, segments=frozenset({SEGMENT})
    )
    codes = [(p.code, p.channel) for p in problems(flash, references)]
    assert codes == [
        (ProblemCode.NOT_API_CAMPAIGN, None),
        (ProblemCode.VARIATION_ELSEWHERE, "android_push"),
        (ProblemCode.VARIATION_CHANNEL, "apple_push"),
    ]
    assert [
        p.code for p in problems(flash, References(objects={(ObjectKind.CAMPAIGN, FLASH): None}))
    ] == [ProblemCode.UNKNOWN]
    for problem in problems(flash, references):
        assert problem_words(problem)


def test_a_segment_not_listed() -> None:
    assert [p.code for p in problems(message(), References(segments=frozenset()))] == [
        ProblemCode.UNKNOWN
    ]
    assert problems(message(), References(segments=frozenset({SEGMENT}))) == []


def test_only_changes_that_send_a_body_are_checked() -> None:
    references = _campaign(archived=True)
    same = campaign("same")
    records = {same.address: recorded(same)}
    result = plan({same.address: same}, records, NOW, references=references)
    (change,) = result.changes
    assert change.action is Action.NOOP
    assert change.blocked is None
    created = plan({same.address: same}, {}, NOW, references=references)
    (change,) = created.changes
    assert change.blocked is not None
    assert change.blocked.code is BlockCode.REFERENCE
    assert "archived" in change.blocked.reason  # the default words name the code


def test_the_details_models_read_braze_s_shapes() -> None:
    details = CampaignDetails.model_validate(
        {
            "message": "success",
            "archived": False,
            "schedule_type": "api_triggered",
            "messages": {
                "v1": {"channel": "ios_push", "name": "A", "alert": "Hi", "extras": {}},
                "v2": {"channel": "email", "type": "control"},
                "v3": {"channel": "in-app_message"},
            },
        }
    )
    assert details.messages["v1"].message_key == "apple_push"
    assert details.messages["v1"].content() == {"alert": "Hi", "extras": {}}
    assert details.messages["v2"].is_control
    assert details.messages["v3"].message_key is None
    canvas_details = CanvasDetails.model_validate(
        {"steps": [{"id": "s", "name": "S", "messages": {"m": {"channel": "sms", "body": "x"}}}]}
    )
    assert [(s.id, v) for s, v, _ in canvas_details.step_messages()] == [("s", "m")]
    assert MessageDetails().message_key is None
