"""The rules the request models cannot check: they need the workspace, the ledger of send ids,
or the clock. Each failure is a ``Rejection``: 400 with Braze's documented fatal message where
there is one, and a message of ours (documented in docs/emulator.md) where there is none.
"""

from __future__ import annotations

from datetime import datetime

from reconciler.braze.models import MessageObject, ScheduleMessages, ScheduleObject
from reconciler.braze.models.ids import (
    INVALID_APP,
    INVALID_CAMPAIGN,
    INVALID_CANVAS,
    INVALID_SCHEDULE,
    INVALID_SEGMENT,
    INVALID_SUBSCRIPTION_GROUP,
    INVALID_VARIANT,
)
from reconciler.emulator.store import Store, Window
from reconciler.emulator.workspace import Campaign, Canvas, Workspace
from reconciler.sendtime import send_window
from reconciler.timeutil import format_utc

MISMATCHED_TYPE = "Mismatched Message Type"
INVALID_SEND_ID = "Invalid send_id"
BAD_REQUEST = "Bad Request"
PAUSED_NOTICE = (
    "The Canvas is paused. Resume the Canvas to ensure trigger requests will take effect."
)
ARCHIVED_NOTICE = (
    "The Canvas is archived. Unarchive the Canvas to ensure trigger requests will take effect."
)
OWN_MESSAGES = frozenset(
    {
        INVALID_CANVAS,
        INVALID_SEGMENT,
        INVALID_APP,
        INVALID_SUBSCRIPTION_GROUP,
        INVALID_SEND_ID,
        INVALID_SCHEDULE,
        "Method Not Allowed",
        "Service Unavailable",
        "Gateway Timeout",
    }
)
"""The ``message`` texts of the emulator's answers that Braze's docs do not give (every
``errors`` entry is the emulator's own too): docs/emulator.md lists them, and the client never
decides on one of them alone (tests/contract/test_own_texts.py)."""


class Rejection(Exception):
    """A fatal error answer: ``message`` is the body's message, ``detail`` its one error."""

    def __init__(self, message: str, detail: str, status: int = 400) -> None:
        super().__init__(f"{message}: {detail}")
        self.message = message
        self.detail = detail
        self.status = status


def schedule_window(schedule: ScheduleObject) -> Window:
    first, last = send_window(schedule.mode, schedule.time)
    return Window(schedule.mode, first.timestamp(), last.timestamp())


def check_not_past(schedule: ScheduleObject, window: Window, now: datetime) -> None:
    """A UTC time at or before now, or a local/optimal time already past in every zone: 400."""
    if window.ends_at > now.timestamp():
        return
    if schedule.mode == "utc":
        detail = f"schedule.time {schedule.time} is in the past (now {format_utc(now)})"
    else:
        detail = (
            f"schedule.time {schedule.time} has passed in every time zone (now {format_utc(now)})"
        )
    raise Rejection(BAD_REQUEST, detail)


class WorkspaceChecks:
    def __init__(self, workspace: Workspace, store: Store) -> None:
        self.workspace = workspace
        self.store = store

    def api_campaign(self, campaign_id: str) -> Campaign:
        """The API campaign that /messages/* track their sends under."""
        campaign = self.workspace.campaign_by_id.get(campaign_id)
        if campaign is None or campaign.archived or not campaign.api_campaign:
            raise Rejection(INVALID_CAMPAIGN, f"campaign_id {campaign_id!r} is not an API campaign")
        return campaign

    def triggered_campaign(self, campaign_id: str) -> Campaign:
        campaign = self.workspace.campaign_by_id.get(campaign_id)
        if campaign is None or campaign.archived or not campaign.api_triggered:
            raise Rejection(
                INVALID_CAMPAIGN,
                f"campaign_id {campaign_id!r} is not an active API-triggered campaign",
            )
        return campaign

    def send_id_campaign(self, campaign_id: str) -> Campaign:
        """Send ids group the sends of an API campaign or an API-triggered campaign."""
        campaign = self.workspace.campaign_by_id.get(campaign_id)
        if (
            campaign is None
            or campaign.archived
            or not (campaign.api_campaign or campaign.api_triggered)
        ):
            raise Rejection(
                INVALID_CAMPAIGN,
                f"campaign_id {campaign_id!r} is neither an API campaign nor an API-triggered one",
            )
        return campaign

    def triggered_canvas(self, canvas_id: str) -> tuple[Canvas, str | None]:
        """The Canvas, and the notice of a success that will not take effect."""
        canvas = self.workspace.canvas_by_id.get(canvas_id)
        if canvas is None or not canvas.api_triggered:
            raise Rejection(
                INVALID_CANVAS, f"canvas_id {canvas_id!r} is not a Canvas with API-triggered entry"
            )
        if canvas.archived:
            return canvas, ARCHIVED_NOTICE
        if canvas.paused:
            return canvas, PAUSED_NOTICE
        return canvas, None

    def segment(self, segment_id: str | None) -> None:
        if segment_id is not None and segment_id not in self.workspace.segment_ids:
            raise Rejection(INVALID_SEGMENT, f"segment_id {segment_id!r} is not a segment")

    def send_id(self, campaign_id: str | None, send_id: str | None) -> None:
        if send_id is None:
            return
        if campaign_id is None:
            raise Rejection(
                INVALID_SEND_ID,
                f"send_id {send_id!r} needs the campaign_id it was created for",
            )
        if not self.store.has_send_id(campaign_id, send_id):
            raise Rejection(
                INVALID_SEND_ID,
                f"send_id {send_id!r} was not created with /sends/id/create "
                f"for campaign {campaign_id!r}",
            )

    def messages(self, campaign: Campaign | None, messages: ScheduleMessages | None) -> None:
        """Variations of the campaign, of the right channel; apps and subscription groups of
        the workspace."""
        if messages is None:
            return
        variations = {v.id: v for v in campaign.variations} if campaign is not None else {}
        for channel, message in messages.objects().items():
            if campaign is not None and message.message_variation_id is not None:
                variation = variations.get(message.message_variation_id)
                if variation is None:
                    raise Rejection(
                        INVALID_VARIANT,
                        f"messages.{channel}.message_variation_id "
                        f"{message.message_variation_id!r} is not a variation of {campaign.id!r}",
                    )
                if variation.channel != channel:
                    raise Rejection(
                        MISMATCHED_TYPE,
                        f"messages.{channel}.message_variation_id {variation.id!r} is a "
                        f"{variation.channel} variation",
                    )
            self._references(channel, message)

    def _references(self, channel: str, message: MessageObject) -> None:
        app_id = getattr(message, "app_id", None)
        if isinstance(app_id, str) and app_id not in self.workspace.app_ids:
            raise Rejection(INVALID_APP, f"messages.{channel}.app_id {app_id!r} is not an app")
        group_id = getattr(message, "subscription_group_id", None)
        if not isinstance(group_id, str):
            return
        group = self.workspace.subscription_group_by_id.get(group_id)
        if group is None or (group.channel is not None and group.channel != channel):
            raise Rejection(
                INVALID_SUBSCRIPTION_GROUP,
                f"messages.{channel}.subscription_group_id {group_id!r} is not a {channel} "
                "subscription group",
            )
