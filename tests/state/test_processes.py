"""Real processes: a writer killed between intent and outcome, and two processes racing for
the lock. Each child is a fresh interpreter that opens the store through its URL."""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from reconciler.canonical import content_hash
from reconciler.errors import EXIT_LOCKED
from reconciler.state import RecordStatus
from tests.state.conftest import OpenLedger
from tests.state.helpers import body, full_record

BEGIN_THEN_HANG = """
import json, sys, time
from pathlib import Path
from reconciler.state import open_store

url, address, sent, sent_hash = sys.argv[1:5]
store = open_store(url, "default", default_dir=Path("."))
intent_id = store.begin(
    address=address,
    kind="CanvasSchedule",
    action="create",
    endpoint="/canvas/trigger/schedule/create",
    body=json.loads(sent),
    body_hash=sent_hash,
    run_id="crashed-run",
)
print(f"BEGUN {intent_id}", flush=True)
time.sleep(60)  # the HTTP call would be here; the test kills us first
"""

LOCK_ON_GO = """
import sys
from pathlib import Path
from reconciler.errors import LedgerLockedError
from reconciler.state import open_store

url, holder = sys.argv[1:3]
store = open_store(url, "default", default_dir=Path("."))
print("READY", flush=True)
sys.stdin.readline()
try:
    lock = store.acquire_lock("apply", holder)
except LedgerLockedError as exc:
    print("LOCKED", exc.message, flush=True)
    sys.exit(exc.exit_code)
print("ACQUIRED", lock.lock_id, flush=True)
sys.stdin.readline()
store.release_lock(lock.lock_id)
store.close()
"""


@contextmanager
def child(code: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def read_line(proc: subprocess.Popen[str], timeout: float = 15.0) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"no output from the child within {timeout} s")
    line = proc.stdout.readline()
    if not line:
        assert proc.stderr is not None
        proc.wait()
        raise AssertionError(f"the child ended early:\n{proc.stderr.read()}")
    return line.rstrip("\n")


def tell(proc: subprocess.Popen[str], line: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def test_an_intent_survives_sigkill_and_recovers_as_uncertain(
    store_url: str, open_ledger: OpenLedger
) -> None:
    store = open_ledger()
    store.put(full_record("canvas_schedule/b"))
    store.put(full_record("canvas_schedule/c", status=RecordStatus.ADOPTED, body=None))
    before, serial_before = store.records(), store.info().serial
    sent = body("a", local=True)

    with child(
        BEGIN_THEN_HANG, store_url, "canvas_schedule/a", json.dumps(sent), "sha256:x"
    ) as proc:
        line = read_line(proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert line.startswith("BEGUN ")
    assert proc.returncode == -signal.SIGKILL

    [intent] = store.recover_interrupted(current_run_id="next-run")

    assert (intent.intent_id, intent.run_id) == (int(line.split()[1]), "crashed-run")
    after = store.records()
    recovered = after.pop("canvas_schedule/a")
    assert recovered.status is RecordStatus.UNCERTAIN
    assert (recovered.body, recovered.body_hash) == (sent, "sha256:x")
    assert (recovered.schedule_time, recovered.schedule_mode) == ("2026-11-27T09:00:00", "local")
    assert recovered.parent_id == "canvas-a"
    assert after == before
    assert store.info().serial == serial_before + 2  # the child's begin, then the recovery
    assert content_hash(sent) != "sha256:x"  # the hash kept is the one journaled, not recomputed


def test_two_processes_race_for_the_lock_and_one_wins(
    store_url: str, open_ledger: OpenLedger
) -> None:
    holders = ("runner-a", "runner-b")
    with ExitStack() as stack:
        procs = {h: stack.enter_context(child(LOCK_ON_GO, store_url, h)) for h in holders}
        for proc in procs.values():
            assert read_line(proc) == "READY"
        for proc in procs.values():
            tell(proc, "go")
        results = {holder: read_line(proc) for holder, proc in procs.items()}

        [winner] = [h for h, result in results.items() if result.startswith("ACQUIRED ")]
        [loser] = [h for h in holders if h != winner]
        lock_id = results[winner].split()[1]
        held = open_ledger().current_lock()
        assert held is not None
        assert (held.holder, held.lock_id) == (winner, lock_id)
        assert results[loser] == (
            f"LOCKED workspace 'default' is locked by {winner} for apply since "
            f"{held.acquired_at.strftime('%Y-%m-%dT%H:%M:%SZ')}, lock id {lock_id}"
        )
        assert procs[loser].wait(timeout=15) == EXIT_LOCKED

        tell(procs[winner], "release")
        assert procs[winner].wait(timeout=15) == 0

    assert open_ledger().current_lock() is None
