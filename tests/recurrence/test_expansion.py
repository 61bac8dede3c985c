"""Occurrences: the wall-clock time in the rule's zone, converted to UTC for each date (so
daylight saving time moves the UTC time, never the wall-clock one); local and optimal time
sent as wall-clock times; the window, except, until and count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from reconciler.recurrence import (
    LONGEST_SEND,
    Occurrence,
    Recurrence,
    check_horizon,
    check_time_zone,
    is_occurrence_key,
    parse_horizon,
    parse_skipped,
    parse_until,
    parse_wall_clock,
)
from reconciler.rrules import RecurrenceError, parse_rule
from reconciler.sendtime import ScheduleMode


def recurrence(
    rule: str,
    start: str,
    zone: str | None = None,
    mode: ScheduleMode = "utc",
    **fields: object,
) -> Recurrence:
    return Recurrence(
        parse_rule(rule),
        datetime.fromisoformat(start),
        mode,
        zone,
        **fields,  # type: ignore[arg-type]
    )


def sent(found: list[Occurrence]) -> list[tuple[str, str]]:
    return [(o.key, o.time) for o in found]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


DAILY_AT_NINE = [
    # zone, first date, the daily 09:00 around a change: (key, UTC time) on both sides
    (
        "America/New_York",  # daylight time ends on 2026-11-01 at 02:00
        "2026-10-31",
        [("2026-10-31", "2026-10-31T13:00:00Z"), ("2026-11-01", "2026-11-01T14:00:00Z")],
    ),
    (
        "America/New_York",  # daylight time starts on 2026-03-08 at 02:00
        "2026-03-07",
        [("2026-03-07", "2026-03-07T14:00:00Z"), ("2026-03-08", "2026-03-08T13:00:00Z")],
    ),
    (
        "America/New_York",  # and on 2027-03-14 (the second Sunday of March), not March 8
        "2027-03-13",
        [("2027-03-13", "2027-03-13T14:00:00Z"), ("2027-03-14", "2027-03-14T13:00:00Z")],
    ),
    (
        "Europe/Berlin",  # summer time ends on 2026-10-25 at 03:00
        "2026-10-24",
        [("2026-10-24", "2026-10-24T07:00:00Z"), ("2026-10-25", "2026-10-25T08:00:00Z")],
    ),
    (
        "Europe/Berlin",  # summer time starts on 2027-03-28 at 02:00
        "2027-03-27",
        [("2027-03-27", "2027-03-27T08:00:00Z"), ("2027-03-28", "2027-03-28T07:00:00Z")],
    ),
    (
        # Daylight time ends on 2026-04-05 at 03:00: the key is Sydney's own date, a day
        # after the UTC one.
        "Australia/Sydney",
        "2026-04-04",
        [("2026-04-04", "2026-04-03T22:00:00Z"), ("2026-04-05", "2026-04-04T23:00:00Z")],
    ),
    (
        "Australia/Sydney",  # daylight time starts on 2026-10-04 at 02:00
        "2026-10-03",
        [("2026-10-03", "2026-10-02T23:00:00Z"), ("2026-10-04", "2026-10-03T22:00:00Z")],
    ),
]


@pytest.mark.parametrize(("zone", "first", "expected"), DAILY_AT_NINE)
def test_a_wall_clock_time_is_converted_for_each_date(
    zone: str, first: str, expected: list[tuple[str, str]]
) -> None:
    daily = recurrence("FREQ=DAILY", f"{first}T09:00:00", zone, count=2)
    found = daily.occurrences(utc("2020-01-01T00:00:00"), utc("2030-01-01T00:00:00"))
    assert sent(found) == expected
    assert all(o.wall_clock.hour == 9 and o.mode == "utc" for o in found)
    assert [o.schedule for o in found] == [{"time": time} for _, time in expected]


def test_weekly_nine_in_new_york_is_13z_in_october_and_14z_in_november() -> None:
    weekly = recurrence("FREQ=WEEKLY;BYDAY=MO", "2026-10-19T09:00:00", "America/New_York")
    found = weekly.occurrences(utc("2026-10-20T00:00:00"), utc("2026-11-10T00:00:00"))
    assert sent(found) == [
        ("2026-10-26", "2026-10-26T13:00:00Z"),
        ("2026-11-02", "2026-11-02T14:00:00Z"),
        ("2026-11-09", "2026-11-09T14:00:00Z"),
    ]


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        # 02:30 does not exist: read with the offset before the gap, it is 03:30 daylight time.
        ("America/New_York", "2026-03-08T02:30:00", "2026-03-08T07:30:00Z"),
        ("Europe/Berlin", "2027-03-28T02:30:00", "2027-03-28T01:30:00Z"),
        ("Australia/Sydney", "2026-10-04T02:30:00", "2026-10-03T16:30:00Z"),
        # 01:30 happens twice: the first, still in daylight time.
        ("America/New_York", "2026-11-01T01:30:00", "2026-11-01T05:30:00Z"),
        ("Europe/Berlin", "2026-10-25T02:30:00", "2026-10-25T00:30:00Z"),
        ("Australia/Sydney", "2026-04-05T02:30:00", "2026-04-04T15:30:00Z"),
    ],
)
def test_a_time_in_a_gap_moves_forward_and_a_repeated_one_is_the_first(
    zone: str, start: str, expected: str
) -> None:
    once = recurrence("FREQ=DAILY", start, zone, count=1)
    (found,) = once.occurrences(utc("2026-01-01T00:00:00"), utc("2028-01-01T00:00:00"))
    assert (found.key, found.time) == (start[:10], expected)


def test_an_hourly_rule_never_sends_twice_at_one_instant() -> None:
    hourly = recurrence("FREQ=HOURLY", "2026-03-07T22:00:00", "America/New_York")
    spring = hourly.occurrences(utc("2026-03-08T05:30:00"), utc("2026-03-08T08:00:00"))
    # 02:00 does not exist; moved forward it would be 03:00, which the rule sends anyway.
    assert sent(spring) == [
        ("2026-03-08T01", "2026-03-08T06:00:00Z"),
        ("2026-03-08T03", "2026-03-08T07:00:00Z"),
        ("2026-03-08T04", "2026-03-08T08:00:00Z"),
    ]
    autumn = hourly.occurrences(utc("2026-11-01T03:30:00"), utc("2026-11-01T07:00:00"))
    # 01:00 happens twice: sent once, in daylight time (05:00Z); 06:00Z has no send.
    assert sent(autumn) == [
        ("2026-11-01T00", "2026-11-01T04:00:00Z"),
        ("2026-11-01T01", "2026-11-01T05:00:00Z"),
        ("2026-11-01T02", "2026-11-01T07:00:00Z"),
    ]


def test_local_and_optimal_time_are_sent_as_wall_clock_times() -> None:
    local = recurrence("FREQ=WEEKLY;BYDAY=MO", "2026-11-02T09:00:00", mode="local")
    optimal = recurrence("FREQ=WEEKLY;BYDAY=MO", "2026-11-02T09:00:00", mode="optimal")
    window = (utc("2026-11-01T00:00:00"), utc("2026-11-10T00:00:00"))
    assert [o.schedule for o in local.occurrences(*window)] == [
        {"time": "2026-11-02T09:00:00", "in_local_time": True},
        {"time": "2026-11-09T09:00:00", "in_local_time": True},
    ]
    assert [o.schedule for o in optimal.occurrences(*window)] == [
        {"time": "2026-11-02T09:00:00", "at_optimal_time": True},
        {"time": "2026-11-09T09:00:00", "at_optimal_time": True},
    ]


def test_the_window_keeps_what_is_still_sending_and_what_starts_within_it() -> None:
    local = recurrence("FREQ=DAILY", "2026-11-02T09:00:00", mode="local")
    # 09:00 local on a date D sends from D-1 19:00Z (UTC+14) to D 21:00Z (UTC-12).
    sending = local.occurrences(utc("2026-11-05T20:59:00"), utc("2026-11-05T20:59:00"))
    assert [o.key for o in sending] == ["2026-11-05", "2026-11-06"]
    later = local.occurrences(utc("2026-11-05T21:00:00"), utc("2026-11-05T21:00:00"))
    assert [o.key for o in later] == ["2026-11-06"]
    starting = local.occurrences(utc("2026-11-03T00:00:00"), utc("2026-11-04T19:00:00"))
    assert [o.key for o in starting] == ["2026-11-03", "2026-11-04", "2026-11-05"]
    # An optimal-time date D sends from D-1 10:00Z to D+1 12:00Z: the longest send there is.
    optimal = recurrence("FREQ=DAILY", "2026-11-02T09:00:00", mode="optimal")
    now = utc("2026-11-05T00:00:00")
    found = optimal.occurrences(now, now)
    assert [o.key for o in found] == ["2026-11-04", "2026-11-05"]
    assert found[0].first_send == utc("2026-11-03T10:00:00")
    assert all(o.last_send - o.first_send == LONGEST_SEND for o in found)


def test_a_utc_occurrence_is_in_the_window_until_its_instant() -> None:
    daily = recurrence("FREQ=DAILY", "2026-11-02T09:00:00", "UTC")
    at_nine = daily.occurrences(utc("2026-11-05T08:59:59"), utc("2026-11-05T09:00:00"))
    assert sent(at_nine) == [("2026-11-05", "2026-11-05T09:00:00Z")]
    assert daily.occurrences(utc("2026-11-05T09:00:00"), utc("2026-11-05T12:00:00")) == []


def test_except_until_and_count() -> None:
    rule, start, zone = "FREQ=WEEKLY;BYDAY=MO", "2026-11-02T09:00:00", "UTC"
    window = (utc("2026-01-01T00:00:00"), utc("2028-01-01T00:00:00"))
    skipped = recurrence(
        rule,
        start,
        zone,
        count=4,
        skipped=frozenset({date(2026, 11, 9), datetime(2026, 11, 16, 9, 0)}),
    )
    # Excepted occurrences still count: 4 from start, 2 skipped.
    assert [o.key for o in skipped.occurrences(*window)] == ["2026-11-02", "2026-11-23"]
    until_date = recurrence(rule, start, zone, until=parse_until("2026-11-16"))
    assert [o.key for o in until_date.occurrences(*window)][-1] == "2026-11-16"  # inclusive
    until_time = recurrence(rule, start, zone, until=parse_until("2026-11-16T08:59:00"))
    assert [o.key for o in until_time.occurrences(*window)][-1] == "2026-11-09"
    counted = recurrence(rule, start, zone, count=3)
    # Counted from start, whatever the window.
    assert [o.key for o in counted.occurrences(utc("2026-11-10T00:00:00"), window[1])] == [
        "2026-11-16"
    ]
    # A date-time that is not the occurrence's skips nothing.
    near = recurrence(rule, start, zone, skipped=frozenset({datetime(2026, 11, 9, 10, 0)}))
    assert near.occurrence_on("2026-11-09") is not None
    assert not near.declares(datetime(2026, 11, 9, 10, 0))
    assert near.declares(date(2026, 11, 9))


def test_an_occurrence_by_its_key() -> None:
    weekly = recurrence(
        "FREQ=WEEKLY;BYDAY=MO",
        "2026-11-02T09:00:00",
        "America/New_York",
        until=parse_until("2027-03-31"),
        skipped=frozenset({date(2026, 12, 28)}),
    )
    found = weekly.occurrence_on("2027-03-29")
    assert found is not None
    assert (found.key, found.time) == ("2027-03-29", "2027-03-29T13:00:00Z")
    assert weekly.occurrence_on("2026-12-28") is None  # excepted
    assert weekly.occurrence_on("2026-12-29") is None  # a Tuesday
    assert weekly.occurrence_on("2027-04-05") is None  # after until
    assert weekly.occurrence_on("2026-11-09T09") is None  # the other form of key
    assert weekly.occurrence_on("2026-11-31") is None
    hourly = recurrence("FREQ=DAILY;BYHOUR=9,17", "2026-11-02T09:00:00", "UTC")
    evening = hourly.occurrence_on("2026-11-03T17")
    assert evening is not None
    assert evening.time == "2026-11-03T17:00:00Z"
    assert hourly.occurrence_on("2026-11-03T12") is None
    assert hourly.occurrence_on("2026-11-03") is None


def test_first_and_next() -> None:
    weekly = recurrence("FREQ=WEEKLY;BYDAY=MO", "2026-11-03T09:00:00", "UTC", count=2)
    first = weekly.first()
    assert first is not None
    assert first.key == "2026-11-09"
    following = weekly.next_after(utc("2026-11-10T00:00:00"))
    assert following is not None
    assert following.key == "2026-11-16"
    assert weekly.next_after(utc("2026-11-16T09:00:00")) is None
    skipping = recurrence(
        "FREQ=WEEKLY;BYDAY=MO", "2026-11-02T09:00:00", "UTC", skipped=frozenset({START.date()})
    )
    after_skipped = skipping.next_after(utc("2026-11-01T00:00:00"))
    assert after_skipped is not None
    assert after_skipped.key == "2026-11-09"
    never = recurrence(
        "FREQ=WEEKLY;BYDAY=MO", "2026-11-03T09:00:00", "UTC", until=parse_until("2026-11-08")
    )
    assert never.first() is None


def test_a_recurrence_is_consistent() -> None:
    with pytest.raises(ValueError, match="time zone"):
        recurrence("FREQ=DAILY", "2026-11-02T09:00:00", None, "utc")
    with pytest.raises(ValueError, match="time zone"):
        recurrence("FREQ=DAILY", "2026-11-02T09:00:00", "UTC", "local")
    with pytest.raises(ValueError, match="exclusive"):
        recurrence("FREQ=DAILY", "2026-11-02T09:00:00", "UTC", count=1, until=START)
    with pytest.raises(ValueError, match="at most once a day"):
        recurrence("FREQ=HOURLY", "2026-11-02T09:00:00", None, "optimal")


START = datetime(2026, 11, 2, 9, 0)


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("2026-12-07", True),
        ("2026-12-07T09", True),
        ("2026-12-07T23", True),
        ("2026-12-07T24", False),
        ("2026-13-07", False),
        ("2026-W49-1", False),
        ("20261207", False),
        ("2026-12-07T0900", False),
        ("", False),
    ],
)
def test_occurrence_keys(key: str, valid: bool) -> None:
    assert is_occurrence_key(key) is valid


FIELD_PROBLEMS = [
    # call, code, message, replacement
    (
        lambda: parse_wall_clock("2026-11-02", "start"),
        "invalid_time",
        "'2026-11-02' is a date without a time of day",
        "2026-11-02T09:00:00",
    ),
    (
        lambda: parse_wall_clock("2026-11-02T09:00:00-05:00", "start"),
        "start_with_offset",
        "start '2026-11-02T09:00:00-05:00' has a UTC offset",
        "2026-11-02T09:00:00",
    ),
    (
        lambda: parse_wall_clock("next monday", "start"),
        "invalid_time",
        "'next monday' is not an ISO 8601 date-time",
        None,
    ),
    (
        lambda: parse_wall_clock("1900-01-01T09:00:00", "start"),
        "invalid_time",
        "'1900-01-01T09:00:00' is not a time Braze can schedule (year 1900)",
        None,
    ),
    (
        lambda: parse_until("2027-02-30"),
        "invalid_date",
        "until '2027-02-30' is not a date",
        None,
    ),
    (
        lambda: parse_until("2027-03-31T00:00:00Z"),
        "until_with_offset",
        "until '2027-03-31T00:00:00Z' has a UTC offset",
        "2027-03-31T00:00:00",
    ),
    (
        lambda: parse_skipped("Christmas"),
        "invalid_date",
        "except 'Christmas' is not a date",
        None,
    ),
    (
        lambda: parse_skipped("2026-12-25T09:00:00Z"),
        "except_with_offset",
        "except '2026-12-25T09:00:00Z' has a UTC offset",
        "2026-12-25T09:00:00",
    ),
    (
        lambda: parse_horizon("two weeks"),
        "invalid_duration",
        "horizon 'two weeks' is not a duration",
        None,
    ),
    (lambda: parse_horizon("12h"), "horizon_out_of_range", "horizon 12h is out of range", "1d"),
    (lambda: parse_horizon("13w"), "horizon_out_of_range", "horizon 13w is out of range", "90d"),
    # quoted as written, not as the 13w it equals
    (lambda: parse_horizon("91d"), "horizon_out_of_range", "horizon 91d is out of range", "90d"),
    (
        lambda: check_time_zone("america/new york"),
        "unknown_time_zone",
        "unknown time zone 'america/new york'",
        "America/New_York",
    ),
    (
        lambda: check_time_zone("Europe/Berln"),
        "unknown_time_zone",
        "unknown time zone 'Europe/Berln'",
        "Europe/Berlin",
    ),
    (
        lambda: check_time_zone("Mars/Olympus"),
        "unknown_time_zone",
        "unknown time zone 'Mars/Olympus'",
        None,
    ),
]


@pytest.mark.parametrize(("call", "code", "message", "replacement"), FIELD_PROBLEMS)
def test_fields_say_what_is_wrong(
    call: object, code: str, message: str, replacement: str | None
) -> None:
    with pytest.raises(RecurrenceError) as caught:
        call()  # type: ignore[operator]
    assert (caught.value.code, caught.value.message) == (code, message)
    assert caught.value.replacement == replacement


def test_fields_that_parse() -> None:
    assert parse_wall_clock("2026-11-02T09:00", "start") == datetime(2026, 11, 2, 9, 0)
    assert parse_until("2027-03-31") == datetime(2027, 3, 31, 23, 59, 59)
    assert parse_skipped("2026-12-25") == date(2026, 12, 25)
    assert parse_skipped("2026-12-25T09:00:00") == datetime(2026, 12, 25, 9, 0)
    assert parse_horizon("2w") == timedelta(days=14)
    assert check_time_zone("UTC") == "UTC"
    check_horizon(timedelta(days=1))
    check_horizon(timedelta(days=90))
