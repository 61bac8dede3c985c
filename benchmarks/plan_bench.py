"""Plan at scale: 10,000 resources in 500 files against a fully applied ledger (no-op), and
with 1,000 changes (600 updates, 200 creates, 200 deletes).

``plan`` runs as a cold process (``python -m reconciler plan``), as users run it, against an
emulator whose statistics prove that a plan calls Braze zero times; the ledger's serial,
read before and after, proves it writes nothing. The ledger is filled with the records an
apply writes (the applier's record for each created resource), in one transaction to save
setup time. A per-phase breakdown (load, ledger read, planner, render) is measured in-process.

Run: ``python benchmarks/plan_bench.py [--resources 10000] [--files 500] [--repeat 3]``.
Targets (2 cores): the no-op plan within 2 s and 300 MB, and no call to Braze.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_support import (
    KEY,
    NOW,
    NOW_TEXT,
    Run,
    applied_record,
    fill_ledger,
    machine,
    run_cli,
)
from manifest_tree import write_tree

from reconciler.canonical import content_hash
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from reconciler.manifest.loader import load_manifests
from reconciler.manifest.resource import Resource
from reconciler.plan import planner
from reconciler.render.text import render_text
from reconciler.state.base import Record
from reconciler.state.fingerprint import fingerprint, new_salt
from reconciler.state.sqlite import SqliteStore

TARGET_SECONDS = 2.0
TARGET_MB = 300.0
UPDATES, CREATES, DELETES = 600, 200, 200


def moved(record: Record) -> Record:
    """The record of an earlier apply, one day earlier: the plan makes it an update."""
    assert record.body is not None
    assert record.schedule_time is not None
    earlier = record.schedule_time.replace("2026-12-10", "2026-12-09")
    body = dict(record.body) | {"schedule": dict(record.body["schedule"]) | {"time": earlier}}
    return dataclasses.replace(
        record, body=body, body_hash=content_hash(body), schedule_time=earlier
    )


def ledger_records(resources: list[Resource], *, changes: bool) -> list[Record]:
    records = [applied_record(r, f"sched-{i:05d}") for i, r in enumerate(resources)]
    if not changes:
        return records
    # Spread the changes over the whole tree: every 10th resource is changed in some way.
    changed = records[::10]
    kept = [r for i, r in enumerate(records) if i % 10]
    updates = [moved(r) for r in changed[:UPDATES]]
    # changed[UPDATES:UPDATES + CREATES] are left out of the ledger: the plan creates them.
    retired = [
        dataclasses.replace(r, address=r.address.replace("/", "/retired-"))
        for r in changed[UPDATES + CREATES : UPDATES + CREATES + DELETES]
    ] + changed[UPDATES + CREATES : UPDATES + CREATES + DELETES]
    return kept + updates + retired


def make_ledger(path: Path, endpoint: str, records: list[Record]) -> SqliteStore:
    store = SqliteStore(path, "default")
    salt = new_salt()
    store.bind(endpoint, salt, fingerprint(KEY, salt))
    fill_ledger(store, records)
    return store


def phases(manifests: Path, store: SqliteStore) -> dict[str, float]:
    """Where a plan's time goes, in this process (warm imports)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    load = load_manifests([manifests], NOW)
    timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    records = store.records()
    timings["ledger read"] = time.perf_counter() - started
    started = time.perf_counter()
    plan = planner.plan({r.address: r for r in load.resources}, records, NOW)
    timings["planner"] = time.perf_counter() - started
    started = time.perf_counter()
    render_text(plan)
    timings["render"] = time.perf_counter() - started
    return timings


def measure(
    label: str,
    workdir: Path,
    manifests: Path,
    store: SqliteStore,
    emulator: EmbeddedEmulator,
    expect_code: int,
    expect_summary: str,
    repeat: int,
) -> tuple[float, float]:
    """Median wall time and peak RSS of ``repeat`` cold runs."""
    args = [
        "--endpoint", emulator.base_url, "--state", f"sqlite:///{store.path}",
        "plan", str(manifests), "--now", NOW_TEXT, "--detailed-exitcode",
        "--offline",  # the planner at scale; references_bench.py measures the lookups
    ]  # fmt: skip
    runs: list[Run] = []
    for _ in range(repeat):
        serial_before = store.info().serial
        calls_before = emulator.admin.stats()["total"]
        run = run_cli(args, workdir)
        calls = emulator.admin.stats()["total"] - calls_before
        writes = store.info().serial - serial_before
        if run.code != expect_code or expect_summary not in run.stdout:
            raise SystemExit(f"{label}: unexpected plan (exit {run.code}):\n{run.stderr[-2000:]}")
        if calls or writes:
            raise SystemExit(f"{label}: the plan made {calls} calls and {writes} ledger writes")
        runs.append(run)
    seconds = sorted(r.seconds for r in runs)
    rss = max(r.max_rss_mb for r in runs)
    print(
        f"{label}: wall {statistics.median(seconds):.2f} s median of {repeat} "
        f"({', '.join(f'{s:.2f}' for s in seconds)}); peak RSS {rss:.0f} MB; "
        f"calls to Braze 0 (so 0 writes); ledger writes 0 (serial unchanged); exit {expect_code}"
    )
    return statistics.median(seconds), rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="cold runs of each plan")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="plan-bench-") as directory:
        root = Path(directory)
        manifests = root / "manifests"
        write_tree(manifests, args.resources, args.files)
        resources = load_manifests([manifests], NOW).resources
        assert len(resources) == args.resources, len(resources)
        print(f"tree: {args.resources} resources in {args.files} files")
        noop: SqliteStore | None = None
        changed: SqliteStore | None = None
        try:
            with EmbeddedEmulator(EmulatorConfig(api_keys=(KEY,), clock=NOW)) as emulator:
                noop = make_ledger(
                    root / "noop.db", emulator.base_url, ledger_records(resources, changes=False)
                )
                changed = make_ledger(
                    root / "changed.db", emulator.base_url, ledger_records(resources, changes=True)
                )
                noop_seconds, noop_mb = measure(
                    "no-op plan",
                    root,
                    manifests,
                    noop,
                    emulator,
                    0,
                    "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to forget.",
                    args.repeat,
                )
                measure(
                    f"plan with {UPDATES + CREATES + DELETES} changes",
                    root,
                    manifests,
                    changed,
                    emulator,
                    2,
                    f"Plan: {CREATES} to create, {UPDATES} to update, 0 to replace, "
                    f"{DELETES} to delete, 0 to forget.",
                    args.repeat,
                )
            # Without the emulator's thread, so that the loader may use its two processes.
            for label, ledger in (("no-op", noop), ("1,000 changes", changed)):
                timings = phases(manifests, ledger)
                print(
                    f"in-process phases, {label}: "
                    + ", ".join(f"{name} {value:.2f} s" for name, value in timings.items())
                )
        finally:
            for opened in (noop, changed):
                if opened is not None:
                    opened.close()
    median_ok = noop_seconds <= TARGET_SECONDS and noop_mb <= TARGET_MB
    print(
        f"target: no-op plan <= {TARGET_SECONDS:.0f} s and <= {TARGET_MB:.0f} MB: "
        + ("met" if median_ok else "MISSED (see above)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
