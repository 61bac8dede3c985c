"""The emulated Braze workspace: what is configured in the dashboard, loaded from a seed file.

A seed file (YAML or JSON; the packaged ``demo_workspace.yaml`` shows every field) lists
apps, segments, subscription groups, campaigns with their message variations, Canvases, API
keys with their permissions, and dashboard-scheduled broadcasts. Errors name the file, line
and column (YAML), the field path, and what to do; ``SeedError`` is a ``UsageError`` (exit 3).
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reconciler.braze.models import ENDPOINTS
from reconciler.braze.models.base import suggest
from reconciler.braze.models.details import (
    API_CAMPAIGN,
    API_TRIGGERED,
    CHANNEL_OF_KEY,
    LOOKUP_ENDPOINTS,
)
from reconciler.errors import UsageError
from reconciler.manifest.yamlload import YamlDocument, YamlProblem, compose_documents
from reconciler.timeutil import parse_iso

DEMO_SEED = "demo_workspace.yaml"
ALL_PERMISSIONS: Literal["*"] = "*"
DEFAULT_WORKSPACE = "default"
PERMISSIONS = frozenset(
    endpoint.permission for endpoint in (*ENDPOINTS.values(), *LOOKUP_ENDPOINTS.values())
)
Channel = Literal[
    "apple_push",
    "android_push",
    "kindle_push",
    "web_push",
    "email",
    "webhook",
    "content_card",
    "sms",
    "whats_app",
]
"""A variation's channel is the ``messages`` key a message of that type uses."""
NonEmpty = Annotated[str, Field(min_length=1)]


class SeedError(UsageError):
    """A seed file that cannot be read or is invalid."""


class _Seed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class App(_Seed):
    id: NonEmpty
    name: str = ""
    platform: str | None = None


class Segment(_Seed):
    id: NonEmpty
    name: str = ""
    archived: bool = False
    """Archived: not listed by GET /segments/list."""
    tags: list[str] = Field(default_factory=list)


class SubscriptionGroup(_Seed):
    id: NonEmpty
    name: str = ""
    channel: Literal["sms", "email", "whats_app"] | None = None
    """When given, an SMS or WhatsApp message must name a group of its own channel."""


class Variation(_Seed):
    id: NonEmpty
    channel: Channel
    name: str = ""
    message: dict[str, Any] = Field(default_factory=dict)
    """The message's content as GET /campaigns/details shows it (``alert``, ``subject``,
    ``body``...; Liquid allowed)."""

    def details(self) -> dict[str, Any]:
        """The variation as a details answer's ``messages`` entry."""
        return {"channel": CHANNEL_OF_KEY[self.channel], "name": self.name, **self.message}


class Campaign(_Seed):
    id: NonEmpty
    name: str = ""
    api_triggered: bool = False
    """API-triggered delivery: usable with /campaigns/trigger/*."""
    api_campaign: bool = False
    """An API campaign: usable as campaign_id of /messages/send and /messages/schedule/create."""
    archived: bool = False
    draft: bool = False
    variations: list[Variation] = Field(default_factory=list)

    @property
    def schedule_type(self) -> str:
        """What GET /campaigns/details reports (braze/models/details.py)."""
        if self.api_triggered:
            return API_TRIGGERED
        return API_CAMPAIGN if self.api_campaign else "time_based"


class CanvasStep(_Seed):
    id: NonEmpty
    name: str = ""
    type: str = "message"
    messages: list[Variation] = Field(default_factory=list)


class Canvas(_Seed):
    id: NonEmpty
    name: str = ""
    api_triggered: bool = False
    """API-triggered entry: usable with /canvas/trigger/*."""
    paused: bool = False
    archived: bool = False
    draft: bool = False
    steps: list[CanvasStep] = Field(default_factory=list)

    @property
    def schedule_type(self) -> str:
        return API_TRIGGERED if self.api_triggered else "time_based"


class ApiKey(_Seed):
    key: NonEmpty
    name: str = ""
    permissions: list[str] | Literal["*"] = ALL_PERMISSIONS
    workspace: str = DEFAULT_WORKSPACE
    """The Braze workspace the key selects on this endpoint: a schedule created with a key
    of one workspace is unknown to the keys of another (400 ``Invalid schedule_id``)."""

    @field_validator("permissions")
    @classmethod
    def _known(cls, permissions: list[str] | str) -> list[str] | str:
        for permission in permissions if isinstance(permissions, list) else ():
            if permission not in PERMISSIONS:
                match = suggest(permission, sorted(PERMISSIONS))
                hint = f"did you mean {match!r}?" if match else "see braze-api.md 1.3"
                raise ValueError(f"unknown permission {permission!r} ({hint})")
        return permissions

    def allows(self, permission: str) -> bool:
        return self.permissions == ALL_PERMISSIONS or permission in self.permissions


class DashboardSchedule(_Seed):
    """A campaign or Canvas scheduled in the dashboard: what scheduled_broadcasts lists."""

    id: NonEmpty
    type: Literal["Campaign", "Canvas"]
    name: str | None = None
    """Defaults to the campaign's or Canvas's name."""
    tags: list[str] = Field(default_factory=list)
    next_send_time: str
    """ISO 8601, with a zone, or without one for local time zones / Intelligent Timing."""
    schedule_type: str
    """local_time_zones, intelligent_delivery, or the company time zone name."""
    recurring: Literal["daily"] | None = None

    @field_validator("next_send_time")
    @classmethod
    def _iso(cls, value: str) -> str:
        parse_iso(value)  # its ValueError names the value and gives an example
        return value

    def first_instant(self) -> datetime:
        """The send time as an instant; a time without zone is read as UTC (the reference
        from which a local-time send spreads over the time zones)."""
        parsed = parse_iso(self.next_send_time)
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Workspace(_Seed):
    name: str = "Emulated workspace"
    timezone: str = "UTC"
    apps: list[App] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)
    subscription_groups: list[SubscriptionGroup] = Field(default_factory=list)
    campaigns: list[Campaign] = Field(default_factory=list)
    canvases: list[Canvas] = Field(default_factory=list)
    dashboard_schedules: list[DashboardSchedule] = Field(default_factory=list)
    api_keys: list[ApiKey] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not an IANA time zone (e.g. America/New_York)"
            ) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _unique("apps", (app.id for app in self.apps))
        _unique("segments", (segment.id for segment in self.segments))
        _unique("subscription_groups", (group.id for group in self.subscription_groups))
        _unique("campaigns", (campaign.id for campaign in self.campaigns))
        _unique("canvases", (canvas.id for canvas in self.canvases))
        _unique("api_keys", (key.key for key in self.api_keys))
        _unique(
            "campaigns[].variations and canvases[].steps[].messages",
            (
                *(v.id for campaign in self.campaigns for v in campaign.variations),
                *(v.id for canvas in self.canvases for step in canvas.steps for v in step.messages),
            ),
        )
        for index, schedule in enumerate(self.dashboard_schedules):
            known = self.campaign_by_id if schedule.type == "Campaign" else self.canvas_by_id
            if schedule.id not in known:
                raise ValueError(
                    f"dashboard_schedules[{index}]: no {schedule.type.lower()} has id "
                    f"{schedule.id!r}; add it under {schedule.type.lower()}s or fix the type"
                )
        return self

    # Lookups (the model is frozen, so they are computed once).
    @cached_property
    def campaign_by_id(self) -> dict[str, Campaign]:
        return {campaign.id: campaign for campaign in self.campaigns}

    @cached_property
    def canvas_by_id(self) -> dict[str, Canvas]:
        return {canvas.id: canvas for canvas in self.canvases}

    @cached_property
    def app_ids(self) -> frozenset[str]:
        return frozenset(app.id for app in self.apps)

    @cached_property
    def segment_ids(self) -> frozenset[str]:
        return frozenset(segment.id for segment in self.segments)

    @cached_property
    def subscription_group_by_id(self) -> dict[str, SubscriptionGroup]:
        return {group.id: group for group in self.subscription_groups}

    @cached_property
    def key_by_value(self) -> dict[str, ApiKey]:
        return {key.key: key for key in self.api_keys}

    def with_keys(self, keys: Iterable[str]) -> Workspace:
        """This workspace plus keys holding every permission (``--api-key``)."""
        extra = [ApiKey(key=key, name="--api-key") for key in keys if key not in self.key_by_value]
        if not extra:
            return self
        # Validated again rather than model_copy'd: the copy would keep the cached lookups.
        data = self.model_dump()
        data["api_keys"].extend(key.model_dump() for key in extra)
        return Workspace.model_validate(data)


def _unique(what: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{what}: the id {value!r} appears twice; ids must be unique")
        seen.add(value)


def load_workspace(path: Path | None = None) -> Workspace:
    """The workspace of a seed file, or the packaged demo workspace when ``path`` is None."""
    if path is None:
        text = importlib.resources.files(__package__).joinpath(DEMO_SEED).read_text("utf-8")
        return parse_workspace(text, DEMO_SEED)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read the seed file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SeedError(f"the seed file {path} is not UTF-8 text") from None
    return parse_workspace(text, str(path))


def parse_workspace(text: str, source: str) -> Workspace:
    """Parse and validate a seed; JSON when ``source`` ends in ``.json``, else YAML."""
    document: YamlDocument | None = None
    if source.endswith(".json"):
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SeedError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    else:
        try:
            documents = list(compose_documents(text))
        except YamlProblem as problem:
            line, column = problem.position
            raise SeedError(
                f"{source}:{line}:{column}: {problem.message}", hint=problem.hint
            ) from None
        if len(documents) != 1:
            raise SeedError(f"{source}: a seed file holds exactly one YAML document")
        document = documents[0]
        data = document.value
    try:
        return Workspace.model_validate(data)
    except ValidationError as exc:
        raise SeedError(_describe(exc, source, document), hint=_HINT) from None


_HINT = "see the seed file format in docs/emulator.md (the demo workspace shows every field)"


def _describe(exc: ValidationError, source: str, document: YamlDocument | None) -> str:
    lines = [f"invalid seed file {source}:"]
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        where = source
        if document is not None:
            # An unknown key is best shown at the key, a wrong value at the value.
            extra = error["type"] == "extra_forbidden"
            line, column = document.key_position(loc) if extra else document.value_position(loc)
            where = f"{source}:{line}:{column}"
        field = ".".join(str(part) for part in loc) or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"  {where}: {field}: {message}")
    return "\n".join(lines)
