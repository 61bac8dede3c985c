"""Create, update and delete of the three kinds of schedule, and how time changes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reconciler.braze.client import BrazeClient
from reconciler.braze.errors import BadRequestError
from reconciler.braze.gone import GoneVerdict, gone_verdict
from reconciler.emulator.server import EmbeddedEmulator
from tests.contract import demo
from tests.contract.conftest import campaign_body, canvas_body, message_body

KINDS: list[tuple[str, str, Callable[..., dict[str, Any]], str | None]] = [
    ("ScheduledMessage", "scheduled_message", message_body, None),
    ("CampaignSchedule", "campaign_schedule", campaign_body, "campaign_id"),
    ("CanvasSchedule", "canvas_schedule", canvas_body, "canvas_id"),
]


def _ids(body: dict[str, Any], parent_key: str | None, schedule_id: str) -> dict[str, Any]:
    ids = {"schedule_id": schedule_id}
    if parent_key is not None:
        ids[parent_key] = body[parent_key]
    return ids


@pytest.mark.parametrize(("kind", "admin_kind", "make_body", "parent_key"), KINDS)
def test_create_update_delete(
    client: BrazeClient,
    emulator: EmbeddedEmulator,
    kind: str,
    admin_kind: str,
    make_body: Callable[..., dict[str, Any]],
    parent_key: str | None,
) -> None:
    body = make_body()
    created = client.create_schedule(kind, body)

    assert created.status == 201
    assert set(created.body) == {"dispatch_id", "schedule_id", "message"}
    assert created.message == "success"
    schedule_id = created.body["schedule_id"]
    record = emulator.admin.schedule(schedule_id)
    assert record["kind"] == admin_kind
    assert record["status"] == "scheduled"
    assert record["body"] == body
    assert record["dispatch_id"] == created.body["dispatch_id"]
    assert record["parent_id"] == (body[parent_key] if parent_key else None)

    new_schedule = {"time": "2026-11-28T10:00:00", "in_local_time": True}
    updated = client.update_schedule(
        kind, {**_ids(body, parent_key, schedule_id), "schedule": new_schedule}
    )
    assert (updated.status, updated.body) == (201, {"message": "success"})
    assert emulator.admin.schedule(schedule_id)["body"] == {**body, "schedule": new_schedule}

    deleted = client.delete_schedule(kind, _ids(body, parent_key, schedule_id))
    assert (deleted.status, deleted.body) == (201, {"message": "success"})
    record = emulator.admin.schedule(schedule_id)
    assert record["status"] == "deleted"
    assert [entry["call"] for entry in record["history"]] == ["create", "update", "delete"]
    assert record["history"][1]["body"]["schedule"] == new_schedule


def test_update_replaces_the_whole_schedule_and_messages(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    body = message_body(schedule={"time": "2026-11-27T09:00:00", "in_local_time": True})
    schedule_id = client.create_schedule("ScheduledMessage", body).body["schedule_id"]

    # Braze's example: a local-time schedule updated with a bare time is sent in UTC.
    client.update_schedule(
        "ScheduledMessage",
        {"schedule_id": schedule_id, "schedule": {"time": "2026-11-27T10:00:00Z"}},
    )
    record = emulator.admin.schedule(schedule_id)
    assert record["body"]["schedule"] == {"time": "2026-11-27T10:00:00Z"}
    assert record["send_window"]["mode"] == "utc"

    new_messages = {"android_push": {"alert": "Sale", "title": "Acme"}}
    client.update_schedule(
        "ScheduledMessage", {"schedule_id": schedule_id, "messages": new_messages}
    )
    record = emulator.admin.schedule(schedule_id)
    assert record["body"]["messages"] == new_messages
    assert record["body"]["schedule"] == {"time": "2026-11-27T10:00:00Z"}


def test_update_with_messages_checks_the_tracking_campaign(client: BrazeClient) -> None:
    body = message_body(
        campaign_id=demo.API_CAMPAIGN,
        messages={"apple_push": {"alert": "hi", "message_variation_id": demo.API_APPLE_VARIATION}},
    )
    schedule_id = client.create_schedule("ScheduledMessage", body).body["schedule_id"]

    with pytest.raises(BadRequestError) as caught:
        client.update_schedule(
            "ScheduledMessage",
            {"schedule_id": schedule_id, "messages": {"apple_push": {"alert": "no variation"}}},
        )
    assert caught.value.braze_message == "Message Variant Unspecified"


def _invalid_schedule(call: Callable[[], object]) -> BadRequestError:
    with pytest.raises(BadRequestError) as caught:
        call()
    assert caught.value.status == 400
    assert caught.value.braze_message == "Invalid schedule_id"
    assert gone_verdict(caught.value, None) is GoneVerdict.GONE
    return caught.value


@pytest.mark.parametrize(("kind", "admin_kind", "make_body", "parent_key"), KINDS)
def test_unknown_deleted_and_fired_schedule_ids(
    client: BrazeClient,
    emulator: EmbeddedEmulator,
    kind: str,
    admin_kind: str,
    make_body: Callable[..., dict[str, Any]],
    parent_key: str | None,
) -> None:
    body = make_body()
    schedule = {"time": "2026-11-20T09:00:00Z"}
    unknown = _ids(body, parent_key, "0f6d1c8e-0000-4000-8000-000000000000")
    _invalid_schedule(lambda: client.update_schedule(kind, {**unknown, "schedule": schedule}))
    _invalid_schedule(lambda: client.delete_schedule(kind, unknown))

    deleted = client.create_schedule(kind, body).body["schedule_id"]
    client.delete_schedule(kind, _ids(body, parent_key, deleted))
    _invalid_schedule(lambda: client.delete_schedule(kind, _ids(body, parent_key, deleted)))
    _invalid_schedule(
        lambda: client.update_schedule(
            kind, {**_ids(body, parent_key, deleted), "schedule": schedule}
        )
    )

    fired = client.create_schedule(kind, body).body["schedule_id"]
    emulator.admin.set_clock("2026-11-27T09:00:00Z")
    assert emulator.admin.schedule(fired)["status"] == "sent"
    error = _invalid_schedule(lambda: client.delete_schedule(kind, _ids(body, parent_key, fired)))
    assert "already been sent" in error.errors[0]


@pytest.mark.parametrize(
    ("kind", "make_body", "parent_key", "other_parent"),
    [
        ("CampaignSchedule", campaign_body, "campaign_id", demo.OTHER_TRIGGERED_CAMPAIGN),
        ("CanvasSchedule", canvas_body, "canvas_id", demo.PAUSED_CANVAS),
    ],
)
def test_schedule_id_under_another_parent_is_invalid(
    client: BrazeClient,
    emulator: EmbeddedEmulator,
    kind: str,
    make_body: Callable[..., dict[str, Any]],
    parent_key: str,
    other_parent: str,
) -> None:
    schedule_id = client.create_schedule(kind, make_body()).body["schedule_id"]
    wrong = {parent_key: other_parent, "schedule_id": schedule_id}

    _invalid_schedule(lambda: client.delete_schedule(kind, wrong))
    _invalid_schedule(
        lambda: client.update_schedule(
            kind, {**wrong, "schedule": {"time": "2026-11-28T09:00:00Z"}}
        )
    )
    assert emulator.admin.schedule(schedule_id)["status"] == "scheduled"


def test_a_schedule_id_of_another_kind_is_invalid(client: BrazeClient) -> None:
    schedule_id = client.create_schedule("ScheduledMessage", message_body()).body["schedule_id"]
    _invalid_schedule(
        lambda: client.delete_schedule(
            "CampaignSchedule", {"campaign_id": demo.TRIGGERED_CAMPAIGN, "schedule_id": schedule_id}
        )
    )


@pytest.mark.parametrize(
    ("schedule", "detail"),
    [
        ({"time": "2026-11-01T11:59:00Z"}, "is in the past"),
        ({"time": "2026-11-01T12:00:00Z"}, "is in the past"),
        ({"time": "2026-10-31T23:59:00", "in_local_time": True}, "has passed in every time zone"),
        ({"time": "2026-10-30T12:00:00", "at_optimal_time": True}, "has passed in every time zone"),
    ],
)
def test_a_time_in_the_past_is_refused(
    client: BrazeClient, emulator: EmbeddedEmulator, schedule: dict[str, Any], detail: str
) -> None:
    with pytest.raises(BadRequestError) as caught:
        client.create_schedule("CampaignSchedule", campaign_body(schedule=schedule))
    assert caught.value.braze_message == "Bad Request"
    assert detail in caught.value.errors[0]
    assert emulator.admin.schedules() == []


def test_a_local_time_still_ahead_in_some_zone_is_accepted(client: BrazeClient) -> None:
    # 2026-11-01T01:00 local has passed in UTC+14 ... UTC+0, not yet in UTC-1 ... UTC-12.
    body = campaign_body(schedule={"time": "2026-11-01T01:00:00", "in_local_time": True})
    assert client.create_schedule("CampaignSchedule", body).status == 201


def test_the_same_time_moved_into_the_past_by_an_update_is_refused(client: BrazeClient) -> None:
    schedule_id = client.create_schedule("CampaignSchedule", campaign_body()).body["schedule_id"]
    with pytest.raises(BadRequestError, match="Bad Request"):
        client.update_schedule(
            "CampaignSchedule",
            {
                "campaign_id": demo.TRIGGERED_CAMPAIGN,
                "schedule_id": schedule_id,
                "schedule": {"time": "2026-10-01T00:00:00Z"},
            },
        )


def test_update_of_a_started_local_time_schedule_is_ignored(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    local = {"time": "2026-11-02T09:00:00", "in_local_time": True}
    body = campaign_body(schedule=local)
    schedule_id = client.create_schedule("CampaignSchedule", body).body["schedule_id"]
    ids = {"campaign_id": demo.TRIGGERED_CAMPAIGN, "schedule_id": schedule_id}

    # 09:00 reaches UTC+14 at 2026-11-01T19:00Z, and UTC-12 at 2026-11-02T21:00Z.
    emulator.admin.set_clock("2026-11-01T19:00:00Z")
    new = {"time": "2026-11-05T09:00:00Z"}
    answer = client.update_schedule("CampaignSchedule", {**ids, "schedule": new})

    assert (answer.status, answer.body) == (201, {"message": "success"})
    record = emulator.admin.schedule(schedule_id)
    assert record["body"]["schedule"] == local
    assert record["status"] == "scheduled"
    assert [entry["call"] for entry in record["history"]] == ["create", "update_ignored"]
    assert record["history"][1]["body"]["schedule"] == new

    emulator.admin.set_clock("2026-11-02T20:59:59Z")
    assert emulator.admin.schedule(schedule_id)["status"] == "scheduled"
    emulator.admin.set_clock("2026-11-02T21:00:00Z")
    record = emulator.admin.schedule(schedule_id)
    assert record["status"] == "sent"
    assert record["history"][-1] == {"at": "2026-11-02T21:00:00.000Z", "call": "fire", "body": None}
    _invalid_schedule(lambda: client.update_schedule("CampaignSchedule", {**ids, "schedule": new}))


def test_delete_of_a_started_local_time_schedule_cancels_the_rest(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    body = message_body(schedule={"time": "2026-11-02T09:00:00", "in_local_time": True})
    schedule_id = client.create_schedule("ScheduledMessage", body).body["schedule_id"]
    emulator.admin.set_clock("2026-11-02T00:00:00Z")

    answer = client.delete_schedule("ScheduledMessage", {"schedule_id": schedule_id})

    assert answer.body == {"message": "success"}
    record = emulator.admin.schedule(schedule_id)
    assert record["status"] == "deleted"
    assert record["history"][-1]["call"] == "delete_partial"


def test_schedules_fire_when_the_clock_reaches_them(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    first = client.create_schedule(
        "ScheduledMessage", message_body(schedule={"time": "2026-11-01T12:30:00Z"})
    ).body["schedule_id"]
    second = client.create_schedule(
        "ScheduledMessage", message_body(schedule={"time": "2026-11-01T13:30:00+01:00"})
    ).body["schedule_id"]
    later = client.create_schedule("ScheduledMessage", message_body()).body["schedule_id"]

    emulator.admin.advance(30 * 60)

    statuses = {s["schedule_id"]: s["status"] for s in emulator.admin.schedules()}
    assert statuses == {first: "sent", second: "sent", later: "scheduled"}
    assert emulator.admin.schedules(status="sent")[0]["history"][-1]["call"] == "fire"
    assert emulator.admin.stats()["schedules"] == {"scheduled": 1, "sent": 2}


def test_a_paused_canvas_schedule_succeeds_with_a_notice_and_never_sends(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    created = client.create_schedule("CanvasSchedule", canvas_body(canvas_id=demo.PAUSED_CANVAS))

    assert created.body["notice"] == (
        "The Canvas is paused. Resume the Canvas to ensure trigger requests will take effect."
    )
    assert created.notices == (created.body["notice"],)
    emulator.admin.set_clock("2026-11-28T00:00:00Z")
    record = emulator.admin.schedule(created.body["schedule_id"])
    assert record["notice"] == created.body["notice"]
    assert record["history"][-1]["call"] == "fire_skipped"


def test_an_archived_canvas_gets_the_archived_notice(client: BrazeClient) -> None:
    created = client.create_schedule("CanvasSchedule", canvas_body(canvas_id=demo.ARCHIVED_CANVAS))
    assert created.body["notice"].startswith("The Canvas is archived.")


def test_api_schedules_are_never_listed(client: BrazeClient) -> None:
    client.create_schedule("CampaignSchedule", campaign_body())
    client.create_schedule("CanvasSchedule", canvas_body())
    listed = client.scheduled_broadcasts("2027-01-01T00:00:00Z")
    assert {item["id"] for item in listed} == {demo.DASHBOARD_CAMPAIGN, demo.DASHBOARD_CANVAS}


def test_the_listing_cuts_off_at_midnight_utc_of_end_time(
    client: BrazeClient, emulator: EmbeddedEmulator
) -> None:
    # The newsletter goes at 2026-12-03T19:00Z; the cutoff is midnight UTC of the date given.
    early = client.scheduled_broadcasts("2026-12-03T23:59:00-05:00")
    assert [item["id"] for item in early] == [demo.DASHBOARD_CANVAS]
    listed = client.scheduled_broadcasts("2026-12-04T00:00:00Z")
    assert listed == [
        {
            "name": "Advent calendar",
            "id": demo.DASHBOARD_CANVAS,
            "type": "Canvas",
            "tags": ["holiday"],
            "next_send_time": "2026-12-01T09:00:00",
            "schedule_type": "local_time_zones",
        },
        {
            "name": "December newsletter",
            "id": demo.DASHBOARD_CAMPAIGN,
            "type": "Campaign",
            "tags": ["newsletter", "holiday"],
            "next_send_time": "2026-12-03T14:00:00-05:00",
            "schedule_type": "America/New_York",
        },
    ]

    # The daily Advent calendar is listed once, at its next occurrence.
    emulator.admin.set_clock("2026-12-10T10:00:00Z")
    listed = client.scheduled_broadcasts("2027-01-01")
    assert [(item["id"], item["next_send_time"]) for item in listed] == [
        (demo.DASHBOARD_CANVAS, "2026-12-11T09:00:00")
    ]
