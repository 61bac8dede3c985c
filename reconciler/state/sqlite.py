"""The default ledger: one SQLite file, safe for the applier's threads and for several processes.

WAL lets readers run beside the one writer; ``synchronous=FULL`` makes every commit reach the
disk before it returns, because an intent must survive a crash that follows its HTTP call.
Writes start with ``BEGIN IMMEDIATE`` so that a second process waits on the busy timeout
instead of failing with "database is locked" halfway through a transaction.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reconciler.errors import LedgerError, LedgerUnreadableError
from reconciler.state.sql import SQLITE
from reconciler.state.sqlstore import SqlStore, Tx
from reconciler.timeutil import Clock

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 30.0
SQLITE_HEADER = b"SQLite format 3\x00"
MEMORY = ":memory:"
# What SQLite says of a file that is not (or no longer) a whole database.
_DAMAGED = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN"})
RECOVERY_HINT = (
    "never start again from an empty ledger while its schedules exist in Braze (each would be "
    "created a second time): move this file aside and restore a backup copy, or create a new "
    "ledger from the last export with `braze-reconciler state import-json EXPORT.json`"
)


class _SqliteTx(Tx):
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._cursor.execute(sql, params)
        return max(self._cursor.rowcount, 0)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Any] | None:
        self._cursor.execute(sql, params)
        row: Sequence[Any] | None = self._cursor.fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        self._cursor.execute(sql, params)
        return self._cursor.fetchall()

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        self._cursor.execute(sql, params)
        assert self._cursor.lastrowid is not None
        return self._cursor.lastrowid


class SqliteStore(SqlStore):
    dialect = SQLITE

    def __init__(
        self,
        path: Path,
        workspace: str,
        *,
        busy_timeout: float = BUSY_TIMEOUT_SECONDS,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(workspace, f"sqlite:///{path}", clock=clock)
        self.path = path
        self._busy_timeout = busy_timeout
        self._conn: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if str(path) == MEMORY:  # SQLite's own name for a private in-memory database
                target, uri = MEMORY, False
            else:
                self._prepare(path)
                # mode=rw: a file that vanished since the check is an error, never a new one
                target, uri = f"{path.absolute().as_uri()}?mode=rw", True
            # Autocommit mode (isolation_level=None): transactions are begun explicitly below.
            self._conn = sqlite3.connect(
                target,
                uri=uri,
                timeout=busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            self._conn = None
            if exc.sqlite_errorname in _DAMAGED:
                raise self._unreadable(f"cannot be read ({exc})") from exc
            raise LedgerError(f"cannot open the ledger {self.url}: {exc}") from exc
        except OSError as exc:
            self._conn = None
            raise LedgerError(f"cannot open the ledger {self.url}: {exc}") from exc
        try:
            self._configure(self._conn)
            with self.transaction(write=True) as tx:
                self.create_schema(tx)
        except sqlite3.Error as exc:
            self.close()
            raise self._unreadable(f"cannot be read ({exc})") from exc
        except BaseException:
            self.close()
            raise
        log.debug("ledger: opened %s workspace=%s", self.url, workspace)

    def _prepare(self, path: Path) -> None:
        """Create a new ledger file, or check that an existing one is a SQLite database:
        SQLite reads a file shorter than its header as an empty database and would write a
        new schema into it, and a lost ledger must never become a fresh one."""
        if path.is_dir():
            raise LedgerUnreadableError(
                f"cannot open the ledger {self.url}: {path} is a directory",
                hint="give the ledger's file, e.g. sqlite:///.braze-reconciler/state.db",
            )
        if not path.exists():
            _create(path)
            return
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
        if not head:
            raise self._unreadable("is empty (0 bytes)")
        if head != SQLITE_HEADER:
            raise self._unreadable("is not a SQLite database (it does not start with its header)")

    def _unreadable(self, what: str) -> LedgerUnreadableError:
        return LedgerUnreadableError(
            f"the ledger file {self.path} {what}: it is not a usable ledger; nothing was done",
            hint=RECOVERY_HINT,
        )

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        # Switching a new file to WAL needs an exclusive lock that a process opening the same
        # file at the same moment may hold; retry within the busy timeout.
        deadline = time.monotonic() + self._busy_timeout
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise LedgerError(f"cannot open the ledger {self.url}: {exc}") from exc
                time.sleep(0.05)
        if mode is None or str(mode[0]).lower() != "wal":
            log.warning("ledger: %s could not switch to WAL (journal_mode=%s)", self.url, mode)
        conn.execute("PRAGMA synchronous = FULL")

    @contextmanager
    def transaction(self, *, write: bool, durable: bool = True) -> Iterator[Tx]:
        with self._mutex:
            if self._conn is None:
                raise LedgerError(f"the ledger {self.url} is closed")
            cursor = self._conn.cursor()
            relaxed = write and not durable
            try:
                if relaxed:  # WAL with synchronous=NORMAL: the commit does not fsync
                    cursor.execute("PRAGMA synchronous = NORMAL")
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield _SqliteTx(cursor)
                cursor.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                if exc.sqlite_errorname in _DAMAGED:
                    raise self._unreadable(f"is damaged ({exc})") from exc
                raise LedgerError(f"ledger {self.url}: {exc}") from exc
            except BaseException:
                self._rollback()
                raise
            finally:
                if relaxed:
                    self._conn.execute("PRAGMA synchronous = FULL")
                cursor.close()

    def _rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("ledger: rollback failed on %s", self.url)

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _create(path: Path) -> None:
    """A new, empty ledger, made whole under a temporary name and then linked into place: a
    process opening ``path`` at the same moment never sees a 0-byte file (which is refused)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    try:
        conn = sqlite3.connect(temporary, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS br_schema_version (version INTEGER NOT NULL)")
        finally:
            conn.close()
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        except OSError:  # a file system without hard links: a smaller window, still whole
            if not path.exists():
                os.replace(temporary, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            temporary.with_name(temporary.name + suffix).unlink(missing_ok=True)
