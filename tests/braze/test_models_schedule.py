"""The schedule object: ISO 8601 time, local / optimal time without offset, one mode."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from reconciler.braze.models import (
    ApplePush,
    ContentCard,
    CustomAttributeCondition,
    LastUsedAppCondition,
    ScheduledBroadcastsQuery,
    ScheduleObject,
)
from reconciler.braze.models.base import findings
from tests.braze.helpers import assert_error, assert_finding

validate = ScheduleObject.model_validate


@pytest.mark.parametrize(
    ("body", "mode"),
    [
        ({"time": "2017-05-24T20:30:36Z"}, "utc"),
        ({"time": "2026-11-27T09:00:00+01:00"}, "utc"),
        ({"time": "2026-11-27T09:00:00"}, "utc"),
        ({"time": "2015-02-20T13:14:47", "in_local_time": True}, "local"),
        ({"time": "2026-11-27T09:00:00", "at_optimal_time": True}, "optimal"),
        ({"time": "2026-11-27T09:00:00Z", "in_local_time": False, "at_optimal_time": False}, "utc"),
        ({"time": "2026-11-27T09:00:00", "in_local_time": True, "at_optimal_time": False}, "local"),
    ],
)
def test_valid_schedules_keep_their_text(body: dict[str, Any], mode: str) -> None:
    schedule = validate(body)
    assert schedule.mode == mode
    assert schedule.model_dump(mode="json", by_alias=True, exclude_unset=True) == body


@pytest.mark.parametrize("time", ["", "tomorrow", "2026-13-01T00:00:00Z", "27/11/2026 09:00"])
def test_time_must_be_iso_8601(time: str) -> None:
    error = assert_error(validate, {"time": time}, "invalid_time", ("time",))
    assert repr(time) in error["msg"]


def test_time_is_required() -> None:
    assert_error(validate, {"in_local_time": True}, "missing", ("time",), None)


@pytest.mark.parametrize("flag", ["in_local_time", "at_optimal_time"])
@pytest.mark.parametrize("time", ["2026-11-27T09:00:00Z", "2015-02-20T13:14:47-05:00"])
def test_local_and_optimal_time_have_no_offset(flag: str, time: str) -> None:
    error = assert_error(validate, {"time": time, flag: True}, "local_time_with_offset", ("time",))
    assert flag in error["msg"]
    assert "without offset" in error["ctx"]["hint"]


def test_local_and_optimal_together_is_accepted_as_optimal_time() -> None:
    # Braze's own create example sets both; its docs do not say which applies.
    body = {"time": "2026-11-27T09:00:00", "in_local_time": True, "at_optimal_time": True}
    finding = assert_finding(ScheduleObject, body, "both_time_modes", ("at_optimal_time",))
    # read as optimal time: its send window contains the local-time one (safety gates)
    assert validate(body).mode == "optimal"
    assert finding.message == (
        "in_local_time and at_optimal_time are both true: Braze's documentation does not say "
        "which applies; this tool reads it as optimal time, whose send window contains the "
        "local-time one"
    )
    assert finding.replacement is False
    assert findings(validate({**body, "at_optimal_time": finding.replacement})) == []


def test_local_and_optimal_together_still_take_no_offset() -> None:
    body = {"time": "2026-11-27T09:00:00Z", "in_local_time": True, "at_optimal_time": True}
    assert_error(validate, body, "local_time_with_offset", ("time",))


@pytest.mark.parametrize("time", ["2026-12-12", "2026-12-12Z", " 2026-12-12+01:00"])
def test_a_date_alone_is_not_a_send_time(time: str) -> None:
    error = assert_error(validate, {"time": time}, "invalid_time", ("time",))
    assert error["ctx"]["replacement"] == "2026-12-12T09:00:00Z"


def test_flags_are_strict_booleans() -> None:
    body = {"time": "2026-11-27T09:00:00", "in_local_time": "true"}
    assert_error(validate, body, "bool_type", ("in_local_time",), None)


def test_instant_and_wall_clock() -> None:
    offset = validate({"time": "2026-11-27T09:00:00+01:00"})
    assert offset.instant() == datetime(2026, 11, 27, 8, tzinfo=UTC)
    assert offset.wall_clock() == datetime(2026, 11, 27, 8)
    assert offset.time == "2026-11-27T09:00:00+01:00"
    naive_utc = validate({"time": "2026-11-27T09:00:00"})
    assert naive_utc.instant() == datetime(2026, 11, 27, 9, tzinfo=UTC)
    local = validate({"time": "2026-11-27T09:00:00", "in_local_time": True})
    assert local.wall_clock() == datetime(2026, 11, 27, 9)
    assert local.wall_clock().tzinfo is None
    assert local.instant() == datetime(2026, 11, 27, 9, tzinfo=UTC)


def test_json_schema() -> None:
    schema = ScheduleObject.model_json_schema(by_alias=True)
    assert schema["required"] == ["time"]
    assert all("description" in field for field in schema["properties"].values())


# A date alone: Braze documents ISO 8601 date-times, and does not say how it reads a date.


@pytest.mark.parametrize(
    ("model", "body", "loc"),
    [
        (ApplePush, {"alert": "Sale", "expiry": "2026-12-12"}, ("expiry",)),
        (
            ContentCard,
            {"type": "CLASSIC", "title": "Sale", "description": "Now", "expire_at": "2026-12-12Z"},
            ("expire_at",),
        ),
        (LastUsedAppCondition, {"comparison": "after", "value": "2026-12-12"}, ("value",)),
        (
            CustomAttributeCondition,
            {"custom_attribute_name": "signed_up", "comparison": "before", "value": "2026-12-12"},
            ("value",),
        ),
    ],
)
def test_a_date_alone_is_refused_where_braze_documents_a_date_time(
    model: type[BaseModel], body: dict[str, Any], loc: tuple[str, ...]
) -> None:
    error = assert_error(model.model_validate, body, "invalid_time", loc)
    assert error["ctx"]["hint"] == (
        "add the time of day: 2026-12-12T00:00:00Z is the start of that day in UTC"
    )
    fixed = {**body, loc[-1]: error["ctx"]["replacement"]}
    assert model.model_validate(fixed)


def test_end_time_of_the_listing_may_be_a_date() -> None:
    # "End date of the range ... treated as midnight in UTC time by the API"
    # (https://www.braze.com/docs/api/endpoints/messaging/schedule_messages/get_messages_scheduled/)
    assert ScheduledBroadcastsQuery.model_validate({"end_time": "2026-12-12"})
