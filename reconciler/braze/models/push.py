"""Push messaging objects (iOS, Android, web, Kindle) with Braze's documented limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal, Self

from pydantic import Field, JsonValue, field_validator, model_validator

from reconciler.braze.models.base import (
    BrazeModel,
    Choice,
    Finding,
    Range,
    braze_error,
    error_at,
    json_size,
)
from reconciler.braze.models.channels import (
    ANDROID_PUSH_MAX_BYTES,
    ANDROID_TTL_MAX,
    APPLE_PUSH_MAX_BYTES,
    EXTRA_HELP,
    RESERVED_APPLE_EXTRA_KEYS,
    ButtonAction,
    MessageObject,
    PushExtra,
    WebButtonAction,
    missing_error,
)
from reconciler.braze.models.schedule import IsoDateTime

PRIORITY = Range(-2, 2, refuse=False)
"""Android and Kindle notification priority. Braze: "Any values sent outside of that range
default to 0" (https://www.braze.com/docs/api/objects_filters/messaging/android_object/ and
https://www.braze.com/docs/api/objects_filters/messaging/kindle_and_fireos_object/)."""


def priority_findings(priority: int | None) -> Iterator[Finding]:
    if priority is not None and not PRIORITY.within(priority):
        yield Finding(
            ("priority",),
            "priority_out_of_range",
            f"priority {priority} is outside -2 to 2: Braze sends it as 0, the default",
            hint="use a value from -2 (min) to 2 (max), or remove priority for the default",
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
        default=None, description=EXTRA_HELP + " The keys ab and aps are reserved."
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
            raise missing_error(
                ("alert",),
                "an Apple push needs alert",
                "add alert, or set content-available: true for a silent push",
            )
        if isinstance(self.alert, AppleAlert) and self.alert.body is None and not silent:
            raise missing_error(
                ("alert", "body"),
                "an Apple alert object needs body",
                "add body, or set content-available: true for a silent push",
            )
        if self.asset_url is not None and self.asset_file_type is None:
            raise missing_error(
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
    extra: PushExtra | None = Field(default=None, description=EXTRA_HELP)
    notification_channel_id: str | None = Field(
        default=None, description="The notification channel ID."
    )
    priority: Annotated[int, PRIORITY] | None = Field(
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

    def model_findings(self) -> Iterator[Finding]:
        return priority_findings(self.priority)

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
                    raise missing_error(
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
    extra: dict[str, JsonValue] | None = Field(default=None, description=EXTRA_HELP)
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
    extra: dict[str, JsonValue] | None = Field(default=None, description=EXTRA_HELP)
    priority: Annotated[int, PRIORITY] | None = Field(
        default=None, description="-2 (min) to 2 (max); 0 is the default."
    )
    collapse_key: str | None = Field(default=None, description="The collapse key.")
    sound: str | None = Field(
        default=None, description="A custom sound in the app; 'default' plays the standard one."
    )
    custom_uri: str | None = Field(default=None, description="A web URL or deep link to open.")

    def model_findings(self) -> Iterator[Finding]:
        return priority_findings(self.priority)
