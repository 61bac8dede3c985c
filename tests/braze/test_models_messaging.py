"""Messaging objects and the two ``messages`` containers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from reconciler.braze.models import (
    AndroidPush,
    ApplePush,
    ContentCard,
    Email,
    KindlePush,
    ScheduleMessages,
    SendMessages,
    Sms,
    Webhook,
    WebPush,
    WhatsApp,
)
from reconciler.braze.models.base import findings
from tests.braze.helpers import assert_error, assert_finding

# Identifiers of Braze's form (UUIDs); which objects they name does not matter here.
APP_ID = "8e5c4f6b-7d9a-4b12-8d3e-4f5a6b7c8d9e"
GROUP_ID = "9f6d5a7c-8e0b-4c23-9e4f-5a6b7c8d9e0f"
VARIATION_ID = "a07e6b8d-9f1c-4d34-8f5a-6b7c8d9e0f1a"

APPLE: dict[str, Any] = {"alert": "Your order shipped"}
ANDROID: dict[str, Any] = {"alert": "Your order shipped", "title": "Acme"}
WEB: dict[str, Any] = {"alert": "Sale", "title": "Acme"}
KINDLE: dict[str, Any] = {"alert": "Sale", "title": "Acme"}
EMAIL: dict[str, Any] = {
    "app_id": APP_ID,
    "from": "Acme <news@acme.example>",
    "body": "<p>Hi</p>",
}
SMS: dict[str, Any] = {
    "subscription_group_id": GROUP_ID,
    "body": "Sale today",
    "app_id": APP_ID,
}
WEBHOOK: dict[str, Any] = {"url": "https://hooks.acme.example/x", "request_method": "POST"}
CARD: dict[str, Any] = {
    "type": "CLASSIC",
    "title": "Sale",
    "description": "50%",
    "time_to_live": 60,
}
WHATS_APP: dict[str, Any] = {
    "app_id": APP_ID,
    "subscription_group_id": GROUP_ID,
    "message_type": "template_message",
    "message": {"template_name": "sale", "template_language_code": "en_US"},
}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {**base, **changes}
    return {key: value for key, value in body.items() if value is not None}


def sized_apple_push(size: int) -> dict[str, Any]:
    body = {"alert": ""}
    body["alert"] = "x" * (size - len(json.dumps(body, separators=(",", ":"))))
    return body


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (ApplePush, APPLE),
        (
            ApplePush,
            {
                "alert": {"title": "Hello!", "body": "Message here", "loc_args": ["a"]},
                "badge": 1,
                "sound": "default",
                "extra": {"order": 42, "deep": {"link": True}},
                "interruption_level": "time-sensitive",
                "relevance_score": 1,
                "expiry": "2026-12-01T00:00:00Z",
                "asset_url": "https://cdn.acme.example/a.png",
                "asset_file_type": "png",
                "category": "ab_cat_yes_no",
                "buttons": [{"action_id": "ab_pb_yes", "action": "URI", "uri": "https://a.b"}],
                "apns_priority": 10,
                "message_variation_id": VARIATION_ID,
            },
        ),
        (ApplePush, {"content-available": True, "extra": {"sync": 1}}),
        (ApplePush, {"content-available": True, "alert": {"title": "silent"}}),
        (AndroidPush, ANDROID),
        (
            AndroidPush,
            {
                **ANDROID,
                "priority": -2,
                "android_priority": "high",
                "time_to_live": 2_419_200,
                "accent_color": 16711680,
                "buttons": [{"text": "Open", "action": "OPEN_APP"}],
                "extra": {"appboy_image_url": "https://a.b/i.png"},
            },
        ),
        (AndroidPush, {"send_to_sync": True, "extra": {"refresh": "1"}}),
        (WebPush, with_(WEB, buttons=[{"text": "Go", "action": "URI", "uri": "https://a.b"}])),
        (KindlePush, with_(KINDLE, priority=2)),
        (Email, EMAIL),
        (
            Email,
            {
                "app_id": APP_ID,
                "from": "Acme Store <news@acme.example>",
                "email_template_id": "tpl",
                "reply_to": "NO_REPLY_TO",
                "headers": {"X-Campaign": "bf"},
                "attachments": [{"file_name": "invoice", "url": "https://a.b/invoice.pdf"}],
            },
        ),
        (Sms, with_(SMS, media_items=["https://a.b/i.png"], link_shortening_enabled=True)),
        (Webhook, with_(WEBHOOK, request_headers={"Content-Type": "application/json"}, body="{}")),
        (ContentCard, CARD),
        (
            ContentCard,
            with_(CARD, type="BANNER", image_url="https://a.b/i.png", time_to_live=None)
            | {"expire_at": "2026-12-01T00:00:00Z", "expire_in_local_time": False},
        ),
        (WhatsApp, WHATS_APP),
    ],
)
def test_valid_objects_round_trip(model: type[BaseModel], body: dict[str, Any]) -> None:
    value = model.model_validate(body)
    assert value.model_dump(mode="json", by_alias=True, exclude_unset=True) == body


def test_numbers_are_not_rewritten() -> None:
    push = ApplePush.model_validate(with_(APPLE, relevance_score=1))
    assert push.model_dump(mode="json", exclude_unset=True)["relevance_score"] == 1
    assert isinstance(push.relevance_score, int)


# apple_push


def test_apple_alert_required_unless_content_available() -> None:
    assert_error(ApplePush.model_validate, {"badge": 1}, "missing", ("alert",))
    body = {"alert": {"title": "Hi"}}
    assert_error(ApplePush.model_validate, body, "missing", ("alert", "body"))


@pytest.mark.parametrize("extra", ['{"a": 1}', ["a"], 3])
@pytest.mark.parametrize("model", [ApplePush, AndroidPush])
def test_push_extra_must_be_a_mapping(model: type[BaseModel], extra: Any) -> None:
    body = with_(ANDROID if model is AndroidPush else APPLE, extra=extra)
    assert_error(
        model.model_validate, body, "invalid_extra", ("extra",), "Invalid Extra Push Payload"
    )


@pytest.mark.parametrize("key", ["ab", "aps"])
def test_apple_extra_reserved_keys(key: str) -> None:
    body = with_(APPLE, extra={key: {}})
    assert_error(
        ApplePush.model_validate,
        body,
        "reserved_extra_key",
        ("extra",),
        "Invalid Extra Push Payload",
    )


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("interruption_level", "urgent", "invalid_choice"),
        ("relevance_score", 1.5, "out_of_range"),
        ("relevance_score", -0.1, "out_of_range"),
        ("apns_priority", 0, "out_of_range"),
        ("apns_priority", 11, "out_of_range"),
        ("asset_file_type", "jpeg", "invalid_choice"),
        ("expiry", "next week", "invalid_time"),
    ],
)
def test_apple_limits(field: str, value: Any, code: str) -> None:
    body = with_(APPLE, asset_url="https://a.b/i.jpg", asset_file_type="jpg") | {field: value}
    assert_error(ApplePush.model_validate, body, code, (field,))


def test_apple_asset_file_type_needs_choice_hint() -> None:
    body = with_(APPLE, asset_url="https://a.b/i.jpg", asset_file_type="JPG")
    error = assert_error(ApplePush.model_validate, body, "invalid_choice", ("asset_file_type",))
    assert error["ctx"]["hint"] == "did you mean 'jpg'?"


def test_apple_asset_url_needs_file_type() -> None:
    body = with_(APPLE, asset_url="https://a.b/i.jpg")
    assert_error(ApplePush.model_validate, body, "missing", ("asset_file_type",))


def test_apple_payload_at_most_1912_bytes() -> None:
    assert ApplePush.model_validate(sized_apple_push(1912))
    error = assert_error(
        ApplePush.model_validate,
        sized_apple_push(1913),
        "payload_too_large",
        (),
        "Apple Push Length Exceeded",
    )
    assert "1,913 bytes" in error["msg"]


# android_push


@pytest.mark.parametrize("field", ["alert", "title"])
def test_android_alert_and_title_required(field: str) -> None:
    body = with_(ANDROID, **{field: None})
    assert_error(AndroidPush.model_validate, body, "missing", (field,))


@pytest.mark.parametrize("field", ["alert", "title"])
def test_android_send_to_sync_without_content(field: str) -> None:
    body = {"send_to_sync": True, field: "x"}
    assert_error(AndroidPush.model_validate, body, "send_to_sync_with_content", (field,))


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("android_priority", "urgent", "invalid_choice"),
        ("time_to_live", 2_419_201, "out_of_range"),
        ("time_to_live", -1, "out_of_range"),
    ],
)
def test_android_limits(field: str, value: Any, code: str) -> None:
    assert_error(AndroidPush.model_validate, with_(ANDROID, **{field: value}), code, (field,))


def test_android_alert_and_extra_at_most_4000_bytes() -> None:
    extra = {"k": "v"}  # 9 bytes of JSON
    assert AndroidPush.model_validate(with_(ANDROID, alert="x" * 3991, extra=extra))
    assert_error(
        AndroidPush.model_validate,
        with_(ANDROID, alert="x" * 3992, extra=extra),
        "payload_too_large",
        (),
        "Android Push Length Exceeded",
    )


# web_push, kindle_push


@pytest.mark.parametrize("model", [WebPush, KindlePush])
def test_web_and_kindle_need_alert_and_title(model: type[BaseModel]) -> None:
    assert_error(model.model_validate, {"alert": "x"}, "missing", ("title",), None)


@pytest.mark.parametrize(("model", "body"), [(AndroidPush, ANDROID), (KindlePush, KINDLE)])
@pytest.mark.parametrize("priority", [3, -3, 5])
def test_a_priority_outside_the_range_is_accepted_as_braze_sends_it_as_0(
    model: type[BaseModel], body: dict[str, Any], priority: int
) -> None:
    # "Any values sent outside of that range default to 0" (android and kindle object pages)
    finding = assert_finding(model, with_(body, priority=priority), "priority_out_of_range",
                             ("priority",))  # fmt: skip
    assert finding.message == (
        f"priority {priority} is outside -2 to 2: Braze sends it as 0, the default"
    )
    assert (
        finding.hint == "use a value from -2 (min) to 2 (max), or remove priority for the default"
    )
    assert not finding.refused_by_validate
    for inside in (-2, 0, 2):
        assert findings(model.model_validate(with_(body, priority=inside))) == []


def test_the_priority_range_stays_in_the_json_schema() -> None:
    for model in (AndroidPush, KindlePush):
        priority = model.model_json_schema()["properties"]["priority"]["anyOf"][0]
        assert (priority["minimum"], priority["maximum"]) == (-2, 2)


# email


def test_email_from_format() -> None:
    body = with_(EMAIL, **{"from": "news@acme.example"})
    error = assert_error(Email.model_validate, body, "invalid_from", ("from",))
    assert "Display Name <email@address.com>" in error["ctx"]["hint"]


def test_email_from_is_spelled_from() -> None:
    body = {key: value for key, value in EMAIL.items() if key != "from"}
    with pytest.raises(ValidationError) as caught:
        Email.model_validate({**body, "from_": "A <a@b.c>"})
    errors = caught
    assert [(e["type"], e["loc"]) for e in errors.value.errors()] == [
        ("unknown_field", ("from_",)),
        ("missing", ("from",)),
    ]


def test_email_body_required_unless_template() -> None:
    assert_error(Email.model_validate, with_(EMAIL, body=None), "missing", ("body",))
    assert Email.model_validate(with_(EMAIL, body=None, email_template_id="tpl"))


def test_email_attachment_needs_url() -> None:
    body = with_(EMAIL, attachments=[{"file_name": "invoice"}])
    assert_error(Email.model_validate, body, "missing", ("attachments", 0, "url"), None)


# sms, webhook


def test_sms_required_fields() -> None:
    assert_error(Sms.model_validate, with_(SMS, subscription_group_id=None), "missing",
                 ("subscription_group_id",), None)  # fmt: skip


def test_webhook_method() -> None:
    body = with_(WEBHOOK, request_method="post")
    error = assert_error(Webhook.model_validate, body, "invalid_choice", ("request_method",))
    assert error["ctx"]["hint"] == "did you mean 'POST'?"


# content_card


def test_content_card_expiry_exactly_one() -> None:
    body = with_(CARD, expire_at="2026-12-01T00:00:00Z")
    assert_error(ContentCard.model_validate, body, "conflicting_expiry", ("expire_at",))
    assert_error(ContentCard.model_validate, with_(CARD, time_to_live=None), "missing_expiry", ())


def test_content_card_expiry_at_most_30_days() -> None:
    assert ContentCard.model_validate(with_(CARD, time_to_live=2_592_000))
    body = with_(CARD, time_to_live=2_592_001)
    error = assert_error(ContentCard.model_validate, body, "out_of_range", ("time_to_live",))
    assert "30 days" in error["msg"]


@pytest.mark.parametrize("card_type", ["CAPTIONED_IMAGE", "BANNER"])
def test_content_card_image_required(card_type: str) -> None:
    body = with_(CARD, type=card_type)
    assert_error(ContentCard.model_validate, body, "missing", ("image_url",))


def test_content_card_type() -> None:
    body = with_(CARD, type="classic")
    assert_error(ContentCard.model_validate, body, "invalid_choice", ("type",))


# whats_app


def test_whats_app_template_fields() -> None:
    body = with_(WHATS_APP, message={"template_name": "sale"})
    assert_error(WhatsApp.model_validate, body, "missing", ("message", "template_language_code"))


def test_whats_app_message_type() -> None:
    body = with_(WHATS_APP, message_type="template")
    assert_error(WhatsApp.model_validate, body, "invalid_choice", ("message_type",))


def whats_app_list(rows: int) -> dict[str, Any]:
    sections = [
        {"section_title": "A", "list_rows": [{"row_title": "r"}] * (rows // 2)},
        {"section_title": "B", "list_rows": [{"row_title": "r"}] * (rows - rows // 2)},
    ]
    return with_(
        WHATS_APP,
        message_type="list_response_message",
        message={"body": "Pick", "list": {"list_button_text": "Open", "list_sections": sections}},
    )


def test_whats_app_list_at_most_10_rows() -> None:
    assert WhatsApp.model_validate(whats_app_list(10))
    assert_error(
        WhatsApp.model_validate, whats_app_list(11), "too_many_list_rows", ("message", "list")
    )


def test_whats_app_flow_caption_at_most_20_characters() -> None:
    def flow(caption: str) -> dict[str, Any]:
        button = {"caption": caption, "flow_id": "594425479261596"}
        return with_(
            WHATS_APP,
            message_type="flow_response_message",
            message={"body": "Order", "flow_button": button},
        )

    assert WhatsApp.model_validate(flow("x" * 20))
    assert_error(
        WhatsApp.model_validate,
        flow("x" * 21),
        "caption_too_long",
        ("message", "flow_button", "caption"),
    )


# containers


@pytest.mark.parametrize("model", [ScheduleMessages, SendMessages])
def test_empty_messages(model: type[BaseModel]) -> None:
    assert_error(model.model_validate, {}, "no_message", (), "No message to send")
    assert_error(model.model_validate, {"email": None}, "no_message", (), "No message to send")


def test_schedule_messages_do_not_document_whats_app() -> None:
    # An unknown channel is kept and reported, and is not a message: alone, nothing is sent.
    assert_error(
        ScheduleMessages.model_validate, {"whats_app": WHATS_APP}, "no_message", (),
        "No message to send",
    )  # fmt: skip
    body = {"whats_app": WHATS_APP, "apple_push": APPLE}
    finding = assert_finding(ScheduleMessages, body, "unknown_field", ("whats_app",))
    assert finding.at_key
    assert "apple_push" in (finding.hint or "")
    assert list(ScheduleMessages.model_validate(body).objects()) == ["apple_push"]
    assert SendMessages.model_validate({"whats_app": WHATS_APP}).whats_app is not None


def test_all_channels_at_once() -> None:
    body = {
        "apple_push": APPLE,
        "android_push": ANDROID,
        "kindle_push": KINDLE,
        "web_push": WEB,
        "email": EMAIL,
        "webhook": WEBHOOK,
        "content_card": CARD,
        "sms": SMS,
    }
    messages = ScheduleMessages.model_validate(body)
    assert list(messages.objects()) == list(body)
    assert messages.model_dump(mode="json", by_alias=True, exclude_unset=True) == body


def test_errors_are_located_inside_the_container() -> None:
    body = {"android_push": with_(ANDROID, time_to_live=-1), "email": with_(EMAIL, body=None)}
    with pytest.raises(ValidationError) as caught:
        SendMessages.model_validate(body)
    errors = caught.value.errors()
    assert [(e["type"], e["loc"]) for e in errors] == [
        ("out_of_range", ("android_push", "time_to_live")),
        ("missing", ("email", "body")),
    ]


def test_findings_are_located_inside_the_container() -> None:
    body = {"android_push": with_(ANDROID, priority=9), "email": with_(EMAIL, sujbect="Hi")}
    found = findings(SendMessages.model_validate(body))
    assert [(f.code, f.loc, f.hint) for f in found] == [
        ("priority_out_of_range", ("android_push", "priority"),
         "use a value from -2 (min) to 2 (max), or remove priority for the default"),
        ("unknown_field", ("email", "sujbect"), "did you mean 'subject'?"),
    ]  # fmt: skip
