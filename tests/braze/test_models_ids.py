"""Braze identifiers: the form of a generated key, checked offline, never refusing a real id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from reconciler.braze.models import CampaignScheduleCreateRequest, ScheduleCreateRequest
from reconciler.braze.models.ids import CAMPAIGN, SEGMENT, id_problem, schedule_id_problem
from reconciler.manifest.yamlload import compose_documents

DEMO = Path(__file__).parents[2] / "reconciler" / "emulator" / "demo_workspace.yaml"
CAMPAIGN_ID = "924cd632-0dc9-4a59-a3f1-b892936fd233"


def demo_ids() -> list[str]:
    """Every id of the demo workspace: the ids examples/ uses, as the dashboard shows them."""
    found: list[str] = []

    def walk(value: Any, key: str | None = None) -> None:
        if isinstance(value, dict):
            for child_key, child in value.items():
                walk(child, child_key)
        elif isinstance(value, list):
            for child in value:
                walk(child, key)
        elif key == "id" and isinstance(value, str):
            found.append(value)

    (document,) = compose_documents(DEMO.read_text(encoding="utf-8"))
    walk(document.value)
    return found


def test_no_id_of_the_demo_workspace_is_refused() -> None:
    ids = demo_ids()
    assert len(ids) >= 20
    assert [value for value in ids if id_problem(value, CAMPAIGN) is not None] == []


@pytest.mark.parametrize("value", [CAMPAIGN_ID, CAMPAIGN_ID.upper()])
def test_uuids_are_identifiers(value: str) -> None:
    assert id_problem(value, CAMPAIGN) is None


def message_of(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        CampaignScheduleCreateRequest.model_validate(body)
    (error,) = caught.value.errors()
    return error["msg"], dict(error.get("ctx") or {})


def body(campaign_id: str) -> dict[str, Any]:
    schedule = {"time": "2026-12-05T10:00:00Z"}
    return {"campaign_id": campaign_id, "broadcast": True, "schedule": schedule}


def test_a_campaign_name_is_refused_with_where_to_copy_the_id() -> None:
    message, ctx = message_of(body("holiday-gift-guide"))
    assert message == (
        "'holiday-gift-guide' is not a Braze campaign identifier: Braze identifiers are UUIDs"
    )
    assert ctx["hint"] == (
        "copy the Campaign API Identifier at the bottom of the campaign's page (a UUID such as "
        "924cd632-0dc9-4a59-a3f1-b892936fd233)"
    )
    assert ctx["braze_message"] == "Invalid Campaign ID"  # what the emulator answers
    assert "replacement" not in ctx


@pytest.mark.parametrize(
    "pasted",
    [
        f" {CAMPAIGN_ID}",
        f"{CAMPAIGN_ID}\n",
        f"{{{CAMPAIGN_ID}}}",
        f"api_id:{CAMPAIGN_ID}",
        f"https://dashboard-01.braze.com/campaigns/{CAMPAIGN_ID}/edit",
    ],
)
def test_an_id_with_something_around_it_gets_the_id_as_replacement(pasted: str) -> None:
    _, ctx = message_of(body(pasted))
    assert ctx["replacement"] == CAMPAIGN_ID
    assert ctx["hint"] == (
        f"did you mean '{CAMPAIGN_ID}'? (the identifier alone, nothing around it)"
    )
    CampaignScheduleCreateRequest.model_validate(body(ctx["replacement"]))


def test_the_id_of_a_dashboard_url_is_named_as_such() -> None:
    problem = id_problem("5f8c0a1b2c3d4e5f6a7b8c9d", SEGMENT)
    assert problem is not None
    assert (problem.context or {})["hint"] == (
        "this looks like the id in a dashboard URL, not the API identifier: copy the segment "
        "identifier at the bottom of the segment's page (a UUID such as "
        "924cd632-0dc9-4a59-a3f1-b892936fd233)"
    )


def test_every_identifier_field_of_a_message_is_checked() -> None:
    request = {
        "broadcast": True,
        "segment_id": "vip",
        "campaign_id": "flash-sale",
        "schedule": {"time": "2026-12-05T10:00:00Z"},
        "messages": {
            "email": {
                "app_id": "web",
                "from": "Acme <news@acme.example>",
                "body": "<p>Hi</p>",
                "message_variation_id": "email-1",
            },
            "sms": {"app_id": "ios", "subscription_group_id": "sms-us", "body": "Hi"},
        },
    }
    with pytest.raises(ValidationError) as caught:
        ScheduleCreateRequest.model_validate(request)
    refused = {
        (".".join(str(part) for part in error["loc"]), (error.get("ctx") or {})["braze_message"])
        for error in caught.value.errors()
        if error["type"] == "invalid_id"
    }
    assert refused == {
        ("segment_id", "Invalid segment_id"),
        ("campaign_id", "Invalid Campaign ID"),
        ("messages.email.app_id", "Invalid app_id"),
        ("messages.email.message_variation_id", "Invalid Message Variant"),
        ("messages.sms.app_id", "Invalid app_id"),
        ("messages.sms.subscription_group_id", "Invalid subscription_group_id"),
    }


@pytest.mark.parametrize(
    "value",
    [
        "0e4ceb83-fe3d-43da-83c3-013a8ef592ca",  # the emulator's form, and Braze's other keys
        "66cdc28f8f082bc3074c0c47ca9f4c79",  # 32 hex digits, the form of a dispatch id
        "5f8c0a1b2c3d4e5f6a7b8c9d",
    ],
)
def test_schedule_ids_of_a_generated_form_are_accepted(value: str) -> None:
    assert schedule_id_problem(value) is None


@pytest.mark.parametrize(
    "value", ["black-friday", "abc", "", "x y", CAMPAIGN_ID + " ", CAMPAIGN_ID + "\n"]
)
def test_schedule_ids_that_cannot_be_generated_keys_are_refused(value: str) -> None:
    assert schedule_id_problem(value) == (
        f"{value!r} is not a schedule id: Braze's create answer gives one as a generated key "
        "(a UUID such as 924cd632-0dc9-4a59-a3f1-b892936fd233)"
    )
