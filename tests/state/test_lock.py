"""The workspace lock between two writers (two store instances, as two processes would be)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from reconciler.errors import EXIT_LOCKED, LedgerError, LedgerLockedError
from reconciler.state import LockInfo, StateStore
from reconciler.timeutil import format_utc
from tests.state.conftest import OpenLedger


def locked_message(held: LockInfo, waited: str = "") -> str:
    return (
        f"workspace 'default' is locked by {held.holder} for {held.operation} "
        f"since {format_utc(held.acquired_at)}, lock id {held.lock_id}{waited}"
    )


def test_acquire_records_the_holder(store: StateStore) -> None:
    lock = store.acquire_lock("apply", "ana@ci-7 pid 42")

    assert store.current_lock() == lock
    assert (lock.workspace, lock.operation, lock.holder) == ("default", "apply", "ana@ci-7 pid 42")
    assert len(lock.lock_id) == 8
    int(lock.lock_id, 16)

    store.release_lock(lock.lock_id)
    assert store.current_lock() is None


def test_a_second_writer_fails_fast_naming_the_holder(open_ledger: OpenLedger) -> None:
    first, second = open_ledger(), open_ledger()
    held = first.acquire_lock("apply", "ana@ci-7 pid 42")

    started = time.monotonic()
    with pytest.raises(LedgerLockedError) as caught:
        second.acquire_lock("state rm", "bob@laptop pid 7")

    assert time.monotonic() - started < 0.5
    assert caught.value.exit_code == EXIT_LOCKED
    assert caught.value.message == locked_message(held)
    assert caught.value.hint == (
        "wait for it to finish, or retry with --lock-timeout; if that process is gone: "
        f"braze-reconciler state force-unlock {held.lock_id}"
    )
    assert second.current_lock() == held


def test_a_waiting_writer_gets_the_lock_once_it_is_released(open_ledger: OpenLedger) -> None:
    first, second = open_ledger(), open_ledger()
    held = first.acquire_lock("apply", "first")
    releaser = threading.Timer(0.3, first.release_lock, args=(held.lock_id,))
    releaser.start()

    started = time.monotonic()
    try:
        mine = second.acquire_lock("apply", "second", timeout=10)
    finally:
        releaser.join()

    assert 0.25 <= time.monotonic() - started < 5
    assert mine.holder == "second"
    assert first.current_lock() == mine


def test_waiting_gives_up_at_the_timeout(open_ledger: OpenLedger) -> None:
    first, second = open_ledger(), open_ledger()
    held = first.acquire_lock("apply", "first")

    started = time.monotonic()
    with pytest.raises(LedgerLockedError) as caught:
        second.acquire_lock("apply", "second", timeout=0.3)

    assert 0.3 <= time.monotonic() - started < 2
    assert caught.value.message == locked_message(held, " (waited 0.3 s)")


def test_force_unlock_releases_only_the_named_lock(open_ledger: OpenLedger) -> None:
    first, second = open_ledger(), open_ledger()
    held = first.acquire_lock("apply", "dead runner")

    with pytest.raises(LedgerError) as caught:
        second.force_unlock("00000000")
    assert caught.value.message == (
        f"lock 00000000 is not held on workspace 'default': it holds {held.lock_id}"
    )
    assert second.current_lock() == held

    assert second.force_unlock(held.lock_id) == held
    assert second.current_lock() is None
    with pytest.raises(LedgerError, match="it is not locked"):
        second.force_unlock(held.lock_id)
    second.acquire_lock("apply", "second")


def test_releasing_a_lock_that_was_forced_open_only_warns(
    store: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    held = store.acquire_lock("apply", "me")
    store.force_unlock(held.lock_id)

    with caplog.at_level(logging.WARNING):
        store.release_lock(held.lock_id)

    assert f"lock {held.lock_id} was no longer held" in caplog.text


def test_locked_releases_on_error(store: StateStore) -> None:
    seen: list[LockInfo | None] = []

    def import_that_fails() -> None:
        with store.locked("import", "me") as lock:
            seen.append(lock)
            seen.append(store.current_lock())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        import_that_fails()

    assert seen[0] == seen[1]
    assert store.current_lock() is None


def test_a_waiting_writer_reports_at_once_then_at_each_interval(open_ledger: OpenLedger) -> None:
    first, second = open_ledger(), open_ledger()
    held = first.acquire_lock("apply", "ana@ci-7 pid 42")
    reports: list[tuple[LockInfo, float, float]] = []
    second.on_lock_wait = lambda lock, waited, timeout: reports.append((lock, waited, timeout))
    releaser = threading.Timer(0.5, first.release_lock, args=(held.lock_id,))
    releaser.start()
    second.acquire_lock("apply", "bob@laptop pid 7", timeout=5, report_every=0.1)
    releaser.join()
    assert reports[0] == (held, 0.0, 5.0)
    assert 3 <= len(reports) <= 6, reports
    assert all(lock == held and 0 < waited < 1 for lock, waited, _ in reports[1:])


def test_a_holder_is_gone_only_when_proven() -> None:
    import os
    import subprocess
    import sys
    import time

    from reconciler.state.base import holder_of, pid_space_tag
    from reconciler.state.locks import holder_gone

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert pid_space_tag(), "Linux: /proc tells the boot and pid namespace"
    assert holder_gone(holder_of(ended.pid))
    assert not holder_gone(holder_of(os.getpid()))
    here = holder_of(ended.pid)
    assert not holder_gone(here.replace(pid_space_tag(), "0badc0de")), "another container"
    assert not holder_gone(here.replace(f" (ns {pid_space_tag()})", "")), "cannot tell"
    assert not holder_gone(f"ana@another-host pid {ended.pid}")
    assert not holder_gone("first")
    assert not holder_gone(holder_of(0))
    assert not holder_gone(holder_of(99999999999))
    # killed but not reaped yet by its parent: a zombie holds no lock either
    zombie = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        zombie.kill()
        deadline = time.monotonic() + 10
        while not holder_gone(holder_of(zombie.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert holder_gone(holder_of(zombie.pid))
    finally:
        zombie.wait()
