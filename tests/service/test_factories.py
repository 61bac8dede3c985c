"""The service opens the ledger and the Braze client through the factories it is given."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from reconciler.braze.client import BrazeClient
from reconciler.emulator.server import EmbeddedEmulator
from reconciler.service import ClientOptions, Service
from reconciler.service.client import braze_client
from reconciler.settings import Settings
from reconciler.state import StateStore
from reconciler.state.sqlite import SqliteStore
from reconciler.timeutil import Clock, FixedClock
from tests.service.conftest import CLOCK, KEY, VIRTUAL, manifests, settings


def test_the_store_factory_opens_the_ledger_with_the_service_clock(tmp_path: Path) -> None:
    opened: list[Clock] = []

    def open_ledger(_settings: Settings, clock: Clock) -> StateStore:
        opened.append(clock)
        return SqliteStore(tmp_path / "own.db", "default", clock=clock)

    clock = FixedClock(CLOCK)
    service = Service(settings(tmp_path, "local"), clock, store_factory=open_ledger)
    assert service.export()["records"] == []
    assert opened == [clock]


def test_the_client_factory_gives_audit_its_client_at_now(
    tmp_path: Path, emulator: EmbeddedEmulator
) -> None:
    asked: list[tuple[str, datetime, ClientOptions]] = []

    @contextmanager
    def client(
        settings: Settings, api_key: str, now: datetime, options: ClientOptions
    ) -> Iterator[BrazeClient]:
        asked.append((api_key, now, options))
        with braze_client(settings, api_key, now, options) as real:
            yield real

    service = Service(
        settings(tmp_path, emulator.base_url), FixedClock(CLOCK), now=VIRTUAL, client_factory=client
    )
    run = service.audit((manifests(tmp_path),), timedelta(days=7))
    assert asked == [(KEY, VIRTUAL, ClientOptions())]
    assert run.report.workspace == "default"
