"""What each kind of resource is: one enum and one frozen table of facts.

Code asks this table (``facts(kind).parent_key``, ``kind.applied``...) and never compares kind
strings: adding a kind is adding one ``Kind`` member, one row here and one manifest model.
octoDNS's per-type ``Record`` classes are the model: one place says what a type is.

Ground floor: this module imports nothing from the rest of the package.

Braze's paths: https://www.braze.com/docs/api/endpoints/messaging/schedule_messages/ (the
three ``.../schedule/create`` pages, their ``update`` and ``delete`` siblings) and
https://www.braze.com/docs/api/endpoints/messaging/send_messages/ (``post_create_send_ids``,
and the three immediate sends ``post_send_messages``, ``post_send_triggered_campaigns``,
``post_send_triggered_canvases``, which ``preview`` uses).
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum


class Kind(StrEnum):
    """A manifest's ``kind``. The value is what manifests, plans and the ledger write."""

    SCHEDULED_MESSAGE = "ScheduledMessage"
    CAMPAIGN_SCHEDULE = "CampaignSchedule"
    CANVAS_SCHEDULE = "CanvasSchedule"
    SEND_ID = "SendId"
    DASHBOARD_SCHEDULE = "DashboardSchedule"
    TEST_GROUP = "TestGroup"

    @property
    def facts(self) -> KindFacts:
        return KIND_FACTS[self]

    @property
    def prefix(self) -> str:
        return KIND_FACTS[self].prefix


@dataclasses.dataclass(frozen=True)
class KindFacts:
    kind: Kind
    prefix: str
    """The snake-case prefix of its addresses: ``campaign_schedule/NAME``."""
    paths: tuple[tuple[str, str], ...] = ()
    """Braze's path for each call the kind makes (``create``, ``update``, ``delete``)."""
    parent_key: str | None = None
    """The body field naming the Braze object the schedule belongs to (``campaign_id``)."""
    updatable: frozenset[str] = frozenset()
    """Top-level body fields Braze's update endpoint can change; any other change replaces."""
    has_schedule: bool = False
    """Makes a schedule in Braze, with a ``schedule_id``, a time and a lifecycle."""
    created_once: bool = False
    """Created once and never updated or deleted (a send id): its record outlives changes."""
    applied_first: bool = False
    """Applied before the other kinds, whose bodies may name it (a send id): when its call
    fails, the changes that name it are not attempted."""
    sends_messages: bool = False
    """Applying it sends messages to people."""
    expectation_only: bool = False
    """Declares what ``audit`` expects to see in Braze's listing; never applied."""
    test_only: bool = False
    """Lists the test users ``preview`` sends to; never applied, never a plan change."""
    preview_path: str | None = None
    """The immediate-send endpoint that sends it now to a test group (``preview``)."""
    triggers: str | None = None
    """What its ``parent_key`` names and ``plan`` looks up, which must be API-triggered:
    ``campaign`` or ``Canvas`` (reference checks, ``plan.references``)."""
    property_fields: tuple[str, ...] = ()
    """The body fields (top level, and in each recipient) that give the properties the
    triggered object's messages reference."""
    property_roots: tuple[str, ...] = ()
    """The Liquid roots those messages read them from (``api_trigger_properties``)."""
    inline_messages: bool = False
    """Its body carries its messages; its ``campaign_id`` (optional) names an API campaign whose
    ``message_variation_id``s the messages may give (reference checks)."""

    @property
    def applied(self) -> bool:
        """The planner manages it: it has calls, a ledger record and plan changes."""
        return bool(self.paths)

    @property
    def deletable(self) -> bool:
        return "delete" in dict(self.paths)

    def path(self, call: str) -> str:
        """``/campaigns/trigger/schedule/update`` for (CampaignSchedule, update)."""
        try:
            return dict(self.paths)[call]
        except KeyError:
            raise ValueError(f"a {self.kind.value} has no {call} call") from None


def _schedule_paths(base: str) -> tuple[tuple[str, str], ...]:
    return tuple((call, f"{base}/{call}") for call in ("create", "update", "delete"))


SEND_IDS_PATH = "/sends/id/create"
MESSAGES_SEND_PATH = "/messages/send"
CAMPAIGN_SEND_PATH = "/campaigns/trigger/send"
CANVAS_SEND_PATH = "/canvas/trigger/send"

KIND_FACTS: dict[Kind, KindFacts] = {
    Kind.SCHEDULED_MESSAGE: KindFacts(
        Kind.SCHEDULED_MESSAGE,
        prefix="scheduled_message",
        paths=_schedule_paths("/messages/schedule"),
        updatable=frozenset({"schedule", "messages"}),
        has_schedule=True,
        sends_messages=True,
        preview_path=MESSAGES_SEND_PATH,
        inline_messages=True,
    ),
    Kind.CAMPAIGN_SCHEDULE: KindFacts(
        Kind.CAMPAIGN_SCHEDULE,
        prefix="campaign_schedule",
        paths=_schedule_paths("/campaigns/trigger/schedule"),
        parent_key="campaign_id",
        updatable=frozenset({"schedule"}),
        has_schedule=True,
        sends_messages=True,
        preview_path=CAMPAIGN_SEND_PATH,
        triggers="campaign",
        property_fields=("trigger_properties",),
        property_roots=("api_trigger_properties",),
    ),
    Kind.CANVAS_SCHEDULE: KindFacts(
        Kind.CANVAS_SCHEDULE,
        prefix="canvas_schedule",
        paths=_schedule_paths("/canvas/trigger/schedule"),
        parent_key="canvas_id",
        updatable=frozenset({"schedule"}),
        has_schedule=True,
        sends_messages=True,
        preview_path=CANVAS_SEND_PATH,
        triggers="Canvas",
        property_fields=("context", "canvas_entry_properties"),
        property_roots=("canvas_entry_properties", "context"),
    ),
    Kind.SEND_ID: KindFacts(
        Kind.SEND_ID,
        prefix="send_id",
        paths=(("create", SEND_IDS_PATH),),
        parent_key="campaign_id",
        created_once=True,
        applied_first=True,
    ),
    Kind.DASHBOARD_SCHEDULE: KindFacts(
        Kind.DASHBOARD_SCHEDULE,
        prefix="dashboard_schedule",
        expectation_only=True,
    ),
    Kind.TEST_GROUP: KindFacts(
        Kind.TEST_GROUP,
        prefix="test_group",
        test_only=True,
    ),
}

KIND_BY_PREFIX: dict[str, Kind] = {f.prefix: kind for kind, f in KIND_FACTS.items()}
SCHEDULE_KINDS: frozenset[Kind] = frozenset(k for k, f in KIND_FACTS.items() if f.has_schedule)
"""Kinds that create a schedule in Braze (with a ``schedule_id``)."""
APPLIED_KINDS: frozenset[Kind] = frozenset(k for k, f in KIND_FACTS.items() if f.applied)
"""Kinds the planner manages; the others are never applied."""
PREVIEW_KINDS: frozenset[Kind] = frozenset(k for k, f in KIND_FACTS.items() if f.preview_path)
"""Kinds ``preview`` can send now to a test group."""


def addresses_of(kinds: frozenset[Kind]) -> str:
    """``scheduled_message/, campaign_schedule/ or canvas_schedule/``: for hints."""
    prefixes = [f"{k.prefix}/" for k in Kind if k in kinds]
    return ", ".join(prefixes[:-1]) + " or " + prefixes[-1] if len(prefixes) > 1 else prefixes[0]


def facts(kind: str) -> KindFacts:
    """The facts of a kind given as its value (``"SendId"``); ValueError if unknown."""
    return KIND_FACTS[Kind(kind)]
