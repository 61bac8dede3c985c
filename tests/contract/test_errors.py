"""Fatal errors: Braze's documented messages, authentication, and HTTP-level refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.braze.client import BrazeClient, CallKind
from reconciler.braze.errors import (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    UnauthorizedError,
)
from reconciler.emulator.server import EmbeddedEmulator
from tests.contract import demo
from tests.contract.conftest import (
    FULL_KEY,
    LISTING_KEY,
    MakeClient,
    campaign_body,
    canvas_body,
    message_body,
)

FATAL_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "no recipients",
        "/messages/schedule/create",
        {"schedule": {"time": "2026-11-27T09:00:00Z"}, "messages": {"apple_push": {"alert": "x"}}},
        "No Recipients",
    ),
    (
        "trigger without recipients nor broadcast",
        "/campaigns/trigger/schedule/create",
        {"campaign_id": demo.TRIGGERED_CAMPAIGN, "schedule": {"time": "2026-11-27T09:00:00Z"}},
        "No Recipients",
    ),
    (
        "no message",
        "/messages/schedule/create",
        message_body(messages=None),
        "No message to send",
    ),
    (
        "empty messages",
        "/messages/send",
        {"external_user_ids": ["u1"], "messages": {}},
        "No message to send",
    ),
    (
        "unknown campaign",
        "/campaigns/trigger/schedule/create",
        campaign_body(campaign_id="no-such-campaign"),
        "Invalid Campaign ID",
    ),
    (
        "archived campaign",
        "/campaigns/trigger/send",
        {"campaign_id": demo.ARCHIVED_CAMPAIGN, "broadcast": True},
        "Invalid Campaign ID",
    ),
    (
        "campaign not API-triggered",
        "/campaigns/trigger/schedule/create",
        campaign_body(campaign_id=demo.DASHBOARD_CAMPAIGN),
        "Invalid Campaign ID",
    ),
    (
        "API-triggered campaign where an API campaign is needed",
        "/messages/schedule/create",
        message_body(
            campaign_id=demo.TRIGGERED_CAMPAIGN,
            messages={
                "apple_push": {"alert": "x", "message_variation_id": demo.TRIGGERED_APPLE_VARIATION}
            },
        ),
        "Invalid Campaign ID",
    ),
    (
        "variant unspecified",
        "/messages/schedule/create",
        message_body(campaign_id=demo.API_CAMPAIGN),
        "Message Variant Unspecified",
    ),
    (
        "variant of another campaign",
        "/messages/schedule/create",
        message_body(
            campaign_id=demo.API_CAMPAIGN,
            messages={
                "apple_push": {"alert": "x", "message_variation_id": demo.TRIGGERED_APPLE_VARIATION}
            },
        ),
        "Invalid Message Variant",
    ),
    (
        "variant of another channel",
        "/messages/send",
        {
            "broadcast": True,
            "segment_id": demo.PUSH_SEGMENT,
            "campaign_id": demo.API_CAMPAIGN,
            "messages": {
                "apple_push": {"alert": "x", "message_variation_id": demo.API_EMAIL_VARIATION}
            },
        },
        "Mismatched Message Type",
    ),
    (
        "too many external ids",
        "/messages/schedule/create",
        message_body(
            broadcast=None, segment_id=None, external_user_ids=[f"u{n}" for n in range(51)]
        ),
        "The max number of external_ids and aliases per request was exceeded",
    ),
    (
        "too many recipients",
        "/canvas/trigger/send",
        {
            "canvas_id": demo.CANVAS,
            "recipients": [{"external_user_id": f"u{n}"} for n in range(51)],
        },
        "The max number of external_ids and aliases per request was exceeded",
    ),
    (
        "extra not a dictionary",
        "/messages/schedule/create",
        message_body(messages={"apple_push": {"alert": "x", "extra": ["a", "b"]}}),
        "Invalid Extra Push Payload",
    ),
    (
        "Apple push too long",
        "/messages/schedule/create",
        message_body(messages={"apple_push": {"alert": "x" * 2000}}),
        "Apple Push Length Exceeded",
    ),
    (
        "Android push too long",
        "/messages/send",
        {
            "external_user_ids": ["u1"],
            "messages": {"android_push": {"alert": "x" * 4001, "title": "t"}},
        },
        "Android Push Length Exceeded",
    ),
    (
        "unknown Canvas",
        "/canvas/trigger/schedule/create",
        canvas_body(canvas_id="no-such-canvas"),
        "Invalid Canvas ID",
    ),
    (
        "Canvas without API-triggered entry",
        "/canvas/trigger/send",
        {"canvas_id": demo.DASHBOARD_CANVAS, "broadcast": True},
        "Invalid Canvas ID",
    ),
    (
        "unknown segment",
        "/messages/schedule/create",
        message_body(segment_id="no-such-segment"),
        "Invalid segment_id",
    ),
    (
        "unknown app",
        "/messages/schedule/create",
        message_body(
            messages={
                "email": {"app_id": "no-such-app", "from": "Acme <a@acme.test>", "body": "hi"}
            }
        ),
        "Invalid app_id",
    ),
    (
        "subscription group of another channel",
        "/messages/schedule/create",
        message_body(
            messages={
                "sms": {
                    "app_id": demo.IOS_APP,
                    "subscription_group_id": demo.EMAIL_GROUP,
                    "body": "hi",
                }
            }
        ),
        "Invalid subscription_group_id",
    ),
    (
        "send id never created",
        "/campaigns/trigger/schedule/create",
        campaign_body(send_id="black-friday"),
        "Invalid send_id",
    ),
    (
        "doc example: broadcast as a string",
        "/messages/schedule/create",
        message_body(broadcast="false"),
        "Bad Request",
    ),
    (
        "doc example: external_user_ids as a string",
        "/messages/schedule/create",
        message_body(broadcast=None, segment_id=None, external_user_ids="u1"),
        "Bad Request",
    ),
    (
        "doc example: user_alias as a string",
        "/campaigns/trigger/schedule/create",
        campaign_body(recipients=[{"user_alias": "example_alias"}]),
        "Bad Request",
    ),
    (
        "doc example: empty time",
        "/canvas/trigger/schedule/create",
        canvas_body(schedule={"time": ""}),
        "Bad Request",
    ),
    (
        "update without schedule_id",
        "/messages/schedule/update",
        {"schedule": {"time": "2026-11-27T09:00:00Z"}},
        "Bad Request",
    ),
    (
        "send id for a dashboard campaign",
        "/sends/id/create",
        {"campaign_id": demo.DASHBOARD_CAMPAIGN},
        "Invalid Campaign ID",
    ),
]


def _drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [pytest.param(path, body, message, id=name) for name, path, body, message in FATAL_CASES],
)
def test_documented_fatal_errors(
    client: BrazeClient, emulator: EmbeddedEmulator, path: str, body: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadRequestError) as caught:
        client.call("POST", path, client_kind(path), _drop_none(body))

    assert caught.value.status == 400
    assert caught.value.braze_message == message
    assert caught.value.errors, "every fatal answer explains itself in errors"
    assert emulator.admin.schedules() == []
    assert emulator.admin.sends() == []


def client_kind(path: str) -> CallKind:
    if path.endswith("/update"):
        return CallKind.UPDATE
    if path == "/sends/id/create":
        return CallKind.REGISTER
    return CallKind.SEND if path.endswith("/send") else CallKind.CREATE


def test_a_validation_answer_lists_readable_errors(http: httpx.Client) -> None:
    body = message_body(broadcast="false", schedule={"time": "soon"}, messages={"sms": {}})
    response = http.post("/messages/schedule/create", json=body)

    assert response.status_code == 400
    answer = response.json()
    assert answer["message"] == "Bad Request"
    assert "broadcast: Input should be a valid boolean" in answer["errors"]
    assert "schedule.time: 'soon' is not an ISO 8601 date-time" in answer["errors"]


def test_malformed_json_gets_the_documented_error_shape(http: httpx.Client) -> None:
    response = http.post(
        "/messages/schedule/create",
        content=b'{"broadcast": true,',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": (
            "\nProblem:\n  message body does not match declared format\nResolution:\n  when "
            "specifying application/json as content-type, you must pass valid application/json "
            "in the request's 'body' "
        )
    }


def test_missing_unknown_and_quoted_keys_are_unauthorized(
    emulator: EmbeddedEmulator, make_client: MakeClient
) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": f"Bearer '{FULL_KEY}'"},
        {"Authorization": FULL_KEY},
    ):
        response = httpx.post(
            emulator.base_url + "/campaigns/trigger/schedule/create",
            json=campaign_body(),
            headers=headers,
        )
        assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})
        assert "not-a-key" not in response.text

    with pytest.raises(UnauthorizedError) as caught:
        make_client("wrong-key-123").create_schedule("CampaignSchedule", campaign_body())
    assert caught.value.braze_message == "Unauthorized"
    assert emulator.admin.schedules() == []


def test_a_key_without_the_permission_is_denied(
    emulator: EmbeddedEmulator, make_client: MakeClient
) -> None:
    client = make_client(LISTING_KEY)
    assert client.scheduled_broadcasts("2027-01-01T00:00:00Z")
    for kind in ("ScheduledMessage", "CampaignSchedule", "CanvasSchedule"):
        with pytest.raises(ForbiddenError) as caught:
            client.create_schedule(kind, campaign_body())
        assert (caught.value.status, caught.value.braze_message) == (403, "Access Denied")
    with pytest.raises(ForbiddenError):
        client.create_send_id({"campaign_id": demo.TRIGGERED_CAMPAIGN})


def test_unknown_path_and_wrong_method(client: BrazeClient, http: httpx.Client) -> None:
    with pytest.raises(NotFoundError):
        client.call("POST", "/messages/schedule/upsert", client_kind("/x"), {})
    response = http.get("/messages/schedule/create")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_a_body_over_4_mb_is_refused(client: BrazeClient) -> None:
    huge = campaign_body(trigger_properties={"blob": "x" * 4_000_000})
    with pytest.raises(PayloadTooLargeError) as caught:
        client.create_schedule("CampaignSchedule", huge)
    assert caught.value.status == 413
