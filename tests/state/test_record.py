"""Record.to_dict / from_dict: JSON-ready and exact in both directions."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from reconciler.state import Record, RecordStatus
from reconciler.state.base import iso_utc, process_holder
from tests.state.helpers import full_record


def test_to_dict_is_json_ready() -> None:
    data = full_record("canvas_schedule/teaser").to_dict()

    assert data["status"] == "active"
    assert data["created_at"] == "2026-11-01T08:30:15.123456Z"
    assert data["updated_at"] == "2026-11-02T09:00:00Z"
    assert data["notices"] == ["some users are not subscribed"]
    assert json.loads(json.dumps(data)) == data


def test_round_trip_is_exact_through_json() -> None:
    record = full_record("canvas_schedule/teaser")

    assert Record.from_dict(json.loads(json.dumps(record.to_dict()))) == record


def test_minimal_record_round_trips() -> None:
    record = Record("scheduled_message/a", "ScheduledMessage", RecordStatus.ADOPTED)

    assert record.to_dict()["body"] is None
    assert Record.from_dict(record.to_dict()) == record
    assert Record.from_dict({"address": "x", "kind": "K", "status": "fired"}) == Record(
        "x", "K", RecordStatus.FIRED
    )


def test_times_are_kept_as_utc_instants() -> None:
    paris = timezone(timedelta(hours=1))
    record = full_record("a", created_at=datetime(2026, 1, 1, 10, 0, tzinfo=paris))

    data = record.to_dict()

    assert data["created_at"] == "2026-01-01T09:00:00Z"
    assert Record.from_dict(data).created_at == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        iso_utc(datetime(2026, 1, 1))


def test_to_dict_detaches_the_body() -> None:
    record = full_record("a")

    record.to_dict()["body"]["schedule"]["time"] = "changed"

    assert record.body is not None
    assert record.body["schedule"]["time"] == "2026-11-27T09:00:00Z"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"status": "gone"},
            "status: 'gone' is not one of active, adopted, uncertain, fired, vanished",
        ),
        ({"protect": "yes"}, "protect: must be true or false"),
        ({"labels": {"team": 1}}, "labels: must be an object of strings"),
        ({"notices": "one"}, "notices: must be a list of strings"),
        ({"body": [1]}, "body: must be an object or null"),
        ({"schedule_id": 42}, "schedule_id: must be a string, not int"),
        ({"address": ""}, "address: must not be empty"),
        ({"extra": 1, "more": 2}, "unknown field(s): extra, more"),
        (
            {"created_at": "2026-01-01T09:00:00"},
            "created_at: '2026-01-01T09:00:00' has no UTC offset; write it with Z",
        ),
        (
            {"updated_at": "yesterday"},
            "updated_at: 'yesterday' is not an ISO 8601 date-time (e.g. 2026-11-27T09:00:00Z)",
        ),
    ],
)
def test_from_dict_names_the_field_at_fault(changes: dict[str, Any], message: str) -> None:
    data = full_record("a").to_dict() | changes

    with pytest.raises(ValueError) as caught:
        Record.from_dict(data)

    assert str(caught.value) == message


def test_from_dict_requires_address_kind_and_status() -> None:
    with pytest.raises(ValueError, match=r"^missing field 'status'$"):
        Record.from_dict({"address": "a", "kind": "K"})


def test_process_holder_names_user_host_and_pid() -> None:
    assert f" pid {os.getpid()}" in process_holder()
    assert "@" in process_holder()
