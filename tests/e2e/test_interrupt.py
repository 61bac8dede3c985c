"""Ctrl-C during apply: no new calls start, calls in flight finish and are recorded, exit 7."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from reconciler.state import open_store
from tests.e2e.conftest import KEY, NOW, NOW_TEXT, scheduled_message


def test_sigint_stops_new_calls_and_records_those_in_flight(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    for index in range(40):
        (manifests / f"m{index:02d}.yaml").write_text(
            scheduled_message(f"m{index:02d}", alert=f"A{index}"), encoding="utf-8"
        )
    state = f"sqlite:///{tmp_path / 'state.db'}"
    config = EmulatorConfig(api_keys=(KEY,), clock=NOW, latency_ms=150)
    with EmbeddedEmulator(config) as emulator:
        command = [
            sys.executable,
            "-m",
            "reconciler",
            "--endpoint",
            emulator.base_url,
            "--state",
            state,
            "apply",
            str(manifests),
            "--auto-approve",
            "--parallelism",
            "2",
            "--format",
            "json",
            "--now",
            NOW_TEXT,
        ]
        env = {**os.environ, "BRAZE_API_KEY": KEY}
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
        )
        # Wait until some creates are done, then interrupt as a person at the terminal would.
        deadline = time.monotonic() + 30
        while len(emulator.admin.schedules()) < 4:
            assert time.monotonic() < deadline, "no schedule created"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
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
            records = store.records()
        finally:
            store.close()
        # exactly the creates that happened are in the ledger, each with its schedule id
        assert len(records) == len(created) == counts["done"]
        assert {r.schedule_id for r in records.values()} == {s["schedule_id"] for s in created}
