"""Rate-limit headers on every answer, 429 past a limit, and the client's pacing."""

from __future__ import annotations

import math
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from reconciler.braze.client import BrazeClient, RetryPolicy
from reconciler.braze.errors import RateLimitedError
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from tests.contract import demo
from tests.contract.conftest import FULL_KEY, START, campaign_body, message_body

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def test_every_answer_carries_rate_limit_headers_and_a_virtual_date(
    emulator: EmbeddedEmulator, http: httpx.Client
) -> None:
    answers = [
        http.post("/messages/schedule/create", json=message_body()),
        http.post("/messages/schedule/create", json={"broadcast": 1}),
        http.post("/messages/schedule/create", content=b"{"),
        http.post(
            "/messages/schedule/update",
            json={"schedule_id": "x", "schedule": {"time": "2026-11-30T00:00:00Z"}},
        ),
        http.get("/messages/scheduled_broadcasts", params={"end_time": "2027-01-01"}),
        http.post("/sends/id/create", json={"campaign_id": demo.API_CAMPAIGN}),
        http.post("/nowhere", json={}),
        httpx.post(emulator.base_url + "/messages/send", json={}),
        http.get("/_emulator/clock"),
    ]
    assert [answer.status_code for answer in answers] == [
        201,
        400,
        400,
        400,
        200,
        201,
        404,
        401,
        200,
    ]
    for answer in answers:
        assert all(name in answer.headers for name in RATE_HEADERS), answer.request.url
        date = parsedate_to_datetime(answer.headers["date"])
        assert abs((date - START).total_seconds()) < 5
        assert "server" not in answer.headers

    first = answers[0].headers
    assert first["x-ratelimit-limit"] == "250000"
    assert first["x-ratelimit-remaining"] == "249999"
    assert first["x-ratelimit-reset"] == str(int(START.timestamp()) + 3600)  # the next clock hour
    assert answers[5].headers["x-ratelimit-limit"] == "100"


@pytest.fixture
def limited(seed_file: Path) -> Iterator[EmbeddedEmulator]:
    config = EmulatorConfig(seed=seed_file, clock=START, hourly_limit=20, limit_window=2)
    with EmbeddedEmulator(config) as emulator:
        yield emulator


def test_past_the_limit_the_answer_is_429(limited: EmbeddedEmulator) -> None:
    headers = {"Authorization": f"Bearer {FULL_KEY}"}
    with httpx.Client(base_url=limited.base_url, headers=headers) as http:
        limited.admin.set_clock(START)  # the start of a 2 s window: 20 calls fit in it
        answers = [http.post("/messages/schedule/create", json=message_body()) for _ in range(21)]
    assert [a.status_code for a in answers] == [201] * 20 + [429]
    assert answers[-1].json() == {"message": "Rate Limited"}
    assert answers[-1].headers["x-ratelimit-remaining"] == "0"
    assert answers[-1].headers["x-ratelimit-limit"] == "20"
    reset = int(answers[-1].headers["x-ratelimit-reset"])
    assert reset % 2 == 0  # windows are aligned on multiples of --limit-window
    assert len(limited.admin.schedules()) == 20
    assert limited.admin.stats()["rate_limited"] == 1

    client = BrazeClient(limited.base_url, FULL_KEY, retry=RetryPolicy(max_attempts=1))
    with client, pytest.raises(RateLimitedError) as caught:
        client.create_schedule("ScheduledMessage", message_body())
    assert caught.value.reset_in is not None
    assert 0 <= caught.value.reset_in <= 2


def test_the_client_paces_itself_and_sees_no_429(limited: EmbeddedEmulator) -> None:
    client = BrazeClient(limited.base_url, FULL_KEY, retry=RetryPolicy(max_attempts=1))
    with client:
        for _ in range(30):
            client.create_schedule("ScheduledMessage", message_body())
    assert client.rate_limited == 0
    assert limited.admin.stats()["rate_limited"] == 0
    assert len(limited.admin.schedules()) == 30


def test_broadcasts_are_limited_per_unique_audience(
    emulator: EmbeddedEmulator, http: httpx.Client
) -> None:
    emulator.admin.set_clock("2026-11-01T12:10:00Z")  # the start of a minute
    broadcast = campaign_body(recipients=None, broadcast=True)
    del broadcast["recipients"]
    answers = [http.post("/campaigns/trigger/schedule/create", json=broadcast) for _ in range(11)]

    assert [a.status_code for a in answers] == [201] * 10 + [429]
    assert answers[0].headers["x-ratelimit-limit"] == "10"
    assert answers[9].headers["x-ratelimit-remaining"] == "0"
    assert int(answers[10].headers["x-ratelimit-reset"]) % 60 == 0

    # Another audience has its own bucket; listed recipients go to the hourly bucket.
    other = {
        **broadcast,
        "audience": {"push_subscription_status": {"comparison": "is", "value": "opted_in"}},
    }
    assert http.post("/campaigns/trigger/schedule/create", json=other).status_code == 201
    listed = http.post("/campaigns/trigger/schedule/create", json=campaign_body())
    assert listed.headers["x-ratelimit-limit"] == "250000"

    emulator.admin.advance(60)
    again = http.post("/campaigns/trigger/schedule/create", json=broadcast)
    assert again.status_code == 201
    assert again.headers["x-ratelimit-remaining"] == "9"


def test_the_headers_show_the_bucket_with_the_fewest_calls_left(
    emulator: EmbeddedEmulator, http: httpx.Client
) -> None:
    emulator.admin.set_clock("2026-11-01T12:10:00Z")
    broadcast = {"canvas_id": demo.CANVAS, "broadcast": True}
    answer = http.post("/canvas/trigger/send", json=broadcast)
    # 250/min overall has 249 left, the audience 9: the audience is shown.
    assert (answer.headers["x-ratelimit-limit"], answer.headers["x-ratelimit-remaining"]) == (
        "10",
        "9",
    )
    reset = int(answer.headers["x-ratelimit-reset"])
    assert reset == math.floor(START.timestamp() / 60) * 60 + 11 * 60
