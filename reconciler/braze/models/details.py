"""What Braze says of the objects a manifest names: campaigns, Canvases and segments.

The reference checks (``plan``, ``apply``) read these answers; the emulator serves them. The
one home of these rules, each with the page it comes from:

- ``GET /campaigns/details?campaign_id=...`` (permission ``campaigns.details``,
  https://www.braze.com/docs/api/endpoints/export/campaigns/get_campaign_details/): ``archived``
  and ``draft`` (booleans), ``name``, ``schedule_type`` ("type of scheduling action"),
  ``channels``, and ``messages``: an object keyed by **message variation id**, each with its
  ``channel`` (e.g. ``email``, ``ios_push``, ``android_push``, ``webhook``, ``content_card``,
  ``sms``), its ``name``, and the channel's fields (push: ``alert``; email: ``subject``,
  ``body``; SMS: ``body``; webhook: ``body``). A control variation is ``{"channel": ...,
  "type": "control"}``.
- ``GET /canvas/details?canvas_id=...`` (permission ``canvas.details``,
  https://www.braze.com/docs/api/endpoints/export/canvas/get_canvas_details/): ``archived``,
  ``draft``, ``schedule_type``, ``enabled`` (not on every copy of the page; read when
  present), and ``steps``, each with ``name``, ``type``, ``id`` and ``messages`` keyed by
  message variation id, shaped as in the campaign answer.
- ``GET /segments/list?page=N`` (permission ``segments.list``,
  https://www.braze.com/docs/api/endpoints/export/segments/get_segment/): ``segments`` of
  ``id``, ``name``, ``analytics_tracking_enabled``, ``tags``, "in groups of 100 sorted by time
  of creation", ``page`` from 0; "archived segments are not included". A page with fewer than
  100 is the last. (``/segments/details``, permission ``segments.details``, answers one
  segment: not used, since one listing covers every segment a plan names.)
- The permissions are named on https://www.braze.com/docs/api/api_key/ (``campaigns.details``,
  ``canvas.details``, ``segments.list``, ``segments.details``).

**INFERENCE** (no page lists the values of ``schedule_type``): API-triggered delivery is
``api_triggered``, an API campaign (``/messages/*`` with ``campaign_id``) ``api_campaign``,
and the dashboard's other delivery types ``time_based`` and ``action_based``. A value outside
these is neither accepted nor refused: the check says it cannot tell (a warning). Likewise the
channel names beyond the page's examples (``ios_push`` is a manifest's ``apple_push``;
``content_cards`` and ``content_card`` are the same) are read through ``MESSAGE_KEY``.

An unknown id: the pages document no answer; Braze's errors page
(https://www.braze.com/docs/api/errors/) answers 400 for an invalid parameter. **INFERENCE**:
a 400 or 404 to a details call means the id is unknown to the workspace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reconciler.braze.models.base import BrazeModel, braze_error
from reconciler.braze.models.requests import Endpoint
from reconciler.braze.models.responses import BrazeResponse

CAMPAIGN_DETAILS_PATH = "/campaigns/details"
CANVAS_DETAILS_PATH = "/canvas/details"
SEGMENTS_LIST_PATH = "/segments/list"
SEGMENTS_PAGE_SIZE = 100
"""``/segments/list`` answers "in groups of 100"."""

API_TRIGGERED = "api_triggered"
API_CAMPAIGN = "api_campaign"
OTHER_DELIVERY = frozenset({"time_based", "action_based"})
"""``schedule_type`` values (INFERENCE, see above)."""
KNOWN_SCHEDULE_TYPES = frozenset({API_TRIGGERED, API_CAMPAIGN}) | OTHER_DELIVERY

MESSAGE_KEY: Mapping[str, str] = {
    "ios_push": "apple_push",
    "apple_push": "apple_push",
    "android_push": "android_push",
    "kindle_push": "kindle_push",
    "web_push": "web_push",
    "email": "email",
    "webhook": "webhook",
    "content_card": "content_card",
    "content_cards": "content_card",
    "sms": "sms",
    "whats_app": "whats_app",
    "whatsapp": "whats_app",
}
"""A details answer's ``channel`` -> the ``messages`` key of a manifest for that channel."""

CHANNEL_OF_KEY: Mapping[str, str] = {
    "apple_push": "ios_push",
    "android_push": "android_push",
    "kindle_push": "kindle_push",
    "web_push": "web_push",
    "email": "email",
    "webhook": "webhook",
    "content_card": "content_card",
    "sms": "sms",
    "whats_app": "whats_app",
}
"""The other way: the ``channel`` a details answer gives a manifest's ``messages`` key (what
the emulator answers)."""


class _Lenient(BaseModel):
    """Answers are read leniently (see ``responses``): Braze adds fields without notice."""

    model_config = ConfigDict(extra="allow")


class MessageDetails(_Lenient):
    """One message variation of a campaign or a Canvas step."""

    channel: str | None = Field(default=None, description="e.g. 'email', 'ios_push'.")
    name: str | None = Field(default=None, description="The variation's name.")
    type: str | None = Field(default=None, description="'control' for a control variation.")

    @property
    def message_key(self) -> str | None:
        """The manifest's ``messages`` key for this channel (``apple_push``), if known."""
        return MESSAGE_KEY.get(self.channel or "")

    @property
    def is_control(self) -> bool:
        return self.type == "control"

    def content(self) -> dict[str, Any]:
        """The channel's own fields (``alert``, ``subject``, ``body``...): what may hold
        Liquid."""
        return dict(self.model_extra or {})


class CampaignDetails(BrazeResponse):
    """The answer of GET /campaigns/details."""

    name: str | None = None
    archived: bool = False
    draft: bool = False
    schedule_type: str | None = None
    channels: list[str] = Field(default_factory=list)
    messages: dict[str, MessageDetails] = Field(default_factory=dict)


class CanvasStep(_Lenient):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    messages: dict[str, MessageDetails] = Field(default_factory=dict)


class CanvasDetails(BrazeResponse):
    """The answer of GET /canvas/details."""

    name: str | None = None
    archived: bool = False
    draft: bool = False
    enabled: bool | None = None
    """Whether the Canvas is active; ``False`` when paused (read when Braze gives it)."""
    schedule_type: str | None = None
    steps: list[CanvasStep] = Field(default_factory=list)

    def step_messages(self) -> Iterator[tuple[CanvasStep, str, MessageDetails]]:
        for step in self.steps:
            for variation_id, message in step.messages.items():
                yield step, variation_id, message


class SegmentItem(_Lenient):
    id: str
    name: str | None = None
    analytics_tracking_enabled: bool | None = None
    tags: list[str] = Field(default_factory=list)


class SegmentsListResponse(BrazeResponse):
    """The answer of GET /segments/list: one page of up to 100."""

    segments: list[SegmentItem] = Field(default_factory=list)


# The query parameters, validated as the other requests are (the emulator answers 400).


class CampaignDetailsQuery(BrazeModel):
    campaign_id: str = Field(description="The campaign's API identifier.")


class CanvasDetailsQuery(BrazeModel):
    canvas_id: str = Field(description="The Canvas's API identifier.")


class SegmentsListQuery(BrazeModel):
    page: str | None = Field(default=None, description="The page, from 0 (query string).")
    sort_direction: str | None = Field(default=None, description="asc (default) or desc.")

    @field_validator("page")
    @classmethod
    def _page(cls, value: str | None) -> str | None:
        if value is not None and not value.isdigit():
            raise braze_error("invalid_page", f"page {value!r} is not a whole number")
        return value

    @property
    def page_number(self) -> int:
        return int(self.page or 0)


LOOKUP_ENDPOINTS: dict[str, Endpoint] = {
    endpoint.path: endpoint
    for endpoint in (
        Endpoint("GET", CAMPAIGN_DETAILS_PATH, CampaignDetailsQuery, CampaignDetails,
                 "campaigns.details", "lookup"),
        Endpoint("GET", CANVAS_DETAILS_PATH, CanvasDetailsQuery, CanvasDetails,
                 "canvas.details", "lookup"),
        Endpoint("GET", SEGMENTS_LIST_PATH, SegmentsListQuery, SegmentsListResponse,
                 "segments.list", "lookup"),
    )
}  # fmt: skip
"""The read-only endpoints of the reference checks (apart from ``ENDPOINTS``, the messaging
endpoints that ``doctor`` probes)."""
