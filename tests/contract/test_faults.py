"""Each fault kind as the real client sees it, and what the emulator committed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from reconciler.braze.client import BrazeClient, RetryPolicy
from reconciler.braze.errors import BadRequestError, OutcomeUnknownError, RateLimitedError
from reconciler.braze.gone import GoneVerdict, gone_verdict
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from tests.contract import demo
from tests.contract.conftest import FULL_KEY, START, MakeClient, campaign_body, message_body

CREATE = "/campaigns/trigger/schedule/create"


def _fault(emulator: EmbeddedEmulator, fault: str, endpoint: str = CREATE, **extra: object) -> None:
    emulator.admin.set_faults([{"endpoint": endpoint, "fault": fault, "count": 1, **extra}])


def test_drop_after_commit_makes_a_create_unknown_yet_created_once(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    _fault(emulator, "drop_after_commit")

    with pytest.raises(OutcomeUnknownError) as caught:
        client.create_schedule("CampaignSchedule", campaign_body())

    assert "closed without a complete answer" in caught.value.cause
    [schedule] = emulator.admin.schedules()
    assert schedule["status"] == "scheduled"
    assert [entry["call"] for entry in schedule["history"]] == ["create"]
    assert client.calls == 1
    assert emulator.admin.stats()["requests"][CREATE] == {"dropped": 1}


def test_a_reset_connection_is_unknown_to_the_client_and_creates_nothing(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    _fault(emulator, "reset")

    with pytest.raises(OutcomeUnknownError):
        client.create_schedule("CampaignSchedule", campaign_body())

    assert emulator.admin.schedules() == []
    assert emulator.admin.faults()["rules"][0]["fired"] == 1


def test_reset_and_drop_are_closed_connections_not_500s(emulator: EmbeddedEmulator) -> None:
    headers = {"Authorization": f"Bearer {FULL_KEY}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers) as http:
        _fault(emulator, "reset")
        with pytest.raises(httpx.ReadError):
            http.post(CREATE, json=campaign_body())
        _fault(emulator, "drop_after_commit")
        with pytest.raises(httpx.RemoteProtocolError):
            http.post(CREATE, json=campaign_body())
        # The server is fine afterwards.
        assert http.post(CREATE, json=campaign_body()).status_code == 201


@pytest.mark.parametrize("status", ["500", "503"])
def test_a_create_is_retried_after_500_or_503_and_succeeds_once(
    client: BrazeClient, emulator: EmbeddedEmulator, status: str
) -> None:
    _fault(emulator, status)

    answer = client.create_schedule("CampaignSchedule", campaign_body())

    assert answer.attempts == 2
    assert [s["schedule_id"] for s in emulator.admin.schedules()] == [answer.body["schedule_id"]]
    assert emulator.admin.stats()["requests"][CREATE] == {status: 1, "201": 1}


def test_a_timeout_on_a_create_is_unknown_and_committed(
    make_client: MakeClient, emulator: EmbeddedEmulator
) -> None:
    client = make_client(read_timeout=0.3)
    _fault(emulator, "timeout", delay=5)

    with pytest.raises(OutcomeUnknownError) as caught:
        client.create_schedule("CampaignSchedule", campaign_body())

    assert "timeout" in caught.value.cause
    assert len(emulator.admin.schedules()) == 1


def test_a_timeout_without_commit_creates_nothing_and_answers_504_late(
    emulator: EmbeddedEmulator, http: httpx.Client
) -> None:
    _fault(emulator, "timeout", delay=0.2, commit=False)
    response = http.post(CREATE, json=campaign_body())
    assert (response.status_code, response.json()) == (504, {"message": "Gateway Timeout"})
    assert emulator.admin.schedules() == []


def test_a_504_on_a_create_is_unknown(client: BrazeClient, emulator: EmbeddedEmulator) -> None:
    _fault(emulator, "504")
    with pytest.raises(OutcomeUnknownError):
        client.create_schedule("CampaignSchedule", campaign_body())
    assert len(emulator.admin.schedules()) == 1


def test_a_dropped_update_is_retried(client: BrazeClient, emulator: EmbeddedEmulator) -> None:
    schedule_id = client.create_schedule("ScheduledMessage", message_body()).body["schedule_id"]
    _fault(emulator, "drop_after_commit", "/messages/schedule/update")

    answer = client.update_schedule(
        "ScheduledMessage",
        {"schedule_id": schedule_id, "schedule": {"time": "2026-11-28T09:00:00Z"}},
    )

    assert answer.after_unknown
    history = emulator.admin.schedule(schedule_id)["history"]
    assert [entry["call"] for entry in history] == ["create", "update", "update"]


def test_a_dropped_delete_then_reads_as_unknown_schedule(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    schedule_id = client.create_schedule("ScheduledMessage", message_body()).body["schedule_id"]
    _fault(emulator, "drop_after_commit", "/messages/schedule/delete")

    with pytest.raises(BadRequestError) as caught:
        client.delete_schedule("ScheduledMessage", {"schedule_id": schedule_id})

    # The applier counts this as done: the earlier attempt may have deleted it.
    assert caught.value.after_unknown
    assert gone_verdict(caught.value, schedule_id) is GoneVerdict.GONE
    assert emulator.admin.schedule(schedule_id)["status"] == "deleted"


def test_a_429_fault_is_retried_after_its_reset(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    _fault(emulator, "429", "/messages/schedule/delete", delay=0)
    schedule_id = client.create_schedule("ScheduledMessage", message_body()).body["schedule_id"]

    client.delete_schedule("ScheduledMessage", {"schedule_id": schedule_id})

    assert client.rate_limited == 1
    assert emulator.admin.schedule(schedule_id)["status"] == "deleted"


def test_a_429_fault_reports_its_reset(make_client: MakeClient, emulator: EmbeddedEmulator) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=1))
    _fault(emulator, "429", delay=30)
    with pytest.raises(RateLimitedError) as caught:
        client.create_schedule("CampaignSchedule", campaign_body())
    assert caught.value.reset_in == pytest.approx(31, abs=1.5)
    assert emulator.admin.schedules() == []


def test_seeded_faults_are_deterministic(emulator: EmbeddedEmulator, http: httpx.Client) -> None:
    def run() -> list[int]:
        emulator.admin.set_faults(
            [{"endpoint": "/campaigns/*", "fault": "503", "probability": 0.5}], seed=7
        )
        return [http.post(CREATE, json=campaign_body()).status_code for _ in range(12)]

    first = run()
    assert set(first) == {201, 503}
    assert run() == first
    other = http.post(
        "/sends/id/create", json={"campaign_id": demo.API_CAMPAIGN}
    )  # not matched by the glob
    assert other.status_code == 201


def test_fault_rules_are_validated(emulator: EmbeddedEmulator) -> None:
    response = httpx.post(
        emulator.base_url + "/_emulator/faults",
        json={"rules": [{"fault": "explode", "probability": 2}]},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(error.startswith("rules.0.fault:") for error in errors)
    assert any(error.startswith("rules.0.probability:") for error in errors)


def test_latency_delays_every_api_call_but_not_the_admin_api(seed_file: Path) -> None:
    config = EmulatorConfig(seed=seed_file, clock=START, latency_ms=150)
    with EmbeddedEmulator(config) as slow, httpx.Client(base_url=slow.base_url) as http:
        started = time.perf_counter()
        assert http.get("/_emulator/clock").status_code == 200
        admin = time.perf_counter() - started
        started = time.perf_counter()
        assert http.post("/messages/schedule/create", json=message_body()).status_code == 401
        api = time.perf_counter() - started
    assert admin < 0.1
    assert api >= 0.15


def test_stopping_does_not_wait_for_a_delayed_answer(seed_file: Path) -> None:
    outcome: list[BaseException] = []
    emulator = EmbeddedEmulator(EmulatorConfig(seed=seed_file, clock=START)).start()
    emulator.admin.set_faults([{"fault": "timeout"}])  # 35 s

    def call() -> None:
        try:
            httpx.post(
                emulator.base_url + CREATE,
                json=campaign_body(),
                headers={"Authorization": f"Bearer {FULL_KEY}"},
                timeout=60,
            )
        except httpx.HTTPError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.2)
    started = time.perf_counter()
    emulator.stop()
    caller.join()
    assert time.perf_counter() - started < 1.0
    assert [type(exc) for exc in outcome] == [httpx.RemoteProtocolError]
