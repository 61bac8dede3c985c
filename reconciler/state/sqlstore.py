"""The ledger rules over SQL, implemented once for the SQLite and PostgreSQL stores.

A backend supplies only a connection and a ``transaction`` (a ``Tx`` that runs statements
written with ``?`` placeholders). Writes that decide on what they read (``complete``,
``recover_interrupted``, ``bind``) are serialised per workspace: SQLite's ``BEGIN IMMEDIATE``
takes the database write lock, and in PostgreSQL they bump the serial first, which locks the
workspace row until commit. The lock row needs neither: its primary key settles any race.
"""

from __future__ import annotations

import abc
import dataclasses
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, TypeVar

from reconciler.canonical import canonical_json, content_hash
from reconciler.errors import (
    EndpointMismatchError,
    LedgerConnectionLostError,
    LedgerError,
)
from reconciler.state import locks
from reconciler.state.base import (
    BINDING_ADDRESS,
    LEDGER_ENDPOINT,
    METADATA,
    Intent,
    LockInfo,
    Outcome,
    PreviewEntry,
    Record,
    StateStore,
    WorkspaceInfo,
)
from reconciler.state.interrupted import interrupted_record
from reconciler.state.sql import (
    INTENT_SELECT,
    LOCK_SELECT,
    PREVIEW_SELECT,
    RECORD_SELECT,
    RECORD_UPSERT,
    SCHEMA_VERSION,
    Dialect,
    from_text,
    record_params,
    row_to_intent,
    row_to_lock,
    row_to_preview,
    row_to_record,
    schema_statements,
    to_text,
)
from reconciler.timeutil import Clock, SystemClock

log = logging.getLogger(__name__)
_T = TypeVar("_T")

LOCK_POLL_SECONDS = 0.1


class Tx(abc.ABC):
    """One open transaction; statements use ``?`` placeholders on every backend."""

    @abc.abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""

    @abc.abstractmethod
    def one(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Any] | None: ...

    @abc.abstractmethod
    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]: ...

    @abc.abstractmethod
    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT into ``br_intents`` and return the new row's id."""


class SqlStore(StateStore):
    """The ledger rules over any ``Tx``; subclasses provide the connection."""

    dialect: Dialect

    def __init__(self, workspace: str, url: str, *, clock: Clock | None = None) -> None:
        self.workspace = workspace
        self.url = url
        self.clock = SystemClock() if clock is None else clock
        # One connection per store: the applier's threads take turns on it.
        self._mutex = threading.RLock()

    @abc.abstractmethod
    def transaction(self, *, write: bool, durable: bool = True) -> AbstractContextManager[Tx]:
        """Commit on success, roll back on error; database errors become ``LedgerError``.

        ``durable=False`` does not wait for the commit to reach the disk. Only outcomes use
        it: losing one to a machine crash (not a process crash) leaves an open intent, which
        recovery treats as an unknown outcome, the safe direction; the next intent's commit,
        which waits, carries it to the disk anyway. It saves one disk flush per call.
        """

    def create_schema(self, tx: Tx) -> None:
        """Run inside a transaction the backend has made exclusive (concurrent first opens)."""
        for statement in schema_statements(self.dialect):
            tx.execute(statement)
        row = tx.one("SELECT MAX(version) FROM br_schema_version")
        version = None if row is None else row[0]
        if version is None or version < SCHEMA_VERSION:
            # An older ledger is migrated here: each version so far only adds tables, which the
            # statements above have just created (see ``sql.SCHEMA_VERSION``).
            tx.execute("INSERT INTO br_schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            if version is not None:
                log.info("ledger: %s migrated from schema version %s", self.url, version)
        elif version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger at {self.url} has schema version {version}; "
                f"this braze-reconciler reads version {SCHEMA_VERSION}",
                hint="upgrade braze-reconciler",
            )

    def _bump(self, tx: Tx) -> None:
        # A plain UPDATE is the cheap common case; the workspace row is created on the first
        # write (so reading never writes), and the upsert settles two first writers racing.
        updated = tx.execute(
            "UPDATE br_workspaces SET serial = serial + 1 WHERE name = ?", (self.workspace,)
        )
        if not updated:
            tx.execute(
                "INSERT INTO br_workspaces (name, serial, created_at) VALUES (?, 1, ?) "
                "ON CONFLICT (name) DO UPDATE SET serial = br_workspaces.serial + 1",
                (self.workspace, to_text(self.clock.now())),
            )

    # -- workspace -----------------------------------------------------------------------------
    def info(self) -> WorkspaceInfo:
        with self.transaction(write=False) as tx:
            row = tx.one(
                "SELECT serial, endpoint, key_salt, key_fingerprint, created_at "
                "FROM br_workspaces WHERE name = ?",
                (self.workspace,),
            )
        if row is None:
            return WorkspaceInfo(self.workspace, 0, None, None, None, None)
        return WorkspaceInfo(self.workspace, int(row[0]), row[1], row[2], row[3], from_text(row[4]))

    def bind(
        self, endpoint: str, key_salt: str, key_fingerprint: str, *, note: str | None = None
    ) -> None:
        with self.transaction(write=True) as tx:
            self._bump(tx)
            row = tx.one("SELECT endpoint FROM br_workspaces WHERE name = ?", (self.workspace,))
            bound = None if row is None else row[0]
            if bound is not None and bound != endpoint:
                # The service checks first; this guards the ledger against any other caller.
                raise EndpointMismatchError(
                    f"workspace {self.workspace!r} of {self.url} is bound to {bound}, "
                    f"not {endpoint}",
                    hint="use another --workspace or --state for this endpoint",
                )
            tx.execute(
                "UPDATE br_workspaces SET endpoint = ?, key_salt = ?, key_fingerprint = ? "
                "WHERE name = ?",
                (endpoint, key_salt, key_fingerprint, self.workspace),
            )
            if note is not None:
                self._journal_binding(tx, endpoint, note)
        log.info("ledger: bound workspace=%s endpoint=%s", self.workspace, endpoint)

    def _journal_binding(self, tx: Tx, endpoint: str, note: str) -> None:
        self._journal_workspace(tx, "bind", endpoint, {"endpoint": endpoint, "note": note}, note)

    def _journal_workspace(
        self, tx: Tx, action: str, endpoint: str, body: Mapping[str, Any], note: str
    ) -> None:
        """A closed journal entry: no call was made, so there is no outcome to wait for."""
        stamp = to_text(self.clock.now())
        tx.execute(
            "INSERT INTO br_intents (workspace, address, kind, action, endpoint, body, "
            "body_hash, run_id, started_at, outcome, message, finished_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.workspace,
                BINDING_ADDRESS,
                "Workspace",
                action,
                endpoint,
                canonical_json(body),
                content_hash(body),
                "",
                stamp,
                Outcome.SUCCEEDED.value,
                note,
                stamp,
            ),
        )

    def metadata(self, name: str) -> Any:
        with self.transaction(write=False) as tx:
            row = tx.one(
                "SELECT value FROM br_metadata WHERE workspace = ? AND name = ?",
                (self.workspace, name),
            )
        return None if row is None else json.loads(row[0])

    def set_metadata(self, name: str, value: Any, *, note: str) -> None:
        # Not a write that bumps the serial: see the rules in ``state.base``.
        stamp = to_text(self.clock.now())
        with self.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO br_metadata (workspace, name, value, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (workspace, name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (self.workspace, name, canonical_json(value), stamp),
            )
            self._journal_workspace(
                tx, METADATA, LEDGER_ENDPOINT, {"name": name, "value": value}, note
            )
        log.info("ledger: recorded %s in workspace=%s", name, self.workspace)

    def workspaces(self) -> list[WorkspaceInfo]:
        with self.transaction(write=False) as tx:
            rows = tx.all(
                "SELECT name, serial, endpoint, key_salt, key_fingerprint, created_at "
                "FROM br_workspaces ORDER BY name"
            )
        return [
            WorkspaceInfo(row[0], int(row[1]), row[2], row[3], row[4], from_text(row[5]))
            for row in rows
        ]

    # -- reads ---------------------------------------------------------------------------------
    def records(self) -> dict[str, Record]:
        with self.transaction(write=False) as tx:
            rows = tx.all(
                f"{RECORD_SELECT} WHERE workspace = ? ORDER BY address", (self.workspace,)
            )
        return {row[0]: row_to_record(row) for row in rows}

    def get(self, address: str) -> Record | None:
        with self.transaction(write=False) as tx:
            return self._get(tx, address)

    def _get(self, tx: Tx, address: str) -> Record | None:
        row = tx.one(
            f"{RECORD_SELECT} WHERE workspace = ? AND address = ?", (self.workspace, address)
        )
        return None if row is None else row_to_record(row)

    def intents(self, address: str | None = None, *, open_only: bool = False) -> list[Intent]:
        with self.transaction(write=False) as tx:
            return self._intents(tx, address, open_only=open_only)

    def _intents(self, tx: Tx, address: str | None, *, open_only: bool) -> list[Intent]:
        sql = f"{INTENT_SELECT} WHERE workspace = ?"
        params: list[Any] = [self.workspace]
        if address is not None:
            sql += " AND address = ?"
            params.append(address)
        if open_only:
            sql += " AND outcome IS NULL"
        return [row_to_intent(row) for row in tx.all(sql + " ORDER BY id", params)]

    # -- the journal ---------------------------------------------------------------------------
    def begin(
        self,
        *,
        address: str,
        kind: str,
        action: str,
        endpoint: str,
        body: Mapping[str, Any],
        body_hash: str,
        run_id: str,
    ) -> int:
        params = (
            self.workspace,
            address,
            kind,
            action,
            endpoint,
            canonical_json(body),
            body_hash,
            run_id,
            to_text(self.clock.now()),
        )
        intent_id = _once_more_if_lost(lambda: self._insert_intent(params), idempotent=False)
        log.debug("ledger: begin intent=%d %s address=%s", intent_id, action, address)
        return intent_id

    def _insert_intent(self, params: Sequence[Any]) -> int:
        with self.transaction(write=True) as tx:
            self._bump(tx)
            return tx.insert_id(
                "INSERT INTO br_intents (workspace, address, kind, action, endpoint, body, "
                "body_hash, run_id, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params,
            )

    def complete(
        self,
        intent_id: int,
        outcome: Outcome,
        *,
        message: str | None = None,
        put: Record | None = None,
        drop: str | None = None,
    ) -> None:
        # Recording the same outcome twice is harmless: it may always be tried once more.
        _once_more_if_lost(
            lambda: self._record_outcome(intent_id, outcome, message, put, drop), idempotent=True
        )

    def _record_outcome(
        self,
        intent_id: int,
        outcome: Outcome,
        message: str | None,
        put: Record | None,
        drop: str | None,
    ) -> None:
        with self.transaction(write=True, durable=False) as tx:
            self._bump(tx)
            # By id alone: with the workspace in the WHERE clause PostgreSQL may plan a scan of
            # the workspace's intents (a cached generic plan), and complete grows O(journal).
            row = tx.one("SELECT workspace, outcome FROM br_intents WHERE id = ?", (intent_id,))
            if row is None or row[0] != self.workspace:
                raise LedgerError(f"intent {intent_id} is not in workspace {self.workspace!r}")
            if row[1] is not None:
                # Only a recovery run ignoring the lock can do this; the real outcome is worth
                # more than the guess, so it is recorded anyway.
                log.warning("ledger: intent %d was already closed as %s", intent_id, row[1])
            tx.execute(
                "UPDATE br_intents SET outcome = ?, message = ?, finished_at = ? WHERE id = ?",
                (Outcome(outcome).value, message, to_text(self.clock.now()), intent_id),
            )
            if drop is not None:
                self._remove(tx, drop)
            if put is not None:
                tx.execute(RECORD_UPSERT, record_params(self.workspace, put))
        log.debug("ledger: complete intent=%d outcome=%s", intent_id, outcome)

    def recover_interrupted(self, *, current_run_id: str | None = None) -> list[Intent]:
        with self.transaction(write=False) as tx:
            if not self._dead_intents(tx, current_run_id):
                return []  # the usual case: nothing to recover and nothing written
        recovered: list[Intent] = []
        now = self.clock.now()
        with self.transaction(write=True) as tx:
            self._bump(tx)
            # Read again now that writes are serialised: another recovery may have run.
            for intent in self._dead_intents(tx, current_run_id):
                record = interrupted_record(intent, self._get(tx, intent.address), now)
                if record is not None:
                    tx.execute(RECORD_UPSERT, record_params(self.workspace, record))
                elif intent.action != "create":  # a create left nothing: it sent nothing
                    log.warning(
                        "ledger: interrupted %s intent %d has no record at %s",
                        intent.action,
                        intent.intent_id,
                        intent.address,
                    )
                message = f"interrupted: run {intent.run_id} ended before recording an outcome"
                tx.execute(
                    "UPDATE br_intents SET outcome = ?, message = ?, finished_at = ? WHERE id = ?",
                    (Outcome.INTERRUPTED.value, message, to_text(now), intent.intent_id),
                )
                recovered.append(
                    dataclasses.replace(
                        intent, outcome=Outcome.INTERRUPTED, message=message, finished_at=now
                    )
                )
        for intent in recovered:
            log.warning(
                "ledger: recovered interrupted %s address=%s intent=%d",
                intent.action,
                intent.address,
                intent.intent_id,
            )
        return recovered

    def _dead_intents(self, tx: Tx, current_run_id: str | None) -> list[Intent]:
        return [
            intent
            for intent in self._intents(tx, None, open_only=True)
            if intent.run_id != current_run_id
        ]

    # -- previews ------------------------------------------------------------------------------
    def begin_preview(
        self,
        *,
        address: str,
        kind: str,
        test_group: str,
        endpoint: str,
        body: Mapping[str, Any],
        body_hash: str,
        run_id: str,
        at: datetime,
        unless_since: datetime | None,
    ) -> int | PreviewEntry:
        params = (
            self.workspace,
            address,
            kind,
            test_group,
            endpoint,
            canonical_json(body),
            body_hash,
            run_id,
            to_text(at),
        )

        def write() -> int | PreviewEntry:
            with self.transaction(write=True) as tx:
                self._serialise_previews(tx, at)
                if unless_since is not None:
                    since = unless_since
                    earlier = self._recent_preview(tx, test_group, endpoint, body_hash, since)
                    if earlier is not None:
                        return earlier
                return tx.insert_id(
                    "INSERT INTO br_previews (workspace, address, kind, test_group, endpoint, "
                    "body, body_hash, run_id, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    params,
                )

        started = _once_more_if_lost(write, idempotent=False)
        log.debug("ledger: begin preview %s address=%s group=%s", started, address, test_group)
        return started

    def _serialise_previews(self, tx: Tx, at: datetime) -> None:
        """Hold the workspace row until commit without bumping the serial (previews change
        nothing a plan reads): PostgreSQL's upsert locks the row; SQLite's ``BEGIN
        IMMEDIATE`` already serialises every writer."""
        tx.execute(
            "INSERT INTO br_workspaces (name, serial, created_at) VALUES (?, 0, ?) "
            "ON CONFLICT (name) DO UPDATE SET serial = br_workspaces.serial",
            (self.workspace, to_text(at)),
        )

    def recent_preview(
        self, test_group: str, endpoint: str, body_hash: str, since: datetime
    ) -> PreviewEntry | None:
        with self.transaction(write=False) as tx:
            return self._recent_preview(tx, test_group, endpoint, body_hash, since)

    def _recent_preview(
        self, tx: Tx, test_group: str, endpoint: str, body_hash: str, since: datetime
    ) -> PreviewEntry | None:
        rows = tx.all(
            f"{PREVIEW_SELECT} WHERE workspace = ? AND body_hash = ? AND test_group = ? "
            "AND endpoint = ? AND started_at > ? ORDER BY id DESC",
            (self.workspace, body_hash, test_group, endpoint, to_text(since)),
        )
        found = (row_to_preview(row) for row in rows)
        return next((entry for entry in found if entry.may_have_sent), None)

    def complete_preview(
        self,
        preview_id: int,
        outcome: Outcome,
        *,
        at: datetime,
        message: str | None = None,
        dispatch_id: str | None = None,
    ) -> None:
        def write() -> None:
            with self.transaction(write=True, durable=False) as tx:
                updated = tx.execute(
                    "UPDATE br_previews SET outcome = ?, message = ?, dispatch_id = ?, "
                    "finished_at = ? WHERE id = ? AND workspace = ?",
                    (
                        Outcome(outcome).value,
                        message,
                        dispatch_id,
                        to_text(at),
                        preview_id,
                        self.workspace,
                    ),
                )
                if not updated:
                    raise LedgerError(
                        f"preview {preview_id} is not in workspace {self.workspace!r}"
                    )

        _once_more_if_lost(write, idempotent=True)
        log.debug("ledger: complete preview %d outcome=%s", preview_id, outcome)

    def previews(self, address: str | None = None) -> list[PreviewEntry]:
        sql = f"{PREVIEW_SELECT} WHERE workspace = ?"
        params: list[Any] = [self.workspace]
        if address is not None:
            sql += " AND address = ?"
            params.append(address)
        with self.transaction(write=False) as tx:
            return [row_to_preview(row) for row in tx.all(sql + " ORDER BY id", params)]

    # -- direct edits --------------------------------------------------------------------------
    def put(self, record: Record) -> None:
        with self.transaction(write=True) as tx:
            self._bump(tx)
            tx.execute(RECORD_UPSERT, record_params(self.workspace, record))

    def remove(self, address: str) -> bool:
        with self.transaction(write=True) as tx:
            removed = self._remove(tx, address)
            if removed:
                self._bump(tx)
        return removed

    def _remove(self, tx: Tx, address: str) -> bool:
        deleted = tx.execute(
            "DELETE FROM br_records WHERE workspace = ? AND address = ?", (self.workspace, address)
        )
        return deleted > 0

    # -- locking -------------------------------------------------------------------------------
    def acquire_lock(
        self,
        operation: str,
        holder: str,
        *,
        timeout: float = 0.0,
        report_every: float | None = None,
    ) -> LockInfo:
        mine = LockInfo(
            lock_id=secrets.token_hex(4),
            workspace=self.workspace,
            operation=operation,
            holder=holder,
            acquired_at=self.clock.now(),
        )
        started = time.monotonic()
        deadline = started + timeout
        every = locks.LOCK_WAIT_REPORT_SECONDS if report_every is None else report_every
        next_report = started
        while True:
            with self.transaction(write=True) as tx:
                # The primary key makes the insert the arbiter between processes.
                inserted = tx.execute(
                    "INSERT INTO br_locks (workspace, lock_id, operation, holder, acquired_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace) DO NOTHING",
                    (self.workspace, mine.lock_id, operation, holder, to_text(mine.acquired_at)),
                )
                held = None if inserted else self._current_lock(tx)
            if inserted:
                log.info(
                    "ledger: locked workspace=%s lock=%s operation=%s",
                    self.workspace,
                    mine.lock_id,
                    operation,
                )
                return mine
            now = time.monotonic()
            remaining = deadline - now
            if held is not None and (remaining <= 0 or locks.holder_gone(held.holder)):
                # A dead holder never releases: waiting for it only delays the same answer.
                raise locks.locked_error(self.workspace, held, timeout)
            if held is not None and self.on_lock_wait is not None and now >= next_report:
                # 0 on the first report: "starts waiting", whatever the first attempt took
                self.on_lock_wait(held, 0.0 if next_report == started else now - started, timeout)
                next_report = now + every
            time.sleep(max(0.0, min(LOCK_POLL_SECONDS, remaining)))

    def release_lock(self, lock_id: str) -> None:
        # Idempotent, and a lock left behind stops every later apply: tried again if lost.
        deleted = _once_more_if_lost(lambda: self._delete_lock(lock_id), idempotent=True)
        if deleted:
            log.info("ledger: unlocked workspace=%s lock=%s", self.workspace, lock_id)
        else:
            # Not an error: someone force-unlocked it, and raising here would hide the error
            # that may be unwinding through ``locked``.
            log.warning("ledger: lock %s was no longer held on %s", lock_id, self.workspace)

    def _delete_lock(self, lock_id: str) -> int:
        with self.transaction(write=True) as tx:
            return tx.execute(
                "DELETE FROM br_locks WHERE workspace = ? AND lock_id = ?",
                (self.workspace, lock_id),
            )

    def current_lock(self) -> LockInfo | None:
        with self.transaction(write=False) as tx:
            return self._current_lock(tx)

    def _current_lock(self, tx: Tx) -> LockInfo | None:
        row = tx.one(f"{LOCK_SELECT} WHERE workspace = ?", (self.workspace,))
        return None if row is None else row_to_lock(row)

    def force_unlock(self, lock_id: str) -> LockInfo:
        with self.transaction(write=True) as tx:
            held = self._current_lock(tx)
            if held is None or held.lock_id != lock_id:
                now_held = "it is not locked" if held is None else f"it holds {held.lock_id}"
                raise LedgerError(
                    f"lock {lock_id} is not held on workspace {self.workspace!r}: {now_held}"
                )
            tx.execute(
                "DELETE FROM br_locks WHERE workspace = ? AND lock_id = ?",
                (self.workspace, lock_id),
            )
        log.warning(
            "ledger: force-unlocked workspace=%s lock=%s holder=%s",
            self.workspace,
            lock_id,
            held.holder,
        )
        return held


def _once_more_if_lost(write: Callable[[], _T], *, idempotent: bool) -> _T:
    """A journal write whose connection died (a failover, a killed backend) is made again on
    a new connection, when that cannot record it twice: the applier then goes on instead of
    stopping with calls of unknown outcome. A few tries over some seconds: a failover."""
    for pause in (*_RECONNECT_PAUSES, None):
        try:
            return write()
        except LedgerConnectionLostError as exc:
            if (exc.may_have_committed and not idempotent) or pause is None:
                raise
            log.warning("ledger: %s; reconnecting to write it once more", exc.message)
            time.sleep(pause)
    raise AssertionError("unreachable")  # the last pause is None: the loop returns or raises


_RECONNECT_PAUSES = (0.0, 0.5, 2.0)
