"""What the emulator remembers: schedules with their call history, send ids, immediate sends,
and the clock offset. SQLite from the standard library: ``DIR/emulator.sqlite3`` with
``--data DIR``, in memory without.

Every request is one small transaction (WAL, ``synchronous=NORMAL``), so 10,000 schedules
cost 10,000 row inserts, never a rewrite. Firing is a sweep over an index on
``(status, ends_at)``: schedules whose last send instant has passed become ``sent``.
Rate-limit counters and fault rules are not stored here (they do not survive a restart).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from reconciler.emulator.clock import iso
from reconciler.emulator.workspace import DEFAULT_WORKSPACE

log = logging.getLogger(__name__)

DB_NAME = "emulator.sqlite3"
_FILTERS = frozenset({"schedule_id", "kind", "parent_id", "status"})
ScheduleKind = Literal["scheduled_message", "campaign_schedule", "canvas_schedule"]
Status = Literal["scheduled", "deleted", "sent"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schedules (
    schedule_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    parent_id TEXT,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    dispatch_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    mode TEXT NOT NULL,
    starts_at REAL NOT NULL,
    ends_at REAL NOT NULL,
    notice TEXT
);
CREATE INDEX IF NOT EXISTS schedules_due ON schedules (status, ends_at);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id TEXT NOT NULL,
    at TEXT NOT NULL,
    call TEXT NOT NULL,
    body TEXT
);
CREATE INDEX IF NOT EXISTS history_by_schedule ON history (schedule_id, id);
CREATE TABLE IF NOT EXISTS send_ids (
    campaign_id TEXT NOT NULL,
    send_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, send_id)
);
CREATE TABLE IF NOT EXISTS sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    dispatch_id TEXT NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL,
    notice TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Schedules created with a key of a workspace other than the default one (a table of its
-- own, so that a data directory from an earlier version needs no migration).
CREATE TABLE IF NOT EXISTS schedule_workspaces (
    schedule_id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL
);
"""


@dataclasses.dataclass(frozen=True)
class Window:
    """When a schedule sends: ``mode`` utc/local/optimal, first and last instants (epoch)."""

    mode: str
    starts_at: float
    ends_at: float


@dataclasses.dataclass(frozen=True)
class Schedule:
    schedule_id: str
    kind: ScheduleKind
    parent_id: str | None
    status: Status
    body: dict[str, Any]
    dispatch_id: str
    created_at: str
    window: Window
    notice: str | None
    workspace: str = DEFAULT_WORKSPACE
    """The Braze workspace whose key created it."""


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Store:
    """One SQLite connection guarded by a lock (the server thread and a test thread may both
    reach it). Times passed in are virtual epoch seconds."""

    def __init__(self, data_dir: Path | None = None) -> None:
        if data_dir is None:
            target = ":memory:"
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            target = str(data_dir / DB_NAME)
        self.location = target
        self._lock = threading.RLock()
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- schedules ---------------------------------------------------------------------------
    def create_schedule(
        self,
        *,
        schedule_id: str,
        kind: ScheduleKind,
        parent_id: str | None,
        body: dict[str, Any],
        dispatch_id: str,
        window: Window,
        notice: str | None,
        now: float,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> None:
        at = iso(now)
        with self._transaction() as db:
            if workspace != DEFAULT_WORKSPACE:
                db.execute(
                    "INSERT INTO schedule_workspaces VALUES (?, ?)", (schedule_id, workspace)
                )
            db.execute(
                "INSERT INTO schedules VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?)",
                (
                    schedule_id,
                    kind,
                    parent_id,
                    _dumps(body),
                    dispatch_id,
                    at,
                    window.mode,
                    window.starts_at,
                    window.ends_at,
                    notice,
                ),
            )
            self._history(db, schedule_id, at, "create", body)

    def get(self, schedule_id: str) -> Schedule | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM schedules WHERE schedule_id = ?", (schedule_id,)
            ).fetchone()
            owner = self._db.execute(
                "SELECT workspace FROM schedule_workspaces WHERE schedule_id = ?", (schedule_id,)
            ).fetchone()
        if row is None:
            return None
        schedule = _schedule(row)
        return schedule if owner is None else dataclasses.replace(schedule, workspace=owner[0])

    def update_schedule(
        self,
        schedule_id: str,
        *,
        body: dict[str, Any],
        window: Window,
        call_body: dict[str, Any],
        now: float,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE schedules SET body = ?, mode = ?, starts_at = ?, ends_at = ? "
                "WHERE schedule_id = ?",
                (_dumps(body), window.mode, window.starts_at, window.ends_at, schedule_id),
            )
            self._history(db, schedule_id, iso(now), "update", call_body)

    def delete_schedule(
        self, schedule_id: str, *, call: str, call_body: dict[str, Any], now: float
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE schedules SET status = 'deleted' WHERE schedule_id = ?", (schedule_id,)
            )
            self._history(db, schedule_id, iso(now), call, call_body)

    def record(self, schedule_id: str, call: str, call_body: dict[str, Any], now: float) -> None:
        """A call that changed nothing (an ignored update) still goes into the history."""
        with self._transaction() as db:
            self._history(db, schedule_id, iso(now), call, call_body)

    def fire_due(self, now: float) -> int:
        """Mark every schedule whose last send instant has passed as sent; how many fired."""
        with self._lock:
            due = self._db.execute(
                "SELECT schedule_id, ends_at, notice FROM schedules "
                "WHERE status = 'scheduled' AND ends_at <= ?",
                (now,),
            ).fetchall()
            if not due:
                return 0
            with self._transaction() as db:
                db.executemany(
                    "UPDATE schedules SET status = 'sent' WHERE schedule_id = ?",
                    [(schedule_id,) for schedule_id, _, _ in due],
                )
                db.executemany(
                    "INSERT INTO history (schedule_id, at, call, body) VALUES (?, ?, ?, NULL)",
                    [
                        (schedule_id, iso(ends_at), "fire_skipped" if notice else "fire")
                        for schedule_id, ends_at, notice in due
                    ],
                )
        log.debug("emulator: %d schedule(s) fired", len(due))
        return len(due)

    def _history(
        self, db: sqlite3.Connection, schedule_id: str, at: str, call: str, body: Any
    ) -> None:
        db.execute(
            "INSERT INTO history (schedule_id, at, call, body) VALUES (?, ?, ?, ?)",
            (schedule_id, at, call, _dumps(body) if body is not None else None),
        )

    def list_schedules(self, **filters: str) -> list[dict[str, Any]]:
        """Schedules in creation order, each with its history (the admin API's shape).

        ``filters``: any of schedule_id, kind, parent_id, status (exact values).
        """
        unknown = set(filters) - _FILTERS
        if unknown:
            raise ValueError(f"unknown schedule filter {sorted(unknown)[0]!r}")
        where = " AND ".join(f"{column} = ?" for column in filters) or "1"
        values = list(filters.values())
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM schedules WHERE {where} ORDER BY rowid", values
            ).fetchall()
            history_rows = self._db.execute(
                "SELECT schedule_id, at, call, body FROM history WHERE schedule_id IN "
                f"(SELECT schedule_id FROM schedules WHERE {where}) ORDER BY id",
                values,
            ).fetchall()
        history: dict[str, list[dict[str, Any]]] = {}
        for schedule_id, at, call, body in history_rows:
            history.setdefault(schedule_id, []).append(
                {"at": at, "call": call, "body": json.loads(body) if body is not None else None}
            )
        listed = []
        for row in rows:
            schedule = _schedule(row)
            listed.append(
                {
                    "schedule_id": schedule.schedule_id,
                    "kind": schedule.kind,
                    "parent_id": schedule.parent_id,
                    "status": schedule.status,
                    "body": schedule.body,
                    "dispatch_id": schedule.dispatch_id,
                    "created_at": schedule.created_at,
                    "send_window": {
                        "mode": schedule.window.mode,
                        "first": iso(schedule.window.starts_at),
                        "last": iso(schedule.window.ends_at),
                    },
                    "notice": schedule.notice,
                    "history": history.get(schedule.schedule_id, []),
                }
            )
        return listed

    def count_schedules(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT status, COUNT(*) FROM schedules GROUP BY status")
            return dict(rows.fetchall())

    # -- send ids and immediate sends ------------------------------------------------------
    def add_send_id(self, campaign_id: str, send_id: str, now: float) -> bool:
        """Record a send id; False when the pair already existed."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO send_ids VALUES (?, ?, ?)", (campaign_id, send_id, iso(now))
            )
            return cursor.rowcount == 1

    def has_send_id(self, campaign_id: str, send_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM send_ids WHERE campaign_id = ? AND send_id = ?",
                (campaign_id, send_id),
            ).fetchone()
        return row is not None

    def list_send_ids(self) -> list[dict[str, str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT campaign_id, send_id, created_at FROM send_ids ORDER BY rowid"
            ).fetchall()
        return [
            {"campaign_id": campaign_id, "send_id": send_id, "created_at": created_at}
            for campaign_id, send_id, created_at in rows
        ]

    def record_send(
        self, path: str, dispatch_id: str, body: dict[str, Any], notice: str | None, now: float
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO sends (path, dispatch_id, at, body, notice) VALUES (?, ?, ?, ?, ?)",
                (path, dispatch_id, iso(now), _dumps(body), notice),
            )

    def list_sends(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT path, dispatch_id, at, body, notice FROM sends ORDER BY id"
            ).fetchall()
        return [
            {"path": path, "dispatch_id": dispatch, "at": at, "body": json.loads(body), "notice": n}
            for path, dispatch, at, body, n in rows
        ]

    # -- meta and reset ----------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row is not None else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def reset(self) -> None:
        """Forget schedules, their history, send ids and sends (the clock offset stays)."""
        with self._transaction() as db:
            for table in ("schedules", "schedule_workspaces", "history", "send_ids", "sends"):
                db.execute(f"DELETE FROM {table}")


def _schedule(row: tuple[Any, ...]) -> Schedule:
    (schedule_id, kind, parent_id, status, body, dispatch_id, created_at, mode, starts, ends, n) = (
        row
    )
    return Schedule(
        schedule_id=schedule_id,
        kind=kind,
        parent_id=parent_id,
        status=status,
        body=json.loads(body),
        dispatch_id=dispatch_id,
        created_at=created_at,
        window=Window(mode, starts, ends),
        notice=n,
    )
