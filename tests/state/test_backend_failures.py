"""Database failures surface as LedgerError with the (redacted) URL, and a lost PostgreSQL
connection is replaced on the next call."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from reconciler.errors import LedgerError
from reconciler.state import Outcome, StateStore, open_store
from reconciler.state.postgres import PostgresStore
from reconciler.state.sqlstore import SqlStore
from tests.pg import fresh_schema
from tests.state.helpers import full_record


def test_an_unreachable_postgres_is_a_ledger_error(tmp_path: Path) -> None:
    url = "postgresql://root:hunter2@127.0.0.1:1/test?connect_timeout=2"

    with pytest.raises(LedgerError) as caught:
        open_store(url, "default", default_dir=tmp_path)

    assert caught.value.message.startswith(
        "cannot connect to the ledger postgresql://root:***@127.0.0.1:1/test?connect_timeout=2: "
    )
    assert "hunter2" not in str(caught.value)


def test_an_unopenable_sqlite_file_is_a_ledger_error(tmp_path: Path) -> None:
    (tmp_path / "state.db").mkdir()

    with pytest.raises(LedgerError, match=r"^cannot open the ledger sqlite:///"):
        open_store(f"sqlite:///{tmp_path}/state.db", "default", default_dir=tmp_path)


def test_sql_errors_become_ledger_errors_and_roll_back(store: StateStore) -> None:
    assert isinstance(store, SqlStore)
    store.put(full_record("a"))

    def failing_write() -> None:
        with store.transaction(write=True) as tx:
            tx.execute("DELETE FROM br_records")
            tx.execute("SELECT * FROM br_nothing")

    with pytest.raises(LedgerError, match=r"^ledger .*br_nothing"):
        failing_write()

    assert list(store.records()) == ["a"]


@pytest.mark.postgres
def test_a_lost_postgres_connection_is_replaced(tmp_path: Path) -> None:
    with fresh_schema() as url, open_store(url, "default", default_dir=tmp_path) as store:
        assert isinstance(store, PostgresStore)
        store.put(full_record("a"))
        assert store._conn is not None
        pid = store._conn.info.backend_pid
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

        with pytest.raises(LedgerError, match=r"^ledger postgresql://"):
            store.records()

        assert list(store.records()) == ["a"]


@pytest.mark.postgres
def test_journal_writes_are_made_once_more_after_a_lost_connection(tmp_path: Path) -> None:
    with fresh_schema() as url, open_store(url, "default", default_dir=tmp_path) as store:
        assert isinstance(store, PostgresStore)

        def kill() -> None:
            assert store._conn is not None
            pid = store._conn.info.backend_pid
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

        kill()
        intent = store.begin(
            address="a",
            kind="CampaignSchedule",
            action="create",
            endpoint="/campaigns/trigger/schedule/create",
            body={},
            body_hash="h",
            run_id="r",
        )
        kill()
        store.complete(intent, Outcome.SUCCEEDED, put=full_record("a"))

        (only,) = store.intents()
        assert only.outcome is Outcome.SUCCEEDED
        assert list(store.records()) == ["a"]
