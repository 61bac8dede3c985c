"""What ``plan`` shows of calls a dead run left open is what ``apply`` records once it has
recovered them: one rule (``state.interrupted``) for both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from reconciler.canonical import content_hash
from reconciler.service.ledger import read_ledger
from reconciler.state import RecordStatus, StateStore
from reconciler.state.sqlite import SqliteStore
from reconciler.timeutil import FixedClock
from tests.state.helpers import body, full_record

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def begin(store: StateStore, address: str, kind: str, action: str) -> None:
    sent = body(address) if kind == "CanvasSchedule" else {"campaign_id": "c", "send_id": "s"}
    store.begin(
        address=address,
        kind=kind,
        action=action,
        endpoint=f"/{action}",
        body=sent,
        body_hash=content_hash(sent),
        run_id="dead-run",
    )


def test_the_plan_shows_what_recovery_records(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db", "default", clock=FixedClock(NOW))
    try:
        for address in ("updated", "deleted", "renamed", "replaced"):
            store.put(full_record(address))
        begin(store, "created", "CanvasSchedule", "create")
        begin(store, "replaced", "CanvasSchedule", "create")
        begin(store, "updated", "CanvasSchedule", "update")
        begin(store, "deleted", "CanvasSchedule", "delete")
        begin(store, "removed-since", "CanvasSchedule", "update")
        begin(store, "renamed", "CanvasSchedule", "rename")
        begin(store, "send_id/s", "SendId", "create")

        shown = read_ledger(store)
        assert len(shown.interrupted) == 7
        store.recover_interrupted()

        assert shown.records == store.records()
        statuses = {a: (r.status, r.unknown_outcome) for a, r in shown.records.items()}
        assert statuses == {
            "created": (RecordStatus.UNCERTAIN, None),
            "replaced": (RecordStatus.UNCERTAIN, None),
            "updated": (RecordStatus.ACTIVE, "update"),
            "deleted": (RecordStatus.ACTIVE, "delete"),
            "renamed": (RecordStatus.ACTIVE, None),
        }
        assert store.intents(open_only=True) == []
    finally:
        store.close()


def test_recovery_takes_a_kind_it_does_not_know_as_one_that_sends(tmp_path: Path) -> None:
    """A create journaled by a newer version, of a kind this one does not know: recovery
    must not fail (every apply would), and it keeps the body as an uncertain record."""
    store = SqliteStore(tmp_path / "state.db", "default", clock=FixedClock(NOW))
    try:
        begin(store, "future_kind/x", "FutureKind", "create")
        store.recover_interrupted()
        record = store.records()["future_kind/x"]
        assert (record.status, record.parent_id) == (RecordStatus.UNCERTAIN, None)
    finally:
        store.close()
