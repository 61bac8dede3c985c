"""The shared ledger for teams whose CI runners share nothing: PostgreSQL through psycopg 3.

One connection per store, autocommit off, one short transaction per write. Schema creation
runs under a transaction-scoped advisory lock, because ``CREATE TABLE IF NOT EXISTS`` is not
safe against a second process doing the same at the same moment.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from reconciler.errors import LedgerConnectionLostError, LedgerError, UsageError
from reconciler.secrets import redact, register_url
from reconciler.state.sql import POSTGRES
from reconciler.state.sqlstore import SqlStore, Tx
from reconciler.state.urls import redact_url
from reconciler.timeutil import Clock

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10
# Any fixed number works: it only has to be the same in every process creating the schema.
_SCHEMA_LOCK_KEY = 0x62725F_6C6564  # "br_led"


class _PostgresTx(Tx):
    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._cursor.execute(_placeholders(sql), params)
        return max(self._cursor.rowcount, 0)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Any] | None:
        self._cursor.execute(_placeholders(sql), params)
        row: Sequence[Any] | None = self._cursor.fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        self._cursor.execute(_placeholders(sql), params)
        return list(self._cursor.fetchall())

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        self._cursor.execute(_placeholders(sql) + " RETURNING id", params)
        row = self._cursor.fetchone()
        assert row is not None
        return int(row[0])


def _placeholders(sql: str) -> str:
    # The shared statements never contain a literal "?" or "%".
    return sql.replace("?", "%s")


class PostgresStore(SqlStore):
    dialect = POSTGRES

    def __init__(self, url: str, workspace: str, *, clock: Clock | None = None) -> None:
        super().__init__(workspace, redact_url(url), clock=clock)
        self._conninfo = url
        self._conn: psycopg.Connection[Any] | None = self._connect()
        try:
            with self.transaction(write=True) as tx:
                tx.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK_KEY,))
                self.create_schema(tx)
        except BaseException:
            self.close()
            raise
        log.debug("ledger: opened %s workspace=%s", self.url, workspace)

    def _connect(self) -> psycopg.Connection[Any]:
        extra: dict[str, Any] = {}
        try:
            given = conninfo_to_dict(self._conninfo)
        except psycopg.Error as exc:  # a malformed URL is the user's to fix: exit 3, not 1
            register_url(self._conninfo)  # libpq's message quotes the URL, password and all
            raise UsageError(
                f"the ledger URL {self.url} is not a valid PostgreSQL connection string: "
                f"{redact(str(exc)).strip()}",
                hint="write it as postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
            ) from exc
        try:
            if "connect_timeout" not in given:
                extra["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
            if "application_name" not in given:
                extra["application_name"] = "braze-reconciler"
            return psycopg.connect(self._conninfo, autocommit=False, **extra)
        except psycopg.Error as exc:
            raise LedgerError(f"cannot connect to the ledger {self.url}: {exc}") from exc

    @contextmanager
    def transaction(self, *, write: bool, durable: bool = True) -> Iterator[Tx]:  # noqa: ARG002
        # ``write`` needs nothing here: writers serialise on the workspace row (see sqlstore).
        with self._mutex:
            if self._conn is None:
                raise LedgerError(f"the ledger {self.url} is closed")
            if self._conn.broken:
                log.warning("ledger: connection to %s lost; reconnecting", self.url)
                self._conn = self._connect()
            conn = self._conn
            committing = False
            try:
                with conn.cursor() as cursor:
                    if not durable:  # the commit does not wait for the WAL flush
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                    yield _PostgresTx(cursor)
                committing = True
                conn.commit()
            except psycopg.Error as exc:
                self._rollback(conn)
                if conn.broken:  # the next transaction reconnects
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "closed"
                    raise LedgerConnectionLostError(
                        f"ledger {self.url}: the connection was lost ({reason})",
                        may_have_committed=committing,
                    ) from exc
                raise LedgerError(f"ledger {self.url}: {exc}") from exc
            except BaseException:
                self._rollback(conn)
                raise

    def _rollback(self, conn: psycopg.Connection[Any]) -> None:
        if conn.broken or conn.closed:
            return
        try:
            conn.rollback()
        except psycopg.Error:
            log.exception("ledger: rollback failed on %s", self.url)

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
