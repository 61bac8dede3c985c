"""Messaging objects: the content under ``messages`` of /messages/send and
/messages/schedule/create and /update, one model per channel, with Braze's documented limits."""

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
    json_size,
)
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


def _missing(loc: tuple[str | int, ...], message: str, hint: str) -> Exception:
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

_EXTRA_HELP = "Additional keys and values sent with the push."


class MessageObject(BrazeModel):
    """What every messaging object may carry."""

    message_variation_id: str | None = Field(
        default=None,
        description=(
            "The message variation of the API campaign to track this message under; required "
            "when the request has campaign_id."
        ),
    )


class AppleAlert(BrazeModel):
    """The alert as an object: text plus localization keys."""

    body: str | None = Field(
        default=None,
        description="The alert text (required unless content-available is true).",
    )
    title: str | None = Field(default=None, description="A short title for the alert.")
    title_loc_key: str | None = Field(
        default=None, description="Key of a localized title in Localizable.strings."
    )
    title_loc_args: list[str] | None = Field(
        default=None, description="Values for the format specifiers of title_loc_key."
    )
    action_loc_key: str | None = Field(
        default=None, description="Key of a localized title for the View button."
    )
    loc_key: str | None = Field(
        default=None, description="Key of a localized alert text in Localizable.strings."
    )
    loc_args: list[str] | None = Field(
        default=None, description="Values for the format specifiers of loc_key."
    )
    sound: str | None = Field(
        default=None, description="A custom notification sound (Live Activities only)."
    )


class ApplePushButton(BrazeModel):
    """An iOS push action button (needs category on the push)."""

    action_id: str = Field(description="The button's action identifier, e.g. ab_pb_accept.")
    action: Annotated[ButtonAction, Choice()] | None = Field(
        default=None, description="OPEN_APP, URI, DEEP_LINK or CLOSE."
    )
    uri: str | None = Field(default=None, description="A web URL or deep link.")
    use_webview: bool | None = Field(
        default=None, description="Open a web URL inside the app (default true)."
    )


class ApplePush(MessageObject):
    """An iOS push. The whole object must stay within 1,912 bytes."""

    badge: int | None = Field(default=None, description="The badge count after this message.")
    alert: str | AppleAlert | None = Field(
        default=None,
        description="The notification text, or an alert object. Required unless content-available.",
    )
    sound: str | None = Field(
        default=None, description="A custom sound in the app; 'default' plays the standard one."
    )
    extra: PushExtra | None = Field(
        default=None, description=_EXTRA_HELP + " The keys ab and aps are reserved."
    )
    content_available: bool | None = Field(
        default=None,
        alias="content-available",
        description="Add the content-available flag (a silent, background push).",
    )
    interruption_level: (
        Annotated[Literal["passive", "active", "time-sensitive", "critical"], Choice()] | None
    ) = Field(default=None, description="iOS 15+: passive, active, time-sensitive or critical.")
    relevance_score: Annotated[int | float, Range(0, 1)] | None = Field(
        default=None, description="iOS 15+: 0.0 to 1.0, to rank notification summaries."
    )
    expiry: IsoDateTime | None = Field(
        default=None, description="ISO 8601 time after which the push is not delivered."
    )
    custom_uri: str | None = Field(default=None, description="A web URL or deep link to open.")
    use_webview: bool | None = Field(
        default=None, description="Open a web URL inside the app (default true)."
    )
    notification_group_thread_id: str | None = Field(
        default=None, description="The notification group thread ID."
    )
    asset_url: str | None = Field(
        default=None, description="URL of a rich notification asset (needs asset_file_type)."
    )
    asset_file_type: (
        Annotated[Literal["aif", "gif", "jpg", "m4a", "mp3", "mp4", "png", "wav"], Choice()] | None
    ) = Field(default=None, description="The asset's type: aif, gif, jpg, m4a, mp3, mp4, png, wav.")
    collapse_id: str | None = Field(
        default=None, description="Replace an earlier notification that had this collapse ID."
    )
    mutable_content: bool | None = Field(
        default=None, description="Add the mutable-content flag (set anyway for rich pushes)."
    )
    send_to_most_recent_device_only: bool | None = Field(
        default=None, description="Only the user's most recently used iOS device (default false)."
    )
    category: str | None = Field(
        default=None, description="The notification category, to show push action buttons."
    )
    buttons: list[ApplePushButton] | None = Field(
        default=None, description="Push action buttons (needs category)."
    )
    apns_priority: Annotated[int, Range(1, 10)] | None = Field(
        default=None,
        description="1 to 10: 10 immediate, 5 power-aware, 1 least power impact.",
    )

    @field_validator("extra")
    @classmethod
    def _reserved_keys(cls, extra: dict[str, JsonValue] | None) -> dict[str, JsonValue] | None:
        for key in RESERVED_APPLE_EXTRA_KEYS:
            if extra is not None and key in extra:
                raise braze_error(
                    "reserved_extra_key",
                    f"extra uses the reserved key {key!r}",
                    braze_message="Invalid Extra Push Payload",
                    hint="rename the key: ab and aps are reserved by Braze and Apple",
                )
        return extra

    @model_validator(mode="after")
    def _check_push(self) -> Self:
        silent = self.content_available is True
        if self.alert is None and not silent:
            raise _missing(
                ("alert",),
                "an Apple push needs alert",
                "add alert, or set content-available: true for a silent push",
            )
        if isinstance(self.alert, AppleAlert) and self.alert.body is None and not silent:
            raise _missing(
                ("alert", "body"),
                "an Apple alert object needs body",
                "add body, or set content-available: true for a silent push",
            )
        if self.asset_url is not None and self.asset_file_type is None:
            raise _missing(
                ("asset_file_type",),
                "asset_url needs asset_file_type",
                "add asset_file_type: one of aif, gif, jpg, m4a, mp3, mp4, png, wav",
            )
        # Braze counts alert, extra and the other parameters: the object as sent.
        size = json_size(self.model_dump(mode="json", by_alias=True, exclude_unset=True))
        if size > APPLE_PUSH_MAX_BYTES:
            raise braze_error(
                "payload_too_large",
                f"this Apple push is {size:,} bytes as JSON; Apple allows {APPLE_PUSH_MAX_BYTES:,}",
                braze_message="Apple Push Length Exceeded",
                hint="shorten the alert or move data out of extra",
            )
        return self


class AndroidPushButton(BrazeModel):
    """An Android push action button."""

    text: str = Field(description="The button's text.")
    action: Annotated[ButtonAction, Choice()] | None = Field(
        default=None, description="OPEN_APP (default), URI, DEEP_LINK or CLOSE."
    )
    uri: str | None = Field(default=None, description="A web URL or deep link.")
    use_webview: bool | None = Field(
        default=None, description="Open a web URL inside the app (default true)."
    )


class AndroidPush(MessageObject):
    """An Android push. alert and extra together must stay within 4,000 bytes."""

    alert: str | None = Field(
        default=None, description="The notification text (required unless send_to_sync)."
    )
    title: str | None = Field(
        default=None,
        description="The title in the notification drawer (required unless send_to_sync).",
    )
    extra: PushExtra | None = Field(default=None, description=_EXTRA_HELP)
    notification_channel_id: str | None = Field(
        default=None, description="The notification channel ID."
    )
    priority: Annotated[int, Range(-2, 2)] | None = Field(
        default=None, description="-2 (min) to 2 (max); 0 is the default."
    )
    android_priority: Annotated[Literal["normal", "high"], Choice()] | None = Field(
        default=None, description="FCM delivery priority: normal or high."
    )
    send_to_sync: bool | None = Field(
        default=None, description="A silent (data only) push: then give no alert or title."
    )
    collapse_key: str | None = Field(default=None, description="The FCM collapse key.")
    sound: str | None = Field(
        default=None, description="A custom sound in the app; 'default' plays the standard one."
    )
    custom_uri: str | None = Field(default=None, description="A web URL or deep link to open.")
    use_webview: bool | None = Field(
        default=None, description="Open a web URL inside the app (default false)."
    )
    summary_text: str | None = Field(default=None, description="The summary text.")
    time_to_live: Annotated[int, Range(0, ANDROID_TTL_MAX, unit="s (28 days)")] | None = Field(
        default=None, description="Seconds to keep trying to deliver; at most 2,419,200 (28 days)."
    )
    notification_id: int | None = Field(default=None, description="The notification ID.")
    push_icon_image_url: str | None = Field(
        default=None, description="URL of the large icon image."
    )
    accent_color: int | None = Field(
        default=None, description="Accent color of the notification, as an RGB integer."
    )
    send_to_most_recent_device_only: bool | None = Field(
        default=None, description="Only the user's most recently used Android device."
    )
    buttons: list[AndroidPushButton] | None = Field(
        default=None, description="Push action buttons."
    )
    conversation_data: dict[str, JsonValue] | None = Field(
        default=None, description="An Android conversation push object."
    )

    @model_validator(mode="after")
    def _check_push(self) -> Self:
        if self.send_to_sync:
            for name in ("alert", "title"):
                if getattr(self, name) is not None:
                    raise error_at(
                        (name,),
                        braze_error(
                            "send_to_sync_with_content",
                            f"send_to_sync is true, so {name} must not be set",
                            hint=f"remove {name}, or send_to_sync for a visible push",
                        ),
                        getattr(self, name),
                    )
        else:
            for name in ("alert", "title"):
                if getattr(self, name) is None:
                    raise _missing(
                        (name,),
                        f"an Android push needs {name}",
                        f"add {name}, or set send_to_sync: true for a silent push",
                    )
        size = len((self.alert or "").encode("utf-8"))
        if self.extra is not None:
            size += json_size(self.extra)
        if size > ANDROID_PUSH_MAX_BYTES:
            raise braze_error(
                "payload_too_large",
                f"alert and extra are {size:,} bytes; Android allows {ANDROID_PUSH_MAX_BYTES:,}",
                braze_message="Android Push Length Exceeded",
                hint="shorten the alert or move data out of extra",
            )
        return self


class WebPushButton(BrazeModel):
    """A web push action button."""

    text: str = Field(description="The button's text.")
    action: Annotated[WebButtonAction, Choice()] | None = Field(
        default=None, description="OPEN_APP (default), URI or CLOSE."
    )
    uri: str | None = Field(default=None, description="A web URL.")


class WebPush(MessageObject):
    """A web (browser) push."""

    alert: str = Field(description="The notification text.")
    title: str = Field(description="The notification title.")
    extra: dict[str, JsonValue] | None = Field(default=None, description=_EXTRA_HELP)
    custom_uri: str | None = Field(default=None, description="A web URL to open.")
    image_url: str | None = Field(default=None, description="URL of an image (1:1).")
    large_image_url: str | None = Field(
        default=None, description="URL of a large image (Chrome on Windows and Android)."
    )
    require_interaction: bool | None = Field(
        default=None, description="Keep the notification until the user dismisses it."
    )
    time_to_live: Annotated[int, Range(low=0)] | None = Field(
        default=None, description="Seconds to keep trying to deliver."
    )
    send_to_most_recent_device_only: bool | None = Field(
        default=None, description="Only the user's most recently used browser."
    )
    buttons: list[WebPushButton] | None = Field(default=None, description="Push action buttons.")


class KindlePush(MessageObject):
    """A Kindle / FireOS push."""

    alert: str = Field(description="The notification text.")
    title: str = Field(description="The title in the notification drawer.")
    extra: dict[str, JsonValue] | None = Field(default=None, description=_EXTRA_HELP)
    priority: Annotated[int, Range(-2, 2)] | None = Field(
        default=None, description="-2 (min) to 2 (max); 0 is the default."
    )
    collapse_key: str | None = Field(default=None, description="The collapse key.")
    sound: str | None = Field(
        default=None, description="A custom sound in the app; 'default' plays the standard one."
    )
    custom_uri: str | None = Field(default=None, description="A web URL or deep link to open.")


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

    app_id: str = Field(description="An app identifier of the workspace (any app works).")
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
            raise _missing(("body",), "an email needs body", "add body, or email_template_id")
        return self


class Sms(MessageObject):
    """An SMS or MMS."""

    subscription_group_id: str = Field(description="The SMS subscription group.")
    body: str = Field(description="The message text.")
    app_id: str = Field(description="An app identifier of the workspace (any app works).")
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
            raise _missing(("image_url",), f"a {self.type} card needs image_url", "add image_url")
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

    app_id: str = Field(description="An app identifier of the workspace.")
    subscription_group_id: str = Field(description="The WhatsApp subscription group.")
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
                raise _missing(
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


class ScheduleMessages(BrazeModel):
    """The messages of /messages/schedule/create and /update: one object per channel."""

    apple_push: ApplePush | None = Field(default=None, description="An iOS push.")
    android_push: AndroidPush | None = Field(default=None, description="An Android push.")
    kindle_push: KindlePush | None = Field(default=None, description="A Kindle / FireOS push.")
    web_push: WebPush | None = Field(default=None, description="A web push.")
    email: Email | None = Field(default=None, description="An email.")
    webhook: Webhook | None = Field(default=None, description="A webhook.")
    content_card: ContentCard | None = Field(default=None, description="A Content Card.")
    sms: Sms | None = Field(default=None, description="An SMS or MMS.")

    def objects(self) -> dict[str, MessageObject]:
        """The messaging objects given, by key."""
        return {
            name: value
            for name in type(self).model_fields
            if isinstance(value := getattr(self, name), MessageObject)
        }

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.objects():
            raise braze_error(
                "no_message",
                "messages holds no message",
                braze_message="No message to send",
                hint="add a messaging object, e.g. apple_push, email or sms",
            )
        return self


class SendMessages(ScheduleMessages):
    """The messages of /messages/send: the scheduled channels plus WhatsApp."""

    whats_app: WhatsApp | None = Field(default=None, description="A WhatsApp message.")
