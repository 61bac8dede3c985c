"""The ledger's behaviour, identical on SQLite and PostgreSQL (see conftest)."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from reconciler.canonical import content_hash
from reconciler.errors import EndpointMismatchError, LedgerError
from reconciler.state import Outcome, Record, RecordStatus, StateStore
from reconciler.state.sql import SCHEMA_VERSION
from reconciler.state.sqlstore import SqlStore
from tests.state.conftest import OpenLedger
from tests.state.helpers import body, full_record


def begin_create(store: StateStore, address: str, *, run_id: str = "run-1") -> int:
    sent = body(address)
    return store.begin(
        address=address,
        kind="CanvasSchedule",
        action="create",
        endpoint="/canvas/trigger/schedule/create",
        body=sent,
        body_hash=content_hash(sent),
        run_id=run_id,
    )


def serial(store: StateStore) -> int:
    return store.info().serial


# -- records -----------------------------------------------------------------------------------


def test_a_fresh_workspace_is_empty(store: StateStore) -> None:
    info = store.info()

    assert (info.name, info.serial, info.endpoint, info.created_at) == ("default", 0, None, None)
    assert store.records() == {}
    assert store.get("canvas_schedule/a") is None
    assert store.intents() == []
    assert store.current_lock() is None


def test_put_get_and_records_round_trip_exactly(store: StateStore) -> None:
    records = [
        full_record("canvas_schedule/b"),
        full_record("canvas_schedule/a", body=None, status=RecordStatus.ADOPTED, labels={}),
        Record("scheduled_message/bare", "ScheduledMessage", RecordStatus.FIRED),
    ]
    for record in records:
        store.put(record)

    assert store.records() == {r.address: r for r in records}
    assert list(store.records()) == sorted(r.address for r in records)
    assert store.get("canvas_schedule/b") == records[0]


def test_put_replaces_the_whole_record(store: StateStore) -> None:
    store.put(full_record("a"))
    replacement = Record("a", "CanvasSchedule", RecordStatus.UNCERTAIN)

    store.put(replacement)

    assert store.get("a") == replacement


def test_remove(store: StateStore) -> None:
    store.put(full_record("a"))

    assert store.remove("a") is True
    assert store.remove("a") is False
    assert store.get("a") is None


def test_every_write_increments_the_serial(store: StateStore) -> None:
    steps: list[Callable[[], object]] = [
        lambda: store.bind("https://rest.iad-01.braze.com", "salt", "scrypt:00"),
        lambda: store.put(full_record("a")),
        lambda: store.remove("a"),
        lambda: begin_create(store, "b", run_id="dead-run"),
        lambda: store.complete(begin_create(store, "c"), Outcome.FAILED),
        lambda: store.recover_interrupted(current_run_id="run-1"),
    ]
    expected = 0
    for step, writes in zip(steps, [1, 1, 1, 1, 2, 1], strict=True):
        step()
        expected += writes
        assert serial(store) == expected


def test_reads_locks_and_no_op_writes_leave_the_serial_alone(store: StateStore) -> None:
    store.put(full_record("a"))

    store.records()
    store.intents()
    assert store.remove("missing") is False
    assert store.recover_interrupted() == []
    with store.locked("apply", "me"):
        pass

    assert serial(store) == 1


def test_bind_records_the_endpoint_and_updates_the_fingerprint(store: StateStore) -> None:
    store.bind("https://rest.iad-01.braze.com", "salt-1", "scrypt:aa")
    store.bind("https://rest.iad-01.braze.com", "salt-2", "scrypt:bb")

    info = store.info()
    assert (info.endpoint, info.key_salt, info.key_fingerprint) == (
        "https://rest.iad-01.braze.com",
        "salt-2",
        "scrypt:bb",
    )
    assert info.created_at is not None
    assert info.created_at.tzinfo is not None


def test_bind_refuses_another_endpoint(store: StateStore) -> None:
    store.bind("https://rest.iad-01.braze.com", "salt", "scrypt:aa")

    with pytest.raises(EndpointMismatchError) as caught:
        store.bind("http://127.0.0.1:4000", "salt", "scrypt:aa")

    assert caught.value.message == (
        f"workspace 'default' of {store.url} is bound to https://rest.iad-01.braze.com, "
        "not http://127.0.0.1:4000"
    )
    assert store.info().endpoint == "https://rest.iad-01.braze.com"
    assert serial(store) == 1


# -- the journal -------------------------------------------------------------------------------


def test_begin_records_an_open_intent(store: StateStore) -> None:
    before = datetime.now(UTC)

    intent_id = begin_create(store, "a")

    [intent] = store.intents()
    assert intent.intent_id == intent_id
    assert (intent.address, intent.kind, intent.action, intent.run_id) == (
        "a",
        "CanvasSchedule",
        "create",
        "run-1",
    )
    assert intent.endpoint == "/canvas/trigger/schedule/create"
    assert intent.body == body("a")
    assert intent.body_hash == content_hash(body("a"))
    assert before <= intent.started_at <= datetime.now(UTC)
    assert (intent.outcome, intent.message, intent.finished_at) == (None, None, None)
    assert store.intents(open_only=True) == [intent]


def test_complete_records_the_outcome_and_the_record_together(store: StateStore) -> None:
    intent_id = begin_create(store, "a")
    record = full_record("a")

    store.complete(intent_id, Outcome.SUCCEEDED, message="created", put=record)

    [intent] = store.intents()
    assert (intent.outcome, intent.message) == (Outcome.SUCCEEDED, "created")
    assert intent.finished_at is not None
    assert store.intents(open_only=True) == []
    assert store.get("a") == record
    assert serial(store) == 2


def test_complete_can_drop_and_put_in_one_transaction(store: StateStore) -> None:
    store.put(full_record("old"))
    intent_id = store.begin(
        address="old",
        kind="CanvasSchedule",
        action="delete",
        endpoint="/canvas/trigger/schedule/delete",
        body={"canvas_id": "c", "schedule_id": "sched-old"},
        body_hash="sha256:x",
        run_id="run-1",
    )

    store.complete(intent_id, Outcome.SUCCEEDED, drop="old", put=full_record("new"))

    assert list(store.records()) == ["new"]


def test_a_failing_complete_changes_nothing(store: StateStore) -> None:
    intent_id = begin_create(store, "a")
    naive = full_record("a", created_at=datetime(2026, 1, 1))  # rejected inside the transaction

    with pytest.raises(ValueError, match="naive"):
        store.complete(intent_id, Outcome.SUCCEEDED, put=naive, drop="a")

    assert [i.intent_id for i in store.intents(open_only=True)] == [intent_id]
    assert store.records() == {}
    assert serial(store) == 1


def test_complete_of_an_unknown_intent_is_a_ledger_error(store: StateStore) -> None:
    with pytest.raises(LedgerError) as caught:
        store.complete(999, Outcome.SUCCEEDED, put=full_record("a"))

    assert caught.value.message == "intent 999 is not in workspace 'default'"
    assert store.records() == {}
    assert serial(store) == 0


def test_a_late_outcome_still_wins_over_recovery(
    store: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    intent_id = begin_create(store, "a", run_id="slow-run")
    store.recover_interrupted()

    with caplog.at_level(logging.WARNING):
        store.complete(intent_id, Outcome.SUCCEEDED, put=full_record("a"))

    assert store.intents()[0].outcome is Outcome.SUCCEEDED
    assert store.get("a") == full_record("a")
    assert f"intent {intent_id} was already closed as interrupted" in caplog.text


def test_intents_filter_by_address_and_keep_order(store: StateStore) -> None:
    first = begin_create(store, "a")
    begin_create(store, "b")
    third = begin_create(store, "a")
    store.complete(first, Outcome.UNKNOWN, message="timeout")

    assert [i.intent_id for i in store.intents("a")] == [first, third]
    assert [i.intent_id for i in store.intents("a", open_only=True)] == [third]
    assert [i.address for i in store.intents(open_only=True)] == ["b", "a"]


# -- recovery ----------------------------------------------------------------------------------


def test_recover_makes_an_interrupted_create_uncertain(store: StateStore) -> None:
    sent = body("teaser", local=True)
    intent_id = store.begin(
        address="canvas_schedule/teaser",
        kind="CanvasSchedule",
        action="create",
        endpoint="/canvas/trigger/schedule/create",
        body=sent,
        body_hash=content_hash(sent),
        run_id="dead-run",
    )

    [intent] = store.recover_interrupted(current_run_id="run-2")

    assert intent.intent_id == intent_id
    assert intent.outcome is Outcome.INTERRUPTED
    assert intent.message == "interrupted: run dead-run ended before recording an outcome"
    assert store.intents() == [intent]
    record = store.get("canvas_schedule/teaser")
    assert record is not None
    assert record.created_at is not None
    assert record == Record(
        address="canvas_schedule/teaser",
        kind="CanvasSchedule",
        status=RecordStatus.UNCERTAIN,
        parent_id="canvas-teaser",
        body=sent,
        body_hash=content_hash(sent),
        schedule_time="2026-11-27T09:00:00",
        schedule_mode="local",
        created_at=record.created_at,
        updated_at=record.created_at,
    )


def test_recover_describes_the_create_that_was_sent_over_an_existing_record(
    store: StateStore,
) -> None:
    # e.g. a fired tombstone: its past time must not let the plan forget the new create
    existing = full_record("a", body=None)
    store.put(existing)
    begin_create(store, "a", run_id="dead-run")

    store.recover_interrupted()

    record = store.get("a")
    assert record is not None
    sent = body("a")
    assert record.status is RecordStatus.UNCERTAIN
    assert (record.body, record.body_hash) == (sent, content_hash(sent))
    assert record.schedule_time == sent["schedule"]["time"]
    assert record.schedule_id is None
    # the ledger's own fields are kept
    assert (record.protect, record.labels, record.created_at) == (
        existing.protect,
        existing.labels,
        existing.created_at,
    )


def test_recover_leaves_an_interrupted_send_id_create_to_be_made_again(
    store: StateStore,
) -> None:
    store.begin(
        address="send_id/flash",
        kind="SendId",
        action="create",
        endpoint="/sends/id/create",
        body={"campaign_id": "c", "send_id": "flash"},
        body_hash="sha256:x",
        run_id="dead-run",
    )
    store.recover_interrupted()
    assert store.get("send_id/flash") is None
    assert store.intents(open_only=True) == []


@pytest.mark.parametrize("action", ["update", "delete"])
def test_recover_marks_an_interrupted_update_or_delete(store: StateStore, action: str) -> None:
    existing = full_record("a")
    store.put(existing)
    store.begin(
        address="a",
        kind="CanvasSchedule",
        action=action,
        endpoint=f"/canvas/trigger/schedule/{action}",
        body={"canvas_id": "canvas-a", "schedule_id": "sched-a"},
        body_hash="sha256:x",
        run_id="dead-run",
    )

    [intent] = store.recover_interrupted(current_run_id="run-2")

    assert intent.action == action
    record = store.get("a")
    assert record is not None
    assert record == dataclasses.replace(
        existing, unknown_outcome=action, updated_at=record.updated_at
    )


def test_recover_leaves_the_current_run_alone(store: StateStore) -> None:
    mine = begin_create(store, "mine", run_id="run-2")
    dead = begin_create(store, "dead", run_id="run-1")

    recovered = store.recover_interrupted(current_run_id="run-2")

    assert [i.intent_id for i in recovered] == [dead]
    assert [i.intent_id for i in store.intents(open_only=True)] == [mine]
    assert list(store.records()) == ["dead"]
    assert store.recover_interrupted(current_run_id="run-2") == []


def test_an_interrupted_update_without_a_record_is_only_closed(
    store: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.begin(
        address="gone",
        kind="ScheduledMessage",
        action="update",
        endpoint="/messages/schedule/update",
        body={},
        body_hash="sha256:x",
        run_id="dead-run",
    )

    with caplog.at_level(logging.WARNING):
        [intent] = store.recover_interrupted()

    assert intent.outcome is Outcome.INTERRUPTED
    assert store.records() == {}
    assert "interrupted update intent" in caplog.text


# -- workspaces and threads --------------------------------------------------------------------


def test_workspaces_do_not_see_each_other(open_ledger: OpenLedger) -> None:
    staging, production = open_ledger("staging"), open_ledger("production")
    staging.put(full_record("a"))
    staging.put(full_record("b"))
    begin_create(staging, "c")
    production.put(full_record("z"))
    staging.acquire_lock("apply", "staging-runner")

    assert list(staging.records()) == ["a", "b"]
    assert list(production.records()) == ["z"]
    assert production.get("a") is None
    assert production.intents() == []
    assert production.recover_interrupted() == []
    assert production.remove("a") is False
    assert (serial(staging), serial(production)) == (3, 1)
    assert production.current_lock() is None
    production.acquire_lock("apply", "production-runner")


def test_sixteen_threads_journal_concurrently(store: StateStore) -> None:
    threads, pairs = 16, 10
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(pairs):
                address = f"scheduled_message/w{worker}-{n}"
                intent_id = begin_create(store, address)
                store.complete(intent_id, Outcome.SUCCEEDED, put=full_record(address))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert errors == []
    assert serial(store) == threads * pairs * 2
    assert len(store.records()) == threads * pairs
    assert store.intents(open_only=True) == []


def test_several_connections_write_at_once(open_ledger: OpenLedger) -> None:
    # Separate connections contend like separate processes: SQLite's file lock, PostgreSQL's
    # row lock on the workspace. Neither may fail with "database is locked" or lose a write.
    stores = [open_ledger() for _ in range(4)]
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for n in range(15):
                address = f"scheduled_message/s{index}-{n}"
                intent_id = begin_create(stores[index], address)
                stores[index].complete(intent_id, Outcome.SUCCEEDED, put=full_record(address))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(len(stores))]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert errors == []
    assert serial(stores[0]) == 4 * 15 * 2
    assert len(stores[0].records()) == 4 * 15
    assert len({i.intent_id for i in stores[0].intents()}) == 4 * 15


def test_concurrent_first_opens_create_the_schema_once(open_ledger: OpenLedger) -> None:
    errors: list[BaseException] = []
    stores: list[StateStore] = []

    def open_and_write(n: int) -> None:
        try:
            store = open_ledger()
            stores.append(store)
            store.put(full_record(f"r{n}"))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=open_and_write, args=(n,)) for n in range(8)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert errors == []
    assert len(stores[0].records()) == 8
    assert serial(stores[0]) == 8


def test_a_closed_store_refuses_work(open_ledger: OpenLedger) -> None:
    store = open_ledger()
    store.close()
    store.close()

    with pytest.raises(LedgerError, match="is closed"):
        store.records()


def test_records_survive_reopening(open_ledger: OpenLedger) -> None:
    first = open_ledger()
    first.put(full_record("a"))
    first.close()

    again = open_ledger()

    assert again.records() == {"a": full_record("a")}
    assert again.info().serial == 1


def test_a_ledger_from_a_newer_version_is_refused(open_ledger: OpenLedger) -> None:
    store = open_ledger()
    assert isinstance(store, SqlStore)
    with store.transaction(write=True) as tx:
        tx.execute("UPDATE br_schema_version SET version = ?", (SCHEMA_VERSION + 1,))

    with pytest.raises(LedgerError) as caught:
        open_ledger()

    assert caught.value.message == (
        f"the ledger at {store.url} has schema version {SCHEMA_VERSION + 1}; "
        f"this braze-reconciler reads version {SCHEMA_VERSION}"
    )
    assert caught.value.hint == "upgrade braze-reconciler"
