"""Every request example of Braze's messaging pages, as written, with three substitutions only:

- identifiers of a workspace (campaign, Canvas, segment, app, subscription group, variation)
  replaced by the demo workspace's; ``schedule_identifier`` stays, and the test puts the id of
  a schedule it created there; ``send_identifier`` stays, and the test creates that send id
  for the example's campaign first (Braze requires it, /sends/id/create);
- send times moved into the future (``"time": ""`` included), keeping their form (offset or
  none);
- the create and send examples' placeholders for messaging objects (``(optional, Apple Push
  Object)``, not values) replaced by an object with every field its page lists.

Where an example contradicts the rules written on its own page (a string where the table says
Boolean, two identifiers where the page says "Requests must specify only one"), the rule wins:
the ``corrections`` say which value changes and which rule requires it, and the test checks
that each correction is needed (the example without it is refused, there) and enough (with all
of them, the example is accepted). Pages as read in the braze-inc/braze-docs repository.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from tests.contract import demo

DOCS = "https://www.braze.com/docs/api"
SCHEDULE_ID = "schedule_identifier"
SEND_ID = "send_identifier"
REMOVED = object()
"""A correction's value: the key is removed."""

ONE_IDENTIFIER = (
    "recipients object: 'You must include one of external_user_id, user_alias, braze_id, or "
    "email in this object. Requests must specify only one.' "
    f"({DOCS}/objects_filters/recipient_object/)"
)
NO_OFFSET = (
    "schedule object: 'When using local or optimal time sending, do not provide time zone "
    f"designators in the value of the time parameter' ({DOCS}/objects_filters/schedule_object/)"
)


@dataclasses.dataclass(frozen=True)
class Correction:
    loc: tuple[str | int, ...]
    value: Any
    rule: str


@dataclasses.dataclass(frozen=True)
class Example:
    name: str
    page: str
    path: str
    body: dict[str, Any]
    corrections: tuple[Correction, ...] = ()
    kind: str | None = None
    """The manifest kind of a schedule create (``validate`` takes it as a manifest)."""


# Messaging objects with every field their page lists (the object pages give no example, or
# one with a single field), each under the flash sale API campaign's variation of its channel.

MESSAGING_OBJECTS: dict[str, dict[str, Any]] = {
    "apple_push": {  # /objects_filters/messaging/apple_object/
        "badge": 1,
        "alert": {
            "body": "Your order shipped",
            "title": "Acme",
            "title_loc_key": "ORDER_TITLE",
            "title_loc_args": ["Acme"],
            "action_loc_key": "TRACK",
            "loc_key": "ORDER_SHIPPED",
            "loc_args": ["1042"],
            "sound": "default",
        },
        "sound": "default",
        "extra": {"order": "1042"},
        "content-available": False,
        "interruption_level": "active",
        "relevance_score": 0.5,
        "expiry": "2026-12-13T10:00:00Z",
        "custom_uri": "https://acme.example/orders/1042",
        "use_webview": True,
        "message_variation_id": demo.API_VARIATIONS["apple_push"],
        "notification_group_thread_id": "orders",
        "asset_url": "https://acme.example/box.png",
        "asset_file_type": "png",
        "collapse_id": "order-1042",
        "mutable_content": True,
        "send_to_most_recent_device_only": False,
        "category": "ab_cat_accept_decline",
        "buttons": [{"action_id": "ab_pb_accept", "action": "URI",
                     "uri": "https://acme.example/track", "use_webview": True}],
        "apns_priority": 10,
    },
    "android_push": {  # /objects_filters/messaging/android_object/
        "alert": "Your order shipped",
        "title": "Acme",
        "extra": {"appboy_image_url": "https://acme.example/big.png"},
        "message_variation_id": demo.API_VARIATIONS["android_push"],
        "notification_channel_id": "orders",
        "priority": 1,
        "android_priority": "high",
        "collapse_key": "orders",
        "sound": "default",
        "custom_uri": "https://acme.example/orders/1042",
        "use_webview": False,
        "summary_text": "Orders",
        "time_to_live": 86400,
        "notification_id": 1042,
        "push_icon_image_url": "https://acme.example/icon.png",
        "accent_color": 16711680,
        "send_to_most_recent_device_only": True,
        "buttons": [{"text": "Track", "action": "URI", "uri": "https://acme.example/track",
                     "use_webview": True}],
        "conversation_data": {
            "shortcut_id": "support",
            "reply_person_id": "agent",
            "messages": [{"text": "Shipped!", "timestamp": 1764590400, "person_id": "agent"}],
            "persons": [{"id": "agent", "name": "Acme support"}],
        },
    },
    "kindle_push": {  # /objects_filters/messaging/kindle_and_fireos_object/
        "alert": "Your order shipped",
        "title": "Acme",
        "extra": {"order": "1042"},
        "message_variation_id": demo.API_VARIATIONS["kindle_push"],
        "priority": 0,
        "collapse_key": "orders",
        "sound": "default",
        "custom_uri": "https://acme.example/orders/1042",
    },
    "web_push": {  # /objects_filters/messaging/web_objects/
        "alert": "Your order shipped",
        "title": "Acme",
        "extra": {"order": "1042"},
        "message_variation_id": demo.API_VARIATIONS["web_push"],
        "custom_uri": "https://acme.example/orders/1042",
        "image_url": "https://acme.example/square.png",
        "large_image_url": "https://acme.example/large.png",
        "require_interaction": True,
        "time_to_live": 3600,
        "send_to_most_recent_device_only": False,
        "buttons": [{"text": "Track", "action": "URI", "uri": "https://acme.example/track"}],
    },
    "email": {  # /objects_filters/messaging/email_object/
        "app_id": demo.IOS_APP,
        "subject": "Your order shipped",
        "from": "Acme <orders@acme.example>",
        "reply_to": "support@acme.example",
        "bcc": "archive@acme.example",
        "body": "<p>Your order shipped.</p>",
        "plaintext_body": "Your order shipped.",
        "preheader": "Order 1042 is on its way to you, and here is how to follow it step by step",
        "email_template_id": "order-shipped-template",
        "message_variation_id": demo.API_VARIATIONS["email"],
        "extras": {"order": "1042"},
        "headers": {"X-Order": "1042"},
        "should_inline_css": True,
        "attachments": [{"file_name": "receipt", "url": "https://acme.example/receipt.pdf"}],
    },
    "webhook": {  # /objects_filters/messaging/webhook_object/
        "url": "https://hooks.acme.example/shipped",
        "request_method": "POST",
        "request_headers": {"Content-Type": "application/json"},
        "body": '{"order": "1042"}',
        "message_variation_id": demo.API_VARIATIONS["webhook"],
    },
    "content_card": {  # /objects_filters/messaging/content_cards_object/
        "type": "CAPTIONED_IMAGE",
        "title": "Your order shipped",
        "description": "Follow it on its way",
        "message_variation_id": demo.API_VARIATIONS["content_card"],
        "pinned": True,
        "image_url": "https://acme.example/box.png",
        "expire_at": "2026-12-20T00:00:00Z",
        "expire_in_local_time": False,
        "ios_uri": "https://acme.example/orders/1042",
        "android_uri": "https://acme.example/orders/1042",
        "web_uri": "https://acme.example/orders/1042",
        "ios_use_webview": True,
        "android_use_webview": True,
        "uri_text": "Track it",
        "extra": {"order": "1042"},
    },
    "sms": {  # /objects_filters/messaging/sms_object/
        "subscription_group_id": demo.SMS_GROUP,
        "message_variation_id": demo.API_VARIATIONS["sms"],
        "body": "Your order shipped",
        "app_id": demo.IOS_APP,
        "media_items": ["https://acme.example/box.png"],
        "link_shortening_enabled": True,
        "user_click_tracking_enabled": True,
    },
}  # fmt: skip

_SCHEDULE_MESSAGES = tuple(channel for channel in MESSAGING_OBJECTS if channel != "sms")
"""The create example's placeholders; the send example's are these, SMS and webhook aside."""
_SEND_MESSAGES = ("android_push", "apple_push", "content_card", "email", "kindle_push", "web_push")


def _audience() -> dict[str, Any]:
    """The connected audience of every create and send example, as written."""
    return {
        "AND": [
            {"custom_attribute": {"custom_attribute_name": "eye_color", "comparison": "equals",
                                  "value": "blue"}},
            {"custom_attribute": {"custom_attribute_name": "favorite_foods",
                                  "comparison": "includes_value", "value": "pizza"}},
            {"OR": [
                {"custom_attribute": {"custom_attribute_name": "last_purchase_time",
                                      "comparison": "less_than_x_days_ago", "value": 2}},
                {"push_subscription_status": {"comparison": "is", "value": "opted_in"}},
            ]},
            {"email_subscription_status": {"comparison": "is_not", "value": "subscribed"}},
            {"last_used_app": {"comparison": "after", "value": "2019-07-22T13:17:55+0000"}},
        ]
    }  # fmt: skip


STRING_BOOLEAN = "the table types it Boolean; the example writes a string"
_SCHEDULE_PAGE = f"{DOCS}/endpoints/messaging/schedule_messages"
_SEND_PAGE = f"{DOCS}/endpoints/messaging/send_messages"
_ALIAS = {"alias_name": "example_name", "alias_label": "example_label"}


def _messages_request(channels: tuple[str, ...], **rest: Any) -> dict[str, Any]:
    """The targeting both /messages/* examples write, then ``rest``, then ``messages``."""
    return {
        "broadcast": "false",
        "external_user_ids": "external_user_identifiers",
        "user_aliases": dict(_ALIAS),
        "segment_id": demo.VIP_SEGMENT,
        "audience": _audience(),
        "campaign_id": demo.API_CAMPAIGN,
        "send_id": SEND_ID,
        **rest,
        "messages": {channel: MESSAGING_OBJECTS[channel] for channel in channels},
    }


_MESSAGES_CORRECTIONS = (
    Correction(("broadcast",), False, "broadcast: " + STRING_BOOLEAN),
    Correction(("external_user_ids",), ["external_user_identifiers"],
               "external_user_ids: the table types it 'Array of strings'"),
    Correction(("user_aliases",), [dict(_ALIAS)],
               "user_aliases: the table types it 'Array of user alias objects'"),
)  # fmt: skip


def _trigger_update(page: str, path: str, parent: dict[str, str]) -> Example:
    """The campaign and Canvas trigger update examples: the same body but the parent id."""
    body = {**parent, "schedule_id": SCHEDULE_ID,
            "schedule": {"time": "2026-12-12T21:30:00Z", "in_local_time": True}}  # fmt: skip
    correction = Correction(("schedule", "time"), "2026-12-12T21:30:00", NO_OFFSET)
    return Example(f"update {page}", f"{_SCHEDULE_PAGE}/{page}/", path, body, (correction,))


def _trigger_delete(page: str, path: str, parent: dict[str, str]) -> Example:
    return Example(f"delete {page}", f"{_SCHEDULE_PAGE}/{page}/", path,
                   {**parent, "schedule_id": SCHEDULE_ID})  # fmt: skip


ENDPOINT_EXAMPLES: tuple[Example, ...] = (
    Example(
        "create scheduled messages",
        f"{_SCHEDULE_PAGE}/post_schedule_messages/",
        "/messages/schedule/create",
        _messages_request(
            _SCHEDULE_MESSAGES,
            override_messaging_limits=False,
            recipient_subscription_state="subscribed",
            schedule={"time": "2026-12-12T10:00:00", "in_local_time": True,
                      "at_optimal_time": True},
        ),
        _MESSAGES_CORRECTIONS,
        kind="ScheduledMessage",
    ),
    Example(
        "send messages",
        f"{_SEND_PAGE}/post_send_messages/",
        "/messages/send",
        _messages_request(
            _SEND_MESSAGES,
            override_frequency_capping="false",
            recipient_subscription_state="all",
        ),
        (*_MESSAGES_CORRECTIONS,
         Correction(("override_frequency_capping",), False,
                    "override_frequency_capping: " + STRING_BOOLEAN)),
    ),
    Example(
        "update scheduled messages",
        f"{_SCHEDULE_PAGE}/post_update_scheduled_messages/",
        "/messages/schedule/update",
        {
            "schedule_id": SCHEDULE_ID,
            "schedule": {"time": "2026-12-12T20:30:36Z"},
            "messages": {
                "apple_push": {"alert": "Updated Message!", "badge": 1},
                "android_push": {"title": "Updated title!", "alert": "Updated message!"},
                "sms": {
                    "subscription_group_id": demo.SMS_GROUP,
                    "message_variation_id": demo.API_VARIATIONS["sms"],
                    "body": "This is my SMS body.",
                    "app_id": demo.IOS_APP,
                },
            },
        },
    ),
    Example(
        "delete scheduled messages",
        f"{_SCHEDULE_PAGE}/post_delete_scheduled_messages/",
        "/messages/schedule/delete",
        {"schedule_id": SCHEDULE_ID},
    ),
    Example(
        "list upcoming scheduled campaigns and Canvases",
        f"{_SCHEDULE_PAGE}/get_messages_scheduled/",
        "/messages/scheduled_broadcasts",
        {"end_time": "2027-01-01T00:00:00-04:00"},
    ),
    Example(
        "send campaigns using API-triggered delivery",
        f"{_SEND_PAGE}/post_send_triggered_campaigns/",
        "/campaigns/trigger/send",
        {
            "campaign_id": demo.TRIGGERED_CAMPAIGN,
            "send_id": SEND_ID,
            "trigger_properties": "",
            "broadcast": False,
            "audience": _audience(),
            "recipients": [
                {
                    "user_alias": dict(_ALIAS),
                    "external_user_id": "external_user_identifier",
                    "trigger_properties": "",
                    "send_to_existing_only": True,
                    "attributes": {"first_name": "Alex"},
                }
            ],
            "attachments": [
                {"file_name": "YourFileName", "url": "https://exampleurl.com/YourFileName.pdf"}
            ],
        },
        (
            Correction(("trigger_properties",), {},
                       "trigger_properties: the table types it 'Object'; the example writes ''"),
            Correction(("recipients", 0, "user_alias"), REMOVED, ONE_IDENTIFIER),
            Correction(("recipients", 0, "trigger_properties"), {},
                       "recipients[].trigger_properties: '(optional, object)'; the example "
                       "writes ''"),
        ),
    ),
    Example(
        "schedule API-triggered campaigns",
        f"{_SCHEDULE_PAGE}/post_schedule_triggered_campaigns/",
        "/campaigns/trigger/schedule/create",
        {
            "campaign_id": demo.TRIGGERED_CAMPAIGN,
            "send_id": SEND_ID,
            "recipients": [
                {
                    "user_alias": "example_alias",
                    "external_user_id": "external_user_identifier",
                    "trigger_properties": {},
                }
            ],
            "audience": _audience(),
            "broadcast": False,
            "trigger_properties": {},
            "schedule": {"time": "2026-12-12T10:00:00Z", "in_local_time": False,
                         "at_optimal_time": False},
        },
        (Correction(("recipients", 0, "user_alias"), REMOVED, ONE_IDENTIFIER),),
        kind="CampaignSchedule",
    ),
    _trigger_update("post_update_scheduled_triggered_campaigns",
                    "/campaigns/trigger/schedule/update", {"campaign_id": demo.TRIGGERED_CAMPAIGN}),
    _trigger_delete("post_delete_scheduled_triggered_messages",
                    "/campaigns/trigger/schedule/delete", {"campaign_id": demo.TRIGGERED_CAMPAIGN}),
    Example(
        "send Canvas messages using API-triggered delivery",
        f"{_SEND_PAGE}/post_send_triggered_canvases/",
        "/canvas/trigger/send",
        {
            "canvas_id": demo.CANVAS,
            "context": {"product_name": "shoes", "product_price": 79.99},
            "broadcast": False,
            "audience": _audience(),
            "recipients": [
                {
                    "user_alias": dict(_ALIAS),
                    "external_user_id": "user_identifier",
                    "send_to_existing_only": True,
                    "attributes": {"first_name": "Alex"},
                }
            ],
        },
        (Correction(("recipients", 0, "user_alias"), REMOVED, ONE_IDENTIFIER),),
    ),
    Example(
        "schedule API-triggered Canvases",
        f"{_SCHEDULE_PAGE}/post_schedule_triggered_canvases/",
        "/canvas/trigger/schedule/create",
        {
            "canvas_id": demo.CANVAS,
            "recipients": [
                {
                    "user_alias": "example_alias",
                    "external_user_id": "external_user_identifier",
                    "canvas_entry_properties": {},
                }
            ],
            "audience": _audience(),
            "broadcast": False,
            "canvas_entry_properties": {},
            "schedule": {"time": "2026-12-12T10:00:00Z", "in_local_time": False,
                         "at_optimal_time": False},
        },
        (Correction(("recipients", 0, "user_alias"), REMOVED, ONE_IDENTIFIER),),
        kind="CanvasSchedule",
    ),
    _trigger_update("post_update_scheduled_triggered_canvases",
                    "/canvas/trigger/schedule/update", {"canvas_id": demo.CANVAS}),
    _trigger_delete("post_delete_scheduled_triggered_canvases",
                    "/canvas/trigger/schedule/delete", {"canvas_id": demo.CANVAS}),
    Example(
        "create send IDs",
        f"{_SEND_PAGE}/post_create_send_ids/",
        "/sends/id/create",
        {"campaign_id": demo.API_CAMPAIGN, "send_id": SEND_ID},
    ),
)  # fmt: skip
"""The 14 messaging endpoints' examples."""

_OBJECTS_PAGE = f"{DOCS}/objects_filters/messaging"


def _whats_app(message_type: str, message: dict[str, Any]) -> Example:
    # The WhatsApp page gives examples of ``message`` per type; the object around it is made
    # from the page's field list.
    return Example(
        f"WhatsApp {message_type}",
        f"{_OBJECTS_PAGE}/whats_app_object/",
        "/messages/send",
        {
            "external_user_ids": ["user-1"],
            "messages": {
                "whats_app": {
                    "app_id": demo.IOS_APP,
                    "subscription_group_id": demo.WHATS_APP_GROUP,
                    "message_type": message_type,
                    "message": message,
                }
            },
        },
    )


OBJECT_EXAMPLES: tuple[Example, ...] = (
    Example(
        "Apple push object",
        f"{_OBJECTS_PAGE}/apple_object/",
        "/messages/send",
        {
            "broadcast": False,
            "external_user_ids": ["PushTest12"],
            "campaign_id": demo.API_CAMPAIGN,
            "override_frequency_capping": "false",
            "recipient_subscription_state": "all",
            "messages": {
                "apple_push": {
                    "alert": {"title": "Hello!", "body": "Message here"},
                    "message_variation_id": demo.API_VARIATIONS["apple_push"],
                }
            },
        },
        (Correction(("override_frequency_capping",), False,
                    "override_frequency_capping: the /messages/send table types it Boolean"),),
    ),
    Example(
        "email object with attachment",
        f"{_OBJECTS_PAGE}/email_object/",
        "/messages/send",
        {
            "external_user_ids": ["YOUR_EXTERNAL_USER_ID"],
            "messages": {
                "email": {
                    "app_id": demo.IOS_APP,
                    "attachments": [
                        {"file_name": "YourFileName",
                         "url": "https://exampleurl.com/YourFileName.pdf"}
                    ],
                }
            },
        },
        (
            Correction(("messages", "email", "from"), "Acme <news@acme.example>",
                       "email object: 'from: (required, valid email address in the format "
                       "\"Display Name <email@address.com>\")'"),
            Correction(("messages", "email", "body"), "<p>Your receipt</p>",
                       "email object: 'body: (required unless email_template_id is given, "
                       "valid HTML)'"),
        ),
    ),
    Example(
        "email attachment with basic authentication",
        f"{_OBJECTS_PAGE}/email_object/",
        "/messages/send",
        {
            "external_user_ids": ["recipient_user_id"],
            "messages": {
                "email": {
                    "app_id": demo.IOS_APP,
                    "subject": "Basis auth attachment test",
                    "from": "mail <mail@e.company.com>",
                    "body": "my attachment test",
                    "attachments": [
                        {"file_name": "checkout_receipt.pdf",
                         "url": "https://fileserver.company.com/user123-checkout_receipt.pdf",
                         "basic_auth_credential": "company_basic_auth_credential_name"}
                    ],
                }
            },
        },
    ),
    _whats_app(
        "template_message",
        {
            "template_name": "order_shipped",
            "template_language_code": "en",
            "header_variables": {"0": "Check it out!"},
            "body_variables": {"0": "Check it out!", "1": "It's pretty neat."},
            "button_variables": {"1": "/marketing/promotion123"},
        },
    ),
    _whats_app(
        "text_response_message",
        {"body": "Check out our new deals at https://braze.com", "preview_url": True},
    ),
    _whats_app(
        "text_image_response_message",
        {"image_uri": "https://braze.com/promotion.jpg",
         "caption": "This won't last for long, check it out!"},
    ),
    _whats_app(
        "quick_reply_response_message",
        {"body": "Want to keep hearing from us?",
         "buttons": [{"text": "Yes!"}, {"text": "No thanks"}]},
    ),
    _whats_app(
        "list_response_message",
        {
            "body": "Here is a list of options to choose from:",
            "list": {
                "list_button_text": "Choose an option",
                "list_sections": [
                    {"section_title": "Section 1",
                     "list_rows": [{"row_title": "Option 1"},
                                   {"row_title": "Option 2",
                                    "row_description": "Description for Option 2"}]},
                    {"section_title": "Section 2",
                     "list_rows": [{"row_title": "Option 3"}, {"row_title": "Option 4"},
                                   {"row_title": "Option 5"}]},
                ],
            },
        },
    ),
)  # fmt: skip
"""The messaging object pages' examples."""

EXAMPLES = ENDPOINT_EXAMPLES + OBJECT_EXAMPLES


def corrected(example: Example, *, leave_out: Correction | None = None) -> dict[str, Any]:
    """The example with its corrections (but ``leave_out``) applied."""
    body = copy.deepcopy(example.body)
    for correction in example.corrections:
        if correction is leave_out:
            continue
        *parents, last = correction.loc
        target: Any = body
        for part in parents:
            target = target[part]
        if correction.value is REMOVED:
            del target[last]
        else:
            target[last] = copy.deepcopy(correction.value)
    return body


def with_ids(value: Any, schedule_id: str) -> Any:
    """``schedule_identifier`` replaced by the id of a schedule the test created."""
    if isinstance(value, dict):
        return {key: with_ids(item, schedule_id) for key, item in value.items()}
    if isinstance(value, list):
        return [with_ids(item, schedule_id) for item in value]
    return schedule_id if value == SCHEDULE_ID else value
