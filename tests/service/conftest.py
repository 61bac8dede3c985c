"""A Service against the emulator on loopback, with its own clock and ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from reconciler.settings import Settings
from tests.e2e.conftest import scheduled_message

KEY = "service-clock-test-key-0123456789"
CLOCK = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
"""What the service's clock says: the real time, for the ledger and saved plans."""
VIRTUAL = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
"""``--now``: the instant the time rules are evaluated at."""
ADDRESS = "scheduled_message/a"


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmbeddedEmulator]:
    config = EmulatorConfig(api_keys=(KEY,), clock=CLOCK, data_dir=tmp_path / "emulator")
    with EmbeddedEmulator(config) as running:
        yield running


def settings(root: Path, endpoint: str) -> Settings:
    key_file = root / "api-key"
    key_file.write_text(KEY, encoding="utf-8")
    return Settings(
        endpoint=endpoint,
        api_key_file=key_file,
        state_url=f"sqlite:///{root / 'ledger' / 'state.db'}",
        workspace="default",
        cwd=root,
    )


def manifests(root: Path) -> str:
    folder = root / "manifests"
    folder.mkdir(exist_ok=True)
    (folder / "a.yaml").write_text(scheduled_message("a"), encoding="utf-8")
    return str(folder)
