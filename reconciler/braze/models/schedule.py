"""The schedule object: when a scheduled message or trigger goes out.

``time`` is kept exactly as written; the helpers read it without rewriting it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from reconciler.braze.models.base import BrazeModel, Finding, braze_error, error_at
from reconciler.sendtime import ScheduleMode, schedule_mode
from reconciler.timeutil import format_utc, parse_iso

_TIME_EXAMPLE = "2026-11-27T09:00:00Z"


_DATE_ONLY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?\s*$")
_UNIX_RANGE = (0, 32503680000)  # 1970 to 3000: beyond, a number is no timestamp


def reject_timestamp(value: Any) -> Any:
    """A number where a time is expected is most likely a Unix timestamp: say which time it
    is, written as Braze wants it, rather than "quote it" (a quoted number fails next)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = value if abs(value) < 10**30 else "a number"
        replacement = None
        hint = f"write an ISO 8601 date-time such as {_TIME_EXAMPLE}"
        if _UNIX_RANGE[0] <= value < _UNIX_RANGE[1]:
            replacement = format_utc(datetime.fromtimestamp(value, UTC))
            hint = f"as a Unix timestamp this is {replacement}: write that"
        raise braze_error(
            "invalid_time",
            f"expected an ISO 8601 date-time string, got {shown}",
            hint=hint,
            replacement=replacement,
        )
    return value


def check_iso_date_or_time(value: str) -> str:
    """Reject a string that is not an ISO 8601 date or date-time (Braze answers Bad Request)."""
    try:
        parsed = parse_iso(value)
    except ValueError:
        raise braze_error(
            "invalid_time",
            f"{value!r} is not an ISO 8601 date-time",
            hint=f"write it like {_TIME_EXAMPLE} (or without Z for a local time)",
        ) from None
    if not 1970 <= parsed.year <= 2999:  # also keeps time-zone arithmetic in range
        raise braze_error(
            "invalid_time",
            f"{value!r} is not a time Braze can schedule (year {parsed.year})",
            hint=f"write it like {_TIME_EXAMPLE}",
        )
    return value


def _refuse_a_date_alone(value: str, time_of_day: str, hint: str) -> None:
    """Python reads "2026-12-12Z" as a naive midnight (it drops the offset of a date), so a
    date must be refused before it is parsed, or a hint about the offset would loop forever.
    ``hint`` may name ``{day}``; the replacement is the day at ``time_of_day`` UTC."""
    date_only = _DATE_ONLY.match(value)
    if date_only is not None:
        day = date_only.group(1)
        raise braze_error(
            "invalid_time",
            f"{value!r} is a date without a time of day",
            hint=hint.format(day=day),
            replacement=f"{day}T{time_of_day}Z",
        )


def check_iso_datetime(value: str) -> str:
    """An ISO 8601 date-time, with its time of day: Braze documents date-times ("ISO 8601
    datetime string", https://www.braze.com/docs/api/objects_filters/connected_audience/ and
    https://www.braze.com/docs/api/objects_filters/schedule_object/), and does not say how it
    reads a date alone."""
    _refuse_a_date_alone(
        value, "00:00:00", "add the time of day: {day}T00:00:00Z is the start of that day in UTC"
    )
    return check_iso_date_or_time(value)


def check_send_time(value: str) -> str:
    """A send time: an ISO 8601 date-time with its time of day (a date alone is refused)."""
    _refuse_a_date_alone(
        value,
        "09:00:00",
        "add the time of day: {day}T09:00:00Z for 09:00 UTC (or {day}T09:00:00 with "
        "in_local_time: true)",
    )
    return check_iso_date_or_time(value)


IsoDateTime = Annotated[str, BeforeValidator(reject_timestamp), AfterValidator(check_iso_datetime)]
"""An ISO 8601 date-time with its time of day; kept as written."""
IsoDateOrTime = Annotated[
    str, BeforeValidator(reject_timestamp), AfterValidator(check_iso_date_or_time)
]
"""An ISO 8601 date or date-time; kept as written (``end_time``, documented as a date)."""
SendTime = Annotated[str, BeforeValidator(reject_timestamp), AfterValidator(check_send_time)]
"""When a schedule sends: ISO 8601 with a time of day; kept as written."""


class ScheduleObject(BrazeModel):
    """When to send: at one instant, at a wall-clock time in each user's time zone, or at each
    user's optimal time on a date."""

    time: SendTime = Field(
        description=(
            "When to send, ISO 8601. In UTC unless in_local_time or at_optimal_time is set; "
            "then give no offset or Z (2026-11-27T09:00:00)."
        )
    )
    in_local_time: bool | None = Field(
        default=None,
        description=(
            "Send at this wall-clock time in each user's time zone (company time zone for users "
            "without one)."
        ),
    )
    at_optimal_time: bool | None = Field(
        default=None,
        description=(
            "Intelligent Timing: send on the date of time, at each user's optimal hour (the "
            "time of day is ignored)."
        ),
    )

    def model_findings(self) -> Iterator[Finding]:
        # Braze's own create example sets both (https://www.braze.com/docs/api/endpoints/
        # messaging/schedule_messages/post_schedule_messages/), and no page says which wins:
        # sendtime.schedule_mode reads it as optimal time (the wider send window), here and in
        # the emulator.
        if self.in_local_time and self.at_optimal_time:
            yield Finding(
                ("at_optimal_time",),
                "both_time_modes",
                "in_local_time and at_optimal_time are both true: Braze's documentation does "
                "not say which applies; this tool reads it as optimal time, whose send window "
                "contains the local-time one",
                hint=(
                    "keep one: at_optimal_time: false sends at this time in each user's zone "
                    "(as read now), in_local_time: false at each user's optimal time"
                ),
                replacement=False,
            )

    @model_validator(mode="after")
    def _check_mode(self) -> Self:
        if self.mode != "utc" and parse_iso(self.time).tzinfo is not None:
            flag = "in_local_time" if self.in_local_time else "at_optimal_time"
            naive = parse_iso(self.time).replace(tzinfo=None).isoformat()
            raise error_at(
                ("time",),
                braze_error(
                    "local_time_with_offset",
                    f"time {self.time!r} has a UTC offset, but {flag} is true",
                    hint=f"Braze wants a local or optimal time without offset or Z: write {naive}",
                    replacement=naive,
                ),
                self.time,
            )
        return self

    @property
    def mode(self) -> ScheduleMode:
        """``utc`` (one instant), ``local`` (each user's zone) or ``optimal`` (Intelligent
        Timing)."""
        return schedule_mode(self.in_local_time, self.at_optimal_time)

    def instant(self) -> datetime:
        """The send instant, aware, in UTC. A time without offset is read as UTC: in utc mode
        that is what Braze does; in local and optimal mode it is the wall-clock time read as
        UTC (the reference point from which the send spreads over the time zones)."""
        parsed = parse_iso(self.time)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)

    def wall_clock(self) -> datetime:
        """The time as a naive wall-clock datetime (for a utc time with an offset: in UTC)."""
        parsed = parse_iso(self.time)
        if parsed.tzinfo is None:
            return parsed
        return parsed.astimezone(UTC).replace(tzinfo=None)
