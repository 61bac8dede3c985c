"""Ctrl-C, or SIGTERM (a CI runner cancelling the job), during apply: no new calls start,
calls in flight finish and are recorded, the lock is released, exit 7."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from reconciler.state import open_store
from tests.e2e.conftest import KEY, NOW, NOW_TEXT, Project, scheduled_message


def forty_manifests(tmp_path: Path) -> tuple[Path, str]:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    for index in range(40):
        (manifests / f"m{index:02d}.yaml").write_text(
            scheduled_message(f"m{index:02d}", alert=f"A{index}"), encoding="utf-8"
        )
    return manifests, f"sqlite:///{tmp_path / 'state.db'}"


def start(emulator: EmbeddedEmulator, state: str, *args: str) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "reconciler", "--endpoint", emulator.base_url, "--state", state,
        *args, "--now", NOW_TEXT,
    ]  # fmt: skip
    env = {**os.environ, "BRAZE_API_KEY": KEY}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )


def wait_for_schedules(emulator: EmbeddedEmulator, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(emulator.admin.schedules()) < count:
        assert time.monotonic() < deadline, "no schedule created"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_new_calls_and_records_those_in_flight(
    tmp_path: Path, signum: signal.Signals
) -> None:
    manifests, state = forty_manifests(tmp_path)
    config = EmulatorConfig(api_keys=(KEY,), clock=NOW, latency_ms=150)
    with EmbeddedEmulator(config) as emulator:
        process = start(
            emulator, state, "apply", str(manifests), "--auto-approve", "--parallelism", "2",
            "--format", "json",
        )  # fmt: skip
        # Wait until some creates are done, then interrupt as a person (or a CI runner) would.
        wait_for_schedules(emulator, 4)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 7, stderr
        document = json.loads(stdout)
        assert document["plan"]["summary"]["create"] == 40
        report = document["apply"]
        assert report["interrupted"] is True
        counts = report["counts"]
        assert counts["not attempted"] > 0
        assert counts["done"] + counts["not attempted"] == 40
        assert "Apply interrupted" not in stdout  # json format: no text report

        created = emulator.admin.schedules()
        store = open_store(state, "default", default_dir=tmp_path)
        try:
            assert store.intents(open_only=True) == []  # every call in flight was recorded
            assert store.current_lock() is None
            records = store.records()
        finally:
            store.close()
        # exactly the creates that happened are in the ledger, each with its schedule id
        assert len(records) == len(created) == counts["done"]
        assert {r.schedule_id for r in records.values()} == {s["schedule_id"] for s in created}


def test_after_a_killed_apply_plan_never_offers_a_live_schedule_as_a_create(
    tmp_path: Path,
) -> None:
    manifests, state = forty_manifests(tmp_path)
    config = EmulatorConfig(api_keys=(KEY,), clock=NOW, latency_ms=300)
    with EmbeddedEmulator(config) as emulator:
        process = start(
            emulator, state, "apply", str(manifests), "--auto-approve", "--parallelism", "4"
        )
        wait_for_schedules(emulator, 6)
        process.kill()  # SIGKILL: nothing is recorded, the lock row stays
        process.communicate(timeout=30)
        time.sleep(0.5)  # the calls in flight reach the emulator anyway
        planned = start(emulator, state, "plan", str(manifests), "--format", "json")
        stdout, stderr = planned.communicate(timeout=60)
        live = {s["body"]["messages"]["apple_push"]["alert"] for s in emulator.admin.schedules()}
    assert planned.returncode in (0, 4), stderr
    document = json.loads(stdout)
    # the holder was killed on this host: the lock is reported dead, with the unlock command
    assert any("the lock is dead" in w and "force-unlock" in w for w in document["warnings"])
    offered = {
        c["after"]["messages"]["apple_push"]["alert"]
        for c in document["changes"]
        if c["action"] == "create" and c["blocked"] is None
    }
    assert len(live) >= 6
    assert offered, "the apply was killed before the end: some creates are left"
    assert offered.isdisjoint(live)  # a create offered again would send a second message


def test_plan_shows_open_calls_as_uncertain_while_a_lock_row_exists(project: Project) -> None:
    # An apply killed (SIGKILL) mid-run leaves its lock row and its open intents: the creates
    # it sent may exist in Braze, so plan must not offer them as ordinary creates.
    project.write("a.yaml", scheduled_message("a"))
    project.write("b.yaml", scheduled_message("b", alert="B"))
    store = open_store(project.state, "default", default_dir=project.root)
    try:
        store.acquire_lock("apply", "ci@killed-runner pid 1")
        store.begin(
            address="scheduled_message/a",
            kind="ScheduledMessage",
            action="create",
            endpoint="/messages/schedule/create",
            body={"broadcast": True, "schedule": {"time": "2026-12-03T15:00:00Z"}},
            body_hash="sha256:x",
            run_id="killed-run",
        )
        result = project.plan()
    finally:
        store.close()
    assert result.code == 4, result.stdout + result.stderr
    assert "apply is running (ci@killed-runner pid 1" in result.stdout
    assert "1 call(s) of an apply (running, or killed) have unknown outcomes" in result.stdout
    assert "blocked by a safety gate: scheduled_message/a (uncertain)" in result.stdout
