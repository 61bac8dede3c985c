"""Properties of the expansion, over generated rules, zones, modes, ends, skipped dates and
windows: occurrences are sorted, their keys unique, each inside the window and an occurrence
of the rule at its wall-clock time, and none of the rule's occurrences in the window is left
out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reconciler.recurrence import Occurrence, Recurrence
from reconciler.rrules import RecurrenceError, parse_rule
from reconciler.sendtime import ScheduleMode, send_window
from reconciler.timeutil import parse_instant

EXPANSION_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
"""The same examples every run, here and in CI: a failure is reproduced by running again."""

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # a 30-minute daylight-time shift
    "Asia/Kolkata",  # a half-hour offset, no daylight time
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30 / -02:30
]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw: st.DrawFn) -> str:
    freq = draw(st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"]))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 3))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if freq in ("WEEKLY", "DAILY") and draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
        parts.append("BYDAY=" + ",".join(days))
    if freq == "MONTHLY":
        parts.append(
            draw(
                st.sampled_from(
                    ["BYMONTHDAY=1", "BYMONTHDAY=15,-1", "BYMONTHDAY=31", "BYDAY=1MO", "BYDAY=-1FR"]
                )
            )
        )
    if freq == "YEARLY" and draw(st.booleans()):
        parts.append(f"BYMONTH={draw(st.integers(1, 12))};BYMONTHDAY={draw(st.integers(1, 28))}")
    if freq == "DAILY" and draw(st.booleans()):
        hours = draw(st.lists(st.integers(0, 23), min_size=1, max_size=3, unique=True))
        parts.append("BYHOUR=" + ",".join(str(h) for h in sorted(hours)))
    return ";".join(parts)


@st.composite
def recurrences(draw: st.DrawFn) -> Recurrence:
    rule = parse_rule(draw(rules()))
    day = draw(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
    start = datetime(
        day.year, day.month, day.day, draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))
    )
    modes: list[ScheduleMode] = ["utc", "utc", "local"]
    mode = draw(st.sampled_from(modes if rule.sub_daily else [*modes, "optimal"]))
    zone = draw(st.sampled_from(ZONES)) if mode == "utc" else None
    end = draw(st.sampled_from(["none", "count", "until"]))
    count = draw(st.integers(1, 40)) if end == "count" else None
    until = start + timedelta(days=draw(st.integers(0, 500))) if end == "until" else None
    offsets = st.lists(st.integers(0, 120), max_size=4)
    skipped = frozenset(day + timedelta(days=offset) for offset in draw(offsets))
    try:
        return Recurrence(rule, start, mode, zone, until, count, frozenset(skipped))
    except RecurrenceError:
        assume(False)
        raise


WINDOWS = st.tuples(
    st.datetimes(datetime(2025, 12, 1), datetime(2028, 6, 1), timezones=st.just(UTC)),
    st.integers(1, 90).map(lambda days: timedelta(days=days)),
)


def reference(recurrence: Recurrence) -> rrule:
    """The rule read by dateutil directly, with its end."""
    expansion = rrulestr(recurrence.rule.text, dtstart=recurrence.start)
    assert isinstance(expansion, rrule)
    if recurrence.until is not None:
        return expansion.replace(until=recurrence.until)
    if recurrence.count is not None:
        return expansion.replace(count=recurrence.count)
    return expansion


def sent_at(recurrence: Recurrence, wall_clock: datetime) -> str:
    """The time sent for a wall-clock time, computed without the module."""
    if recurrence.time_zone is None:
        return wall_clock.isoformat()
    instant = wall_clock.replace(tzinfo=ZoneInfo(recurrence.time_zone)).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@EXPANSION_SETTINGS
@given(recurrences(), WINDOWS)
def test_occurrences_are_sorted_unique_inside_the_window_and_in_the_rule(
    recurrence: Recurrence, window: tuple[datetime, timedelta]
) -> None:
    now, horizon = window
    found = recurrence.occurrences(now, now + horizon)
    keys = [o.key for o in found]
    assert len(set(keys)) == len(keys)
    walls = [o.wall_clock for o in found]
    assert walls == sorted(set(walls))
    firsts = [o.first_send for o in found]
    assert firsts == sorted(set(firsts))  # never two sends at one instant
    in_rule = set(reference(recurrence).between(walls[0], walls[-1], inc=True)) if walls else set()
    for occurrence in found:
        assert occurrence.last_send > now
        assert occurrence.first_send <= now + horizon
        assert occurrence.wall_clock in in_rule
        assert occurrence.wall_clock not in recurrence.skipped
        assert occurrence.wall_clock.date() not in recurrence.skipped
        assert occurrence.key.startswith(occurrence.wall_clock.date().isoformat())
        assert occurrence.time == sent_at(recurrence, occurrence.wall_clock)
        assert_wall_clock_in_zone(recurrence, occurrence)
    for occurrence in found[:1] + found[-1:]:  # the first and the last, by key alone
        assert recurrence.occurrence_on(occurrence.key) == occurrence


def assert_wall_clock_in_zone(recurrence: Recurrence, occurrence: Occurrence) -> None:
    if recurrence.time_zone is None:
        assert occurrence.time == occurrence.wall_clock.isoformat()
        return
    zone = ZoneInfo(recurrence.time_zone)
    there = parse_instant(occurrence.time).astimezone(zone).replace(tzinfo=None)
    if there != occurrence.wall_clock:
        # Only a wall-clock time that does not exist there moves, forward by the gap.
        assert there.replace(tzinfo=zone).astimezone(UTC) == parse_instant(occurrence.time)
        assert timedelta(0) < there - occurrence.wall_clock <= timedelta(hours=1)


@EXPANSION_SETTINGS
@given(recurrences(), WINDOWS)
def test_no_occurrence_of_the_rule_inside_the_window_is_left_out(
    recurrence: Recurrence, window: tuple[datetime, timedelta]
) -> None:
    now, horizon = window
    through = now + horizon
    naive = now.replace(tzinfo=None)
    walls = reference(recurrence).between(
        naive - timedelta(days=4), through.replace(tzinfo=None) + timedelta(days=4), inc=True
    )
    kept = [w for w in walls if w not in recurrence.skipped and w.date() not in recurrence.skipped]
    expected = {}
    for wall_clock in kept:
        time = sent_at(recurrence, wall_clock)
        first, last = send_window(recurrence.mode, time)
        if last > now and first <= through:
            expected[time] = wall_clock  # a time moved onto the next one is sent once, as it
    found = recurrence.occurrences(now, through)
    assert {o.time: o.wall_clock for o in found} == expected
