"""The ``emulator`` command as a real process, driven like curl would."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.contract import demo

KEY = "cli-test-key-0123"
# Braze's documented example for /messages/schedule/create, with its mistakes corrected
# (broadcast a boolean, user_aliases a list, recipients not a field of this endpoint).
DOC_EXAMPLE = {
    "broadcast": True,
    "segment_id": demo.PUSH_SEGMENT,
    "override_messaging_limits": False,
    "recipient_subscription_state": "subscribed",
    "schedule": {"time": "2026-11-27T20:30:36Z", "in_local_time": False, "at_optimal_time": False},
    "messages": {
        "apple_push": {"alert": "Black Friday is here", "badge": 1},
        "android_push": {"alert": "Black Friday is here", "title": "Acme"},
    },
}


def test_the_emulator_command_serves_until_interrupted(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "reconciler", "emulator", "--port", "0", "--api-key", KEY,
        "--clock", "2026-11-01T12:00:00Z", "--data", str(tmp_path / "data"),
    ]  # fmt: skip
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = re.match(r"Braze emulator listening on (http://127\.0\.0\.1:\d+) ", line)
            assert match, line
            assert "Ctrl-C" in line
            base = match.group(1)
            auth = {"Authorization": f"Bearer {KEY}"}

            created = httpx.post(f"{base}/messages/schedule/create", json=DOC_EXAMPLE, headers=auth)
            assert created.status_code == 201
            schedule_id = created.json()["schedule_id"]

            schedules = httpx.get(f"{base}/_emulator/schedules").json()["schedules"]
            assert [(s["schedule_id"], s["body"]) for s in schedules] == [
                (schedule_id, DOC_EXAMPLE)
            ]

            listing = httpx.get(
                f"{base}/messages/scheduled_broadcasts",
                params={"end_time": "2027-01-01T00:00:00Z"},
                headers=auth,
            ).json()
            ids = [item["id"] for item in listing["scheduled_broadcasts"]]
            assert ids == [demo.DASHBOARD_CANVAS, demo.DASHBOARD_CAMPAIGN]

            wrong = httpx.post(
                f"{base}/messages/schedule/create",
                json=DOC_EXAMPLE,
                headers={"Authorization": "Bearer wrong-key"},
            )
            assert (wrong.status_code, wrong.json()) == (401, {"message": "Unauthorized"})
        finally:
            process.send_signal(signal.SIGINT)
            _, errors = process.communicate(timeout=10)
        assert process.returncode == 0, errors
    assert (tmp_path / "data" / "emulator.sqlite3").exists()


def test_a_bad_seed_exits_3_with_a_clear_error(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("campaigns:\n  - id: c1\n    api_triggerd: true\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "emulator", "--seed", str(seed)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 3
    assert f"{seed}:3:5: campaigns.0.api_triggerd: Extra inputs are not permitted" in result.stderr
