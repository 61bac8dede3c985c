"""Client pieces that need no server: pacing on a fake clock, headers, instance names, retries."""

from __future__ import annotations

import random

import httpx
import pytest

from reconciler.braze.client import BrazeClient, RetryPolicy
from reconciler.braze.errors import (
    BadRequestError,
    GatewayTimeoutError,
    OutcomeUnknownError,
    UnauthorizedError,
)
from reconciler.braze.instances import resolve_base_url
from reconciler.braze.ratelimit import Pacer, RateLimitInfo, RateLimits, parse_headers

# Identifiers of Braze's form (UUIDs); which objects they name does not matter here.
CAMPAIGN_ID = "5b2f1c3e-4a6d-4e8f-9a0b-1c2d3e4f5a6b"
CANVAS_ID = "6c3a2d4f-5b7e-4f90-8b1c-2d3e4f5a6b7c"


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(limits: RateLimits, clock: FakeClock, wall: float = 1_764_000_000.0) -> Pacer:
    return Pacer(limits, monotonic=clock.monotonic, wall=lambda: wall, sleep=clock.sleep)


def test_broadcasts_per_audience_are_spread_over_a_sliding_minute() -> None:
    clock = FakeClock()
    paced = pacer(RateLimits(audience_per_minute=10), clock)
    path = "/campaigns/trigger/schedule/create"
    for _ in range(10):
        paced.release(paced.acquire(path, "audience-a"), None)
    assert clock.slept == []
    paced.acquire(path, "audience-b")  # another audience has its own bucket
    assert clock.slept == []
    paced.acquire(path, "audience-a")
    assert clock.slept == [60.0]


def test_non_broadcast_calls_use_the_hourly_bucket() -> None:
    clock = FakeClock()
    paced = pacer(RateLimits(hourly=3, audience_per_minute=1), clock, wall=3600 * 100 + 3000)
    for _ in range(3):
        paced.release(paced.acquire("/messages/schedule/create"), None)
    paced.acquire("/messages/schedule/create")
    assert clock.slept == [600.0]  # the clock hour turns 600 s later


def test_headers_teach_a_lower_limit_and_the_servers_reset() -> None:
    clock = FakeClock()
    paced = pacer(RateLimits(), clock)
    ticket = paced.acquire("/messages/schedule/delete")
    headers = {
        "X-RateLimit-Limit": "2",
        "x-ratelimit-remaining": "0",
        "X-RATELIMIT-RESET": "1764000030",
        "Date": "Mon, 24 Nov 2025 16:00:00 GMT",  # epoch 1764000000
    }
    info = parse_headers(headers, local_time=0.0)
    assert (info.limit, info.remaining, info.reset_in) == (2, 0, 30.0)
    paced.release(ticket, info)
    paced.acquire("/messages/schedule/delete")
    assert clock.slept == [31.0]  # the reset, plus a second: headers carry whole seconds


def test_a_429_blocks_the_bucket_until_its_reset() -> None:
    clock = FakeClock()
    paced = pacer(RateLimits(), clock)
    ticket = paced.acquire("/messages/schedule/update")
    paced.release(ticket, None)
    paced.rate_limited(ticket, 5.0)
    paced.acquire("/messages/schedule/update")
    assert clock.slept == [6.0]


# Once, after a short 429, the answer of a call still in flight moved the pacer's window to
# the end of the hour with no tokens: the apply stalled for up to an hour.
def test_a_short_429_with_a_call_in_flight_does_not_stall_until_the_hour_ends() -> None:
    clock = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    pacer = Pacer(monotonic=lambda: clock[0], wall=lambda: 1.7e9 + clock[0], sleep=sleep)
    path = "/messages/schedule/create"
    first, second = pacer.acquire(path), pacer.acquire(path)
    # the first is refused: 429, reset in 1 s
    pacer.release(first, RateLimitInfo(limit=250_000, remaining=0, reset_in=1.0))
    pacer.rate_limited(first, 1.0)
    # the second, sent before, is answered normally: 249,990 left, the hour ends in 30 min
    pacer.release(second, RateLimitInfo(limit=250_000, remaining=249_990, reset_in=1800.0))
    pacer.acquire(path)
    assert sum(slept) <= 2.0, f"waited {sum(slept):.0f} s"


def test_limits_are_configurable_by_name() -> None:
    assert RateLimits.parse({"hourly": 500_000}).hourly == 500_000
    with pytest.raises(ValueError, match="unknown rate limit 'per_second'"):
        RateLimits.parse({"per_second": 1})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("US-03", "https://rest.iad-03.braze.com"),
        ("eu-01", "https://rest.fra-01.braze.eu"),
        ("US-10", "https://rest.us-10.braze.com"),
        ("https://rest.iad-05.braze.com/", "https://rest.iad-05.braze.com"),
        ("rest.au-01.braze.com", "https://rest.au-01.braze.com"),
        ("http://127.0.0.1:4010", "http://127.0.0.1:4010"),
    ],
)
def test_instance_names_and_urls(given: str, expected: str) -> None:
    assert resolve_base_url(given) == expected


def test_an_unknown_instance_is_refused() -> None:
    with pytest.raises(ValueError, match="US-09"):
        resolve_base_url("US-09")


def scripted(*answers: httpx.Response | Exception) -> tuple[BrazeClient, list[httpx.Request]]:
    """A client whose transport answers from a script: the one seam for the network."""
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = BrazeClient(
        "https://rest.iad-03.braze.com",
        "secret-key-123456",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=4, base_delay=0.0),
        sleep=lambda _: None,
        rng=random.Random(0),
    )
    return client, seen


BODY = {
    "campaign_id": CAMPAIGN_ID,
    "broadcast": True,
    "schedule": {"time": "2026-12-05T10:00:00Z"},
}


def test_the_key_goes_in_a_bearer_header_only() -> None:
    client, seen = scripted(httpx.Response(201, json={"schedule_id": "s", "message": "success"}))
    client.create_schedule("CampaignSchedule", BODY)
    (request,) = seen
    assert request.headers["authorization"] == "Bearer secret-key-123456"
    assert b"secret-key" not in request.content
    assert "secret-key" not in str(request.url)


def test_a_create_is_retried_after_503_but_not_after_504() -> None:
    client, seen = scripted(
        httpx.Response(503, json={"message": "Service Unavailable"}),
        httpx.Response(201, json={"schedule_id": "s1", "message": "success"}),
    )
    assert client.create_schedule("CampaignSchedule", BODY).get_str("schedule_id") == "s1"
    assert len(seen) == 2
    client, seen = scripted(httpx.Response(504, json={"message": "Gateway Timeout"}))
    with pytest.raises(OutcomeUnknownError) as caught:
        client.create_schedule("CampaignSchedule", BODY)
    assert isinstance(caught.value.__cause__, GatewayTimeoutError)
    assert len(seen) == 1


def test_a_create_without_an_answer_is_unknown_and_never_repeated() -> None:
    request = httpx.Request("POST", "https://x")
    client, seen = scripted(httpx.ReadTimeout("timed out", request=request))
    with pytest.raises(OutcomeUnknownError):
        client.create_schedule("CampaignSchedule", BODY)
    assert len(seen) == 1
    client, seen = scripted(httpx.RemoteProtocolError("peer closed", request=request))
    with pytest.raises(OutcomeUnknownError):
        client.create_schedule("CampaignSchedule", BODY)
    assert len(seen) == 1


def test_a_connect_failure_is_retried_even_for_a_create() -> None:
    request = httpx.Request("POST", "https://x")
    client, seen = scripted(
        httpx.ConnectError("refused", request=request),
        httpx.Response(201, json={"schedule_id": "s", "message": "success"}),
    )
    assert client.create_schedule("CampaignSchedule", BODY).get_str("schedule_id") == "s"
    assert len(seen) == 2


def test_202_queued_without_a_schedule_id_is_unknown() -> None:
    client, _ = scripted(httpx.Response(202, json={"message": "queued"}))
    with pytest.raises(OutcomeUnknownError, match="without a schedule_id"):
        client.create_schedule("CampaignSchedule", BODY)


def test_deletes_are_retried_and_remember_an_unknown_attempt() -> None:
    request = httpx.Request("POST", "https://x")
    client, seen = scripted(
        httpx.ReadTimeout("timed out", request=request),
        httpx.Response(400, json={"message": "Invalid schedule_id"}),
    )
    with pytest.raises(BadRequestError) as caught:
        client.delete_schedule("ScheduledMessage", {"schedule_id": "s"})
    assert caught.value.after_unknown is True
    assert len(seen) == 2


def test_errors_carry_brazes_message_in_either_shape_and_never_the_key() -> None:
    client, _ = scripted(
        httpx.Response(401, json={"message": "Invalid API key: secret-key-123456"})
    )
    from reconciler import secrets

    secrets.register("secret-key-123456")
    with pytest.raises(UnauthorizedError) as caught:
        client.update_schedule("ScheduledMessage", {"schedule_id": "s"})
    assert "secret-key" not in str(caught.value)
    assert "Invalid API key: ***" in str(caught.value)
    client, _ = scripted(httpx.Response(400, json={"error": "Problem: body does not match"}))
    with pytest.raises(BadRequestError, match="Problem: body does not match"):
        client.create_send_id({"campaign_id": CAMPAIGN_ID, "send_id": "s"})


def test_non_fatal_errors_and_notices_are_surfaced() -> None:
    client, _ = scripted(
        httpx.Response(
            201,
            json={
                "message": "success",
                "schedule_id": "s",
                "errors": ["required field `first_name` not present"],
                "notice": "The Canvas is paused. Resume the Canvas to ensure trigger requests "
                "will take effect.",
            },
        )
    )
    response = client.create_schedule("CanvasSchedule", {"canvas_id": CANVAS_ID})
    assert response.notices == (
        "required field `first_name` not present",
        "The Canvas is paused. Resume the Canvas to ensure trigger requests will take effect.",
    )
