"""Messaging objects: the content under ``messages`` of /messages/send and
/messages/schedule/create and /update, one model per channel (``push`` and ``channels``)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from reconciler.braze.models.base import BrazeModel, braze_error
from reconciler.braze.models.channels import (
    Attachment,
    ContentCard,
    Email,
    EmailAttachment,
    MessageObject,
    Sms,
    Webhook,
    WhatsApp,
    check_push_extra,
)
from reconciler.braze.models.push import (
    AndroidPush,
    AndroidPushButton,
    AppleAlert,
    ApplePush,
    ApplePushButton,
    KindlePush,
    WebPush,
    WebPushButton,
)

__all__ = [
    "AndroidPush",
    "AndroidPushButton",
    "AppleAlert",
    "ApplePush",
    "ApplePushButton",
    "Attachment",
    "ContentCard",
    "Email",
    "EmailAttachment",
    "KindlePush",
    "MessageObject",
    "ScheduleMessages",
    "SendMessages",
    "Sms",
    "WebPush",
    "WebPushButton",
    "Webhook",
    "WhatsApp",
    "check_push_extra",
]


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
