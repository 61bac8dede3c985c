"""The preview journal, identical on SQLite and PostgreSQL: journaled like a create, never a
record, deduplicated in one serialised transaction, and the schema upgrade that adds it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.canonical import content_hash
from reconciler.service.ledger import read_ledger
from reconciler.state import Outcome, StateStore
from reconciler.state.base import PreviewEntry
from reconciler.state.sql import SCHEMA_VERSION
from reconciler.state.sqlstore import SqlStore
from tests.state.conftest import OpenLedger
from tests.state.helpers import full_record

AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
GROUP = "test_group/qa"
ENDPOINT = "/campaigns/trigger/send"
BODY = {"campaign_id": "c-1", "recipients": [{"external_user_id": "qa-1"}]}


def begin(
    store: StateStore,
    *,
    body: dict[str, Any] | None = None,
    group: str = GROUP,
    at: datetime = AT,
    since: datetime | None = None,
    run_id: str = "run-1",
) -> int | PreviewEntry:
    sent = BODY if body is None else body
    return store.begin_preview(
        address="campaign_schedule/gift",
        kind="CampaignSchedule",
        test_group=group,
        endpoint=ENDPOINT,
        body=sent,
        body_hash=content_hash(sent),
        run_id=run_id,
        at=at,
        unless_since=since,
    )


def started(store: StateStore, **kwargs: Any) -> int:
    preview_id = begin(store, **kwargs)
    assert isinstance(preview_id, int)
    return preview_id


def test_a_preview_is_journaled_before_and_after_its_call(store: StateStore) -> None:
    preview_id = started(store)
    [open_entry] = store.previews()
    assert (open_entry.intent_id, open_entry.action) == (preview_id, "preview")
    assert open_entry.outcome is None
    assert open_entry.may_have_sent
    assert (open_entry.address, open_entry.test_group, open_entry.endpoint) == (
        "campaign_schedule/gift",
        GROUP,
        ENDPOINT,
    )
    assert open_entry.body == BODY
    assert open_entry.started_at == AT

    store.complete_preview(preview_id, Outcome.SUCCEEDED, at=AT, dispatch_id="d-1")

    [done] = store.previews("campaign_schedule/gift")
    assert (done.outcome, done.dispatch_id, done.finished_at) == (Outcome.SUCCEEDED, "d-1", AT)
    assert store.previews("campaign_schedule/other") == []


def test_a_preview_is_never_a_record_and_never_recovered(store: StateStore) -> None:
    """An open preview (its run died) must not make the planner think a schedule exists."""
    store.put(full_record("canvas_schedule/kept"))
    before = store.info().serial
    started(store)  # left open, as by a killed run

    assert store.info().serial == before, "previews leave the serial (saved plans) alone"
    assert list(store.records()) == ["canvas_schedule/kept"]
    assert store.intents(open_only=True) == []
    assert store.recover_interrupted() == []
    view = read_ledger(store)
    assert list(view.records) == ["canvas_schedule/kept"]
    assert view.interrupted == ()


def test_the_same_body_to_the_same_group_within_the_window_is_skipped(
    store: StateStore,
) -> None:
    first = started(store)
    store.complete_preview(first, Outcome.SUCCEEDED, at=AT, dispatch_id="d-1")
    since = AT + timedelta(minutes=10) - timedelta(minutes=15)

    earlier = begin(store, at=AT + timedelta(minutes=10), since=since, run_id="run-2")

    assert isinstance(earlier, PreviewEntry)
    assert (earlier.intent_id, earlier.dispatch_id) == (first, "d-1")
    assert len(store.previews()) == 1, "a skipped preview writes nothing"
    assert store.recent_preview(GROUP, ENDPOINT, content_hash(BODY), since) == earlier
    # outside the window, to another group, another body, or without a window: sent
    assert isinstance(begin(store, at=AT + timedelta(minutes=20), since=AT), int)
    assert isinstance(begin(store, group="test_group/other", since=since), int)
    assert isinstance(begin(store, body={**BODY, "campaign_id": "c-2"}, since=since), int)
    assert isinstance(begin(store, since=None), int)


def test_failed_previews_do_not_count_and_unknown_ones_do(store: StateStore) -> None:
    since = AT - timedelta(minutes=15)
    failed = started(store)
    store.complete_preview(failed, Outcome.FAILED, at=AT, message="Invalid Campaign ID")
    unknown = begin(store, since=since)
    assert isinstance(unknown, int), "a failed send proves nothing went out"
    store.complete_preview(unknown, Outcome.UNKNOWN, at=AT, message="no answer")

    again = begin(store, since=since)

    assert isinstance(again, PreviewEntry)
    assert (again.intent_id, again.outcome) == (unknown, Outcome.UNKNOWN)


def test_two_runs_at_once_send_one_preview(open_ledger: OpenLedger) -> None:
    """A CI job retried while the first still runs: one send, the other skipped."""
    stores = [open_ledger() for _ in range(6)]
    barrier = threading.Barrier(len(stores))
    outcomes: list[int | PreviewEntry] = []

    def run(store: StateStore, index: int) -> None:
        barrier.wait()
        outcomes.append(begin(store, since=AT - timedelta(minutes=15), run_id=f"run-{index}"))

    threads = [threading.Thread(target=run, args=(s, i)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(isinstance(outcome, int) for outcome in outcomes) == 1
    assert len(stores[0].previews()) == 1


def test_workspaces_have_their_own_previews(open_ledger: OpenLedger) -> None:
    production, staging = open_ledger("production"), open_ledger("staging")
    started(production)
    assert staging.previews() == []
    assert isinstance(begin(staging, since=AT - timedelta(minutes=15)), int)


def test_a_version_1_ledger_is_upgraded_on_open(open_ledger: OpenLedger) -> None:
    store = open_ledger()
    assert isinstance(store, SqlStore)
    store.put(full_record("canvas_schedule/kept"))
    with store.transaction(write=True) as tx:  # what braze-reconciler with schema 1 left
        tx.execute("DROP TABLE br_previews")
        tx.execute("DROP TABLE br_metadata")
        tx.execute("UPDATE br_schema_version SET version = 1")

    upgraded = open_ledger()

    assert isinstance(upgraded, SqlStore)
    with upgraded.transaction(write=False) as tx:
        assert tx.one("SELECT MAX(version) FROM br_schema_version") == (SCHEMA_VERSION,)
    assert SCHEMA_VERSION == 3
    assert list(upgraded.records()) == ["canvas_schedule/kept"]
    assert isinstance(begin(upgraded), int)
