"""User aliases and recipient objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from reconciler.braze.models import Recipient, UserAlias
from reconciler.braze.models.recipients import PROPERTIES_MAX_BYTES
from tests.braze.helpers import assert_error

validate = Recipient.model_validate
ALIAS = {"alias_name": "jane@example.com", "alias_label": "email"}


def sized_object(size: int) -> dict[str, Any]:
    """An object whose compact JSON is exactly ``size`` bytes."""
    overhead = len('{"k":""}')
    return {"k": "x" * (size - overhead)}


@pytest.mark.parametrize(
    "body",
    [
        {"external_user_id": "user-1"},
        {"user_alias": ALIAS},
        {"braze_id": "5cb2d2e1f8a7b2001ac1a2b3"},
        {"email": "jane@example.com", "prioritization": ["identified", "most_recently_updated"]},
        {
            "external_user_id": "user-1",
            "trigger_properties": {"discount": 20, "items": [{"sku": "A1"}], "vip": True},
            "send_to_existing_only": False,
            "attributes": {"first_name": "Jane", "subscription_groups": []},
        },
        {"external_user_id": "user-1", "context": {"step": 1}},
        {"external_user_id": "user-1", "canvas_entry_properties": {"step": 1}},
        {"external_user_id": "user-1", "send_to_existing_only": True},
    ],
)
def test_valid_recipients_round_trip(body: dict[str, Any]) -> None:
    recipient = validate(body)
    assert recipient.model_dump(mode="json", by_alias=True, exclude_unset=True) == body


def test_alias_limits() -> None:
    assert UserAlias.model_validate({"alias_name": "é" * 118, "alias_label": "l"})  # 236 bytes
    assert_error(
        UserAlias.model_validate,
        {"alias_name": "é" * 119, "alias_label": "l"},  # 238 bytes, 119 characters
        "alias_too_long",
        ("alias_name",),
    )
    assert_error(
        UserAlias.model_validate,
        {"alias_name": "a", "alias_label": ""},
        "empty_alias",
        ("alias_label",),
    )
    assert_error(UserAlias.model_validate, {"alias_name": "a"}, "missing", ("alias_label",), None)


def test_user_alias_as_a_plain_string_is_rejected() -> None:
    """The schedule pages' examples show ``"user_alias": "example_alias"``: not valid."""
    assert_error(validate, {"user_alias": "example_alias"}, "model_type", ("user_alias",), None)


def test_one_identifier_is_required() -> None:
    error = assert_error(validate, {"trigger_properties": {}}, "no_recipient_identifier", ())
    assert "external_user_id" in error["ctx"]["hint"]


def test_only_one_identifier() -> None:
    body = {"user_alias": ALIAS, "external_user_id": "user-1"}
    error = assert_error(validate, body, "multiple_recipient_identifiers", ())
    assert "external_user_id, user_alias" in error["msg"]


def test_email_needs_prioritization() -> None:
    error = assert_error(validate, {"email": "jane@example.com"}, "missing", ("prioritization",))
    assert "prioritization" in error["ctx"]["hint"]


def test_context_and_its_old_name_conflict() -> None:
    body = {"external_user_id": "u", "context": {}, "canvas_entry_properties": {}}
    assert_error(validate, body, "context_conflict", ("canvas_entry_properties",))


@pytest.mark.parametrize("flag", [True, False])
def test_send_to_existing_only_not_with_alias(flag: bool) -> None:
    body = {"user_alias": ALIAS, "send_to_existing_only": flag, "attributes": {}}
    assert_error(validate, body, "send_to_existing_only_with_alias", ("send_to_existing_only",))


def test_send_to_existing_only_false_needs_attributes() -> None:
    body = {"external_user_id": "u", "send_to_existing_only": False}
    assert_error(validate, body, "missing", ("attributes",))


@pytest.mark.parametrize("field", ["trigger_properties", "context", "canvas_entry_properties"])
def test_properties_at_most_50_kb(field: str) -> None:
    assert validate({"external_user_id": "u", field: sized_object(PROPERTIES_MAX_BYTES)})
    body = {"external_user_id": "u", field: sized_object(PROPERTIES_MAX_BYTES + 1)}
    error = assert_error(validate, body, "payload_too_large", (field,))
    assert "50,001 bytes" in error["msg"]


def test_properties_size_counts_utf8_bytes() -> None:
    text = "€" * 16_667  # 50,001 bytes in UTF-8, 16,667 characters
    body = {"external_user_id": "u", "trigger_properties": {"t": text}}
    assert_error(validate, body, "payload_too_large", ("trigger_properties",))


def test_properties_must_be_json() -> None:
    body = {"external_user_id": "u", "trigger_properties": {"when": datetime(2026, 1, 1)}}
    assert_error(
        validate, body, "invalid-json-value", ("trigger_properties", "when"), braze_message=None
    )


def test_trigger_properties_must_be_an_object() -> None:
    """Another doc example: ``"trigger_properties": ""``."""
    body = {"external_user_id": "u", "trigger_properties": ""}
    assert_error(validate, body, "dict_type", ("trigger_properties",), None)
