"""RRULE text: what is accepted, what is refused (in words, with the corrected rule when one
fix is obvious), and how a rule reads in people's words."""

from __future__ import annotations

from datetime import datetime

import pytest

from reconciler.recurrence import Recurrence, describe
from reconciler.rrules import RecurrenceError, parse_rule
from reconciler.sendtime import ScheduleMode


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO"),
        ("freq=weekly;byday=mo,th", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("RRULE:FREQ=MONTHLY;BYDAY=-1FR;", "FREQ=MONTHLY;BYDAY=-1FR"),
        (" FREQ = DAILY ; INTERVAL = 2 ", "FREQ=DAILY;INTERVAL=2"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
        ("FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO", "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO"),
        ("FREQ=HOURLY;BYMINUTE=30", "FREQ=HOURLY;BYMINUTE=30"),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        ),
    ],
)
def test_accepted_rules_are_kept_in_upper_case(text: str, normal: str) -> None:
    assert parse_rule(text).text == normal


REFUSED = [
    # text, code, message, replacement
    ("", "invalid_rule", "the rule is empty", None),
    ("WEEKLY", "invalid_rule", "rule part 'WEEKLY' has no value", None),
    ("BYDAY=MO", "invalid_rule", "the rule has no FREQ", None),
    (
        "FREQ=WEEKLEY;BYDAY=MO",
        "invalid_rule",
        "FREQ=WEEKLEY is not a frequency",
        "FREQ=WEEKLY;BYDAY=MO",
    ),
    (
        "FREQ=WEEKLY;BYDAY=MON,THU",
        "invalid_rule",
        "BYDAY=MON,THU: 'MON' is not a weekday",
        "FREQ=WEEKLY;BYDAY=MO,TH",
    ),
    (
        "FREQ=WEEKLY;BYWEEKDAY=MO",
        "invalid_rule",
        "unknown rule part 'BYWEEKDAY'",
        "FREQ=WEEKLY;BYDAY=MO",
    ),
    (
        # The weekday has an obvious fix, but the rule would still be wrong (an ordinal).
        "FREQ=DAILY;BYDAY=MON,1TU",
        "invalid_rule",
        "BYDAY=MON,1TU: 'MON' is not a weekday",
        None,
    ),
    ("FREQ=WEEKLY;BYDAY=MO,+", "invalid_rule", "BYDAY=MO,+: '+' is not a weekday", None),
    ("DTSTART=20261102T090000;FREQ=WEEKLY", "dtstart_in_rule", "the rule gives DTSTART", None),
    ("FREQ=WEEKLY;BYDAY=XX", "invalid_rule", "BYDAY=XX: 'XX' is not a weekday", None),
    ("FREQ=WEEKLY;FREQ=DAILY", "invalid_rule", "FREQ is given twice in the rule", None),
    ("FREQ=DAILY;INTERVAL=0", "invalid_rule", "INTERVAL=0 is not allowed", None),
    ("FREQ=MONTHLY;BYMONTHDAY=40", "invalid_rule", "BYMONTHDAY=40: '40' is not allowed", None),
    ("FREQ=DAILY;BYHOUR=24", "invalid_rule", "BYHOUR=24: '24' is not allowed", None),
    ("FREQ=DAILY;BYHOUR=-1", "invalid_rule", "BYHOUR=-1: '-1' is not allowed", None),
    (
        "FREQ=WEEKLY;BYDAY=1MO",
        "invalid_rule",
        "BYDAY=1MO: an ordinal (1MO) needs FREQ=MONTHLY or FREQ=YEARLY",
        None,
    ),
    ("FREQ=MONTHLY;BYDAY=0MO", "invalid_rule", "BYDAY=0MO: '0MO' is not allowed", None),
    ("FREQ=WEEKLY;WKST=MO,TU", "invalid_rule", "WKST=MO,TU must be one weekday", None),
    (
        "FREQ=MINUTELY;INTERVAL=15",
        "recurrence_too_frequent",
        "FREQ=MINUTELY sends more often than once an hour",
        None,
    ),
    (
        "FREQ=SECONDLY",
        "recurrence_too_frequent",
        "FREQ=SECONDLY sends more often than once an hour",
        None,
    ),
    (
        "FREQ=HOURLY;BYMINUTE=0,30",
        "recurrence_too_frequent",
        "BYMINUTE=0,30 sends more often than once an hour",
        None,
    ),
    (
        "FREQ=DAILY;BYSECOND=0,30",
        "recurrence_too_frequent",
        "BYSECOND=0,30 sends more often than once an hour",
        None,
    ),
    ("FREQ=WEEKLY;UNTIL=20270301T000000Z", "until_in_rule", "the rule gives UNTIL", None),
    ("FREQ=WEEKLY;COUNT=10", "count_in_rule", "the rule gives COUNT", None),
    (
        "DTSTART:20261102T090000\nRRULE:FREQ=WEEKLY",
        "dtstart_in_rule",
        "the rule gives DTSTART",
        None,
    ),
    ("RRULE:FREQ=WEEKLY\nEXDATE:20261228T090000", "invalid_rule", "the rule gives EXDATE", None),
    ("FREQ=WEEKLY\nFREQ=DAILY", "invalid_rule", "the rule must be one RRULE line", None),
    (
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "rule_never_matches",
        "no date matches BYMONTH=2;BYMONTHDAY=30",
        None,
    ),
    (
        "FREQ=DAILY;BYMONTH=4,6;BYMONTHDAY=31",
        "rule_never_matches",
        "no date matches BYMONTH=4,6;BYMONTHDAY=31",
        None,
    ),
    (
        "FREQ=HOURLY;BYWEEKNO=1;BYMONTH=6",
        "rule_never_matches",
        "no date matches BYWEEKNO=1;BYMONTH=6",
        None,
    ),
]


@pytest.mark.parametrize(("text", "code", "message", "replacement"), REFUSED)
def test_refused_rules_say_why(text: str, code: str, message: str, replacement: str | None) -> None:
    with pytest.raises(RecurrenceError) as caught:
        parse_rule(text)
    assert (caught.value.code, caught.value.message) == (code, message)
    assert caught.value.replacement == replacement
    if replacement is not None:
        parse_rule(replacement)  # the correction is a rule


def test_hints_name_the_fix() -> None:
    hints = {}
    for text in ("FREQ=WEEKLY;UNTIL=20270301T000000Z", "FREQ=WEEKLY;COUNT=10", "FREQ=WEEKLEY"):
        with pytest.raises(RecurrenceError) as caught:
            parse_rule(text)
        hints[text] = caught.value.hint
    assert hints == {
        "FREQ=WEEKLY;UNTIL=20270301T000000Z": "write it as the recurrence's until field "
        "(until: 2027-03-01), and keep only the rule's other parts in rule",
        "FREQ=WEEKLY;COUNT=10": "write it as the recurrence's count field (count: 10), and keep "
        "only the rule's other parts in rule",
        "FREQ=WEEKLEY": "did you mean FREQ=WEEKLY?",
    }


def test_a_rule_that_cannot_run_from_its_start_is_refused() -> None:
    # Every other hour from 09:00 never reaches 10:00 (dateutil finds the empty set).
    with pytest.raises(RecurrenceError) as caught:
        Recurrence(parse_rule("FREQ=HOURLY;INTERVAL=2;BYHOUR=10"), datetime(2026, 1, 1, 9), "local")
    assert caught.value.code == "invalid_rule"
    assert caught.value.message.startswith("the rule cannot be used from start 2026-01-01T09:00:00")


@pytest.mark.parametrize(
    ("text", "sub_daily"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", False),
        ("FREQ=DAILY;BYHOUR=9", False),
        ("FREQ=DAILY;BYHOUR=9,17", True),
        ("FREQ=HOURLY;INTERVAL=24", True),
    ],
)
def test_rules_that_may_send_twice_a_day_key_by_hour(text: str, sub_daily: bool) -> None:
    assert parse_rule(text).sub_daily is sub_daily


START = datetime(2026, 11, 2, 9, 0)


@pytest.mark.parametrize(
    ("text", "mode", "zone", "words"),
    [
        (
            "FREQ=WEEKLY;BYDAY=MO",
            "utc",
            "America/New_York",
            "weekly on Monday at 09:00 in America/New_York",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            "local",
            None,
            "every 2 weeks on Monday and Thursday at 09:00 in each user's local time",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            "optimal",
            None,
            "monthly on the last Friday at each user's optimal time",
        ),
        (
            "FREQ=MONTHLY;BYDAY=1MO,-2TU",
            "utc",
            "UTC",
            "monthly on the first Monday and the second-to-last Tuesday at 09:00 in UTC",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=1,-1",
            "utc",
            "UTC",
            "monthly on day 1 and the last day at 09:00 in UTC",
        ),
        (
            "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24",
            "local",
            None,
            "yearly on day 24 in December at 09:00 in each user's local time",
        ),
        (
            "FREQ=DAILY;BYHOUR=9,17;BYMINUTE=30",
            "utc",
            "Europe/Berlin",
            "daily at 09:30 and 17:30 in Europe/Berlin",
        ),
        ("FREQ=HOURLY", "utc", "UTC", "hourly at minute 00 in UTC"),
        (
            "FREQ=HOURLY;BYHOUR=9,10,11;BYMINUTE=30",
            "utc",
            "Europe/Berlin",
            "hourly at minute 30 in hours 09, 10 and 11 in Europe/Berlin",
        ),
        (
            "FREQ=YEARLY;BYDAY=10MO,-10FR",
            "local",
            None,
            "yearly on the 10th Monday and the 10th-to-last Friday at 09:00 in each user's "
            "local time",
        ),
        (
            "FREQ=HOURLY;BYMINUTE=15;BYSECOND=30",
            "utc",
            "UTC",
            "hourly at minute 15 in UTC (BYSECOND=30)",
        ),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "utc",
            "UTC",
            "monthly on Monday, Tuesday, Wednesday, Thursday and Friday at 09:00 in UTC "
            "(BYSETPOS=-1)",
        ),
    ],
)
def test_rules_in_words(text: str, mode: ScheduleMode, zone: str | None, words: str) -> None:
    assert describe(Recurrence(parse_rule(text), START, mode, zone)) == words
