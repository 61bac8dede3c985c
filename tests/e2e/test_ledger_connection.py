"""A PostgreSQL ledger whose connection is killed in the middle of an apply (a failover, an
administrator's pg_terminate_backend): no traceback, no schedule lost or created twice. The
applier's side is also tested without PostgreSQL, on a ledger whose writes fail mid-apply."""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import threading
import time

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from reconciler.state import open_store
from tests.e2e.conftest import Project, Result, scheduled_message
from tests.pg import fresh_schema

COUNT = 8


def when_three_exist(project: Project) -> None:
    deadline = time.monotonic() + 30
    while len(project.live()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)


def kill_connections(project: Project, url: str, name: str, *, seconds: float) -> None:
    """Once three schedules exist, terminate the CLI's connections; with ``seconds``, keep the
    ledger's database closed to new connections that long, so no reconnect can win a race
    (the test's own user owns the database, or is a superuser: it may do both)."""
    when_three_exist(project)
    database = str(conninfo_to_dict(url)["dbname"])
    # from another database: PostgreSQL will not close the one a session is connected to
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as admin:
        closing = sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}")
        try:
            if seconds:
                admin.execute(closing.format(sql.Identifier(database), sql.SQL("false")))
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (name,),
            )
            time.sleep(seconds)
        finally:
            if seconds:
                admin.execute(closing.format(sql.Identifier(database), sql.SQL("true")))


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


def test_a_ledger_failure_mid_apply_stops_it_and_reports(project: Project) -> None:
    from typing import Any

    from reconciler.apply import Applier, Status
    from reconciler.braze.client import BrazeClient
    from reconciler.errors import LedgerError
    from reconciler.plan.planfile import load_plan
    from reconciler.state.base import Outcome
    from tests.e2e.conftest import KEY

    for index in range(6):
        project.write(f"m{index}.yaml", scheduled_message(f"m{index}", alert=f"A{index}"))
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    store = open_store(project.state, "default", default_dir=project.root)
    real_complete = store.complete
    calls = {"n": 0}

    def failing_complete(intent_id: int, outcome: Outcome, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # e.g. the PostgreSQL connection dropped
            raise LedgerError("ledger postgresql://db: connection lost")
        real_complete(intent_id, outcome, **kwargs)

    store.complete = failing_complete  # type: ignore[method-assign]
    client = BrazeClient(project.emulator.base_url, KEY)
    try:
        report = Applier(store, client, run_id="r1", parallelism=1).apply(load_plan(plan_file))
    finally:
        client.close()
        store.close()
    assert report.interrupted
    assert not report.ok
    by_status = {s: [r for r in report.results if r.status is s] for s in Status}
    assert len(by_status[Status.DONE]) == 1
    (uncertain,) = by_status[Status.UNCERTAIN]
    assert uncertain.message is not None
    assert uncertain.message.startswith("stopped: LedgerError: ledger postgresql://db")
    assert len(by_status[Status.NOT_ATTEMPTED]) == 4
    # the next apply finds the open intent and blocks that create until it is resolved
    result = project.apply()
    assert result.code == 4
    assert uncertain.address in result.stderr
