"""A PostgreSQL ledger whose connection is killed in the middle of an apply (a failover, an
administrator's pg_terminate_backend): no traceback, no schedule lost or created twice."""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import threading
import time

import psycopg
import pytest

from tests.e2e.conftest import Project, Result, scheduled_message
from tests.pg import fresh_schema

COUNT = 8


def kill_connections(project: Project, url: str, name: str, *, seconds: float) -> None:
    """Once three schedules exist, terminate the CLI's connections for ``seconds`` (0: once)."""
    deadline = time.monotonic() + 30
    while len(project.live()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    with psycopg.connect(url, autocommit=True) as admin:
        end = time.monotonic() + seconds
        while True:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (name,),
            )
            if time.monotonic() >= end:
                return
            time.sleep(0.005)


def apply_while_killing(project: Project, url: str, *, seconds: float) -> tuple[Project, Result]:
    """Apply COUNT creates to a ledger at ``url`` while its connections are killed."""
    name = f"br-kill-{secrets.token_hex(4)}"  # only this test's connections are killed
    project = dataclasses.replace(project, state=f"{url}&application_name={name}")
    for n in range(COUNT):
        project.write(f"m{n}.yaml", scheduled_message(f"m{n}", alert=f"A{n}"))
    # each create is answered after 0.3 s, so that the kill lands in the middle
    project.emulator.admin.set_faults(
        [{"endpoint": "/messages/schedule/create", "fault": "timeout", "delay": 0.3}]
    )
    killer = threading.Thread(
        target=kill_connections, args=(project, url, name), kwargs={"seconds": seconds}
    )
    killer.start()
    result = project.apply("--parallelism", "1")
    killer.join()
    return project, result


@pytest.mark.postgres
def test_a_ledger_unreachable_mid_apply_stops_it_with_a_report_not_a_traceback(
    project: Project,
) -> None:
    with fresh_schema() as url:
        project, result = apply_while_killing(project, url, seconds=6)
        output = result.stdout + result.stderr
        assert result.code == 7, output
        assert "Traceback" not in output
        assert "stopped the run: ledger postgresql://" in result.stderr
        assert "the connection was lost" in result.stderr
        assert "Apply incomplete:" in result.stdout
        if "could not be released" in result.stderr:  # the ledger was still down at the end
            (lock_id,) = re.findall(r"lock (\w+) could not be released", result.stderr)
            assert project.run("state", "force-unlock", lock_id).code == 0
        project.emulator.admin.set_faults([])
        settle_uncertain_creates(project)
        again = project.apply()
        assert again.code == 0, again.stdout + again.stderr
        project.assert_converged()
        alerts = sorted(s["body"]["messages"]["apple_push"]["alert"] for s in project.live())
        assert alerts == sorted(f"A{n}" for n in range(COUNT))


def settle_uncertain_creates(project: Project) -> None:
    """What a person does for a create whose outcome the lost ledger could not record: look in
    Braze (here the emulator's listing), then `state resolve`."""
    plan = json.loads(project.plan("--format", "json").stdout)
    live = {s["body"]["messages"]["apple_push"]["alert"]: s["schedule_id"] for s in project.live()}
    for change in plan["changes"]:
        if (change.get("blocked") or {}).get("code") != "uncertain":
            continue
        address = change["address"]
        schedule_id = live.get("A" + address.removeprefix("scheduled_message/m"))
        answer = ("--schedule-id", schedule_id) if schedule_id else ("--absent",)
        assert project.run("state", "resolve", address, *answer).code == 0


@pytest.mark.postgres
def test_a_postgres_connection_killed_mid_apply_loses_and_duplicates_nothing(
    project: Project,
) -> None:
    with fresh_schema() as url:
        project, result = apply_while_killing(project, url, seconds=0)
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        assert result.code == 0, output
        assert "the connection was lost" in result.stderr
        assert "reconnecting to write it once more" in result.stderr
        project.emulator.admin.set_faults([])
        project.assert_converged()
        alerts = sorted(s["body"]["messages"]["apple_push"]["alert"] for s in project.live())
        assert alerts == sorted(f"A{n}" for n in range(COUNT))
