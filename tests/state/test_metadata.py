"""The workspace's metadata (what ``doctor`` learnt of Braze), identical on both backends."""

from __future__ import annotations

from reconciler.state import StateStore
from reconciler.state.base import BINDING_ADDRESS, LEDGER_ENDPOINT, METADATA
from reconciler.state.sql import SCHEMA_VERSION
from reconciler.state.sqlstore import SqlStore
from tests.state.conftest import OpenLedger
from tests.state.helpers import full_record

VALUE = {"endpoint": "https://rest.iad-01.braze.com", "answers": [{"status": 400}]}


def test_a_value_round_trips_and_is_replaced_whole(store: StateStore) -> None:
    assert store.metadata("gone_answers") is None

    store.set_metadata("gone_answers", VALUE, note="doctor by me")
    assert store.metadata("gone_answers") == VALUE

    store.set_metadata("gone_answers", {"answers": []}, note="doctor by me")
    assert store.metadata("gone_answers") == {"answers": []}
    assert store.metadata("other") is None


def test_it_is_journaled_at_the_workspace_without_counting_as_a_write(store: StateStore) -> None:
    store.set_metadata("gone_answers", VALUE, note="doctor by me")

    # A ledger only doctor wrote to is still new: the first plan says so, and a saved plan
    # made before it is still fresh.
    assert store.info().serial == 0
    assert store.info().endpoint is None
    (entry,) = store.intents(BINDING_ADDRESS)
    assert (entry.kind, entry.action, entry.endpoint) == ("Workspace", METADATA, LEDGER_ENDPOINT)
    assert entry.body == {"name": "gone_answers", "value": VALUE}
    assert entry.message == "doctor by me"
    assert entry.outcome is not None
    assert entry.finished_at is not None
    assert store.recover_interrupted() == []

    store.put(full_record("a"))
    assert store.info().serial == 1


def test_workspaces_keep_their_own(open_ledger: OpenLedger) -> None:
    production, staging = open_ledger("production"), open_ledger("staging")
    production.set_metadata("gone_answers", VALUE, note="n")

    assert staging.metadata("gone_answers") is None
    assert open_ledger("production").metadata("gone_answers") == VALUE


def test_a_version_1_ledger_is_migrated_when_opened(open_ledger: OpenLedger) -> None:
    old = open_ledger()
    old.put(full_record("a"))
    assert isinstance(old, SqlStore)
    with old.transaction(write=True) as tx:  # the ledger as version 1 left it
        tx.execute("DROP TABLE br_metadata")
        tx.execute("DROP TABLE br_previews")
        tx.execute("DELETE FROM br_schema_version")
        tx.execute("INSERT INTO br_schema_version (version) VALUES (1)")
    old.close()

    store = open_ledger()

    assert isinstance(store, SqlStore)
    with store.transaction(write=False) as tx:
        assert tx.one("SELECT MAX(version) FROM br_schema_version") == (SCHEMA_VERSION,)
    assert SCHEMA_VERSION == 3
    assert store.records() == {"a": full_record("a")}
    store.set_metadata("gone_answers", VALUE, note="n")
    assert store.metadata("gone_answers") == VALUE
    assert store.info().serial == 1
