"""Recurring sends in manifests: the ``recurrence`` block, and its occurrences as desired
resources.

A schedule manifest (``ScheduledMessage``, ``CampaignSchedule``, ``CanvasSchedule``) with a
``recurrence`` beside its ``spec`` declares many one-shot schedules: each occurrence is a
resource ``KIND/NAME@KEY`` whose body is the spec with that occurrence's ``schedule``, so the
planner, the ledger and the applier treat it like any other. Braze never sees the block.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from reconciler.braze.models.base import BrazeModel, braze_error, error_at
from reconciler.canonical import content_hash
from reconciler.manifest.diagnostics import Diagnostic, Severity
from reconciler.manifest.resource import RecurrenceInfo, Resource, occurrence_name
from reconciler.recurrence import (
    DEFAULT_HORIZON,
    Occurrence,
    Recurrence,
    check_time_zone,
    describe,
    parse_horizon,
    parse_skipped,
    parse_until,
    parse_wall_clock,
)
from reconciler.rrules import RULE_EXAMPLE, RecurrenceError, parse_rule
from reconciler.sendtime import ScheduleMode, schedule_mode
from reconciler.timeutil import format_naive

if TYPE_CHECKING:
    from reconciler.manifest.validate import DocumentContext


def as_error(problem: RecurrenceError) -> PydanticCustomError:
    return braze_error(
        problem.code, problem.message, hint=problem.hint, replacement=problem.replacement
    )


def _checked_by(parse: Callable[[str], object]) -> AfterValidator:
    def check(value: str) -> str:
        try:
            parse(value)
        except RecurrenceError as problem:
            raise as_error(problem) from None
        return value

    return AfterValidator(check)


def _at_least_one(value: int) -> int:
    if value < 1:
        raise braze_error(
            "out_of_range", f"count {value} is out of range", hint="count is at least 1"
        )
    return value


def _horizon_unit(value: Any) -> Any:
    """``horizon: 14`` is most likely days: say so, rather than "quote the value"."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise braze_error(
            "invalid_duration",
            f"horizon {value} has no unit",
            hint=f"write {value}d for {value} days (or 2w for two weeks)",
            replacement=f"{value}d",
        )
    return value


RuleText = Annotated[str, _checked_by(parse_rule)]
StartTime = Annotated[str, _checked_by(lambda text: parse_wall_clock(text, "start"))]
UntilText = Annotated[str, _checked_by(parse_until)]
SkippedText = Annotated[str, _checked_by(parse_skipped)]
ZoneName = Annotated[str, _checked_by(check_time_zone)]
HorizonText = Annotated[str, BeforeValidator(_horizon_unit), _checked_by(parse_horizon)]


class RecurrenceBlock(BrazeModel):
    """When a schedule recurs: each occurrence is its own one-shot schedule in Braze."""

    rule: RuleText = Field(
        description=(
            "An RFC 5545 RRULE, without DTSTART, UNTIL or COUNT (those are start, until and "
            f"count): {RULE_EXAMPLE}. At most once an hour."
        )
    )
    start: StartTime = Field(
        description=(
            "The first occurrence's wall-clock date and time, without offset "
            "(2026-11-02T09:00:00): it gives every occurrence its time of day."
        )
    )
    time_zone: ZoneName | None = Field(
        default=None,
        description=(
            "IANA time zone of the wall-clock times (America/New_York, UTC): each occurrence "
            "is sent at one instant, converted to UTC for its own date."
        ),
    )
    in_local_time: bool | None = Field(
        default=None,
        description="Send each occurrence at its wall-clock time in each user's time zone.",
    )
    at_optimal_time: bool | None = Field(
        default=None,
        description="Send each occurrence at each user's optimal time on its date.",
    )
    until: UntilText | None = Field(
        default=None,
        description="The last date (inclusive, 2027-03-31) or wall-clock time of an occurrence.",
    )
    count: Annotated[int, AfterValidator(_at_least_one)] | None = Field(
        default=None,
        description="How many occurrences from start (not with until).",
        json_schema_extra={"minimum": 1},
    )
    skipped: list[SkippedText] | None = Field(
        default=None,
        alias="except",
        description=(
            "Dates to skip (2026-12-28: every occurrence that day), or wall-clock times (that "
            "occurrence)."
        ),
    )
    horizon: HorizonText | None = Field(
        default=None,
        description=(
            "How far ahead occurrences are kept scheduled in Braze: 1d to 90d "
            f"(default {DEFAULT_HORIZON.days}d, or plan/apply --horizon)."
        ),
    )

    @property
    def mode(self) -> ScheduleMode:
        return schedule_mode(self.in_local_time, self.at_optimal_time)

    @model_validator(mode="after")
    def _check_together(self) -> Self:
        problems = self._mode_problems() + self._end_problems()
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        try:
            first = self.recurrence().first()
        except RecurrenceError as problem:
            raise error_at(("rule",), as_error(problem), self.rule) from None
        if first is None:
            end = "until" if self.until else "count" if self.count else None
            raise error_at(
                (),
                braze_error(
                    "recurrence_never_sends",
                    f"the recurrence has no occurrence: {self.rule} from {self.start} never "
                    + (f"matches before its {end}" if end else "matches"),
                    hint="check start, the rule and its end (until, count, except) against each "
                    "other; a yearly or monthly rule without BYMONTHDAY takes start's day",
                ),
                None,
            )
        return self

    def _mode_problems(self) -> list[InitErrorDetails]:
        local = self.in_local_time is True
        optimal = self.at_optimal_time is True
        if local and optimal:
            return _details(
                ("at_optimal_time",),
                braze_error(
                    "conflicting_time_modes",
                    "in_local_time and at_optimal_time are both true",
                    hint="choose one: in_local_time or at_optimal_time",
                ),
                True,
            )
        if self.time_zone is not None and (local or optimal):
            flag = "in_local_time" if local else "at_optimal_time"
            return _details(
                ("time_zone",),
                braze_error(
                    "conflicting_time_modes",
                    f"time_zone and {flag} are both given",
                    hint=f"time_zone sends at one instant, its wall-clock time there; {flag} "
                    "sends in each user's zone: keep one",
                ),
                self.time_zone,
            )
        if optimal and parse_rule(self.rule).sub_daily:
            return _details(
                ("at_optimal_time",),
                braze_error(
                    "optimal_time_more_than_daily",
                    f"at_optimal_time sends once on a date, but {self.rule} may send several "
                    "times a day",
                    hint="use in_local_time: true or a time_zone to send several times a day, "
                    "or a daily (or rarer) rule",
                ),
                True,
            )
        if self.time_zone is None and not (local or optimal):
            return _details(
                (),
                braze_error(
                    "time_mode_missing",
                    "a recurrence needs time_zone, in_local_time: true or at_optimal_time: true",
                    hint="time_zone: America/New_York sends 09:00 New York time to everyone "
                    "(time_zone: UTC for UTC); in_local_time: true sends 09:00 in each user's "
                    "zone",
                ),
                None,
            )
        return []

    def _end_problems(self) -> list[InitErrorDetails]:
        if self.until is not None and self.count is not None:
            return _details(
                ("count",),
                braze_error(
                    "until_and_count",
                    "until and count are both given",
                    hint="RFC 5545 allows one end: keep until (the last date) or count (how "
                    "many occurrences)",
                ),
                self.count,
            )
        if self.until is not None and parse_until(self.until) < parse_wall_clock(
            self.start, "start"
        ):
            return _details(
                ("until",),
                braze_error(
                    "until_before_start",
                    f"until {self.until} is before start {self.start}",
                    hint="until is the last date (inclusive) on which the rule may send: give "
                    "one on or after start",
                ),
                self.until,
            )
        return []

    def recurrence(self) -> Recurrence:
        """The checked value (RecurrenceError if the rule cannot run from start)."""
        return Recurrence(
            rule=parse_rule(self.rule),
            start=parse_wall_clock(self.start, "start"),
            mode=self.mode,
            time_zone=self.time_zone if self.mode == "utc" else None,
            until=parse_until(self.until) if self.until is not None else None,
            count=self.count,
            skipped=frozenset(parse_skipped(entry) for entry in self.skipped or ()),
            horizon=parse_horizon(self.horizon) if self.horizon is not None else None,
        )


def _details(
    loc: tuple[str, ...], error: PydanticCustomError, value: Any
) -> list[InitErrorDetails]:
    return [{"type": error, "loc": loc, "input": value}]


SPEC_STAND_IN: dict[str, Any] = {"time": "2000-01-01T00:00:00Z"}
"""The schedule a recurring manifest's spec is validated with: every occurrence writes its own,
so the rest of the spec is checked by the same request model as any other."""


@dataclasses.dataclass(frozen=True)
class RecurringRule:
    """A recurring manifest: the resource every occurrence copies, and its recurrence.

    ``template`` is the manifest as a resource without ``schedule`` (its address is the rule's,
    ``campaign_schedule/weekly-digest``); it is never planned itself.
    """

    template: Resource
    recurrence: Recurrence

    @property
    def address(self) -> str:
        return self.template.address

    def horizon(self, default: timedelta | None = None) -> timedelta:
        """The manifest's horizon, else the run's (``--horizon``), else the default."""
        return self.recurrence.horizon or default or DEFAULT_HORIZON

    def resources(self, now: datetime, default_horizon: timedelta | None = None) -> list[Resource]:
        """The desired occurrences: not yet sent at ``now`` (so those sending are kept) and
        first sending within the horizon."""
        through = now + self.horizon(default_horizon)
        return [self.resource(o) for o in self.recurrence.occurrences(now, through)]

    def resource_for(self, key: str) -> Resource | None:
        """The occurrence the rule declares under ``key`` (a date, or a date and hour), as a
        resource, whatever the horizon; None when the rule no longer declares it."""
        occurrence = self.recurrence.occurrence_on(key)
        return self.resource(occurrence) if occurrence is not None else None

    def resource(self, occurrence: Occurrence) -> Resource:
        body = {**self.template.body, "schedule": occurrence.schedule}
        return dataclasses.replace(
            self.template,
            name=occurrence_name(self.template.name, occurrence.key),
            body=body,
            body_hash=content_hash(body),
            schedule_time=occurrence.time,
            schedule_mode=occurrence.mode,
        )


def recurrence_info(name: str, recurrence: Recurrence) -> RecurrenceInfo:
    return RecurrenceInfo(
        rule_name=name,
        summary=describe(recurrence),
        rule=recurrence.rule.text,
        mode=recurrence.mode,
        time_zone=recurrence.time_zone,
    )


def recurrence_warnings(
    context: DocumentContext, block: RecurrenceBlock, now: datetime
) -> list[Diagnostic]:
    """What is doubtful in a valid recurrence: a start the rule does not match, an ``except``
    entry that skips nothing, no occurrence left to send."""
    recurrence = block.recurrence()
    found: list[Diagnostic] = []
    if not recurrence.declares(recurrence.start):
        first = recurrence.first()
        found.append(
            context.diagnostic(
                "start_not_in_rule",
                f"start {block.start} is not an occurrence of {recurrence.rule.text}"
                + (f"; the first is {format_naive(first.wall_clock)}" if first else ""),
                ("recurrence", "start"),
                hint="start gives the time of day and the earliest date; give the first "
                "occurrence itself, so that the manifest reads as it sends",
                severity=Severity.WARNING,
                replacement=format_naive(first.wall_clock) if first else None,
            )
        )
    for index, entry in enumerate(block.skipped or ()):
        if not recurrence.declares(parse_skipped(entry)):
            found.append(
                context.diagnostic(
                    "except_unused",
                    f"except {entry} is not an occurrence of the rule: it skips nothing",
                    ("recurrence", "except", index),
                    hint=f"give the date of an occurrence ({describe(recurrence)})",
                    severity=Severity.WARNING,
                )
            )
    if recurrence.next_after(now) is None:
        end = f"until {block.until}" if block.until else f"count {block.count}"
        found.append(
            context.diagnostic(
                "recurrence_ended",
                f"the recurrence has no occurrence left to send ({end})",
                ("recurrence",),
                at_key=True,
                hint="a finished recurrence may stay in git (its occurrences are forgotten once "
                "sent); remove it, or extend until or count",
                severity=Severity.WARNING,
            )
        )
    return found
