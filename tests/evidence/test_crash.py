"""Crash test: SIGKILL a real ``apply`` process at random points of its journal.

Each round changes a few manifests (creates, updates, replaces, deletes), starts
``python -m reconciler apply`` as a subprocess against the emulator (in this process, with
persistent data and latency so that calls are in flight), waits until the ledger holds the
k-th new intent of the run (k drawn from a seeded generator, plus a random part of a call's
latency), and kills it. Then, as a person would: the next apply finds the dead run's lock
(exit 6) and names it; ``state force-unlock`` releases it; the next apply recovers the
interrupted intents (open creates become uncertain) and is blocked (exit 4) or goes on;
every uncertain create is looked up in the emulator and resolved; a last apply converges.

Checked right after each kill: no duplicate schedule; no schedule the ledger does not know
(each live one is the record's, or its create's intent is still open); no record whose
schedule is gone unless a call on it was in flight. After recovery: no open intent, the
ledger agrees with the emulator, and the plan is empty.

Rounds: ``BRAZE_RECONCILER_CRASH_ROUNDS`` (CI: 20).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from reconciler.state.base import Intent, Record, RecordStatus
from reconciler.state.sqlite import SqliteStore
from tests.e2e.conftest import KEY, NOW_TEXT, Project, scheduled_message
from tests.evidence.conftest import size_from_env

ROUNDS = size_from_env("BRAZE_RECONCILER_CRASH_ROUNDS", 20)
LATENCY_MS = 40
OTHER_SEGMENT = "7ad353fb-b5b6-45f1-b427-f4006e11b003"
SEGMENT = "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02"
START_SECONDS = 60.0
"""Generous: a cold process takes about a second to reach its first call."""


@dataclasses.dataclass
class Wanted:
    version: int
    segment: str


class Manifests:
    """The desired state of the test, written as one file per scheduled message."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.wanted: dict[str, Wanted] = {}
        self.next = 0

    def write(self, name: str) -> None:
        wanted = self.wanted[name]
        text = scheduled_message(name, alert=f"{name} v{wanted.version}")
        self.project.write(f"{name}.yaml", text.replace(SEGMENT, wanted.segment))

    def change(self, rng: random.Random) -> int:
        """A few random changes; returns how many calls their apply makes."""
        calls = 0
        existing = sorted(self.wanted)
        for _ in range(rng.randint(3, 6)):
            operation = rng.choice(["create", "create", "update", "replace", "delete"])
            if operation != "create" and not existing:
                operation = "create"
            if operation == "create":
                name = f"c{self.next:03d}"
                self.next += 1
                self.wanted[name] = Wanted(1, SEGMENT)
                self.write(name)
                calls += 1
                continue
            name = existing.pop(rng.randrange(len(existing)))
            wanted = self.wanted[name]
            if operation == "delete":
                del self.wanted[name]
                self.project.remove(f"{name}.yaml")
                calls += 1
            elif operation == "update":
                wanted.version += 1
                self.write(name)
                calls += 1
            else:
                wanted.version += 1
                wanted.segment = OTHER_SEGMENT if wanted.segment == SEGMENT else SEGMENT
                self.write(name)
                calls += 2
        return calls

    def expected(self) -> dict[str, tuple[str, str]]:
        return {
            f"scheduled_message/{name}": (f"{name} v{w.version}", w.segment)
            for name, w in self.wanted.items()
        }


def owner(schedule: dict[str, Any]) -> str:
    alert: str = schedule["body"]["messages"]["apple_push"]["alert"]
    return "scheduled_message/" + alert.split()[0]


def read_ledger(path: Path) -> tuple[dict[str, Record], list[Intent], int]:
    with SqliteStore(path, "default") as store:
        return store.records(), store.intents(open_only=True), len(store.intents())


def count_intents(path: Path) -> int:
    """Read-only, beside the writer: never takes the ledger's write lock."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            (count,) = db.execute("SELECT COUNT(*) FROM br_intents").fetchone()
    except sqlite3.OperationalError:  # not created yet
        return 0
    return int(count)


def start_apply(project: Project, ledger: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "reconciler", "--endpoint", project.emulator.base_url,
        "--state", f"sqlite:///{ledger}", "apply", str(project.manifests), "--auto-approve",
        "--now", NOW_TEXT, "--parallelism", "4",
    ]  # fmt: skip
    return subprocess.Popen(
        command,
        cwd=project.root,
        env=dict(os.environ) | {"BRAZE_API_KEY": KEY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_at(process: subprocess.Popen[bytes], ledger: Path, target: int, extra: float) -> bool:
    """SIGKILL once the ledger holds ``target`` intents (then ``extra`` seconds more)."""
    deadline = time.monotonic() + START_SECONDS
    while process.poll() is None:
        if count_intents(ledger) >= target:
            if extra:
                time.sleep(extra)  # a random point within the call now in flight
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.002)  # polling the ledger: the subprocess gives no other signal
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=30) == -signal.SIGKILL


def check_after_kill(project: Project, ledger: Path) -> None:
    records, open_intents, _ = read_ledger(ledger)
    open_by_address: dict[str, set[str]] = {}
    for intent in open_intents:
        open_by_address.setdefault(intent.address, set()).add(intent.action)
    live = project.live()
    owners = [owner(s) for s in live]
    assert len(owners) == len(set(owners)), f"duplicates: {owners}"
    for schedule in live:
        address = owner(schedule)
        record = records.get(address)
        known = record is not None and record.schedule_id == schedule["schedule_id"]
        in_flight = "create" in open_by_address.get(address, set())
        uncertain = record is not None and record.status is RecordStatus.UNCERTAIN
        assert known or in_flight or uncertain, f"{address}: live, unknown to the ledger"
    live_ids = {s["schedule_id"]: s for s in live}
    for address, record in records.items():
        if record.status is not RecordStatus.ACTIVE:
            continue
        if open_by_address.get(address) or record.unknown_outcome:
            continue  # a call on it was in flight
        assert record.schedule_id in live_ids, f"{address}: its schedule is gone"
        assert live_ids[record.schedule_id]["body"] == record.body, address


def unlock(project: Project) -> None:
    locked = project.apply()
    assert locked.code == 6, locked.stdout + locked.stderr
    match = re.search(r"lock id ([0-9a-f]+)", locked.stderr)
    assert match is not None, locked.stderr
    released = project.run("state", "force-unlock", match.group(1))
    assert released.code == 0, released.stderr


def resolve_uncertain(project: Project) -> int:
    """What a person does: look each uncertain create (or delete of unknown outcome) up in
    Braze, here the emulator, and settle it."""
    listed = project.run("state", "list", "--all", "--format", "json")
    live = project.live()
    by_owner = {owner(s): s for s in live}
    live_ids = {s["schedule_id"] for s in live}
    resolved = 0
    for record in json.loads(listed.stdout)["records"]:
        if record["status"] == "uncertain":
            schedule = by_owner.get(record["address"])
            if schedule is not None and schedule["body"] == record["body"]:
                args = ["--schedule-id", schedule["schedule_id"]]
            else:
                args = ["--absent"]
        elif record["unknown_outcome"] == "delete":
            if record["schedule_id"] in live_ids:
                args = ["--schedule-id", record["schedule_id"]]
            else:
                args = ["--absent"]
        else:
            continue
        result = project.run("state", "resolve", record["address"], *args)
        assert result.code == 0, result.stderr
        resolved += 1
    return resolved


def check_converged(project: Project, manifests: Manifests, ledger: Path) -> None:
    project.assert_converged()
    records, open_intents, _ = read_ledger(ledger)
    assert open_intents == []
    live = project.live()
    found = {
        owner(s): (s["body"]["messages"]["apple_push"]["alert"], s["body"]["segment_id"])
        for s in live
    }
    assert len(found) == len(live)
    assert found == manifests.expected()
    for schedule in live:
        record = records[owner(schedule)]
        assert (record.status, record.schedule_id, record.unknown_outcome) == (
            RecordStatus.ACTIVE,
            schedule["schedule_id"],
            None,
        )
        assert record.body == schedule["body"]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sigkill_at_random_points_never_duplicates_or_loses_a_schedule(
    project: Project,
) -> None:
    project.emulator.emulator.latency = LATENCY_MS / 1000  # type: ignore[union-attr]
    ledger = project.root / "ledger" / "state.db"
    rng = random.Random(20261127)
    manifests = Manifests(project)
    killed = uncertain = 0
    for _ in range(ROUNDS):
        calls = manifests.change(rng)
        before = count_intents(ledger)
        target = before + rng.randint(1, calls)
        extra = rng.choice([0.0, rng.uniform(0, LATENCY_MS / 1000)])
        process = start_apply(project, ledger)
        killed += kill_at(process, ledger, target, extra)
        check_after_kill(project, ledger)
        unlock(project)
        recovered = project.apply()
        assert recovered.code in (0, 4), recovered.stdout + recovered.stderr
        if recovered.code == 4:
            assert "state resolve" in recovered.stderr
            uncertain += resolve_uncertain(project)
            rerun = project.apply()
            assert rerun.code == 0, rerun.stdout + rerun.stderr
        check_converged(project, manifests, ledger)
    assert killed == ROUNDS, f"only {killed} of {ROUNDS} runs were killed mid-apply"
    assert uncertain > 0, "some kill must have landed inside a create"
    print(f"crash: {ROUNDS} kills, {uncertain} uncertain creates resolved")
