"""Messaging objects other than pushes (email, SMS, webhook, Content Card, WhatsApp), and
what every messaging object shares, with Braze's documented limits."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, JsonValue, field_validator, model_validator

from reconciler.braze.models.base import (
    BrazeModel,
    Choice,
    Range,
    braze_error,
    error_at,
)
from reconciler.braze.models.ids import AppId, SubscriptionGroupId, VariationId
from reconciler.braze.models.schedule import IsoDateTime

APPLE_PUSH_MAX_BYTES = 1912
ANDROID_PUSH_MAX_BYTES = 4000
ANDROID_TTL_MAX = 2_419_200  # 28 days, in seconds
CONTENT_CARD_TTL_MAX = 2_592_000  # 30 days, in seconds
RESERVED_APPLE_EXTRA_KEYS = ("ab", "aps")
WHATS_APP_LIST_ROWS_MAX = 10
WHATS_APP_FLOW_CAPTION_MAX = 20

ButtonAction = Literal["OPEN_APP", "URI", "DEEP_LINK", "CLOSE"]
WebButtonAction = Literal["OPEN_APP", "URI", "CLOSE"]


def missing_error(loc: tuple[str | int, ...], message: str, hint: str) -> Exception:
    return error_at(loc, braze_error("missing", message, hint=hint), None)


def check_push_extra(value: Any) -> Any:
    """Braze answers ``Invalid Extra Push Payload`` when ``extra`` is not a dictionary."""
    if value is not None and not isinstance(value, dict):
        raise braze_error(
            "invalid_extra",
            f"extra must be a mapping of keys to values, got {type(value).__name__}",
            braze_message="Invalid Extra Push Payload",
            hint="write extra as key: value pairs",
        )
    return value


PushExtra = Annotated[dict[str, JsonValue], BeforeValidator(check_push_extra)]

EXTRA_HELP = "Additional keys and values sent with the push."


class MessageObject(BrazeModel):
    """What every messaging object may carry."""

    message_variation_id: VariationId | None = Field(
        default=None,
        description=(
            "The message variation of the API campaign to track this message under; required "
            "when the request has campaign_id."
        ),
    )


class Attachment(BrazeModel):
    """A file attached to an email (at most 2 MB)."""

    file_name: str = Field(description="The file's name, without extension.")
    url: str = Field(description="Where Braze downloads the file; its type comes from the URL.")


class EmailAttachment(Attachment):
    """A file attached to an email message object."""

    basic_auth_credential: str | None = Field(
        default=None, description="The basic authentication credential to download the file."
    )


_FROM = re.compile(r"^[^<>]*\S\s*<[^<>\s@]+@[^<>\s@]+>$")


class Email(MessageObject):
    """An email."""

    app_id: AppId = Field(description="An app identifier of the workspace (any app works).")
    subject: str | None = Field(default=None, description="The subject line.")
    from_: str = Field(
        alias="from", description='The sender, as "Display Name <email@address.com>".'
    )
    reply_to: str | None = Field(
        default=None, description="Reply-to address; NO_REPLY_TO for none."
    )
    bcc: str | None = Field(
        default=None, description="One of the BCC addresses of the workspace's email settings."
    )
    body: str | None = Field(
        default=None, description="The HTML body (required unless email_template_id)."
    )
    plaintext_body: str | None = Field(
        default=None, description="The plain-text body (generated from body if not set)."
    )
    preheader: str | None = Field(
        default=None, description="Preview text; 50 to 100 characters recommended."
    )
    email_template_id: str | None = Field(
        default=None,
        description=(
            "An email template; subject, body and should_inline_css given here override it."
        ),
    )
    extras: dict[str, JsonValue] | None = Field(
        default=None, description="Extra key-value pairs (SendGrid unique arguments)."
    )
    headers: dict[str, str] | None = Field(default=None, description="Custom email headers.")
    should_inline_css: bool | None = Field(
        default=None, description="Inline the CSS of body (default: the workspace setting)."
    )
    attachments: list[EmailAttachment] | None = Field(
        default=None, description="Files to attach, each at most 2 MB."
    )

    @field_validator("from_")
    @classmethod
    def _check_from(cls, value: str) -> str:
        if not _FROM.match(value):
            raise braze_error(
                "invalid_from",
                f"from {value!r} is not of the form 'Display Name <email@address.com>'",
                hint='write it as "Display Name <email@address.com>"',
            )
        return value

    @model_validator(mode="after")
    def _check_body(self) -> Self:
        if self.body is None and self.email_template_id is None:
            raise missing_error(("body",), "an email needs body", "add body, or email_template_id")
        return self


class Sms(MessageObject):
    """An SMS or MMS."""

    subscription_group_id: SubscriptionGroupId = Field(description="The SMS subscription group.")
    body: str = Field(description="The message text.")
    app_id: AppId = Field(description="An app identifier of the workspace (any app works).")
    media_items: list[JsonValue] | None = Field(
        default=None, description="Images to send as MMS (by URL)."
    )
    link_shortening_enabled: bool | None = Field(default=None, description="Shorten links in body.")
    user_click_tracking_enabled: bool | None = Field(
        default=None, description="Track clicks per user on shortened links."
    )


class Webhook(MessageObject):
    """A webhook call."""

    url: str = Field(description="The URL to call.")
    request_method: Annotated[Literal["POST", "PUT", "DELETE", "GET"], Choice()] = Field(
        description="POST, PUT, DELETE or GET."
    )
    request_headers: dict[str, str] | None = Field(
        default=None, description="Request headers; set Content-Type explicitly."
    )
    body: str | None = Field(default=None, description="The request body, as a string.")


class ContentCard(MessageObject):
    """A Content Card. Give time_to_live or expire_at (at most 30 days)."""

    type: Annotated[Literal["CLASSIC", "CAPTIONED_IMAGE", "BANNER"], Choice()] = Field(
        description="CLASSIC, CAPTIONED_IMAGE or BANNER."
    )
    title: str = Field(description="The card's title.")
    description: str = Field(description="The card's text.")
    pinned: bool | None = Field(default=None, description="Pin the card (default false).")
    image_url: str | None = Field(
        default=None, description="The card's image; required for CAPTIONED_IMAGE and BANNER."
    )
    time_to_live: Annotated[int, Range(0, CONTENT_CARD_TTL_MAX, unit="s (30 days)")] | None = Field(
        default=None,
        description="Seconds until the card expires, at most 2,592,000 (30 days). Or expire_at.",
    )
    expire_at: IsoDateTime | None = Field(
        default=None,
        description="ISO 8601 time when the card expires, at most 30 days ahead. Or time_to_live.",
    )
    expire_in_local_time: bool | None = Field(
        default=None, description="With expire_at: expire in each user's local time."
    )
    ios_uri: str | None = Field(default=None, description="A web URL or deep link on iOS.")
    android_uri: str | None = Field(default=None, description="A web URL or deep link on Android.")
    web_uri: str | None = Field(default=None, description="A web URL or deep link on the web.")
    ios_use_webview: bool | None = Field(
        default=None, description="Open a web URL inside the app on iOS (default true)."
    )
    android_use_webview: bool | None = Field(
        default=None, description="Open a web URL inside the app on Android (default true)."
    )
    uri_text: str | None = Field(default=None, description="The link's text.")
    extra: dict[str, JsonValue] | None = Field(
        default=None, description="Additional keys and values sent with the card."
    )

    @model_validator(mode="after")
    def _check_card(self) -> Self:
        if self.time_to_live is not None and self.expire_at is not None:
            raise error_at(
                ("expire_at",),
                braze_error(
                    "conflicting_expiry",
                    "a Content Card takes time_to_live or expire_at, not both",
                    hint="keep one of time_to_live and expire_at",
                ),
                self.expire_at,
            )
        if self.time_to_live is None and self.expire_at is None:
            raise braze_error(
                "missing_expiry",
                "a Content Card needs time_to_live or expire_at",
                hint="add time_to_live (seconds, at most 30 days) or expire_at (ISO 8601)",
            )
        if self.type != "CLASSIC" and self.image_url is None:
            raise missing_error(
                ("image_url",), f"a {self.type} card needs image_url", "add image_url"
            )
        return self


WhatsAppMessageType = Literal[
    "template_message",
    "text_response_message",
    "text_image_response_message",
    "quick_reply_response_message",
    "list_response_message",
    "flow_response_message",
]
_WHATS_APP_REQUIRED: dict[str, tuple[str, ...]] = {
    "template_message": ("template_name", "template_language_code"),
    "text_response_message": ("body",),
    "text_image_response_message": ("image_uri",),
    "quick_reply_response_message": ("body", "buttons"),
    "list_response_message": ("body", "list"),
    "flow_response_message": ("body", "flow_button"),
}


class WhatsApp(MessageObject):
    """A WhatsApp message (only /messages/send documents it)."""

    app_id: AppId = Field(description="An app identifier of the workspace.")
    subscription_group_id: SubscriptionGroupId = Field(
        description="The WhatsApp subscription group."
    )
    message_type: Annotated[WhatsAppMessageType, Choice()] = Field(
        description=(
            "template_message, text_response_message, text_image_response_message, "
            "quick_reply_response_message, list_response_message or flow_response_message."
        )
    )
    message: dict[str, JsonValue] = Field(
        description=(
            "The message for message_type, e.g. {template_name, template_language_code} for "
            "template_message."
        )
    )

    @model_validator(mode="after")
    def _check_message(self) -> Self:
        message = self.message
        for key in _WHATS_APP_REQUIRED[self.message_type]:
            if key not in message:
                raise missing_error(
                    ("message", key),
                    f"a {self.message_type} needs message.{key}",
                    f"add {key} to message",
                )
        listing = message.get("list")
        if self.message_type == "list_response_message" and isinstance(listing, dict):
            sections = listing.get("list_sections")
            rows = 0
            for section in sections if isinstance(sections, list) else []:
                section_rows = section.get("list_rows") if isinstance(section, dict) else None
                rows += len(section_rows) if isinstance(section_rows, list) else 0
            if rows > WHATS_APP_LIST_ROWS_MAX:
                raise error_at(
                    ("message", "list"),
                    braze_error(
                        "too_many_list_rows",
                        f"the list has {rows} rows; WhatsApp allows {WHATS_APP_LIST_ROWS_MAX}",
                        hint="keep at most 10 rows across all sections",
                    ),
                    listing,
                )
        button = message.get("flow_button")
        if self.message_type == "flow_response_message" and isinstance(button, dict):
            caption = button.get("caption")
            if isinstance(caption, str) and len(caption) > WHATS_APP_FLOW_CAPTION_MAX:
                raise error_at(
                    ("message", "flow_button", "caption"),
                    braze_error(
                        "caption_too_long",
                        f"the flow button caption {caption!r} is {len(caption)} characters",
                        hint=f"use at most {WHATS_APP_FLOW_CAPTION_MAX} characters",
                    ),
                    caption,
                )
        return self
