"""The workspace lock seen by a new user: a dead holder is named dead with the exact command
that releases it, and a writer waiting with --lock-timeout says so, naming the holder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reconciler.state import LockInfo, open_store
from reconciler.state import locks as state_locks
from reconciler.state.base import holder_of
from tests.e2e.conftest import Project, scheduled_message


def dead_pid() -> int:
    """The pid of a process of this host that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def hold(project: Project, holder: str, workspace: str = "default") -> LockInfo:
    store = open_store(project.state, workspace, default_dir=project.root)
    try:
        return store.acquire_lock("apply", holder)
    finally:
        store.close()


def test_a_dead_holder_is_reported_dead_with_the_command_that_releases_it(
    project: Project,
) -> None:
    project.write("m.yaml", scheduled_message("m"))
    pid = dead_pid()
    lock = hold(project, holder_of(pid))

    plan = project.plan()
    assert plan.code == 0, plan.stdout + plan.stderr
    assert "is running" not in plan.stdout + plan.stderr
    assert (
        f"and that process is gone (no process {pid} runs on this host): the lock is dead and "
        "apply will refuse to run (exit 6) until it is released with "
        f"`braze-reconciler state force-unlock {lock.lock_id}`"
    ) in plan.stdout

    started = time.monotonic()
    refused = project.apply("--lock-timeout", "10m")
    assert refused.code == 6
    assert time.monotonic() - started < 5, "a dead holder is not waited for"
    assert f"lock id {lock.lock_id}, and that process is gone" in refused.stderr
    assert "the lock is dead" in refused.stderr
    assert "Waiting up to" not in refused.stderr
    hint = re.search(r"release it: braze-reconciler (state force-unlock \w+)\n", refused.stderr)
    assert hint is not None, refused.stderr
    assert project.live() == []

    released = project.run(*hint.group(1).split())
    assert released.code == 0, released.stderr
    assert project.apply().code == 0
    project.assert_converged()


def test_the_command_names_a_workspace_other_than_the_default(project: Project) -> None:
    lock = hold(project, holder_of(dead_pid()), workspace="staging")
    project.write("m.yaml", scheduled_message("m"))
    refused = project.run(
        "--workspace", "staging", "apply", str(project.manifests), "--auto-approve"
    )
    assert refused.code == 6
    command = f"braze-reconciler --workspace staging state force-unlock {lock.lock_id}"
    assert command in refused.stderr
    released = project.run(*command.split()[1:])
    assert released.code == 0, released.stderr


def test_a_holder_on_another_host_is_never_called_dead(project: Project) -> None:
    lock = hold(project, "alice@ci-runner-7 pid 999999")
    project.write("m.yaml", scheduled_message("m"))
    plan = project.plan()
    assert "apply is running (alice@ci-runner-7 pid 999999, since " in plan.stdout
    refused = project.apply()
    assert refused.code == 6
    assert "is dead" not in refused.stderr
    assert f"if that process is gone: braze-reconciler state force-unlock {lock.lock_id}" in (
        refused.stderr
    )


def test_lock_timeout_says_it_waits_and_names_the_holder(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_locks, "LOCK_WAIT_REPORT_SECONDS", 0.3)
    project.write("m.yaml", scheduled_message("m"))
    store = open_store(project.state, "default", default_dir=project.root)
    lock = store.acquire_lock("apply", "alice@ci-runner-7 pid 4242")
    releaser = threading.Timer(1.2, store.release_lock, [lock.lock_id])
    releaser.start()
    try:
        waited = project.apply("--lock-timeout", "5m")
    finally:
        releaser.join()
        store.close()
    assert waited.code == 0, waited.stderr
    holder = "held by alice@ci-runner-7 pid 4242 for apply since "
    lines = waited.stderr.splitlines()
    assert lines[0].startswith(f"Waiting up to 5 min for the lock of workspace 'default': {holder}")
    assert lines[0].endswith(f"(lock id {lock.lock_id}).")
    still = [line for line in lines if line.startswith("Still waiting for the lock")]
    assert 2 <= len(still) <= 4, lines
    assert re.fullmatch(
        rf"Still waiting for the lock of workspace 'default' \(\d s of 5 min\): {holder}"
        rf"\S+ \(lock id {lock.lock_id}\)\.",
        still[0],
    )
    project.assert_converged()


def test_without_lock_timeout_nothing_waits_or_prints_a_wait(project: Project) -> None:
    hold(project, "alice@ci-runner-7 pid 4242")
    project.write("m.yaml", scheduled_message("m"))
    refused = project.apply()
    assert refused.code == 6
    assert "Waiting" not in refused.stderr


HOLDING = """
import pathlib, sys, time
from reconciler.state import open_store, process_holder
store = open_store(sys.argv[1], "default", default_dir=pathlib.Path("."))
lock = store.acquire_lock("apply", process_holder())
print(lock.lock_id, flush=True)
time.sleep(120)
"""


def test_a_killed_writer_leaves_a_lock_reported_dead(project: Project) -> None:
    checkout = str(Path(__file__).resolve().parents[2])  # this checkout's reconciler
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDING, project.state],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": checkout},
    )
    assert holder.stdout is not None
    lock_id = holder.stdout.readline().strip()
    project.write("m.yaml", scheduled_message("m"))
    alive = project.plan()
    assert "apply is running (" in alive.stdout
    holder.kill()  # kill -9: no chance to release the lock
    holder.wait()
    holder.stdout.close()
    plan = project.plan()
    assert "is running" not in plan.stdout
    assert f"pid {holder.pid}" in plan.stdout
    assert "the lock is dead" in plan.stdout
    refused = project.apply("--lock-timeout", "1m")
    assert refused.code == 6
    assert (
        "hint: make sure no other braze-reconciler runs on this workspace, then release "
        f"it: braze-reconciler state force-unlock {lock_id}\n"
    ) in refused.stderr
    assert project.run("state", "force-unlock", lock_id).code == 0
    assert project.apply().code == 0
    project.assert_converged()


def test_state_commands_say_they_wait_too(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.write("keep.yaml", scheduled_message("keep", alert="keep"))
    assert project.apply().code == 0
    store = open_store(project.state, "default", default_dir=project.root)
    lock = store.acquire_lock("apply", "alice@ci-runner-7 pid 4242")
    releaser = threading.Timer(0.5, store.release_lock, [lock.lock_id])
    releaser.start()
    try:
        removed = project.run("state", "rm", "scheduled_message/m", "--lock-timeout", "30s")
    finally:
        releaser.join()
        store.close()
    assert removed.code == 0, removed.stderr
    assert removed.stderr.startswith(
        "Waiting up to 30 s for the lock of workspace 'default': held by alice@ci-runner-7 "
    )
    assert "Removed scheduled_message/m from the ledger." in removed.stderr
