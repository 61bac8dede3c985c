"""A PostgreSQL ledger whose connection is killed in the middle of an apply (a failover, an
administrator's pg_terminate_backend): no traceback, no schedule lost or created twice."""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time

import psycopg
import pytest

from tests.e2e.conftest import Project, scheduled_message
from tests.pg import fresh_schema

COUNT = 8


@pytest.mark.postgres
def test_a_postgres_connection_killed_mid_apply_loses_and_duplicates_nothing(
    project: Project,
) -> None:
    name = f"br-kill-{secrets.token_hex(4)}"  # only this test's connection is killed
    with fresh_schema() as url:
        project = dataclasses.replace(project, state=f"{url}&application_name={name}")
        for n in range(COUNT):
            project.write(f"m{n}.yaml", scheduled_message(f"m{n}", alert=f"A{n}"))
        # each create is answered after 0.3 s, so that the kill lands in the middle
        project.emulator.admin.set_faults(
            [{"endpoint": "/messages/schedule/create", "fault": "timeout", "delay": 0.3}]
        )
        killed: list[int] = []

        def kill_once_three_are_created() -> None:
            deadline = time.monotonic() + 30
            while len(project.live()) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            with psycopg.connect(url, autocommit=True) as admin:
                rows = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    (name,),
                ).fetchall()
            killed.extend(1 for row in rows if row[0])

        killer = threading.Thread(target=kill_once_three_are_created)
        killer.start()
        result = project.apply("--parallelism", "1")
        killer.join()

        assert killed == [1]
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        assert result.code == 0, output
        assert "the connection was lost" in result.stderr
        assert "reconnecting to write it once more" in result.stderr
        project.emulator.admin.set_faults([])
        project.assert_converged()
        alerts = sorted(s["body"]["messages"]["apple_push"]["alert"] for s in project.live())
        assert alerts == sorted(f"A{n}" for n in range(COUNT))
