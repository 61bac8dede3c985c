"""Desired resources: what a valid manifest document declares, ready for the planner."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from reconciler.kinds import KIND_BY_PREFIX, Kind
from reconciler.manifest.diagnostics import Location
from reconciler.recurrence import is_occurrence_key

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,127}$"
_NAME = re.compile(NAME_PATTERN)
OCCURRENCE_MARK = "@"
"""Between a recurring manifest's name and an occurrence's key: ``weekly-digest@2026-12-07``.
A manifest's name cannot hold it, so an occurrence never takes another resource's address."""


def is_valid_name(name: str) -> bool:
    """A name a manifest may have (never an occurrence's)."""
    return bool(_NAME.match(name))


def occurrence_name(name: str, key: str) -> str:
    return f"{name}{OCCURRENCE_MARK}{key}"


def split_occurrence(name: str) -> tuple[str, str | None]:
    """``weekly-digest@2026-12-07`` -> ``("weekly-digest", "2026-12-07")``; a manifest's own
    name -> ``(name, None)``."""
    base, mark, key = name.partition(OCCURRENCE_MARK)
    return (base, key) if mark else (name, None)


def is_valid_resource_name(name: str) -> bool:
    """A manifest's name, or an occurrence's (``NAME@2026-12-07``, ``NAME@2026-12-07T09``)."""
    base, key = split_occurrence(name)
    return is_valid_name(base) and (key is None or is_occurrence_key(key))


def address_of(kind: str, name: str) -> str:
    return f"{Kind(kind).prefix}/{name}"


def parse_address(address: str) -> tuple[Kind, str]:
    """``scheduled_message/x`` -> ``("ScheduledMessage", "x")``; ValueError if malformed.
    An occurrence's address (``campaign_schedule/x@2026-12-07``) is one too."""
    prefix, _, name = address.partition("/")
    kind = KIND_BY_PREFIX.get(prefix)
    if kind is None or not is_valid_resource_name(name):
        choices = ", ".join(f"{p}/NAME" for p in KIND_BY_PREFIX)
        raise ValueError(f"{address!r} is not a resource address (one of {choices})")
    return kind, name


@dataclasses.dataclass(frozen=True)
class RecurrenceInfo:
    """The rule an occurrence belongs to: shared by all its occurrences, so that plans, audits
    and calendars can group them and say what the rule is."""

    rule_name: str
    """The recurring manifest's name: the rule's address is ``KIND/rule_name``."""
    summary: str
    """People's words: ``weekly on Monday at 09:00 in America/New_York``."""
    rule: str
    """The RRULE as checked: ``FREQ=WEEKLY;BYDAY=MO``."""
    mode: str
    """``utc`` (at one instant in ``time_zone``), ``local`` or ``optimal``."""
    time_zone: str | None = None


@dataclasses.dataclass(frozen=True)
class Resource:
    """One desired resource. ``body`` is exactly the create body to send to Braze."""

    kind: Kind
    name: str
    body: Mapping[str, Any]
    body_hash: str
    source: Location
    description: str | None = None
    protect: bool = False
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)
    parent_id: str | None = None
    schedule_time: str | None = None
    schedule_mode: str | None = None
    locations: Mapping[str, Location] = dataclasses.field(default_factory=dict)
    """Where a few fields are written (``name``, ``spec.send_id``, ``spec.schedule.time``)."""
    renamed_from: str | None = None
    """The name this resource had before (``renamed_from``): its ledger record moves here."""
    recurrence: RecurrenceInfo | None = None
    """For an occurrence of a recurring manifest (``NAME@KEY``): its rule."""
    variables: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The body's fields written as ``!var NAME``: body path (``campaign_id``) -> NAME."""

    def location_of(self, path: str) -> Location:
        return self.locations.get(path, self.source)

    def __reduce__(self) -> tuple[Any, ...]:
        # Worker processes send resources back pickled: plain tuples are several times
        # cheaper than dataclasses, which matters at 10,000 resources per plan.
        locations = tuple(
            (path, where.file, where.line, where.column) for path, where in self.locations.items()
        )
        source = (self.source.file, self.source.line, self.source.column)
        return (
            _rebuild,
            (
                self.kind,
                self.name,
                self.body,
                self.body_hash,
                source,
                self.description,
                self.protect,
                self.labels,
                self.parent_id,
                self.schedule_time,
                self.schedule_mode,
                locations,
                self.renamed_from,
                self.recurrence,
                self.variables,
            ),
        )

    @property
    def address(self) -> str:
        return address_of(self.kind, self.name)

    @property
    def occurrence_key(self) -> str | None:
        """``2026-12-07`` for ``campaign_schedule/weekly@2026-12-07``; None for a one-shot."""
        return split_occurrence(self.name)[1]

    @property
    def rule_address(self) -> str | None:
        """``campaign_schedule/weekly`` for an occurrence of that rule; None for a one-shot."""
        return address_of(self.kind, self.recurrence.rule_name) if self.recurrence else None

    @property
    def renamed_from_address(self) -> str | None:
        return address_of(self.kind, self.renamed_from) if self.renamed_from else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "name": self.name,
            "body": dict(self.body),
            "body_hash": self.body_hash,
            "source": str(self.source),
            "description": self.description,
            "protect": self.protect,
            "labels": dict(self.labels),
            "parent_id": self.parent_id,
            "schedule_time": self.schedule_time,
            "schedule_mode": self.schedule_mode,
            "renamed_from": self.renamed_from,
            "recurrence": dataclasses.asdict(self.recurrence) if self.recurrence else None,
        }


def _rebuild(
    kind: Kind,
    name: str,
    body: Mapping[str, Any],
    body_hash: str,
    source: tuple[str, int, int],
    description: str | None,
    protect: bool,
    labels: Mapping[str, str],
    parent_id: str | None,
    schedule_time: str | None,
    schedule_mode: str | None,
    locations: tuple[tuple[str, str, int, int], ...],
    renamed_from: str | None,
    recurrence: RecurrenceInfo | None,
    variables: Mapping[str, str],
) -> Resource:
    return Resource(
        kind=kind,
        name=name,
        body=body,
        body_hash=body_hash,
        source=Location(*source),
        description=description,
        protect=protect,
        labels=labels,
        parent_id=parent_id,
        schedule_time=schedule_time,
        schedule_mode=schedule_mode,
        locations={path: Location(file, line, column) for path, file, line, column in locations},
        renamed_from=renamed_from,
        recurrence=recurrence,
        variables=variables,
    )
