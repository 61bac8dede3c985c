"""A PostgreSQL ledger whose connection is killed in the middle of an apply (a failover, an
administrator's pg_terminate_backend): no traceback, no schedule lost or created twice."""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

from tests.e2e.conftest import Project, Result, scheduled_message
from tests.pg import fresh_schema

COUNT = 8


def when_three_exist(project: Project) -> None:
    deadline = time.monotonic() + 30
    while len(project.live()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)


def kill_connections(project: Project, url: str, role: str, *, seconds: float) -> None:
    """Once three schedules exist, terminate the CLI's connections; with ``seconds``, keep the
    ledger unreachable that long (its role may not log in), so no reconnect can win a race."""
    when_three_exist(project)
    with psycopg.connect(url, autocommit=True) as admin:
        if seconds:
            admin.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(role)))
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,)
        )
        if seconds:
            time.sleep(seconds)
            admin.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(role)))


@contextmanager
def ledger_role(url: str) -> Iterator[tuple[str, str]]:
    """A login role of this test's own (its connections alone are killed) and the ledger URL
    that uses it, on the schema of ``url``."""
    role = f"br_kill_{secrets.token_hex(4)}"
    schema = re.search(r"search_path%3D(\w+)", url)
    assert schema is not None
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        admin.execute(
            sql.SQL("GRANT ALL ON SCHEMA {} TO {}").format(
                sql.Identifier(schema.group(1)), sql.Identifier(role)
            )
        )
    try:
        yield role, re.sub(r"://[^@/]+@", f"://{role}@", url, count=1)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            # the ledger's tables stay, owned by the test's own user from here on
            admin.execute(
                sql.SQL("REASSIGN OWNED BY {} TO CURRENT_USER").format(sql.Identifier(role))
            )
            admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def apply_while_killing(project: Project, url: str, *, seconds: float) -> tuple[Project, Result]:
    """Apply COUNT creates to a ledger at ``url`` while its connections are killed."""
    with ledger_role(url) as (role, role_url):
        project = dataclasses.replace(project, state=role_url)
        for n in range(COUNT):
            project.write(f"m{n}.yaml", scheduled_message(f"m{n}", alert=f"A{n}"))
        # each create is answered after 0.3 s, so that the kill lands in the middle
        project.emulator.admin.set_faults(
            [{"endpoint": "/messages/schedule/create", "fault": "timeout", "delay": 0.3}]
        )
        killer = threading.Thread(
            target=kill_connections, args=(project, url, role), kwargs={"seconds": seconds}
        )
        killer.start()
        result = project.apply("--parallelism", "1")
        killer.join()
        project = dataclasses.replace(project, state=url)
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
        assert re.search(
            r"stopped the run: (cannot connect to the )?ledger postgresql://", result.stderr
        )
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
