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

from reconciler.canonical import content_hash
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from reconciler.state import open_store
from tests.e2e.conftest import KEY, NOW, NOW_TEXT, Project, campaign_schedule, scheduled_message

LATER = "2026-12-03T08:00:00Z"


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


# Once, a create interrupted over an existing record (a fired tombstone) was recovered with
# the record's old, past time, so the plan forgot it and offered the create again: a double
# send.
def test_a_create_interrupted_over_a_tombstone_stays_uncertain(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("weekly", "2026-12-02T10:00:00Z"))
    assert project.apply().code == 0
    forgot = project.run("apply", str(project.manifests), "--auto-approve", now=LATER)
    assert forgot.code == 0, forgot.stderr  # fired: a tombstone now
    project.write("a.yaml", campaign_schedule("weekly", "2026-12-09T10:00:00Z"))
    planned = json.loads(
        project.run("plan", str(project.manifests), "--format", "json", now=LATER).stdout
    )
    (change,) = planned["changes"]
    request = change["requests"][0]
    store = open_store(project.state, "default", default_dir=project.root)
    try:  # the process dies after sending the create
        store.begin(
            address=change["address"],
            kind=change["kind"],
            action="create",
            endpoint=request["path"],
            body=request["body"],
            body_hash=content_hash(request["body"]),
            run_id="dead-run",
        )
    finally:
        store.close()
    for command in ("plan", "apply"):
        extra = ["--auto-approve"] if command == "apply" else []
        result = project.run(command, str(project.manifests), *extra, now=LATER)
        assert result.code == 4, result.stdout + result.stderr
        assert "campaign_schedule/weekly" in result.stdout + result.stderr
        assert "state resolve campaign_schedule/weekly" in result.stdout + result.stderr


def test_ctrl_c_ends_waits_for_rate_limit_room_without_sending(project: Project) -> None:
    import threading

    from reconciler.apply import Applier, ChangeResult, Status
    from reconciler.braze.client import BrazeClient
    from reconciler.braze.limits import RateLimits
    from reconciler.braze.models import unique_audience_key
    from reconciler.braze.ratelimit import Pacer
    from reconciler.plan.planfile import load_plan
    from tests.e2e.conftest import KEY

    for index in range(3):  # three broadcasts to one audience: 1 per minute allowed here
        project.write(f"a{index}.yaml", campaign_schedule(f"promo{index}"))
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    stop = threading.Event()

    def on_result(result: ChangeResult) -> None:
        stop.set()  # Ctrl-C as soon as the first create is done: the others are waiting

    pacer = Pacer(RateLimits(audience_per_minute=1))
    client = BrazeClient(
        project.emulator.base_url, KEY, pacer=pacer, audience_key=unique_audience_key, stop=stop
    )
    store = open_store(project.state, "default", default_dir=project.root)
    try:
        report = Applier(
            store, client, run_id="r1", parallelism=3, stop=stop, on_result=on_result
        ).apply(load_plan(plan_file))
        assert report.interrupted
        statuses = sorted(r.status.value for r in report.results)
        assert statuses == ["done", "not attempted", "not attempted"]
        waiting = [r for r in report.results if r.status is Status.NOT_ATTEMPTED]
        # A change still waiting for room says so; one whose thread had not yet reached the
        # wait when Ctrl-C came is stopped before it (a race of the test's threads, not of the
        # outcome: neither is sent).
        assert {r.message for r in waiting} <= {
            "not sent: the run was stopped while it waited for Braze's rate limit",
            "interrupted",
        }
        assert store.intents(open_only=True) == []
        assert len(store.records()) == 1
    finally:
        store.close()
        client.close()
    assert len(project.live()) == 1
    assert pacer.waited < 60  # the waits ended at the stop, not after the minute


def test_a_pacer_failure_before_the_call_is_no_uncertain_outcome(project: Project) -> None:
    from reconciler.apply import Applier, Status
    from reconciler.braze.client import BrazeClient
    from reconciler.braze.limits import RateLimits
    from reconciler.braze.models import unique_audience_key
    from reconciler.braze.ratelimit import Pacer
    from reconciler.plan.planfile import load_plan

    project.write("a.yaml", campaign_schedule("promo"))
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    # A limit of 0 (refused by the file and the flag) breaks the pacer before any call.
    pacer = Pacer(RateLimits(broadcast_per_minute=0))
    client = BrazeClient(
        project.emulator.base_url, KEY, pacer=pacer, audience_key=unique_audience_key
    )
    store = open_store(project.state, "default", default_dir=project.root)
    try:
        report = Applier(store, client, run_id="r1").apply(load_plan(plan_file))
        (result,) = report.results
        assert result.status is Status.FAILED, result
        assert "was not sent" in (result.message or "")
        assert store.intents(open_only=True) == []
        assert not store.records()
    finally:
        store.close()
        client.close()
    assert project.live() == []
