"""The real client against the real emulator over loopback.

One emulator per module (starting one costs ~0.1 s, stopping ~0.15 s), reset before each test:
schedules, send ids, counters and faults dropped, the clock back at ``START``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.braze.client import BrazeClient, RetryPolicy, Timeouts
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from reconciler.emulator.workspace import load_workspace
from tests.contract import demo

START = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
FULL_KEY = "contract-test-full-key"
LISTING_KEY = "contract-test-listing-only-key"
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)

MakeClient = Callable[..., BrazeClient]


@pytest.fixture(scope="session")
def seed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace plus a key holding one permission only (JSON: seeds may be JSON)."""
    data = load_workspace().model_dump()
    data["api_keys"] = [
        {"key": FULL_KEY, "name": "all", "permissions": "*"},
        {"key": LISTING_KEY, "name": "listing", "permissions": ["messages.schedule_broadcasts"]},
    ]
    path = tmp_path_factory.mktemp("seed") / "workspace.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def running(seed_file: Path) -> Iterator[EmbeddedEmulator]:
    with EmbeddedEmulator(EmulatorConfig(seed=seed_file, clock=START)) as emulator:
        yield emulator


@pytest.fixture
def emulator(running: EmbeddedEmulator) -> EmbeddedEmulator:
    running.admin.reset()
    running.admin.set_clock(START)
    return running


@pytest.fixture
def make_client(emulator: EmbeddedEmulator) -> Iterator[MakeClient]:
    clients: list[BrazeClient] = []

    def make(
        key: str = FULL_KEY,
        *,
        retry: RetryPolicy = FAST_RETRY,
        read_timeout: float = 5.0,
        base_url: str | None = None,
    ) -> BrazeClient:
        client = BrazeClient(
            base_url or emulator.base_url,
            key,
            retry=retry,
            timeouts=Timeouts(connect=2.0, read=read_timeout),
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> BrazeClient:
    return make_client()


@pytest.fixture
def http(emulator: EmbeddedEmulator) -> Iterator[httpx.Client]:
    """A plain HTTP client, like curl: for what the Braze client would not send."""
    with httpx.Client(
        base_url=emulator.base_url, headers={"Authorization": f"Bearer {FULL_KEY}"}
    ) as plain:
        yield plain


# Valid bodies, one per endpoint, built on the demo workspace.


def message_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "broadcast": True,
        "segment_id": demo.PUSH_SEGMENT,
        "schedule": {"time": "2026-11-27T09:00:00Z"},
        "messages": {"apple_push": {"alert": "Black Friday starts now"}},
    }
    body.update(changes)
    return body


def campaign_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "campaign_id": demo.TRIGGERED_CAMPAIGN,
        "recipients": [{"external_user_id": "user-1"}],
        "trigger_properties": {"discount": 20},
        "schedule": {"time": "2026-11-27T09:00:00Z"},
    }
    body.update(changes)
    return body


def canvas_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "canvas_id": demo.CANVAS,
        "recipients": [{"external_user_id": "user-1", "context": {"tier": "gold"}}],
        "schedule": {"time": "2026-11-27T09:00:00Z"},
    }
    body.update(changes)
    return body
