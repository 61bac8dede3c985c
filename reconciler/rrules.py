"""RRULE text (RFC 5545 3.3.10): parsed, checked, and put in words.

A rule here holds only an RRULE's parts (``FREQ=WEEKLY;BYDAY=MO``): a recurrence's start, end
and skipped dates are fields of their own (``reconciler.recurrence``). Every refusal says what
is wrong in words and, where one fix is obvious, gives the corrected rule.

Ground floor: imports only ``sendtime`` (for a type) and dateutil.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from datetime import datetime

from dateutil.rrule import rrule, rrulestr

from reconciler.sendtime import ScheduleMode

RULE_EXAMPLE = "FREQ=WEEKLY;BYDAY=MO"
_FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")
_TOO_FREQUENT = frozenset({"MINUTELY", "SECONDLY"})
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_WORDS = {
    **{name[:3].upper(): code for name, code in zip(_DAY_NAMES, _WEEKDAYS, strict=True)},
    **{name.upper(): code for name, code in zip(_DAY_NAMES, _WEEKDAYS, strict=True)},
}
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_NUMBERS: dict[str, tuple[int, int, bool]] = {
    # part: (lowest, highest, may be negative: counted from the end)
    "INTERVAL": (1, 10_000, False),
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYHOUR": (0, 23, False),
    "BYMINUTE": (0, 59, False),
    "BYSECOND": (0, 59, False),
    "BYSETPOS": (1, 366, True),
}
_PARTS = ("FREQ", "BYDAY", "WKST", *_NUMBERS)
_DAY_FILTERS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")
"""The parts that choose dates (not times): the same filter whatever the frequency."""
_FIELDS_IN_RULE = {
    "UNTIL": ("until_in_rule", "until"),
    "COUNT": ("count_in_rule", "count"),
    "DTSTART": ("dtstart_in_rule", "start"),
}
_BYDAY = re.compile(r"^([+-]?)(\d{0,2})([A-Z]+)$")


class RecurrenceError(ValueError):
    """A rule, time or field that cannot be used, in words for people.

    ``code`` is stable (diagnostics); ``replacement``, when one value fixes the field, is it.
    """

    def __init__(
        self, code: str, message: str, hint: str | None = None, replacement: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.replacement = replacement


@dataclasses.dataclass(frozen=True)
class Rule:
    """An RRULE's parts, checked and in upper case: ``FREQ=WEEKLY;BYDAY=MO``."""

    parts: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return ";".join(f"{name}={value}" for name, value in self.parts)

    @property
    def freq(self) -> str:
        return dict(self.parts)["FREQ"]

    def values(self, name: str) -> list[str]:
        value = dict(self.parts).get(name)
        return value.split(",") if value else []

    @property
    def sub_daily(self) -> bool:
        """May send more than once on a date: its keys carry the hour (``2026-12-07T09``)."""
        return self.freq == "HOURLY" or len(self.values("BYHOUR")) > 1


def parse_rule(text: str) -> Rule:
    """Check an RRULE and return its parts; RecurrenceError says what is wrong and how to
    write it instead (``replacement`` is the whole rule with every misspelt name, frequency
    and weekday corrected, when that makes it a rule)."""
    pairs = _pairs(text)
    try:
        return _checked(pairs)
    except RecurrenceError as problem:
        corrected = _corrected(pairs)
        if problem.code == "invalid_rule" and corrected != pairs:
            try:
                _checked(corrected)
            except RecurrenceError as still:
                if still.code == "invalid_rule":
                    raise problem from None
            problem.replacement = Rule(tuple(corrected)).text
        raise


def _pairs(text: str) -> list[tuple[str, str]]:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if not lines:
        raise RecurrenceError(
            "invalid_rule", "the rule is empty", hint=f"write an RRULE such as {RULE_EXAMPLE}"
        )
    if len(lines) > 1 or ":" in lines[0]:
        raise _lines_problem(lines)
    pairs: list[tuple[str, str]] = []
    for part in lines[0].upper().split(";"):
        if not part.strip():
            continue
        name, equals, value = (s.strip() for s in part.partition("="))
        if not equals or not value:
            raise RecurrenceError(
                "invalid_rule",
                f"rule part {name!r} has no value",
                hint=f"write NAME=VALUE parts separated by ';', e.g. {RULE_EXAMPLE}",
            )
        pairs.append((name, value))
    return pairs


def _lines_problem(lines: list[str]) -> RecurrenceError:
    names = [line.partition(":")[0].partition(";")[0].upper() for line in lines]
    if "DTSTART" in names:
        return RecurrenceError(
            "dtstart_in_rule",
            "the rule gives DTSTART",
            hint=(
                "give the first occurrence as start (a wall-clock time such as "
                "2026-11-02T09:00:00) and keep only the RRULE's parts in rule"
            ),
        )
    if "EXDATE" in names:
        return RecurrenceError(
            "invalid_rule",
            "the rule gives EXDATE",
            hint="list the dates to skip under except, and keep only the RRULE's parts in rule",
        )
    return RecurrenceError(
        "invalid_rule",
        "the rule must be one RRULE line",
        hint=f"write only the RRULE's parts, e.g. {RULE_EXAMPLE}",
    )


def _checked(pairs: list[tuple[str, str]]) -> Rule:
    seen: set[str] = set()
    for index, (name, value) in enumerate(pairs):
        if name in _FIELDS_IN_RULE:
            code, field = _FIELDS_IN_RULE[name]
            raise RecurrenceError(
                code,
                f"the rule gives {name}",
                hint=f"write it as the recurrence's {field} field ({_field_example(name, value)})"
                ", and keep only the rule's other parts in rule",
            )
        if name not in _PARTS:
            match = _close(name, _PARTS)
            raise RecurrenceError(
                "invalid_rule",
                f"unknown rule part {name!r}",
                hint=f"did you mean {match}?" if match else "parts: " + ", ".join(_PARTS),
            )
        if name in seen:
            raise RecurrenceError("invalid_rule", f"{name} is given twice in the rule")
        seen.add(name)
        _check_value(pairs, index)
    if "FREQ" not in seen:
        raise RecurrenceError(
            "invalid_rule",
            "the rule has no FREQ",
            hint=f"start it with FREQ=DAILY, FREQ=WEEKLY, ...: e.g. {RULE_EXAMPLE}",
        )
    rule = Rule(tuple(pairs))
    _check_frequency(rule)
    _check_feasible(rule)
    return rule


def _field_example(name: str, value: str) -> str:
    if name == "UNTIL" and re.match(r"^\d{8}", value):
        return f"until: {value[:4]}-{value[4:6]}-{value[6:8]}"
    if name == "COUNT":
        return f"count: {value}"
    return {"UNTIL": "until: 2027-03-31", "DTSTART": "start: 2026-11-02T09:00:00"}[name]


def _close(word: str, choices: tuple[str, ...], cutoff: float = 0.6) -> str | None:
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def _corrected(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parts with every misspelling that has one obvious correction corrected."""
    corrected = []
    for name, value in pairs:
        if name not in _PARTS and name not in _FIELDS_IN_RULE:
            name = _close(name, _PARTS) or name
        if name == "FREQ" and value not in _FREQUENCIES:
            value = _close(value, _FREQUENCIES, 0.5) or value
        if name in ("BYDAY", "WKST"):
            value = ",".join(_weekday_corrected(item) for item in value.split(","))
        corrected.append((name, value))
    return corrected


def _weekday_corrected(item: str) -> str:
    match = _BYDAY.match(item)
    if match is None:
        return item
    sign, number, day = match.groups()
    return f"{sign}{number}{_WEEKDAY_WORDS.get(day, day)}"


def _check_value(pairs: list[tuple[str, str]], index: int) -> None:
    name, value = pairs[index]
    if name == "FREQ":
        if value not in _FREQUENCIES:
            match = _close(value, _FREQUENCIES, 0.5)
            raise RecurrenceError(
                "invalid_rule",
                f"FREQ={value} is not a frequency",
                hint=f"did you mean FREQ={match}?"
                if match
                else "use " + ", ".join(f"FREQ={f}" for f in _FREQUENCIES[:5]),
            )
    elif name in ("BYDAY", "WKST"):
        _check_weekdays(pairs, index)
    else:
        _check_numbers(name, value)


def _check_numbers(name: str, value: str) -> None:
    low, high, signed = _NUMBERS[name]
    allowed = f"{low} to {high}" + (f", or -{high} to -1 counted from the end" if signed else "")
    items = value.split(",")
    if name == "INTERVAL" and (len(items) > 1 or not items[0].isdigit() or int(items[0]) < 1):
        raise RecurrenceError(
            "invalid_rule",
            f"INTERVAL={value} is not allowed",
            hint="INTERVAL is one whole number, at least 1 (INTERVAL=2: every other period)",
        )
    for item in items:
        number = int(item) if re.fullmatch(r"[+-]?\d{1,6}", item) else None
        if number is None or not (low <= abs(number) <= high) or (number < 0 and not signed):
            raise RecurrenceError(
                "invalid_rule",
                f"{name}={value}: {item!r} is not allowed",
                hint=f"{name} takes whole numbers from {allowed}, separated by commas",
            )


def _check_weekdays(pairs: list[tuple[str, str]], index: int) -> None:
    name, value = pairs[index]
    items = value.split(",")
    freq = dict(pairs).get("FREQ")
    for item in items:
        match = _BYDAY.match(item)
        sign, number, day = match.groups() if match else ("", "", item)
        if day not in _WEEKDAYS:
            known = _WEEKDAY_WORDS.get(day)
            raise RecurrenceError(
                "invalid_rule",
                f"{name}={value}: {item!r} is not a weekday",
                hint=(f"did you mean {sign}{number}{known}? " if known else "")
                + "weekdays are MO, TU, WE, TH, FR, SA, SU (e.g. BYDAY=MO,TH; -1FR is the last "
                "Friday of a month)",
            )
        if name == "WKST" and (number or len(items) > 1):
            raise RecurrenceError("invalid_rule", f"WKST={value} must be one weekday")
        if number and (int(number) == 0 or int(number) > 53):
            raise RecurrenceError(
                "invalid_rule",
                f"BYDAY={value}: {item!r} is not allowed",
                hint="an ordinal goes from 1 to 53, or -53 to -1 (e.g. 1MO, -1FR)",
            )
        if number and freq not in ("MONTHLY", "YEARLY", None):
            raise RecurrenceError(
                "invalid_rule",
                f"BYDAY={value}: an ordinal ({item}) needs FREQ=MONTHLY or FREQ=YEARLY",
                hint=f"write the weekday alone ({day}), or use FREQ=MONTHLY for 'the "
                f"{_ordinal(int(sign + number))} {_DAY_NAMES[_WEEKDAYS.index(day)]}'",
            )


def _check_frequency(rule: Rule) -> None:
    if rule.freq in _TOO_FREQUENT:
        raise RecurrenceError(
            "recurrence_too_frequent",
            f"FREQ={rule.freq} sends more often than once an hour",
            hint="a recurrence sends at most once an hour: use FREQ=HOURLY, or FREQ=DAILY with "
            "BYHOUR=9,13,17 for a few times a day",
        )
    for name in ("BYMINUTE", "BYSECOND"):
        if len(rule.values(name)) > 1:
            raise RecurrenceError(
                "recurrence_too_frequent",
                f"{name}={dict(rule.parts)[name]} sends more often than once an hour",
                hint=f"give one {name} value (a recurrence sends at most once an hour); for "
                "several times a day, list hours in BYHOUR",
            )


def _check_feasible(rule: Rule) -> None:
    """Refuse date filters that match no date at all (``BYMONTH=2;BYMONTHDAY=30``). dateutil
    would search such a rule until the year 9999, for seconds; the same filters under
    ``FREQ=YEARLY`` are searched over one whole 400-year Gregorian cycle (the calendar then
    repeats) in milliseconds, starting late so that the search ends at year 9999 quickly."""
    filters = [(name, value) for name, value in rule.parts if name in _DAY_FILTERS]
    if not filters:
        return
    plain = [
        (name, ",".join(_BYDAY.sub(r"\3", item) for item in value.split(",")))
        if name == "BYDAY"
        else (name, value)
        for name, value in filters
    ]
    proxy = rrulestr(Rule((("FREQ", "YEARLY"), *plain)).text, dtstart=datetime(9600, 1, 1))
    assert isinstance(proxy, rrule)
    if proxy.after(datetime(9600, 1, 1), inc=True) is None:
        shown = ";".join(f"{name}={value}" for name, value in filters)
        raise RecurrenceError(
            "rule_never_matches",
            f"no date matches {shown}",
            hint="check the month days against the months (BYMONTHDAY=-1 is the last day of "
            "every month)",
        )


_FREQ_WORDS = {
    "YEARLY": ("yearly", "years"),
    "MONTHLY": ("monthly", "months"),
    "WEEKLY": ("weekly", "weeks"),
    "DAILY": ("daily", "days"),
    "HOURLY": ("hourly", "hours"),
}
_DESCRIBED = frozenset({"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYHOUR", "BYMINUTE"})
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}


def describe_rule(rule: Rule, start: datetime, mode: ScheduleMode, time_zone: str | None) -> str:
    """People's words for a rule sent from ``start`` in a mode: ``weekly on Monday at 09:00 in
    America/New_York``. Parts without words are shown as written (``(BYSETPOS=-1)``)."""
    parts = dict(rule.parts)
    singular, plural = _FREQ_WORDS[rule.freq]
    interval = int(parts.get("INTERVAL", "1"))
    words = [singular if interval == 1 else f"every {interval} {plural}"]
    if days := rule.values("BYDAY"):
        words.append("on " + _listed([_weekday_words(item) for item in days]))
    if month_days := rule.values("BYMONTHDAY"):
        words.append("on " + _listed([_month_day_words(int(item)) for item in month_days]))
    if months := rule.values("BYMONTH"):
        words.append("in " + _listed([_MONTH_NAMES[int(item) - 1] for item in months]))
    if rule.freq != "HOURLY" and mode != "optimal":
        minute = int(parts.get("BYMINUTE", start.minute))
        hours = [int(h) for h in rule.values("BYHOUR")] or [start.hour]
        words.append("at " + _listed([f"{hour:02d}:{minute:02d}" for hour in hours]))
    if rule.freq == "HOURLY":
        words.append(f"at minute {int(parts.get('BYMINUTE', start.minute)):02d}")
        if by_hour := rule.values("BYHOUR"):
            words.append("in hours " + _listed([f"{int(hour):02d}" for hour in by_hour]))
    if time_zone is not None:
        words.append(f"in {time_zone}")
    else:
        words.append("in each user's local time" if mode == "local" else "")
        words.append("at each user's optimal time" if mode == "optimal" else "")
    rest = [f"{name}={value}" for name, value in rule.parts if name not in _DESCRIBED]
    if rest:
        words.append("(" + ";".join(rest) + ")")
    return " ".join(word for word in words if word)


def _weekday_words(item: str) -> str:
    sign, number, day = _BYDAY.match(item).groups()  # type: ignore[union-attr]
    name = _DAY_NAMES[_WEEKDAYS.index(day)]
    return f"the {_ordinal(int(sign + number))} {name}" if number else name


def _month_day_words(day: int) -> str:
    return "the last day" if day == -1 else f"day {day}"


def _ordinal(number: int) -> str:
    if number in _ORDINALS:
        return _ORDINALS[number]
    if number < 0:
        return f"{_ordinal(-number)}-to-last" if -number in _ORDINALS else f"{-number}th-to-last"
    return f"{number}th"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
