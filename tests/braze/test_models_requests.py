"""Request bodies: field sets per endpoint, targeting and broadcast rules, limits, the endpoint
table and the unique-audience key."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from reconciler.braze.models import (
    ENDPOINTS,
    CampaignScheduleCreateRequest,
    CampaignScheduleDeleteRequest,
    CampaignScheduleUpdateRequest,
    CampaignTriggerSendRequest,
    CanvasScheduleCreateRequest,
    CanvasScheduleDeleteRequest,
    CanvasScheduleUpdateRequest,
    CanvasTriggerSendRequest,
    MessagesSendRequest,
    ScheduleCreateRequest,
    ScheduledBroadcastsQuery,
    ScheduleDeleteRequest,
    ScheduleUpdateRequest,
    SendIdCreateRequest,
    is_broadcast,
    unique_audience_key,
)
from reconciler.braze.models.base import findings
from reconciler.braze.models.recipients import PROPERTIES_MAX_BYTES
from tests.braze.helpers import assert_error, assert_finding

# Identifiers of Braze's form (UUIDs); which objects they name does not matter here.
CAMPAIGN_ID = "5b2f1c3e-4a6d-4e8f-9a0b-1c2d3e4f5a6b"
CANVAS_ID = "6c3a2d4f-5b7e-4f90-8b1c-2d3e4f5a6b7c"
SEGMENT_ID = "7d4b3e5a-6c8f-4a01-9c2d-3e4f5a6b7c8d"
APP_ID = "8e5c4f6b-7d9a-4b12-8d3e-4f5a6b7c8d9e"
GROUP_ID = "9f6d5a7c-8e0b-4c23-9e4f-5a6b7c8d9e0f"
VARIATION_ID = "a07e6b8d-9f1c-4d34-8f5a-6b7c8d9e0f1a"
OTHER_CAMPAIGN_ID = "b18f7c9e-a02d-4e45-9a6b-7c8d9e0f1a2b"

TOO_MANY = "The max number of external_ids and aliases per request was exceeded"


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {**base, **changes}
    return {key: value for key, value in body.items() if value is not None}


AUDIENCE: dict[str, Any] = {
    "AND": [
        {
            "custom_attribute": {
                "custom_attribute_name": "eye_color",
                "comparison": "equals",
                "value": "blue",
            }
        },
        {"push_subscription_status": {"comparison": "is", "value": "opted_in"}},
        {"last_used_app": {"comparison": "after", "value": "2019-07-22T13:17:55+0000"}},
    ]
}
ALIAS = {"alias_name": "example_name", "alias_label": "example_label"}
SCHEDULE = {"time": "2026-12-01T09:00:00Z"}
LOCAL = {"time": "2026-12-01T09:00:00", "in_local_time": True}
PUSH = {"alert": "Sale starts now", "message_variation_id": VARIATION_ID}
MESSAGES: dict[str, Any] = {"apple_push": PUSH}

SCHEDULE_CREATE: dict[str, Any] = {
    "broadcast": False,
    "external_user_ids": ["user-1", "user-2"],
    "user_aliases": [ALIAS],
    "segment_id": SEGMENT_ID,
    "audience": AUDIENCE,
    "campaign_id": CAMPAIGN_ID,
    "send_id": "send_identifier",
    "override_messaging_limits": False,
    "recipient_subscription_state": "subscribed",
    "schedule": SCHEDULE,
    "messages": MESSAGES,
}
SEGMENT_BROADCAST: dict[str, Any] = {  # /messages/schedule/create
    "broadcast": True,
    "segment_id": SEGMENT_ID,
    "schedule": LOCAL,
    "messages": {"android_push": {"alert": "Sale", "title": "Acme"}},
}
SEGMENT_SEND = with_(SEGMENT_BROADCAST, schedule=None)  # /messages/send
MESSAGES_MODELS = [(ScheduleCreateRequest, SEGMENT_BROADCAST), (MessagesSendRequest, SEGMENT_SEND)]
CAMPAIGN_CREATE: dict[str, Any] = {
    "campaign_id": CAMPAIGN_ID,
    "send_id": "send_identifier",
    "recipients": [
        {
            "external_user_id": "user-1",
            "trigger_properties": {"discount": 20},
            "send_to_existing_only": False,
            "attributes": {"first_name": "Jane"},
        },
        {"user_alias": ALIAS},
    ],
    "audience": AUDIENCE,
    "broadcast": False,
    "trigger_properties": {"sale": "black-friday"},
    "schedule": LOCAL,
}
CAMPAIGN_BROADCAST: dict[str, Any] = {
    "campaign_id": CAMPAIGN_ID,
    "broadcast": True,
    "trigger_properties": {"discount": 20},
    "schedule": {"time": "2026-11-27T09:00:00", "in_local_time": True},
}
CANVAS_CREATE: dict[str, Any] = {
    "canvas_id": CANVAS_ID,
    "recipients": [{"external_user_id": "user-1", "context": {"step": 1}}],
    "audience": AUDIENCE,
    "broadcast": False,
    "context": {"season": "winter"},
    "schedule": {"time": "2026-12-01T00:00:00", "at_optimal_time": True},
}
CANVAS_BROADCAST: dict[str, Any] = {
    "canvas_id": CANVAS_ID,
    "audience": AUDIENCE,
    "broadcast": True,
    "canvas_entry_properties": {"season": "winter"},
    "schedule": SCHEDULE,
}
MESSAGES_SEND: dict[str, Any] = {
    "external_user_ids": ["user-1"],
    "override_frequency_capping": True,
    "recipient_subscription_state": "all",
    "messages": {
        "whats_app": {
            "app_id": APP_ID,
            "subscription_group_id": GROUP_ID,
            "message_type": "text_response_message",
            "message": {"body": "Hi", "preview_url": True},
        }
    },
}
CAMPAIGN_SEND: dict[str, Any] = {
    "campaign_id": CAMPAIGN_ID,
    "recipients": [{"external_user_id": "user-1"}],
    "attachments": [{"file_name": "invoice", "url": "https://a.b/invoice.pdf"}],
}
CANVAS_SEND: dict[str, Any] = {
    "canvas_id": CANVAS_ID,
    "broadcast": True,
    "context": {"season": "winter"},
}

VALID: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (ScheduleCreateRequest, SCHEDULE_CREATE),
    (ScheduleCreateRequest, SEGMENT_BROADCAST),
    (ScheduleCreateRequest, {"broadcast": True, "audience": AUDIENCE, "schedule": SCHEDULE,
                             "messages": MESSAGES}),
    (ScheduleUpdateRequest, {"schedule_id": "s1", "schedule": SCHEDULE, "messages": MESSAGES}),
    (ScheduleUpdateRequest, {"schedule_id": "s1", "schedule": LOCAL}),
    (ScheduleUpdateRequest, {"schedule_id": "s1", "messages": MESSAGES}),
    (ScheduleDeleteRequest, {"schedule_id": "s1"}),
    (CampaignScheduleCreateRequest, CAMPAIGN_CREATE),
    (CampaignScheduleCreateRequest, CAMPAIGN_BROADCAST),
    (CampaignScheduleUpdateRequest, {"campaign_id": "c", "schedule_id": "s1", "schedule": LOCAL}),
    (CampaignScheduleDeleteRequest, {"campaign_id": CAMPAIGN_ID, "schedule_id": "s1"}),
    (CanvasScheduleCreateRequest, CANVAS_CREATE),
    (CanvasScheduleCreateRequest, CANVAS_BROADCAST),
    (CanvasScheduleUpdateRequest, {"canvas_id": "c", "schedule_id": "s1", "schedule": SCHEDULE}),
    (CanvasScheduleDeleteRequest, {"canvas_id": CANVAS_ID, "schedule_id": "s1"}),
    (SendIdCreateRequest, {"campaign_id": CAMPAIGN_ID, "send_id": "black-friday-2026"}),
    (SendIdCreateRequest, {"campaign_id": CAMPAIGN_ID}),
    (MessagesSendRequest, MESSAGES_SEND),
    (CampaignTriggerSendRequest, CAMPAIGN_SEND),
    (CanvasTriggerSendRequest, CANVAS_SEND),
    (ScheduledBroadcastsQuery, {"end_time": "2018-09-01T00:00:00-04:00"}),
]  # fmt: skip


@pytest.mark.parametrize(("model", "body"), VALID)
def test_valid_bodies_round_trip(model: type[BaseModel], body: dict[str, Any]) -> None:
    request = model.model_validate(body)
    assert request.model_dump(mode="json", by_alias=True, exclude_unset=True) == body


@pytest.mark.parametrize("endpoint", list(ENDPOINTS.values()), ids=list(ENDPOINTS))
def test_json_schema_generates(endpoint: Any) -> None:
    schema = endpoint.request.model_json_schema(by_alias=True)
    assert schema["additionalProperties"] is False
    assert all("description" in field for field in schema["properties"].values())


# The doc examples that are not valid requests (braze-api.md section 6).


def test_schedule_create_doc_example_as_written_is_rejected() -> None:
    body = with_(
        SCHEDULE_CREATE,
        broadcast="false",
        external_user_ids="external_user_identifiers",
        user_aliases=ALIAS,
    )
    with pytest.raises(ValidationError) as caught:
        ScheduleCreateRequest.model_validate(body)
    errors = caught
    assert [(e["type"], e["loc"]) for e in errors.value.errors()] == [
        ("bool_type", ("broadcast",)),
        ("list_type", ("external_user_ids",)),
        ("list_type", ("user_aliases",)),
    ]


def test_canvas_doc_example_recipient_alias_string_is_rejected() -> None:
    body = with_(CANVAS_CREATE, recipients=[{"user_alias": "example_alias"}])
    assert_error(
        CanvasScheduleCreateRequest.model_validate,
        body,
        "model_type",
        ("recipients", 0, "user_alias"),
        None,
    )


def test_doc_example_empty_time_is_rejected() -> None:
    body = with_(CAMPAIGN_BROADCAST, schedule={"time": "", "in_local_time": False})
    assert_error(
        CampaignScheduleCreateRequest.model_validate, body, "invalid_time", ("schedule", "time")
    )


# Field sets per endpoint.


@pytest.mark.parametrize(
    ("model", "base", "field"),
    [
        (ScheduleCreateRequest, SCHEDULE_CREATE, "recipients"),
        (ScheduleCreateRequest, SCHEDULE_CREATE, "trigger_properties"),
        (ScheduleCreateRequest, SCHEDULE_CREATE, "override_frequency_capping"),
        (MessagesSendRequest, MESSAGES_SEND, "override_messaging_limits"),
        (MessagesSendRequest, MESSAGES_SEND, "schedule"),
        (CanvasScheduleCreateRequest, CANVAS_CREATE, "send_id"),
        (CanvasScheduleCreateRequest, CANVAS_CREATE, "trigger_properties"),
        (CampaignScheduleCreateRequest, CAMPAIGN_CREATE, "context"),
        (CampaignScheduleUpdateRequest, {"campaign_id": CAMPAIGN_ID, "schedule_id": "s",
                                         "schedule": SCHEDULE}, "recipients"),
        (ScheduleUpdateRequest, {"schedule_id": "s", "schedule": SCHEDULE}, "audience"),
    ],
)  # fmt: skip
def test_fields_of_other_endpoints_are_unknown_and_kept(
    model: type[BaseModel], base: dict[str, Any], field: str
) -> None:
    # Braze's docs do not say whether an endpoint ignores or refuses an unknown field: the body
    # is accepted and sent as written, and the field is a finding.
    body = {**base, field: "x"}
    finding = assert_finding(model, body, "unknown_field", (field,))
    assert finding.at_key
    assert finding.refused_by_validate == (field in ("recipients", "audience"))
    dumped = model.model_validate(body).model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert dumped[field] == "x"


def test_unknown_field_did_you_mean() -> None:
    body = with_(CAMPAIGN_BROADCAST, trigger_propertes={})
    finding = assert_finding(
        CampaignScheduleCreateRequest, body, "unknown_field", ("trigger_propertes",)
    )
    assert finding.message == (
        "unknown field 'trigger_propertes': Braze's documentation does not say whether it "
        "ignores or refuses it; it is sent as written"
    )
    assert finding.hint == "did you mean 'trigger_properties'?"
    assert finding.replacement == "trigger_properties"
    assert not finding.refused_by_validate


@pytest.mark.parametrize(
    ("body", "typo", "meant"),
    [
        (with_(CAMPAIGN_BROADCAST, audeince=AUDIENCE), "audeince", "audience"),
        (with_(SEGMENT_BROADCAST, segmnet_id=SEGMENT_ID), "segmnet_id", "segment_id"),
    ],
)
def test_a_misspelt_field_that_narrows_the_audience_is_refused_by_validate(
    body: dict[str, Any], typo: str, meant: str
) -> None:
    model = ScheduleCreateRequest if "segment_id" in body else CampaignScheduleCreateRequest
    finding = assert_finding(model, body, "unknown_field", (typo,))
    assert finding.refused_by_validate
    assert finding.replacement == meant
    assert "wider audience" in finding.message


def test_a_typo_of_a_missing_required_field_is_an_error() -> None:
    body = with_(CAMPAIGN_BROADCAST, schedule=None, schedul=SCHEDULE)
    with pytest.raises(ValidationError) as caught:
        CampaignScheduleCreateRequest.model_validate(body)
    errors = caught.value.errors()
    assert [(e["type"], e["loc"]) for e in errors] == [
        ("unknown_field", ("schedul",)),
        ("missing", ("schedule",)),
    ]
    assert errors[0]["ctx"]["hint"] == "did you mean 'schedule'?"


def test_messages_send_takes_whats_app_but_schedule_create_does_not_document_it() -> None:
    body = with_(SEGMENT_BROADCAST, messages={**MESSAGES_SEND["messages"], "apple_push": PUSH})
    assert_finding(ScheduleCreateRequest, body, "unknown_field", ("messages", "whats_app"))
    assert findings(MessagesSendRequest.model_validate(MESSAGES_SEND)) == []


@pytest.mark.parametrize(
    ("model", "body", "loc"),
    [
        (ScheduleCreateRequest, with_(SEGMENT_BROADCAST, schedule=None), ("schedule",)),
        (ScheduleUpdateRequest, {"schedule": SCHEDULE}, ("schedule_id",)),
        (CampaignScheduleUpdateRequest, {"campaign_id": "c", "schedule_id": "s"}, ("schedule",)),
        (CanvasScheduleUpdateRequest, {"canvas_id": "c", "schedule": SCHEDULE}, ("schedule_id",)),
        (CampaignScheduleDeleteRequest, {"schedule_id": "s"}, ("campaign_id",)),
        (CanvasScheduleDeleteRequest, {"schedule_id": "s"}, ("canvas_id",)),
        (ScheduleDeleteRequest, {}, ("schedule_id",)),
        (CampaignScheduleCreateRequest, with_(CAMPAIGN_BROADCAST, campaign_id=None),
         ("campaign_id",)),
        (CanvasScheduleCreateRequest, with_(CANVAS_BROADCAST, canvas_id=None), ("canvas_id",)),
        (SendIdCreateRequest, {"send_id": "x"}, ("campaign_id",)),
        (ScheduledBroadcastsQuery, {}, ("end_time",)),
    ],
)  # fmt: skip
def test_required_fields(model: type[BaseModel], body: dict[str, Any], loc: tuple[str]) -> None:
    assert_error(model.model_validate, body, "missing", loc, None)


def test_schedule_update_needs_schedule_or_messages() -> None:
    assert_error(
        ScheduleUpdateRequest.model_validate, {"schedule_id": "s"}, "nothing_to_update", ()
    )


def test_recipient_subscription_state() -> None:
    body = with_(SEGMENT_BROADCAST, recipient_subscription_state="opted-in")
    error = assert_error(
        ScheduleCreateRequest.model_validate,
        body,
        "invalid_choice",
        ("recipient_subscription_state",),
    )
    assert error["ctx"]["hint"] == "did you mean 'opted_in'?"


# Targeting and broadcast (braze-api.md 4.4).


@pytest.mark.parametrize(("model", "base"), MESSAGES_MODELS)
@pytest.mark.parametrize(
    ("users", "field"),
    [
        ({"external_user_ids": ["u"]}, "external_user_ids"),
        ({"user_aliases": [ALIAS]}, "user_aliases"),
        ({"external_user_ids": []}, "external_user_ids"),
    ],
)
def test_messages_broadcast_with_users(
    model: type[BaseModel], base: dict[str, Any], users: dict[str, Any], field: str
) -> None:
    body = {**base, **users}
    error = assert_error(model.model_validate, body, "broadcast_with_recipients", ("broadcast",))
    assert field in error["msg"]


@pytest.mark.parametrize(("model", "base"), MESSAGES_MODELS)
@pytest.mark.parametrize("broadcast", [False, None])
@pytest.mark.parametrize("target", [{"segment_id": SEGMENT_ID}, {"audience": AUDIENCE}])
def test_messages_broadcast_required_without_users(
    model: type[BaseModel], base: dict[str, Any], broadcast: bool | None, target: dict[str, Any]
) -> None:
    body = with_(base, segment_id=None, broadcast=broadcast) | target
    error = assert_error(model.model_validate, body, "broadcast_required", ("broadcast",))
    assert error["ctx"]["hint"] == "set broadcast: true, or list the users"


@pytest.mark.parametrize(("model", "base"), MESSAGES_MODELS)
@pytest.mark.parametrize("extra", [{}, {"broadcast": True}, {"external_user_ids": []}])
def test_messages_no_recipients(
    model: type[BaseModel], base: dict[str, Any], extra: dict[str, Any]
) -> None:
    body = with_(base, segment_id=None, broadcast=None) | extra
    assert_error(model.model_validate, body, "no_recipients", (), "No Recipients")


TRIGGER_CREATES = [
    (CampaignScheduleCreateRequest, CAMPAIGN_BROADCAST),
    (CanvasScheduleCreateRequest, CANVAS_BROADCAST),
    (
        CampaignTriggerSendRequest,
        {"campaign_id": CAMPAIGN_ID, "broadcast": True},
    ),
    (CanvasTriggerSendRequest, CANVAS_SEND),
]


@pytest.mark.parametrize(("model", "base"), TRIGGER_CREATES)
@pytest.mark.parametrize("recipients", [[{"external_user_id": "u"}], []])
def test_trigger_broadcast_with_recipients(
    model: type[BaseModel], base: dict[str, Any], recipients: list[Any]
) -> None:
    body = with_(base, broadcast=True, recipients=recipients)
    assert_error(model.model_validate, body, "broadcast_with_recipients", ("broadcast",))


@pytest.mark.parametrize(("model", "base"), TRIGGER_CREATES)
@pytest.mark.parametrize("broadcast", [False, None])
def test_trigger_audience_without_recipients_is_a_broadcast(
    model: type[BaseModel], base: dict[str, Any], broadcast: bool | None
) -> None:
    body = with_(base, broadcast=broadcast, audience=AUDIENCE)
    assert_error(model.model_validate, body, "broadcast_required", ("broadcast",))


@pytest.mark.parametrize(("model", "base"), TRIGGER_CREATES)
@pytest.mark.parametrize("extra", [{"broadcast": False}, {}, {"recipients": []}])
def test_trigger_no_recipients(
    model: type[BaseModel], base: dict[str, Any], extra: dict[str, Any]
) -> None:
    body = with_(base, broadcast=None, audience=None) | extra
    assert_error(model.model_validate, body, "no_recipients", (), "No Recipients")


@pytest.mark.parametrize(("model", "base"), TRIGGER_CREATES)
def test_trigger_recipients_with_audience(model: type[BaseModel], base: dict[str, Any]) -> None:
    body = with_(base, broadcast=None, recipients=[{"external_user_id": "u"}], audience=AUDIENCE)
    assert model.model_validate(body)


def test_attachments_not_with_broadcast() -> None:
    body = with_(CAMPAIGN_SEND, recipients=None, broadcast=True)
    assert_error(
        CampaignTriggerSendRequest.model_validate, body, "attachments_with_broadcast",
        ("attachments",),
    )  # fmt: skip


# Limits.


@pytest.mark.parametrize(("model", "base"), MESSAGES_MODELS)
def test_at_most_50_external_ids_and_aliases(model: type[BaseModel], base: dict[str, Any]) -> None:
    base = with_(base, broadcast=None)
    ids = [f"user-{n}" for n in range(50)]
    assert model.model_validate(base | {"external_user_ids": ids})
    assert_error(
        model.model_validate,
        base | {"external_user_ids": [*ids, "one-more"]},
        "too_many_recipients",
        ("external_user_ids",),
        TOO_MANY,
    )
    error = assert_error(
        model.model_validate,
        base | {"external_user_ids": ids[:30], "user_aliases": [ALIAS] * 21},
        "too_many_recipients",
        ("user_aliases",),
        TOO_MANY,
    )
    assert error["msg"].startswith("51 external ids and aliases")


@pytest.mark.parametrize(("model", "base"), TRIGGER_CREATES)
def test_at_most_50_recipients(model: type[BaseModel], base: dict[str, Any]) -> None:
    base = with_(base, broadcast=None)
    recipients = [{"external_user_id": f"user-{n}"} for n in range(51)]
    assert model.model_validate(base | {"recipients": recipients[:50]})
    assert_error(
        model.model_validate,
        base | {"recipients": recipients},
        "too_many_recipients",
        ("recipients",),
        TOO_MANY,
    )


SEND_ID_MODELS = [
    (ScheduleCreateRequest, SEGMENT_BROADCAST),
    (MessagesSendRequest, MESSAGES_SEND),
    (CampaignScheduleCreateRequest, CAMPAIGN_BROADCAST),
    (CampaignTriggerSendRequest, CAMPAIGN_SEND),
    (SendIdCreateRequest, {"campaign_id": CAMPAIGN_ID}),
]


@pytest.mark.parametrize(("model", "base"), SEND_ID_MODELS)
@pytest.mark.parametrize("send_id", ["x" * 65, "soldes-été", ""])
def test_send_id_ascii_at_most_64(
    model: type[BaseModel], base: dict[str, Any], send_id: str
) -> None:
    assert model.model_validate(base | {"send_id": "x" * 64})
    assert_error(model.model_validate, base | {"send_id": send_id}, "invalid_send_id", ("send_id",))


def big_object(size: int) -> dict[str, Any]:
    return {"k": "x" * (size - len('{"k":""}'))}


@pytest.mark.parametrize(
    ("model", "base", "field"),
    [
        (CampaignScheduleCreateRequest, CAMPAIGN_BROADCAST, "trigger_properties"),
        (CampaignTriggerSendRequest, CAMPAIGN_SEND, "trigger_properties"),
        (CanvasScheduleCreateRequest, CANVAS_CREATE, "context"),
        (CanvasTriggerSendRequest, CANVAS_SEND, "canvas_entry_properties"),
    ],
)
def test_properties_at_most_50_kb(model: type[BaseModel], base: dict[str, Any], field: str) -> None:
    base = with_(base, context=None)
    assert model.model_validate(base | {field: big_object(PROPERTIES_MAX_BYTES)})
    body = base | {field: big_object(PROPERTIES_MAX_BYTES + 1)}
    assert_error(model.model_validate, body, "payload_too_large", (field,))


@pytest.mark.parametrize("model", [CanvasScheduleCreateRequest, CanvasTriggerSendRequest])
def test_context_or_canvas_entry_properties(model: type[BaseModel]) -> None:
    body = with_(CANVAS_BROADCAST, canvas_entry_properties={"a": 1}, context={"a": 1})
    if model is CanvasTriggerSendRequest:
        body.pop("schedule")
    assert_error(model.model_validate, body, "context_conflict", ("canvas_entry_properties",))


# Messages.


@pytest.mark.parametrize(("model", "base"), MESSAGES_MODELS)
def test_messages_required_on_create_and_send(model: type[BaseModel], base: dict[str, Any]) -> None:
    body = with_(base, messages=None)
    assert_error(model.model_validate, body, "no_message", ("messages",), "No message to send")


def test_campaign_id_needs_message_variation_ids() -> None:
    messages = {"apple_push": {"alert": "x"},
                "sms": {"subscription_group_id": GROUP_ID, "body": "b", "app_id": APP_ID},
                "webhook": {"url": "u", "request_method": "GET",
                "message_variation_id": VARIATION_ID}}  # fmt: skip
    body = with_(SEGMENT_BROADCAST, campaign_id=CAMPAIGN_ID, messages=messages)
    with pytest.raises(ValidationError) as caught:
        ScheduleCreateRequest.model_validate(body)
    errors = caught
    assert [(e["type"], e["loc"], e["ctx"]["braze_message"]) for e in errors.value.errors()] == [
        (
            "message_variation_required",
            ("messages", "apple_push", "message_variation_id"),
            "Message Variant Unspecified",
        ),
        (
            "message_variation_required",
            ("messages", "sms", "message_variation_id"),
            "Message Variant Unspecified",
        ),
    ]
    assert ScheduleCreateRequest.model_validate(with_(body, campaign_id=None))


def test_send_messages_with_campaign_id() -> None:
    body = with_(MESSAGES_SEND, campaign_id=CAMPAIGN_ID)
    assert_error(
        MessagesSendRequest.model_validate,
        body,
        "message_variation_required",
        ("messages", "whats_app", "message_variation_id"),
        "Message Variant Unspecified",
    )


def test_nested_errors_are_located_in_the_body() -> None:
    body = with_(
        SEGMENT_BROADCAST, schedule={"time": "2026-12-01T09:00:00Z", "in_local_time": True}
    )
    assert_error(
        ScheduleCreateRequest.model_validate, body, "local_time_with_offset", ("schedule", "time")
    )
    body = with_(CAMPAIGN_CREATE, recipients=[{"external_user_id": "u"}, {"email": "a@b.c"}])
    assert_error(
        CampaignScheduleCreateRequest.model_validate,
        body,
        "missing",
        ("recipients", 1, "prioritization"),
    )


# The endpoint table and the unique audience.

PERMISSIONS = {
    "/messages/send": "messages.send",
    "/messages/schedule/create": "messages.schedule.create",
    "/messages/schedule/update": "messages.schedule.update",
    "/messages/schedule/delete": "messages.schedule.delete",
    "/messages/scheduled_broadcasts": "messages.schedule_broadcasts",
    "/campaigns/trigger/send": "campaigns.trigger.send",
    "/campaigns/trigger/schedule/create": "campaigns.trigger.schedule.create",
    "/campaigns/trigger/schedule/update": "campaigns.trigger.schedule.update",
    "/campaigns/trigger/schedule/delete": "campaigns.trigger.schedule.delete",
    "/canvas/trigger/send": "canvas.trigger.send",
    "/canvas/trigger/schedule/create": "canvas.trigger.schedule.create",
    "/canvas/trigger/schedule/update": "canvas.trigger.schedule.update",
    "/canvas/trigger/schedule/delete": "canvas.trigger.schedule.delete",
    "/sends/id/create": "sends.id.create",
}


def test_endpoint_table() -> None:
    assert {path: endpoint.permission for path, endpoint in ENDPOINTS.items()} == PERMISSIONS
    assert all(path == endpoint.path for path, endpoint in ENDPOINTS.items())
    assert {path for path, e in ENDPOINTS.items() if e.broadcast_limited} == {
        "/messages/send",
        "/campaigns/trigger/send",
        "/canvas/trigger/send",
        "/campaigns/trigger/schedule/create",
        "/canvas/trigger/schedule/create",
    }
    assert ENDPOINTS["/messages/scheduled_broadcasts"].method == "GET"
    assert ENDPOINTS["/messages/scheduled_broadcasts"].action == "list"
    assert ENDPOINTS["/messages/schedule/create"].request is ScheduleCreateRequest
    assert ENDPOINTS["/canvas/trigger/schedule/update"].action == "update"
    assert ENDPOINTS["/campaigns/trigger/schedule/delete"].action == "delete"
    assert ENDPOINTS["/canvas/trigger/send"].action == "send"
    assert ENDPOINTS["/sends/id/create"].action == "create"


def test_is_broadcast() -> None:
    assert is_broadcast(CAMPAIGN_BROADCAST)
    assert is_broadcast({"campaign_id": CAMPAIGN_ID, "audience": AUDIENCE})
    assert not is_broadcast(CAMPAIGN_CREATE)
    assert not is_broadcast({"external_user_ids": ["u"], "segment_id": "s"})


def test_unique_audience_key() -> None:
    path = "/campaigns/trigger/schedule/create"
    key = unique_audience_key(path, CAMPAIGN_BROADCAST)
    assert key is not None
    # The schedule and the personalization are not part of the audience.
    same = with_(CAMPAIGN_BROADCAST, schedule=SCHEDULE, trigger_properties={"other": 1})
    assert unique_audience_key(path, same) == key
    assert unique_audience_key("/campaigns/trigger/send", same) == key
    other_audience = with_(CAMPAIGN_BROADCAST, audience=AUDIENCE)
    assert unique_audience_key(path, other_audience) not in (None, key)
    other_campaign = with_(CAMPAIGN_BROADCAST, campaign_id=OTHER_CAMPAIGN_ID)
    assert unique_audience_key(path, other_campaign) not in (None, key)
    canvas_body = {"canvas_id": CAMPAIGN_ID, "broadcast": True}
    canvas = unique_audience_key("/canvas/trigger/schedule/create", canvas_body)
    assert canvas not in (None, key)


def test_unique_audience_key_segments_on_messages_send() -> None:
    first = unique_audience_key("/messages/send", {"broadcast": True, "segment_id": "a"})
    second = unique_audience_key("/messages/send", {"broadcast": True, "segment_id": "b"})
    assert first is not None
    assert second is not None
    assert first != second


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/campaigns/trigger/schedule/create", CAMPAIGN_CREATE),
        ("/messages/send", MESSAGES_SEND),
        ("/messages/schedule/create", SEGMENT_BROADCAST),
        ("/campaigns/trigger/schedule/update", CAMPAIGN_BROADCAST),
        ("/no/such/endpoint", CAMPAIGN_BROADCAST),
        ("/canvas/trigger/send", "not a body"),
    ],
)
def test_no_unique_audience_key(path: str, body: Any) -> None:
    assert unique_audience_key(path, body) is None
