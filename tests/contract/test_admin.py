"""The admin API's own contract: clock, filters, reset, refusals."""

from __future__ import annotations

import httpx

from reconciler.braze.client import BrazeClient
from reconciler.emulator.server import EmbeddedEmulator
from tests.contract.conftest import campaign_body, message_body


def test_clock_set_advance_and_refusals(emulator: EmbeddedEmulator) -> None:
    state = emulator.admin.set_clock("2026-11-27T09:00:00+01:00")
    assert state["now"].startswith("2026-11-27T08:00:0")
    assert emulator.admin.advance(90)["now"].startswith("2026-11-27T08:01:3")

    with httpx.Client(base_url=emulator.base_url + "/_emulator") as admin:
        for body in ({}, {"set": "2026-11-27T09:00:00"}, {"set": "x", "advance": 1}, {"rewind": 1}):
            answer = admin.post("/clock", json=body)
            assert answer.status_code == 400, body
            assert answer.json()["message"] == "Bad Request"
        assert admin.post("/clock", content=b"{").status_code == 400
        assert admin.get("/nothing").json() == {"message": "Not Found"}
        assert admin.get("/schedules", params={"colour": "red"}).status_code == 400


def test_filters_and_reset(client: BrazeClient, emulator: EmbeddedEmulator) -> None:
    message = client.create_schedule("ScheduledMessage", message_body()).body["schedule_id"]
    campaign = client.create_schedule("CampaignSchedule", campaign_body()).body["schedule_id"]
    client.delete_schedule("ScheduledMessage", {"schedule_id": message})

    assert [s["schedule_id"] for s in emulator.admin.schedules(kind="campaign_schedule")] == [
        campaign
    ]
    assert [s["schedule_id"] for s in emulator.admin.schedules(status="deleted")] == [message]
    assert emulator.admin.schedules(parent_id="nobody") == []
    stats = emulator.admin.stats()
    assert stats["requests"]["/messages/schedule/create"] == {"201": 1}
    assert stats["schedules"] == {"deleted": 1, "scheduled": 1}

    emulator.admin.advance(3600)
    now = emulator.admin.clock()["now"]
    emulator.admin.reset()
    assert emulator.admin.schedules() == []
    assert emulator.admin.stats()["total"] == 0
    assert emulator.admin.clock()["now"][:16] == now[:16]


def test_the_listing_needs_end_time(http: httpx.Client) -> None:
    answer = http.get("/messages/scheduled_broadcasts")
    assert answer.status_code == 400
    assert answer.json()["errors"] == ["end_time: Field required"]
    assert (
        http.get("/messages/scheduled_broadcasts", params={"end_time": "soon"}).status_code == 400
    )


def test_the_listing_ignores_a_query_parameter_it_does_not_know(http: httpx.Client) -> None:
    # Braze documents end_time only, and nothing about other parameters: ignored, as HTTP
    # servers usually do (docs/emulator.md).
    plain = http.get("/messages/scheduled_broadcasts", params={"end_time": "2027-01-01"})
    extra = http.get(
        "/messages/scheduled_broadcasts",
        params={"end_time": "2027-01-01", "limit": "1", "page": "2", "end_tme": "2020-01-01"},
    )
    assert (extra.status_code, extra.json()) == (200, plain.json())
    assert len(plain.json()["scheduled_broadcasts"]) == 2
