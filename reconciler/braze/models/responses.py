"""Braze's answers, read leniently.

Unlike the request models (``BrazeModel``: strict, unknown keys refused), these accept any
extra key and lax types: Braze adds fields without notice, and an answer we cannot read
in full must still give up its ``schedule_id``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SUCCESS = "success"
QUEUED = "queued"


class BrazeResponse(BaseModel):
    """Any answer of the messaging endpoints: success, success with non-fatal errors, queued
    (202, during maintenance), or a fatal error (``message`` or ``error`` holds its text)."""

    model_config = ConfigDict(extra="allow")

    message: str | None = Field(
        default=None, description="'success', 'queued', or the fatal error's text."
    )
    errors: list[Any] | None = Field(
        default=None, description="Non-fatal errors: the other messages were still sent."
    )
    notice: str | None = Field(
        default=None, description="A warning on success, e.g. the Canvas is paused."
    )
    error: str | None = Field(
        default=None, description="The fatal error's text, in the other documented shape."
    )
    schedule_id: str | None = Field(
        default=None, description="The new schedule's id (schedule creates); keep it."
    )
    dispatch_id: str | None = Field(default=None, description="The dispatch of the send.")
    send_id: str | None = Field(default=None, description="The send id (tracked sends).")

    @property
    def succeeded(self) -> bool:
        return self.message == SUCCESS

    @property
    def queued(self) -> bool:
        return self.message == QUEUED

    @property
    def error_text(self) -> str | None:
        """The fatal error's text, or None for a success or queued answer."""
        if self.succeeded or self.queued:
            return None
        return self.message or self.error


class ScheduledBroadcast(BaseModel):
    """A campaign or Canvas scheduled in the dashboard (API schedules are never listed)."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(description="The campaign or Canvas name.")
    id: str = Field(description="The campaign or Canvas API identifier.")
    type: str = Field(description="'Campaign' or 'Canvas'.")
    tags: list[str] = Field(default_factory=list, description="Tag names.")
    next_send_time: str | None = Field(
        default=None,
        description="ISO 8601; with a zone unless sent in local time or with Intelligent Timing.",
    )
    schedule_type: str | None = Field(
        default=None,
        description="local_time_zones, intelligent_delivery, or the company time zone name.",
    )


class ScheduledBroadcastsResponse(BrazeResponse):
    """The answer of GET /messages/scheduled_broadcasts."""

    scheduled_broadcasts: list[ScheduledBroadcast] = Field(
        default_factory=list, description="Dashboard broadcasts due before end_time."
    )
