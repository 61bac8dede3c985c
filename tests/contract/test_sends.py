"""Immediate sends and send ids."""

from __future__ import annotations

import pytest

from reconciler.braze.client import BrazeClient
from reconciler.braze.errors import BadRequestError, RateLimitedError
from reconciler.emulator.server import EmbeddedEmulator
from tests.contract import demo
from tests.contract.conftest import MakeClient, campaign_body, message_body


def test_messages_send(client: BrazeClient, emulator: EmbeddedEmulator) -> None:
    body = {
        "external_user_ids": ["user-1", "user-2"],
        "campaign_id": demo.API_CAMPAIGN,
        "messages": {
            "email": {
                "app_id": demo.IOS_APP,
                "from": "Acme <news@acme.test>",
                "subject": "Hello",
                "body": "<p>Hi</p>",
                "message_variation_id": demo.API_EMAIL_VARIATION,
            }
        },
    }
    answer = client.send_messages(body)

    assert answer.status == 201
    assert set(answer.body) == {"dispatch_id", "message"}
    [sent] = emulator.admin.sends()
    assert (sent["path"], sent["dispatch_id"], sent["body"]) == (
        "/messages/send",
        answer.body["dispatch_id"],
        body,
    )


def test_whats_app_is_accepted_by_send_only(client: BrazeClient) -> None:
    whats_app = {
        "app_id": demo.IOS_APP,
        "subscription_group_id": demo.SMS_GROUP,
        "message_type": "template_message",
        "message": {"template_name": "sale", "template_language_code": "en"},
    }
    with pytest.raises(BadRequestError):
        client.create_schedule("ScheduledMessage", message_body(messages={"whats_app": whats_app}))
    with pytest.raises(BadRequestError, match="Invalid subscription_group_id"):
        # the SMS group is not a WhatsApp group
        client.send_messages({"external_user_ids": ["u1"], "messages": {"whats_app": whats_app}})


def test_campaign_trigger_send(client: BrazeClient, emulator: EmbeddedEmulator) -> None:
    answer = client.trigger_campaign(
        {"campaign_id": demo.TRIGGERED_CAMPAIGN, "recipients": [{"external_user_id": "u1"}]}
    )
    assert answer.status == 201
    assert set(answer.body) == {"dispatch_id", "message"}
    assert emulator.admin.sends()[0]["path"] == "/campaigns/trigger/send"


def test_canvas_trigger_send_and_its_notice(client: BrazeClient) -> None:
    answer = client.trigger_canvas({"canvas_id": demo.CANVAS, "broadcast": True})
    assert (answer.status, set(answer.body)) == (201, {"dispatch_id", "message"})

    paused = client.trigger_canvas({"canvas_id": demo.PAUSED_CANVAS, "broadcast": True})
    assert paused.message == "success"
    assert paused.body["notice"] == (
        "The Canvas is paused. Resume the Canvas to ensure trigger requests will take effect."
    )


def test_send_ids_are_created_then_usable(client: BrazeClient, emulator: EmbeddedEmulator) -> None:
    with pytest.raises(BadRequestError, match="Invalid send_id"):
        client.create_schedule("CampaignSchedule", campaign_body(send_id="black-friday"))

    answer = client.create_send_id(
        {"campaign_id": demo.TRIGGERED_CAMPAIGN, "send_id": "black-friday"}
    )
    assert (answer.status, answer.body) == (201, {"message": "success", "send_id": "black-friday"})
    created = client.create_schedule("CampaignSchedule", campaign_body(send_id="black-friday"))
    assert created.status == 201

    # A send id belongs to its campaign.
    with pytest.raises(BadRequestError, match="Invalid send_id"):
        client.trigger_campaign(
            {
                "campaign_id": demo.OTHER_TRIGGERED_CAMPAIGN,
                "broadcast": True,
                "send_id": "black-friday",
            }
        )
    generated = client.create_send_id({"campaign_id": demo.API_CAMPAIGN})
    assert generated.get_str("send_id")
    assert [(s["campaign_id"], s["send_id"]) for s in emulator.admin.send_ids()] == [
        (demo.TRIGGERED_CAMPAIGN, "black-friday"),
        (demo.API_CAMPAIGN, generated.body["send_id"]),
    ]


def test_send_ids_are_limited_to_100_a_day(
    emulator: EmbeddedEmulator, make_client: MakeClient
) -> None:
    client = make_client()
    for number in range(100):
        answer = client.create_send_id({"campaign_id": demo.API_CAMPAIGN, "send_id": f"s{number}"})
    assert answer.rate_limit.limit == 100
    assert answer.rate_limit.remaining == 0

    fresh = make_client(retry=client.retry.__class__(max_attempts=1))
    with pytest.raises(RateLimitedError) as caught:
        fresh.create_send_id({"campaign_id": demo.API_CAMPAIGN, "send_id": "s100"})
    # Reset at the next midnight UTC (the clock is at 12:00).
    assert caught.value.reset_in == pytest.approx(12 * 3600, abs=30)

    emulator.admin.set_clock("2026-11-02T00:00:00Z")
    again = make_client().create_send_id({"campaign_id": demo.API_CAMPAIGN, "send_id": "s100"})
    assert again.rate_limit.remaining == 99


def test_an_existing_pair_again_spends_nothing_of_the_100_a_day(
    emulator: EmbeddedEmulator, make_client: MakeClient
) -> None:
    # "Each send id - campaign id combination that you create will count towards your daily
    # limit": creating the same pair again creates nothing.
    client = make_client(retry=make_client().retry.__class__(max_attempts=1))
    first = client.create_send_id({"campaign_id": demo.API_CAMPAIGN, "send_id": "flash"})
    assert first.rate_limit.remaining == 99
    for _ in range(3):
        again = client.create_send_id({"campaign_id": demo.API_CAMPAIGN, "send_id": "flash"})
        assert (again.body, again.rate_limit.remaining) == (first.body, 99)
    # The same send id for another campaign is another pair.
    other = client.create_send_id({"campaign_id": demo.TRIGGERED_CAMPAIGN, "send_id": "flash"})
    assert other.rate_limit.remaining == 98
    # A refused body creates nothing either.
    with pytest.raises(BadRequestError, match="Invalid Campaign ID"):
        client.create_send_id({"campaign_id": demo.DASHBOARD_CAMPAIGN, "send_id": "flash"})
    assert client.create_send_id({"campaign_id": demo.API_CAMPAIGN}).rate_limit.remaining == 97
    assert len(emulator.admin.send_ids()) == 3


def test_at_the_daily_limit_only_a_new_pair_is_refused(
    emulator: EmbeddedEmulator, make_client: MakeClient
) -> None:
    client = make_client()
    for number in range(100):
        client.create_send_id({"campaign_id": demo.API_CAMPAIGN, "send_id": f"s{number}"})
    # Fresh clients: this one paces itself to 100 calls a day (it cannot know which pairs
    # exist), so its 101st call would wait for midnight.
    fresh = make_client(retry=client.retry.__class__(max_attempts=1))
    again = fresh.create_send_id({"campaign_id": demo.API_CAMPAIGN, "send_id": "s7"})
    assert (again.status, again.rate_limit.remaining) == (201, 0)
    with pytest.raises(RateLimitedError):
        make_client(retry=fresh.retry).create_send_id(
            {"campaign_id": demo.API_CAMPAIGN, "send_id": "s100"}
        )
    assert emulator.admin.stats()["rate_limited"] == 1


BROADCAST_EMAIL = {
    "app_id": demo.IOS_APP,
    "from": "Acme <news@acme.test>",
    "body": "<p>Hi</p>",
    "message_variation_id": demo.API_EMAIL_VARIATION,
}


def test_broadcast_sends_of_a_campaign_answer_a_generated_send_id(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    # "The send_id is only generated for API campaign sends targeting segments, connected
    # audiences or broadcasts" (get_send_analytics page); errors page: tracked send ids.
    sent = client.send_messages(
        {
            "broadcast": True,
            "segment_id": demo.PUSH_SEGMENT,
            "campaign_id": demo.API_CAMPAIGN,
            "messages": {"email": BROADCAST_EMAIL},
        }
    )
    triggered = client.trigger_campaign({"campaign_id": demo.TRIGGERED_CAMPAIGN, "broadcast": True})
    scheduled = client.create_schedule(
        "CampaignSchedule", campaign_body(recipients=None, broadcast=True)
    )
    generated = [answer.get_str("send_id") for answer in (sent, triggered, scheduled)]
    assert all(value is not None and len(value) == 32 for value in generated)
    assert len(set(generated)) == 3
    # Not created pairs: they are not send ids of /sends/id/create, nor counted as such.
    assert emulator.admin.send_ids() == []


def test_no_send_id_without_a_campaign_or_for_listed_users(client: BrazeClient) -> None:
    listed = client.send_messages(
        {
            "external_user_ids": ["u1"],
            "campaign_id": demo.API_CAMPAIGN,
            "messages": {"email": BROADCAST_EMAIL},
        }
    )
    no_campaign = client.send_messages(
        {
            "broadcast": True,
            "segment_id": demo.PUSH_SEGMENT,
            "messages": {"apple_push": {"alert": "Hi"}},
        }
    )
    canvas = client.trigger_canvas({"canvas_id": demo.CANVAS, "broadcast": True})
    assert [set(answer.body) for answer in (listed, no_campaign, canvas)] == [
        {"dispatch_id", "message"}
    ] * 3


def test_a_named_send_id_is_answered_as_named(client: BrazeClient) -> None:
    client.create_send_id({"campaign_id": demo.TRIGGERED_CAMPAIGN, "send_id": "gift-guide"})
    triggered = client.trigger_campaign(
        {"campaign_id": demo.TRIGGERED_CAMPAIGN, "broadcast": True, "send_id": "gift-guide"}
    )
    scheduled = client.create_schedule("CampaignSchedule", campaign_body(send_id="gift-guide"))
    assert triggered.body["send_id"] == scheduled.body["send_id"] == "gift-guide"
