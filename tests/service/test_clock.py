"""One clock: the service stamps the ledger and saved plans with the clock it is given, ``--now``
moves only the time rules, and no module but ``timeutil`` reads the system time."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import reconciler
from reconciler.emulator.server import EmbeddedEmulator
from reconciler.errors import UsageError
from reconciler.plan.model import PlanOptions
from reconciler.service import ApplyRequest, Service
from reconciler.timeutil import FixedClock, parse_instant
from tests.service.conftest import ADDRESS, CLOCK, VIRTUAL, manifests, settings


def instant(value: object) -> datetime:
    """A plan's instant, whether the plan keeps it as text or as a datetime."""
    return value if isinstance(value, datetime) else parse_instant(str(value))


def test_plan_and_apply_are_stamped_by_the_service_clock(
    tmp_path: Path, emulator: EmbeddedEmulator
) -> None:
    service = Service(settings(tmp_path, emulator.base_url), FixedClock(CLOCK))
    paths = (manifests(tmp_path),)

    planned = service.plan(paths, PlanOptions())
    assert instant(planned.now) == CLOCK  # no --now: the time rules use the clock
    assert instant(planned.created_at) == CLOCK

    plan, report = service.apply(ApplyRequest(paths=paths), confirm=lambda _plan: True)
    assert report is not None
    assert report.ok, report.to_dict()
    assert instant(plan.created_at) == CLOCK
    with service.open_ledger() as store:
        record = store.get(ADDRESS)
        assert record is not None
        assert (record.created_at, record.updated_at) == (CLOCK, CLOCK)
        [intent] = store.intents(ADDRESS)
        assert (intent.started_at, intent.finished_at) == (CLOCK, CLOCK)
        assert store.info().created_at == CLOCK


def test_now_moves_the_time_rules_and_the_clock_stamps_the_ledger(
    tmp_path: Path, emulator: EmbeddedEmulator
) -> None:
    """What the ledger stamped before the clock was injected, kept: ``--now`` dates a plan's
    time rules, while the ledger and a saved plan's age keep the real time (``state resolve``
    measures from an intent's start how long a slow create may still land)."""
    service = Service(settings(tmp_path, emulator.base_url), FixedClock(CLOCK), now=VIRTUAL)
    paths = (manifests(tmp_path),)

    plan, report = service.apply(ApplyRequest(paths=paths), confirm=lambda _plan: True)
    assert report is not None
    assert report.ok, report.to_dict()
    assert instant(plan.now) == VIRTUAL
    assert instant(plan.created_at) == CLOCK
    with service.open_ledger() as store:
        record = store.get(ADDRESS)
        assert record is not None
        assert record.updated_at == CLOCK
        [intent] = store.intents(ADDRESS)
        assert intent.started_at == CLOCK


def test_now_against_braze_itself_is_measured_from_the_clock(tmp_path: Path) -> None:
    braze = settings(tmp_path, "https://rest.iad-03.braze.com")
    empty = tmp_path / "empty"
    empty.mkdir()
    request = ApplyRequest(paths=(str(empty),), allow_empty=True)
    later = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))  # far from the system clock

    near = Service(braze, later, now=later.now() + timedelta(minutes=1))
    plan, report = near.apply(request, confirm=lambda _plan: False)
    assert (plan.has_changes, report) == (False, None)

    far = Service(braze, later, now=later.now() + timedelta(hours=1))
    with pytest.raises(UsageError, match=r"--now 2030-01-01T01:00:00Z is not the current time"):
        far.apply(request, confirm=lambda _plan: False)


SYSTEM_TIME = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
}
"""Calls that read the system's wall clock. ``time.monotonic`` (durations and timeouts) is a
different matter, and so is ``time.time`` passed uncalled as an injectable default."""


def test_only_timeutil_reads_the_system_time() -> None:
    package = Path(reconciler.__file__).parent
    readers = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in SYSTEM_TIME
            ):
                readers.append(f"{path.relative_to(package)}:{node.lineno}")
    assert readers, "SystemClock reads it"
    assert [reader for reader in readers if not reader.startswith("timeutil.py:")] == []
