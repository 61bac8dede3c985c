"""Recurring sends end to end: ten weeks of nightly applies against the emulator, its clock
moved a day at a time, across the US and EU daylight-saving changes and a southern-hemisphere
zone, with a rule edited mid-way, a manifest removed, and faults in the applies: every
occurrence gets exactly one Braze schedule, none is missed, none is made twice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.e2e.conftest import CAMPAIGN, CANVAS, Project

START = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)  # nightly applies at 02:00 UTC
DAYS = 70  # through 2027-04-11: US DST 03-14, EU DST 03-28, Sydney back to standard 04-04
EDIT_DAY = 35  # 2027-03-08: the New York digest moves from 09:00 to 10:00
REMOVE_DAY = 50  # 2027-03-23: the Sydney manifest is removed
FAULT_DAYS = {10: "500", 20: "drop_after_commit", 44: "503"}
FAST = ("--auto-approve",)


def digest(hour: int) -> str:
    return f"""kind: CampaignSchedule
name: digest-ny
recurrence:
  rule: FREQ=WEEKLY;BYDAY=MO
  start: 2027-02-01T{hour:02d}:00:00
  time_zone: America/New_York
spec:
  campaign_id: {CAMPAIGN}
  recipients: [{{external_user_id: user-1}}]
"""


DAILY_EU = f"""kind: CanvasSchedule
name: daily-berlin
recurrence:
  rule: FREQ=DAILY
  start: 2027-02-01T08:30:00
  time_zone: Europe/Berlin
  until: 2027-04-12
spec:
  canvas_id: {CANVAS}
  recipients: [{{external_user_id: user-1}}]
  context: {{offer: WINTER}}
"""

SYDNEY = f"""kind: CampaignSchedule
name: sydney
recurrence:
  rule: FREQ=WEEKLY;BYDAY=MO,TH
  start: 2027-02-01T07:00:00
  time_zone: Australia/Sydney
spec:
  campaign_id: {CAMPAIGN}
  recipients: [{{external_user_id: user-1}}]
  trigger_properties: {{region: au}}
"""


def wall(day: date, at: time, zone: str) -> str:
    instant = datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def expected(first: datetime, last: datetime) -> Counter[str]:
    """Computed here with zoneinfo alone: the instants every occurrence sends at."""
    edit = START + timedelta(days=EDIT_DAY)
    removed = START + timedelta(days=REMOVE_DAY)
    sends: Counter[str] = Counter()
    day = date(2027, 1, 31)
    while day <= date(2027, 4, 30):
        if day.weekday() == 0:
            hour = 9
            at = datetime.fromisoformat(wall(day, time(9), "America/New_York"))
            if at > edit:  # occurrences after the edit send at 10:00
                hour = 10
            sends[f"ny {wall(day, time(hour), 'America/New_York')}"] += 1
        if date(2027, 2, 1) <= day <= date(2027, 4, 12):
            sends[f"eu {wall(day, time(8, 30), 'Europe/Berlin')}"] += 1
        if day.weekday() in (0, 3) and day >= date(2027, 2, 1):
            sent = wall(day, time(7), "Australia/Sydney")
            if datetime.fromisoformat(sent) < removed:
                sends[f"au {sent}"] += 1
        day += timedelta(days=1)
    return Counter(
        {k: n for k, n in sends.items() if first <= datetime.fromisoformat(k[3:]) <= last}
    )


def label(schedule: dict[str, object]) -> str:
    body = schedule["body"]
    assert isinstance(body, dict)
    if body.get("canvas_id"):
        return f"eu {body['schedule']['time']}"
    region = "au" if body.get("trigger_properties") else "ny"
    return f"{region} {body['schedule']['time']}"


def test_ten_weeks_of_nightly_applies_make_one_schedule_per_occurrence(project: Project) -> None:
    project.write("digest.yaml", digest(9))
    project.write("daily.yaml", DAILY_EU)
    project.write("sydney.yaml", SYDNEY)
    admin = project.emulator.admin
    for day in range(DAYS):
        now = START + timedelta(days=day)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        admin.set_clock(now)
        if day == EDIT_DAY:
            project.write("digest.yaml", digest(10))
        if day == REMOVE_DAY:
            project.remove("sydney.yaml")
        extra = ("--allow-destroy",) if day == REMOVE_DAY else ()
        fault = FAULT_DAYS.get(day)
        if fault is not None:
            admin.set_faults([{"endpoint": "*/create", "fault": fault, "count": 1}])
        result = project.run("apply", str(project.manifests), *FAST, *extra, now=stamp)
        admin.set_faults([])
        if fault is None:
            assert result.code == 0, (day, result.stdout, result.stderr)
            assert "missed occurrence" not in result.stdout + result.stderr, day
            continue
        # A 500 or 503 is retried or fails (the create is tried again); a dropped answer
        # leaves the create uncertain, blocked until a person settles it.
        assert result.code in (0, 7), (day, result.stdout, result.stderr)
        if fault == "drop_after_commit":
            assert result.code == 7, (day, result.stdout, result.stderr)
            # The person finds it in Braze (the emulator says so) and records it.
            _resolve_uncertain(project, stamp)
        again = project.run("apply", str(project.manifests), *FAST, now=stamp)
        assert again.code == 0, (day, again.stdout, again.stderr)
    end = START + timedelta(days=DAYS)
    admin.set_clock(end)
    kept = [s for s in project.schedules() if s["status"] != "deleted"]
    made = Counter(label(s) for s in kept)
    assert max(made.values()) == 1, [k for k, n in made.items() if n > 1]
    # Every occurrence that has sent by the end, and every one the last apply scheduled.
    want = expected(START, end + timedelta(days=14))
    sent = {k for k in want if datetime.fromisoformat(k[3:]) <= end}
    assert sent <= set(made), sorted(sent - set(made))
    assert set(made) <= set(want), sorted(set(made) - set(want))
    # The zones moved: New York 14:00Z before 03-14, 13:00Z after (the edit: 15:00Z, 14:00Z).
    assert "ny 2027-03-01T14:00:00Z" in made
    assert "ny 2027-03-08T15:00:00Z" in made
    assert "ny 2027-03-15T14:00:00Z" in made
    assert "eu 2027-03-27T07:30:00Z" in made
    assert "eu 2027-03-28T06:30:00Z" in made
    assert "au 2027-03-21T20:00:00Z" in made  # Monday 03-22 07:00 AEDT (UTC+11)
    assert not any(k.startswith("au") and k > "au 2027-03-23" for k in made)
    # Nothing left to do, and no schedule left behind by the removed manifest.
    final = project.run(
        "plan",
        str(project.manifests),
        "--detailed-exitcode",
        now=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    assert final.code in (0, 2), final.stdout + final.stderr


def _resolve_uncertain(project: Project, stamp: str) -> None:
    shown = project.run("state", "list", "--format", "json")
    assert shown.code == 0, shown.stderr
    import json

    records = json.loads(shown.stdout)
    rows = records if isinstance(records, list) else records.get("records", [])
    uncertain = [r for r in rows if r.get("status") == "uncertain"]
    assert len(uncertain) == 1, rows
    address = uncertain[0]["address"]
    body_time = uncertain[0].get("schedule_time")
    live = [
        s
        for s in project.schedules()
        if s["status"] == "scheduled" and s["body"]["schedule"]["time"] == body_time
    ]
    assert len(live) == 1, live
    resolved = project.run("state", "resolve", address, "--schedule-id", live[0]["schedule_id"])
    assert resolved.code == 0, resolved.stdout + resolved.stderr


def test_the_audit_lists_occurrences_past_the_window_and_writes_a_calendar(
    project: Project,
) -> None:
    import json

    from icalendar import Calendar

    project.write("digest.yaml", digest(9))
    stamp = "2027-02-01T02:00:00Z"
    project.emulator.admin.set_clock(stamp)
    assert project.run("apply", str(project.manifests), *FAST, now=stamp).code == 0
    audit = project.run(
        "audit", str(project.manifests), "--horizon", "60d", "--format", "json", now=stamp
    )
    assert audit.code == 0, audit.stderr
    entries = {e["address"]: e for e in json.loads(audit.stdout)["entries"] if e["address"]}
    ours = sorted(a for a in entries if a.startswith("campaign_schedule/digest-ny@"))
    assert len(ours) == 9  # 2027-02-01 to 2027-03-29: 14 days applied, the rest later
    assert entries["campaign_schedule/digest-ny@2027-02-08"]["source"] == "ledger"
    later = entries["campaign_schedule/digest-ny@2027-03-29"]
    assert (later["status"], later["source"]) == ("in_sync", "manifest")
    assert later["send_at"] == "2027-03-29T13:00:00Z"  # 09:00 EDT

    def calendar() -> Calendar:
        result = project.run(
            "audit", str(project.manifests), "--horizon", "60d", "--format", "ics", now=stamp
        )
        assert result.code == 0, result.stderr
        return Calendar.from_ical(result.stdout)

    first = calendar()
    events = {str(e["uid"]): e for e in first.walk("VEVENT")}
    uid = "default/campaign_schedule/digest-ny@2027-02-08@braze-reconciler"
    event = events[uid]
    assert event.decoded("dtstart").isoformat() == "2027-02-08T14:00:00+00:00"
    description = str(event["description"])
    assert "kind: CampaignSchedule" in description
    assert "status: in_sync" in description
    assert "drift: none" in description
    assert any(u.startswith("default/dashboard/") for u in events)  # the demo's broadcasts
    # The same sends give the same UIDs: a subscribed calendar updates in place.
    assert {str(e["uid"]) for e in calendar().walk("VEVENT")} == set(events)
