"""The "gone" decision: which answers say that Braze does not know a schedule, in any wording,
which only may mean it, and which are about something else."""

from __future__ import annotations

import pytest

from reconciler.braze.errors import ConnectFailedError, error_for_status
from reconciler.braze.gone import GoneAnswer, GoneVerdict, gone_verdict, probe_answer

ID = "0b2c5d1e-7f3a-4c8b-9d2e-6a1f0c3b5e7d"
DELETE = "/messages/schedule/delete"
UPDATE = "/campaigns/trigger/schedule/update"

GONE, AMBIGUOUS, OTHER = GoneVerdict.GONE, GoneVerdict.AMBIGUOUS, GoneVerdict.OTHER


@pytest.mark.parametrize(
    ("status", "message", "errors"),
    [
        (400, "Invalid schedule_id", []),  # the emulator's own text
        (400, "Bad Request", [f"schedule_id '{ID}' is unknown"]),
        (400, "INVALID_SCHEDULE_ID", []),
        (400, "schedule_id not found", []),
        (404, "Schedule not found", []),
        (404, f"No schedule with id {ID}", []),
        (400, f"The scheduled message {ID} does not exist", []),
        (400, f"Could not find {ID}", []),
        (400, "Unknown schedule", []),
        (400, "This schedule has already been sent", []),
        (400, "The schedule was deleted", []),
        (400, "schedule id is invalid", []),
        (400, "Bad Request", ["no such schedule"]),
    ],
)
@pytest.mark.parametrize("path", [DELETE, UPDATE])
def test_an_answer_naming_the_schedule_id_as_unknown_or_invalid_says_gone(
    status: int, message: str, errors: list[str], path: str
) -> None:
    error = error_for_status(status, message, path=path, errors=errors)
    assert gone_verdict(error, ID) is GONE


@pytest.mark.parametrize(
    ("status", "message", "errors", "path", "verdict"),
    [
        # Nothing more than the status' own words.
        (400, "Bad Request", [], DELETE, AMBIGUOUS),  # a delete's body holds only identifiers
        (404, "Not Found", [], DELETE, AMBIGUOUS),
        (404, "Not Found", [], UPDATE, AMBIGUOUS),
        (400, "Bad Request", [], UPDATE, OTHER),  # documented for a time Braze cannot use
        # The schedule named, without saying it is unknown.
        (400, f"Schedule {ID} is locked", [], DELETE, AMBIGUOUS),
        (400, ID, [], UPDATE, AMBIGUOUS),
        # About something else.
        (400, "Invalid Campaign ID", [], DELETE, OTHER),
        (400, "schedule_id is required", [], DELETE, OTHER),
        (400, "Bad Request", ["schedule_id: Field required"], DELETE, OTHER),
        (400, "schedule_id is valid, but campaign_id is invalid", [], DELETE, OTHER),
        (400, "Bad Request", ["schedule.time 2026-11-01T00:00:00Z is in the past"], UPDATE, OTHER),
        (400, "Schedule time is invalid", [], UPDATE, OTHER),
        (400, "In your request, in_local_time is true but time has passed", [], UPDATE, OTHER),
        # Other statuses never say it.
        (401, "Unauthorized", [], DELETE, OTHER),
        (403, "Access Denied", [], DELETE, OTHER),
        (500, "Invalid schedule_id", [], DELETE, OTHER),
    ],
)
def test_what_does_not_say_gone(
    status: int, message: str, errors: list[str], path: str, verdict: GoneVerdict
) -> None:
    error = error_for_status(status, message, path=path, errors=errors)
    assert gone_verdict(error, ID) is verdict


def test_no_answer_is_no_verdict() -> None:
    assert gone_verdict(ConnectFailedError("refused", path=DELETE), ID) is OTHER


def test_an_answer_recorded_as_brazes_own_says_gone_whatever_its_words() -> None:
    # What doctor will record: Braze's answer for a made-up schedule id, the id taken out.
    probe = "6f0e2a1b-0000-4000-8000-000000000000"
    seen = error_for_status(400, "Bad Request", path=DELETE, errors=[f"{probe}: E1042"])
    recorded = GoneAnswer.of(seen, probe)
    assert recorded == GoneAnswer(400, "Bad Request", ("{schedule_id}: E1042",), DELETE)

    answer = error_for_status(400, "Bad Request", path=DELETE, errors=[f"{ID}: E1042"])
    assert gone_verdict(answer, ID) is AMBIGUOUS  # the id named, nothing said about it
    assert gone_verdict(answer, ID, recorded=[recorded]) is GONE
    # Only that answer, on that endpoint (unless recorded for any).
    other_code = error_for_status(400, "Bad Request", path=DELETE, errors=[f"{ID}: E1043"])
    assert gone_verdict(other_code, ID, recorded=[recorded]) is AMBIGUOUS
    elsewhere = error_for_status(400, "Bad Request", path=UPDATE, errors=[f"{ID}: E1042"])
    assert gone_verdict(elsewhere, ID, recorded=[recorded]) is AMBIGUOUS
    anywhere = GoneAnswer.of(seen, probe, any_path=True)
    assert gone_verdict(elsewhere, ID, recorded=[anywhere]) is GONE


PROBE = "6f0e2a1b-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("status", "message", "errors", "path"),
    [
        (400, "Invalid schedule_id", [f"schedule_id '{PROBE}' is unknown"], DELETE),  # gone
        (404, "Not Found", [], DELETE),  # ambiguous
        (400, "Bad Request", [f"{PROBE}: E1042"], DELETE),  # ambiguous: the id named
        (400, "Bad Request", [], UPDATE),  # nothing more than its status: the made-up id
    ],
)
def test_doctor_records_brazes_answer_to_a_made_up_id(
    status: int, message: str, errors: list[str], path: str
) -> None:
    answer = error_for_status(status, message, path=path, errors=errors)
    recorded = probe_answer(answer, PROBE)
    assert recorded == GoneAnswer.of(answer, PROBE)
    assert recorded is not None
    assert PROBE not in recorded.message + "".join(recorded.errors)
    assert GoneAnswer.from_dict(recorded.to_dict()) == recorded


@pytest.mark.parametrize(
    ("status", "message", "errors"),
    [
        (400, "Invalid Campaign ID", []),  # about the probe's campaign: never "gone"
        (400, "Bad Request", ["schedule.time 2026-11-01T00:00:00Z is in the past"]),
        (400, "schedule_id is required", []),
        (401, "Unauthorized", []),
        (403, "Access Denied", []),
        (500, "Internal Server Error", []),
    ],
)
def test_doctor_records_no_answer_about_something_else(
    status: int, message: str, errors: list[str]
) -> None:
    answer = error_for_status(status, message, path=UPDATE, errors=errors)
    assert probe_answer(answer, PROBE) is None
    assert probe_answer(ConnectFailedError("refused", path=UPDATE), PROBE) is None


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"status": 400, "message": "Bad Request", "errors": []},
        {"status": "400", "message": "Bad Request", "errors": [], "path": None},
        {"status": 400, "message": "Bad Request", "errors": [1], "path": None},
        {"status": 400, "message": "Bad Request", "errors": [], "path": 3},
    ],
)
def test_a_recorded_answer_edited_by_hand_is_refused(data: object) -> None:
    with pytest.raises(ValueError, match="not a recorded answer"):
        GoneAnswer.from_dict(data)
