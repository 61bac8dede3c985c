"""Braze's answers are read leniently: extra keys are kept, nothing is required."""

from __future__ import annotations

from reconciler.braze.models import BrazeResponse, ScheduledBroadcastsResponse


def test_schedule_create_success() -> None:
    answer = BrazeResponse.model_validate(
        {"dispatch_id": "d1", "schedule_id": "s1", "message": "success"}
    )
    assert answer.succeeded
    assert not answer.queued
    assert (answer.schedule_id, answer.dispatch_id, answer.error_text) == ("s1", "d1", None)


def test_success_with_errors_notice_and_unknown_keys() -> None:
    body = {
        "message": "success",
        "errors": ["required field `first_name` not present", {"code": 1}],
        "notice": (
            "The Canvas is paused. Resume the Canvas to ensure trigger requests will take effect."
        ),
        "send_id": "send-1",
        "something_new": {"a": 1},
    }
    answer = BrazeResponse.model_validate(body)
    assert answer.succeeded
    assert answer.errors == body["errors"]
    assert answer.notice is not None
    assert answer.send_id == "send-1"
    assert answer.model_dump(exclude_unset=True) == body


def test_queued_and_fatal_answers() -> None:
    queued = BrazeResponse.model_validate({"message": "queued"})
    assert queued.queued
    assert queued.error_text is None
    fatal = BrazeResponse.model_validate({"message": "No Recipients", "errors": []})
    assert not fatal.succeeded
    assert fatal.error_text == "No Recipients"
    other_shape = BrazeResponse.model_validate({"error": "\nProblem:\n  message body ..."})
    assert other_shape.error_text == "\nProblem:\n  message body ..."


def test_scheduled_broadcasts_listing() -> None:
    body = {
        "scheduled_broadcasts": [
            {
                "name": "Black Friday",
                "id": "campaign-1",
                "type": "Campaign",
                "tags": ["retail"],
                "next_send_time": "2026-11-27 09:00:00",
                "schedule_type": "local_time_zones",
            },
            {"name": "Welcome", "id": "canvas-1", "type": "Canvas", "extra_field": True},
        ],
        "message": "success",
    }
    answer = ScheduledBroadcastsResponse.model_validate(body)
    assert [item.id for item in answer.scheduled_broadcasts] == ["campaign-1", "canvas-1"]
    assert answer.scheduled_broadcasts[1].tags == []
    assert answer.scheduled_broadcasts[1].next_send_time is None
    assert ScheduledBroadcastsResponse.model_validate({}).scheduled_broadcasts == []
