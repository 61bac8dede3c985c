"""Ledger write cost: N intent-plus-outcome pairs (``begin`` + ``complete`` with ``put``), as
an apply of N creates journals them, on SQLite and on PostgreSQL (a fresh schema).

Run: ``python benchmarks/ledger_bench.py [--count 10000] [--postgres URL]``. Every commit is
durable (SQLite ``synchronous=FULL``, PostgreSQL ``synchronous_commit`` as the server has it),
so the figures are bound by fsync and round trips, not by the amount of data already stored.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from reconciler.canonical import content_hash
from reconciler.state import Outcome, Record, RecordStatus, StateStore, open_store
from reconciler.state.urls import redact_url, with_search_path

DEFAULT_POSTGRES = os.environ.get(
    "BRAZE_RECONCILER_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test"
)


@dataclasses.dataclass(frozen=True)
class Result:
    backend: str
    pairs: int
    seconds: float
    calls: int
    serial: int
    read_seconds: float
    records: int


def journal(store: StateStore, backend: str, count: int) -> Result:
    calls = 0
    started = time.perf_counter()
    for n in range(count):
        address = f"scheduled_message/bench-{n:05d}"
        body = {
            "broadcast": True,
            "messages": {"apple_push": {"alert": f"Offer {n}", "extra": {"n": n}}},
            "schedule": {"time": "2026-11-27T09:00:00Z"},
        }
        body_hash = content_hash(body)
        intent_id = store.begin(
            address=address,
            kind="ScheduledMessage",
            action="create",
            endpoint="/messages/schedule/create",
            body=body,
            body_hash=body_hash,
            run_id="bench",
        )
        now = datetime.now(UTC)
        record = Record(
            address=address,
            kind="ScheduledMessage",
            status=RecordStatus.ACTIVE,
            schedule_id=f"sched-{n}",
            dispatch_id=f"disp-{n}",
            body=body,
            body_hash=body_hash,
            schedule_time="2026-11-27T09:00:00Z",
            schedule_mode="utc",
            created_at=now,
            updated_at=now,
        )
        store.complete(intent_id, Outcome.SUCCEEDED, put=record)
        calls += 2
    seconds = time.perf_counter() - started
    read_started = time.perf_counter()
    records = len(store.records())
    read_seconds = time.perf_counter() - read_started
    return Result(backend, count, seconds, calls, store.info().serial, read_seconds, records)


def bench_sqlite(count: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as directory:
        url = f"sqlite:///{directory}/state.db"
        with open_store(url, "bench", default_dir=Path(directory)) as store:
            return journal(store, "sqlite", count)


def bench_postgres(url: str, count: int) -> Result:
    name = f"bench_{secrets.token_hex(4)}"
    schema = sql.Identifier(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
    try:
        schema_url = with_search_path(url, name)
        with open_store(schema_url, "bench", default_dir=Path(".")) as store:
            return journal(store, "postgresql", count)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(schema))


def report(result: Result) -> None:
    print(
        f"{result.backend:<10} {result.pairs} pairs in {result.seconds:.2f} s = "
        f"{result.pairs / result.seconds:,.0f} pairs/s; {result.calls} store calls; "
        f"final serial {result.serial}; records() of {result.records} in "
        f"{result.read_seconds * 1000:.0f} ms (one query)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000, help="pairs to journal")
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        metavar="URL",
        help="PostgreSQL server (a fresh schema is created and dropped); '' to skip",
    )
    args = parser.parse_args(argv)
    report(bench_sqlite(args.count))
    if not args.postgres:
        return 0
    try:
        report(bench_postgres(args.postgres, args.count))
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        print(f"postgresql skipped: {redact_url(args.postgres)} unreachable: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
