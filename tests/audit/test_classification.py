"""Classification of the calendar, with plain data: no ledger, no Braze, no clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.audit.calendar import listing_end_time
from reconciler.audit.report import AuditEntry, AuditReport, Source, Status
from reconciler.state.base import RecordStatus
from tests.audit.helpers import (
    ADVENT,
    NEWSLETTER,
    expectation,
    listed,
    run,
    sample_report,
)
from tests.plan.helpers import NOW, campaign, evolve, message, recorded, send_id


def only(report: AuditReport) -> AuditEntry:
    assert len(report.entries) == 1, report.entries
    return report.entries[0]


# -- managed API schedules ------------------------------------------------------------------


def test_an_applied_schedule_that_matches_is_in_sync() -> None:
    gift = campaign()
    entry = only(run([gift], [recorded(gift, schedule_id="s-1")]))
    assert entry.status is Status.IN_SYNC
    assert entry.source is Source.LEDGER
    assert entry.address == "campaign_schedule/gift-guide"
    assert entry.send_at == "2026-12-05T10:00:00Z"
    assert entry.lifecycle == "pending"
    assert entry.detail == "as applied (Braze cannot list them), schedule_id s-1"
    assert entry.action is None


def test_a_manifest_moved_after_apply_is_a_pending_update() -> None:
    before = campaign(time="2026-12-05T10:00:00Z")
    after = campaign(time="2026-12-05T12:00:00Z")
    entry = only(run([after], [recorded(before)]))
    assert entry.status is Status.PENDING_CHANGE
    assert entry.source is Source.LEDGER
    assert entry.action == "update"
    assert entry.send_at == "2026-12-05T10:00:00Z", "what Braze holds until apply"
    assert entry.desired_send_at == "2026-12-05T12:00:00Z"
    assert entry.detail == (
        "the manifests differ from what was applied (moved +2 h): apply updates it"
    )


def test_a_change_braze_cannot_update_is_a_pending_replace() -> None:
    before = campaign()
    after = campaign(extra="\n  trigger_properties: {discount: 20}")
    entry = only(run([after], [recorded(before)]))
    assert entry.status is Status.PENDING_CHANGE
    assert entry.action == "replace"
    assert entry.desired_send_at is None
    assert "trigger properties changed (Braze cannot update it)" in entry.detail
    assert entry.detail.endswith("apply replaces it")


def test_a_protect_change_is_pending_but_ledger_only() -> None:
    entry = only(run([campaign(protect=True)], [recorded(campaign())]))
    assert entry.status is Status.PENDING_CHANGE
    assert entry.detail == "protect set: apply records it in the ledger (no call to Braze)"


def test_a_manifest_not_applied_yet_is_pending() -> None:
    entry = only(run([message()]))
    assert entry.status is Status.PENDING_CHANGE
    assert entry.source is Source.MANIFEST
    assert entry.action == "create"
    assert entry.send_at == "2026-12-03T15:00:00Z"
    assert entry.detail == "declared at test.yaml:1:1, not applied yet: apply creates it"


def test_a_removed_manifest_is_a_pending_delete() -> None:
    kept = campaign()  # deleting every managed resource would be blocked (--allow-destroy)
    report = run([kept], [recorded(message(), schedule_id="s-9"), recorded(kept)])
    (entry,) = [e for e in report.entries if e.action == "delete"]
    assert entry.status is Status.PENDING_CHANGE
    assert entry.source is Source.LEDGER
    assert entry.action == "delete"
    assert entry.schedule_id == "s-9"
    assert entry.detail == "no longer in the manifests: apply cancels this send"


def test_an_uncertain_create_is_uncertain() -> None:
    record = evolve(recorded(message()), status=RecordStatus.UNCERTAIN, schedule_id=None)
    entry = only(run([message()], [record]))
    assert entry.status is Status.UNCERTAIN
    assert entry.source is Source.LEDGER
    assert entry.send_at == "2026-12-03T15:00:00Z"
    assert "state resolve scheduled_message/flash-sale" in entry.detail


def test_an_update_of_unknown_outcome_is_uncertain() -> None:
    record = evolve(recorded(message(alert="Old")), unknown_outcome="update")
    entry = only(run([message(alert="New")], [record]))
    assert entry.status is Status.UNCERTAIN
    assert entry.detail.startswith("the outcome of the last update is unknown")


def test_an_adopted_schedule_is_pending() -> None:
    adopted = evolve(recorded(campaign()), status=RecordStatus.ADOPTED, body=None, body_hash=None)
    entry = only(run([campaign()], [adopted]))
    assert entry.status is Status.PENDING_CHANGE
    assert entry.detail.startswith("adopted by import")


def test_fired_schedules_are_out() -> None:
    sent = campaign(time="2026-11-30T10:00:00Z")
    assert run([sent], [recorded(sent)]).entries == ()
    tombstone = evolve(recorded(sent), status=RecordStatus.FIRED)
    assert run([sent], [tombstone]).entries == ()
    uncertain = evolve(recorded(sent), status=RecordStatus.UNCERTAIN)
    assert run([sent], [uncertain]).entries == ()


def test_a_sending_local_schedule_is_in() -> None:
    # 09:00 local started at 19:00 UTC the day before (UTC+14) and ends at 21:00 UTC.
    local = campaign(time="2026-12-01T09:00:00", local=True)
    entry = only(run([local], [recorded(local)]))
    assert entry.lifecycle == "sending"
    assert entry.send_at == "2026-11-30T19:00:00Z"
    assert entry.status is Status.IN_SYNC


def test_the_horizon_leaves_out_later_sends_but_keeps_a_move_into_it() -> None:
    late = campaign(time="2026-12-20T10:00:00Z")
    assert run([late], [recorded(late)], horizon=timedelta(days=7)).entries == ()
    assert run([late], horizon=timedelta(days=7)).entries == ()
    early = campaign(time="2026-12-04T10:00:00Z")
    entry = only(run([early], [recorded(late)], horizon=timedelta(days=7)))
    assert entry.status is Status.PENDING_CHANGE
    assert entry.send_at == "2026-12-20T10:00:00Z"
    assert entry.desired_send_at == "2026-12-04T10:00:00Z"
    assert "moved -16 d" in entry.detail


def test_a_frozen_change_says_it_is_blocked() -> None:
    before = campaign(time="2026-12-01T08:10:00Z")
    after = campaign(time="2026-12-01T09:10:00Z")
    entry = only(run([after], [recorded(before)]))
    assert entry.lifecycle == "frozen"
    assert "blocked (frozen)" in entry.detail


def test_send_ids_are_in_only_while_pending() -> None:
    entry = only(run([send_id()]))
    assert entry.status is Status.PENDING_CHANGE
    assert entry.send_at is None
    assert run([send_id()], [recorded(send_id())]).entries == ()


# -- dashboard broadcasts -------------------------------------------------------------------


def test_a_broadcast_no_manifest_declares_is_unexpected() -> None:
    entry = only(run([], [], [listed(tags=["newsletter"])]))
    assert entry.status is Status.UNEXPECTED
    assert entry.source is Source.DASHBOARD
    assert entry.broadcast_id == NEWSLETTER
    assert entry.broadcast_type == "Campaign"
    assert entry.name == "December newsletter"
    assert entry.send_at == "2026-12-03T19:00:00Z"
    assert entry.schedule_time == "2026-12-03T14:00:00-05:00"
    assert entry.tags == ("newsletter",)
    assert "--generate-expectations" in entry.detail


def test_a_declared_broadcast_is_in_sync() -> None:
    declared = expectation(
        "newsletter",
        next_send_time="2026-12-03T19:00:00Z",
        schedule_type="America/New_York",
        title="December newsletter",
    )
    entry = only(run([declared], [], [listed(type_="campaign")]))
    assert entry.status is Status.IN_SYNC
    assert entry.address == "dashboard_schedule/newsletter"
    assert entry.detail == "as declared at test.yaml:1:1"


def test_a_renamed_broadcast_stays_in_sync_and_says_so() -> None:
    declared = expectation("newsletter", title="November newsletter")
    entry = only(run([declared], [], [listed()]))
    assert entry.status is Status.IN_SYNC
    assert entry.detail.endswith("the dashboard now names it 'December newsletter'")


def test_instants_with_zones_must_be_equal() -> None:
    declared = expectation("newsletter", next_send_time="2026-12-03T14:00:00-05:00")
    entry = only(run([declared], [], [listed(next_send_time="2026-12-03T16:00:00-05:00")]))
    assert entry.status is Status.MISMATCHED
    assert entry.expected_next_send_time == "2026-12-03T14:00:00-05:00"
    assert entry.detail == (
        "next send 2026-12-03T16:00:00-05:00, declared 2026-12-03T14:00:00-05:00 (moved +2 h) "
        "(declared at test.yaml:1:1)"
    )


@pytest.mark.parametrize(
    ("declared", "live", "schedule_type", "status"),
    [
        # the older listing form, without zone: the same wall-clock minute
        ("2026-12-03T14:00:00-05:00", "2026-12-03 14:00:00", "America/New_York", Status.IN_SYNC),
        ("2026-12-03T14:00:00-05:00", "2026-12-03 15:00:00", "America/New_York", "mismatched"),
        ("2026-12-01T09:00:00", "2026-12-01T09:00:30", "local_time_zones", Status.IN_SYNC),
        ("2026-12-01T09:00:00", "2026-12-01T09:01:00", "local_time_zones", "mismatched"),
        ("2026-12-03T14:00:00Z", "2026-12-03T15:00:00+01:00", "Europe/Paris", Status.IN_SYNC),
    ],
)
def test_send_times_compare_as_instants_or_wall_clock(
    declared: str, live: str, schedule_type: str, status: str
) -> None:
    report = run(
        [expectation("x", next_send_time=declared)],
        [],
        [listed(next_send_time=live, schedule_type=schedule_type)],
    )
    assert only(report).status == status


def test_another_schedule_type_is_mismatched() -> None:
    declared = expectation("newsletter", schedule_type="local_time_zones")
    entry = only(run([declared], [], [listed()]))
    assert entry.status is Status.MISMATCHED
    assert entry.detail.startswith("schedule type America/New_York, declared local_time_zones")


def test_a_recurring_broadcast_matches_an_expectation_without_time() -> None:
    declared = expectation("advent", canvas_id=ADVENT, schedule_type="local_time_zones")
    for day in ("2026-12-02", "2026-12-09"):
        item = listed(
            ADVENT,
            type_="Canvas",
            next_send_time=f"{day}T09:00:00",
            schedule_type="local_time_zones",
        )
        assert only(run([declared], [], [item])).status is Status.IN_SYNC


def test_a_declared_broadcast_not_listed_is_missing() -> None:
    declared = expectation("newsletter", next_send_time="2026-12-03T14:00:00-05:00")
    entry = only(run([declared]))
    assert entry.status is Status.MISSING
    assert entry.send_at == "2026-12-03T19:00:00Z"
    assert entry.detail == (
        "declared at test.yaml:1:1, but Braze lists no such campaign due by 2027-01-01T00:00:00Z"
    )
    assert only(run([expectation("any-time")])).status is Status.MISSING


def test_a_declared_broadcast_beyond_the_horizon_is_out() -> None:
    declared = expectation("later", next_send_time="2027-02-01T10:00:00Z")
    assert run([declared]).entries == ()


def test_a_declared_local_send_in_progress_is_uncertain_when_not_listed() -> None:
    declared = expectation(
        "advent",
        canvas_id=ADVENT,
        next_send_time="2026-12-01T09:00:00",
        schedule_type="local_time_zones",
    )
    entry = only(run([declared]))
    assert entry.status is Status.UNCERTAIN
    assert entry.lifecycle == "sending"


def test_a_move_just_past_the_horizon_is_mismatched_not_missing() -> None:
    declared = expectation("newsletter", next_send_time="2026-12-07T10:00:00Z")
    item = listed(next_send_time="2026-12-08T10:00:00Z")
    entry = only(run([declared], [], [item], horizon=timedelta(days=6, hours=12)))
    assert entry.status is Status.MISMATCHED
    assert entry.send_at == "2026-12-08T10:00:00Z"


def test_listed_items_beyond_the_horizon_are_out() -> None:
    # Braze answers by whole days: the audit filters the items itself.
    item = listed(next_send_time="2026-12-08T10:00:00Z")
    assert run([], [], [item], horizon=timedelta(days=7)).entries == ()


@pytest.mark.parametrize(
    ("next_send_time", "schedule_type", "send_at"),
    [
        ("2026-12-31 20:00:00", "America/New_York", None),  # 2027-01-01T01:00Z: out
        ("2026-12-31 02:00:00", "America/New_York", "2026-12-31T07:00:00Z"),
        ("2026-12-31T20:00:00", "local_time_zones", "2026-12-31T06:00:00Z"),
        ("2026-12-31T20:00:00", "intelligent_delivery", "2026-12-30T10:00:00Z"),
        ("2026-12-31T20:00:00", "Mars/Olympus_Mons", "2026-12-31T06:00:00Z"),
    ],
)
def test_times_without_zone_use_the_schedule_type(
    next_send_time: str, schedule_type: str, send_at: str | None
) -> None:
    report = run([], [], [listed(next_send_time=next_send_time, schedule_type=schedule_type)])
    if send_at is None:
        assert report.entries == ()
    else:
        assert only(report).send_at == send_at


def test_campaign_and_canvas_ids_do_not_match_each_other() -> None:
    declared = expectation("x", campaign_id=None, canvas_id=NEWSLETTER)
    report = run([declared], [], [listed()])
    assert sorted(e.status.value for e in report.entries) == ["missing", "unexpected"]


def test_two_expectations_of_one_broadcast_match_it_once() -> None:
    exact = expectation("exact", next_send_time="2026-12-03T14:00:00-05:00")
    other = expectation("other", next_send_time="2026-12-04T14:00:00-05:00")
    report = run([other, exact], [], [listed()])
    statuses = {e.address: e.status for e in report.entries}
    assert statuses == {
        "dashboard_schedule/exact": Status.IN_SYNC,
        "dashboard_schedule/other": Status.MISSING,
    }


def test_unreadable_listing_items_are_reported_not_fatal() -> None:
    broken = {"name": "No id", "type": "Campaign"}
    odd_time = listed(next_send_time="next tuesday")
    report = run([], [], [broken, odd_time])
    assert report.warnings == ("scheduled_broadcasts[0] was skipped: id: Field required",)
    entry = only(report)
    assert entry.send_at is None
    assert entry.detail.endswith("its next_send_time 'next tuesday' cannot be read")


# -- the report -----------------------------------------------------------------------------


def test_listing_end_time_is_the_day_after_the_horizon_and_its_earliest_zone() -> None:
    assert listing_end_time(NOW, timedelta(days=30)) == "2027-01-01T00:00:00Z"
    assert listing_end_time(NOW, timedelta(days=7)) == "2026-12-09T00:00:00Z"
    assert listing_end_time(NOW + timedelta(hours=2, minutes=30), timedelta(days=7)) == (
        "2026-12-10T00:00:00Z"
    )


def test_the_report_counts_sorts_and_round_trips() -> None:
    report = sample_report()
    assert report.counts() == {
        "in_sync": 2,
        "pending_change": 3,
        "uncertain": 1,
        "unexpected": 1,
        "missing": 1,
        "mismatched": 1,
    }
    assert report.drift
    keys = [entry.sort_instant for entry in report.entries]
    assert keys == sorted(keys)
    assert [e.address for e in report.entries if e.send_at is None] == [
        "send_id/flash-2026",
        "dashboard_schedule/weekly-digest",
    ], "entries without a time come last"
    data = report.to_dict()
    assert data["format_version"] == 1
    assert data["horizon"] == "30 d"
    assert data["horizon_end"] == "2026-12-31T08:00:00Z"
    assert AuditReport.from_dict(data) == report


def test_a_report_with_only_in_sync_entries_has_no_drift() -> None:
    gift = campaign()
    report = run([gift], [recorded(gift)])
    assert not report.drift
    assert run().entries == ()
    assert not run().drift


def test_from_dict_refuses_another_format_version() -> None:
    data = sample_report().to_dict()
    with pytest.raises(ValueError, match="unsupported audit format_version 2"):
        AuditReport.from_dict({**data, "format_version": 2})
    entry = data["entries"][0] | {"surprise": 1}
    with pytest.raises(ValueError, match="unknown audit entry field"):
        AuditEntry.from_dict(entry)
