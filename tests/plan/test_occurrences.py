"""The planner and the occurrences of recurring manifests (docs/decisions.md, "Recurring
sends"): missed occurrences are warnings, recorded ones past the window are kept, removed ones
are deleted, and one that is under way is never touched."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reconciler.manifest.loader import LoadResult, load_manifests
from reconciler.plan import planner
from reconciler.plan.model import Action, BlockCode, Plan, PlanOptions
from reconciler.plan.reasons import NoteCode
from reconciler.render.json_render import plan_document
from reconciler.state.base import Record
from tests.plan.helpers import CAMPAIGN, recorded, through_json

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # a Tuesday
RULE = "campaign_schedule/weekly-digest"


def weekly(time: str = "09:00:00", extra: str = "", local: bool = False) -> str:
    zone = "in_local_time: true" if local else "time_zone: America/New_York"
    return f"""kind: CampaignSchedule
name: weekly-digest
recurrence:
  rule: FREQ=WEEKLY;BYDAY=MO
  start: 2026-11-02T{time}
  {zone}
  until: 2027-03-31{extra}
spec:
  campaign_id: {CAMPAIGN}
  broadcast: true
"""


def load(tmp_path: Path, text: str | None, now: datetime = NOW, **kw: timedelta) -> LoadResult:
    path = tmp_path / "m.yaml"
    path.write_text(text if text is not None else "", encoding="utf-8")
    return load_manifests([path], now, kw.get("default_horizon"))


def plan_of(
    load_result: LoadResult,
    records: dict[str, Record],
    now: datetime = NOW,
    options: PlanOptions | None = None,
) -> Plan:
    desired = {r.address: r for r in load_result.resources}
    return planner.plan(desired, records, now, options, load_result.declares)


def applied(load_result: LoadResult) -> dict[str, Record]:
    return {r.address: recorded(r, schedule_id=f"s-{r.name}") for r in load_result.resources}


def test_occurrences_entering_the_horizon_are_creates_of_their_rule(tmp_path: Path) -> None:
    result = plan_of(load(tmp_path, weekly()), {})
    assert [(c.address, c.action, c.rule) for c in result.changes] == [
        (f"{RULE}@2026-12-07", Action.CREATE, RULE),
        (f"{RULE}@2026-12-14", Action.CREATE, RULE),
    ]
    assert result.changes[0].rule_summary == "weekly on Monday at 09:00 in America/New_York"
    assert result.changes[0].schedule_time == "2026-12-07T14:00:00Z"
    assert through_json(result).changes[0].rule == RULE


def test_a_missed_occurrence_is_a_warning_not_a_blocked_create(tmp_path: Path) -> None:
    frozen = datetime(2026, 12, 7, 13, 50, tzinfo=UTC)
    result = plan_of(load(tmp_path, weekly(), frozen), {}, frozen)
    assert [c.address for c in result.changes] == [f"{RULE}@2026-12-14"]
    assert not result.blocked
    (warning,) = result.warnings
    assert warning.startswith(f"{RULE}@2026-12-07: missed occurrence, never scheduled")
    assert "in 10 min" in warning
    assert "--allow-late" in warning
    late = plan_of(load(tmp_path, weekly(), frozen), {}, frozen, PlanOptions(allow_late=True))
    assert [c.action for c in late.changes] == [Action.CREATE, Action.CREATE]
    # A local-time occurrence that has started in some zone is missed too, never created.
    sending = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    local = plan_of(load(tmp_path, weekly(local=True), sending), {}, sending)
    assert [c.address for c in local.changes] == [f"{RULE}@2026-12-14", f"{RULE}@2026-12-21"]
    assert "is sending since 2026-12-06T19:00:00Z" in local.warnings[0]


def test_recorded_occurrences_past_the_window_are_kept(tmp_path: Path) -> None:
    wide = load(tmp_path, weekly(), default_horizon=timedelta(days=30))
    records = applied(wide)
    assert len(records) == 4
    narrow = plan_of(load(tmp_path, weekly()), records)
    assert {c.action for c in narrow.changes} == {Action.NOOP}
    assert len(narrow.changes) == 4
    assert not narrow.has_changes
    # The rule moves to 10:00: every pending occurrence is updated, in the window or not.
    moved = plan_of(load(tmp_path, weekly("10:00:00")), records)
    assert [c.action for c in moved.changes] == [Action.UPDATE] * 4
    assert moved.changes[3].schedule_time == "2026-12-28T15:00:00Z"


def test_occurrences_the_rule_no_longer_declares_are_deleted(tmp_path: Path) -> None:
    records = applied(load(tmp_path, weekly()))
    skipped = plan_of(load(tmp_path, weekly(extra="\n  except: [2026-12-14]")), records)
    assert [(c.address, c.action) for c in skipped.changes] == [
        (f"{RULE}@2026-12-07", Action.NOOP),
        (f"{RULE}@2026-12-14", Action.DELETE),
    ]
    assert skipped.changes[1].rule == RULE
    assert skipped.changes[1].rule_summary is None
    # Removing the manifest deletes every occurrence: the destroy gate counts them.
    gone = plan_of(load(tmp_path, None), records)
    assert [c.action for c in gone.changes] == [Action.DELETE, Action.DELETE]
    assert all(c.blocked and c.blocked.code is BlockCode.DESTROY_THRESHOLD for c in gone.changes)
    allowed = plan_of(load(tmp_path, None), records, options=PlanOptions(allow_destroy=True))
    assert not allowed.blocked


def test_an_occurrence_under_way_is_never_touched(tmp_path: Path) -> None:
    records = applied(load(tmp_path, weekly(local=True)))
    sending = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # 09:00 has passed in Kiritimati
    moved = plan_of(load(tmp_path, weekly("10:00:00", local=True), sending), records, sending)
    first, second, third = moved.changes
    assert (first.action, first.notes) == (Action.NOOP, (NoteCode.OCCURRENCE_KEPT_SENDING,))
    assert (second.action, third.action) == (Action.UPDATE, Action.CREATE)
    assert not moved.blocked
    # Removed while sending: kept, unless a person asks for the emergency stop.
    gone = plan_of(load(tmp_path, None), records, sending, PlanOptions(allow_destroy=True))
    assert gone.changes[0].action is Action.NOOP
    assert not gone.blocked
    stop = PlanOptions(allow_destroy=True, allow_late=True)
    assert plan_of(load(tmp_path, None), records, sending, stop).changes[0].action is Action.DELETE
    # Frozen: a moved rule leaves it as it is, a removal is blocked as late.
    utc = applied(load(tmp_path, weekly()))
    frozen = datetime(2026, 12, 7, 13, 50, tzinfo=UTC)
    kept = plan_of(load(tmp_path, weekly("10:00:00"), frozen), utc, frozen)
    assert kept.changes[0].notes == (NoteCode.OCCURRENCE_KEPT_FROZEN,)
    removed = plan_of(load(tmp_path, None), utc, frozen, PlanOptions(allow_destroy=True))
    assert removed.changes[0].blocked
    assert removed.changes[0].blocked.code is BlockCode.FROZEN


def test_sent_occurrences_are_forgotten(tmp_path: Path) -> None:
    records = applied(load(tmp_path, weekly()))
    later = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    result = plan_of(load(tmp_path, weekly(), later), records, later)
    assert [(c.address, c.action) for c in result.changes] == [
        (f"{RULE}@2026-12-07", Action.FORGET),
        (f"{RULE}@2026-12-14", Action.NOOP),
        (f"{RULE}@2026-12-21", Action.CREATE),
    ]
    assert result.changes[0].is_housekeeping


def test_a_rule_target_selects_its_occurrences(tmp_path: Path) -> None:
    result = plan_of(load(tmp_path, weekly()), {}, options=PlanOptions(targets=(RULE,)))
    assert len(result.changes) == 2
    other = plan_of(load(tmp_path, weekly()), {}, options=PlanOptions(targets=("x/y",)))
    assert other.changes == ()
    desired = {r.address: r for r in load(tmp_path, weekly()).resources}
    assert planner.unmatched_targets(desired, {}, (RULE,)) == []


def test_the_horizon_is_saved_only_when_given(tmp_path: Path) -> None:
    result = plan_of(load(tmp_path, weekly()), {})
    assert "horizon_seconds" not in json.dumps(plan_document(result))
    options = PlanOptions(horizon_seconds=30 * 86400)
    assert result.options.horizon is None
    assert options.horizon == timedelta(days=30)
    saved = through_json(result.evolve(options=options))
    assert saved.options.horizon == timedelta(days=30)


def test_text_and_markdown_group_a_rules_occurrences(tmp_path: Path) -> None:
    from reconciler.render.markdown import render_markdown
    from reconciler.render.text import render_text

    result = plan_of(load(tmp_path, weekly()), {})
    heading = (
        "weekly-digest: 2 new, next 2026-12-07 14:00 UTC; weekly on Monday at 09:00 in "
        "America/New_York"
    )
    text = render_text(result)
    assert f"[bold]{heading}[/]" in text
    assert text.index(heading) < text.index("weekly-digest@2026-12-07")
    assert f"| 🔁 | **{heading}** | | | |" in render_markdown(result)
    # JSON keeps one change per occurrence, each naming its rule.
    changes = plan_document(result)["changes"]
    assert [c["rule"] for c in changes] == [RULE, RULE]


def test_a_rule_moved_earlier_than_now_keeps_todays_occurrence(tmp_path: Path) -> None:
    """09:00 New York (14:00Z) moved to 08:00 (13:00Z) at 13:30Z: today's occurrence is not
    moved into the past, nor is the plan blocked (a nightly apply would stop); it is kept as
    scheduled, and later occurrences move."""
    utc = applied(load(tmp_path, weekly()))
    between = datetime(2026, 12, 7, 13, 30, tzinfo=UTC)
    moved = plan_of(load(tmp_path, weekly("08:00:00"), between), utc, between)
    today, *later = moved.changes
    assert (today.action, today.notes) == (Action.NOOP, (NoteCode.OCCURRENCE_KEPT_PAST,))
    assert [c.action for c in later] == [Action.UPDATE, Action.CREATE]
    assert not moved.blocked


def test_the_pull_request_comment_shows_an_occurrence_kept_as_scheduled(tmp_path: Path) -> None:
    """The text plan says an occurrence stays at its time while its rule moves; the Markdown
    comment a reviewer reads must say so too, not only that later ones move."""
    from reconciler.render.markdown import render_markdown
    from reconciler.render.text import render_text

    utc = applied(load(tmp_path, weekly()))
    frozen = datetime(2026, 12, 7, 13, 50, tzinfo=UTC)
    kept = plan_of(load(tmp_path, weekly("10:00:00"), frozen), utc, frozen)
    for rendered in (render_markdown(kept), render_text(kept)):
        assert "1 kept as scheduled, 1 moved" in rendered
        assert "weekly-digest@2026-12-07" in rendered
        assert "inside the freeze window: it is kept as scheduled" in rendered


def test_a_rule_moved_to_other_days_is_not_an_emptied_workspace(tmp_path: Path) -> None:
    """Monday to Tuesday deletes every recorded occurrence and creates new ones: the rule is
    still declared, so the delete-everything gate (meant for a wrong path) stays quiet, while
    removing the manifest still trips it."""
    records = applied(load(tmp_path, weekly()))
    tuesday = weekly().replace("BYDAY=MO", "BYDAY=TU").replace("2026-11-02T", "2026-11-03T")
    moved = plan_of(load(tmp_path, tuesday), records)
    assert sorted(c.action for c in moved.changes) == sorted(
        [Action.CREATE, Action.CREATE, Action.DELETE, Action.DELETE]
    )
    assert not moved.blocked
    gone = plan_of(load(tmp_path, None), records)
    assert all(c.blocked and c.blocked.code is BlockCode.DESTROY_THRESHOLD for c in gone.changes)


def test_a_rule_moved_after_this_weeks_send_warns_of_the_second_send(tmp_path: Path) -> None:
    """Monday to Wednesday on a Tuesday: Monday's message has gone out, and Wednesday's create
    is right but sends its recipients a second message two days later; the plan says so, with
    the key to skip. Nothing sent yet, or an unchanged rule, says nothing."""
    records = applied(load(tmp_path, weekly()))
    tuesday = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    wednesday = weekly().replace("BYDAY=MO", "BYDAY=WE").replace("2026-11-02T", "2026-11-04T")
    moved = plan_of(load(tmp_path, wednesday, tuesday), records, tuesday)
    assert [(c.address, c.action) for c in moved.changes] == [
        (f"{RULE}@2026-12-07", Action.FORGET),
        (f"{RULE}@2026-12-09", Action.CREATE),
        (f"{RULE}@2026-12-14", Action.DELETE),
        (f"{RULE}@2026-12-16", Action.CREATE),
    ]
    (warning,) = moved.warnings
    assert warning == (
        f"{RULE}@2026-12-09: the rule's edit adds a send 2 d after {RULE}@2026-12-07, which has "
        "sent (2026-12-07T14:00:00Z), sooner than the rule's 7 d between sends: its recipients "
        "get both; to skip it, add 2026-12-09 to the rule's except"
    )
    before_any_send = plan_of(load(tmp_path, wednesday), records)
    assert before_any_send.warnings == ()
    unchanged = plan_of(load(tmp_path, weekly(), tuesday), records, tuesday)
    assert unchanged.warnings == ()
    skipped = wednesday.replace("until: 2027-03-31", "until: 2027-03-31\n  except: [2026-12-09]")
    assert plan_of(load(tmp_path, skipped, tuesday), records, tuesday).warnings == ()
