"""The connected audience object: four filter kinds, AND / OR to any depth, and the
comparison rules inferred from the comparison and the value."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from reconciler.braze.models import (
    AudienceAnd,
    AudienceOr,
    ConnectedAudience,
    CustomAttributeFilter,
)
from tests.braze.helpers import assert_error

AUDIENCE: TypeAdapter[Any] = TypeAdapter(ConnectedAudience)
validate = AUDIENCE.validate_python

DOC_EXAMPLE: dict[str, Any] = {
    "AND": [
        {
            "custom_attribute": {
                "custom_attribute_name": "eye_color",
                "comparison": "equals",
                "value": "blue",
            }
        },
        {
            "custom_attribute": {
                "custom_attribute_name": "favorite_foods",
                "comparison": "includes_value",
                "value": "pizza",
            }
        },
        {
            "OR": [
                {
                    "custom_attribute": {
                        "custom_attribute_name": "last_purchase_time",
                        "comparison": "less_than_x_days_ago",
                        "value": 2,
                    }
                },
                {"push_subscription_status": {"comparison": "is", "value": "opted_in"}},
            ]
        },
        {"email_subscription_status": {"comparison": "is_not", "value": "subscribed"}},
        {"last_used_app": {"comparison": "after", "value": "2019-07-22T13:17:55+0000"}},
    ]
}


def attribute(comparison: str, *value: Any) -> dict[str, Any]:
    condition: dict[str, Any] = {"custom_attribute_name": "a", "comparison": comparison}
    if value:
        condition["value"] = value[0]
    return {"custom_attribute": condition}


def test_doc_example_validates_and_round_trips() -> None:
    audience = validate(DOC_EXAMPLE)
    assert isinstance(audience, AudienceAnd)
    assert isinstance(audience.all_of[2], AudienceOr)
    assert AUDIENCE.dump_python(audience, mode="json", by_alias=True, exclude_unset=True) == (
        DOC_EXAMPLE
    )


def test_single_filter_and_deep_nesting() -> None:
    assert isinstance(validate(attribute("exists")), CustomAttributeFilter)
    deep: dict[str, Any] = attribute("equals", 1)
    for depth in range(6):
        deep = {"OR" if depth % 2 else "AND": [deep, attribute("exists")]}
    assert AUDIENCE.dump_python(validate(deep), by_alias=True, exclude_unset=True) == deep


@pytest.mark.parametrize(
    ("comparison", "value"),
    [
        ("equals", "blue"),
        ("equals", 3),
        ("equals", 2.5),
        ("equals", True),
        ("not_equal", "blue"),
        ("not_equal", 3),
        ("does_not_equal", False),
        ("matches_regex", "^a.*"),
        ("does_not_match_regex", "b$"),
        ("includes_value", "pizza"),
        ("does_not_include_value", 4),
        ("greater_than", 1),
        ("greater_than_or_equal_to", 1.5),
        ("less_than", -1),
        ("less_than_or_equal_to", 0),
        ("less_than_x_days_ago", 2),
        ("greater_than_x_days_ago", 7),
        ("less_than_x_days_in_the_future", 1),
        ("greater_than_x_days_in_the_future", 30),
        ("after", "2026-11-27T09:00:00Z"),
        ("before", "2019-07-22T13:17:55+0000"),
        ("exists", True),
    ],
)
def test_valid_comparisons(comparison: str, value: Any) -> None:
    body = attribute(comparison, value)
    assert AUDIENCE.dump_python(validate(body), by_alias=True, exclude_unset=True) == body


@pytest.mark.parametrize("comparison", ["exists", "does_not_exist"])
def test_value_not_needed_for_exists(comparison: str) -> None:
    assert validate(attribute(comparison))


VALUE_LOC = ("custom_attribute", "value")


@pytest.mark.parametrize(
    ("comparison", "value", "code"),
    [
        ("equals", None, "missing"),
        ("after", None, "missing"),
        ("not_equal", True, "value_type_mismatch"),
        ("does_not_equal", "blue", "value_type_mismatch"),
        ("does_not_equal", 1, "value_type_mismatch"),
        ("matches_regex", 3, "value_type_mismatch"),
        ("does_not_match_regex", False, "value_type_mismatch"),
        ("greater_than", "3", "value_type_mismatch"),
        ("less_than_x_days_ago", "2", "value_type_mismatch"),
        ("less_than_x_days_ago", True, "value_type_mismatch"),
        ("includes_value", True, "value_type_mismatch"),
        ("after", 1700000000, "value_type_mismatch"),
        ("before", "last tuesday", "invalid_time"),
    ],
)
def test_invalid_values(comparison: str, value: Any, code: str) -> None:
    body = attribute(comparison) if value is None else attribute(comparison, value)
    assert_error(validate, body, code, VALUE_LOC)


def test_boolean_hints() -> None:
    error = assert_error(validate, attribute("not_equal", True), "value_type_mismatch", VALUE_LOC)
    assert "does_not_equal" in error["ctx"]["hint"]
    error = assert_error(
        validate, attribute("does_not_equal", "x"), "value_type_mismatch", VALUE_LOC
    )
    assert "not_equal" in error["ctx"]["hint"]


def test_unknown_comparison_gets_a_did_you_mean() -> None:
    error = assert_error(
        validate, attribute("equal", "x"), "invalid_choice", ("custom_attribute", "comparison")
    )
    assert error["ctx"]["hint"] == "did you mean 'equals'?"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"push_subscription_status": {"comparison": "is", "value": "opted-in"}}, "value"),
        (
            {"email_subscription_status": {"comparison": "isnt", "value": "subscribed"}},
            "comparison",
        ),
        ({"last_used_app": {"comparison": "since", "value": "2026-11-27T09:00:00Z"}}, "comparison"),
    ],
)
def test_subscription_and_last_used_app_choices(body: dict[str, Any], loc: str) -> None:
    assert_error(validate, body, "invalid_choice", (next(iter(body)), loc))


def test_last_used_app_needs_an_iso_time() -> None:
    body = {"last_used_app": {"comparison": "after", "value": "yesterday"}}
    assert_error(validate, body, "invalid_time", ("last_used_app", "value"))


def test_error_locations_follow_the_document() -> None:
    body = {"AND": [attribute("exists"), {"OR": [attribute("greater_than", "x")]}]}
    assert_error(
        validate,
        body,
        "value_type_mismatch",
        ("AND", 1, "OR", 0, "custom_attribute", "value"),
    )


@pytest.mark.parametrize("group", ["AND", "OR"])
def test_groups_are_not_empty(group: str) -> None:
    assert_error(validate, {group: []}, "empty_audience_group", (group,))


def test_unknown_filter_key_gets_a_did_you_mean() -> None:
    error = assert_error(
        validate, {"custom_atribute": {}}, "unknown_field", ("custom_atribute",), None
    )
    assert error["ctx"]["suggestion"] == "custom_attribute"


def test_one_filter_per_mapping() -> None:
    body = {**attribute("exists"), "push_subscription_status": {"comparison": "is", "value": "x"}}
    error = assert_error(validate, body, "multiple_audience_filters", ())
    assert "AND" in error["ctx"]["hint"]


@pytest.mark.parametrize("body", [{}, [], "eye_color=blue"])
def test_a_node_is_a_mapping_with_one_key(body: Any) -> None:
    assert_error(validate, body, "invalid_audience", ())


def test_unknown_keys_inside_a_condition() -> None:
    body = {"custom_attribute": {"custom_attribute_name": "a", "comparision": "exists"}}
    with pytest.raises(ValidationError) as caught:
        validate(body)
    errors = caught.value.errors()
    assert [(e["type"], e["loc"]) for e in errors] == [
        ("unknown_field", ("custom_attribute", "comparision")),
        ("missing", ("custom_attribute", "comparison")),
    ]


def test_json_schema() -> None:
    schema = AUDIENCE.json_schema(by_alias=True)
    assert len(schema["anyOf"]) == 6
    condition = schema["$defs"]["CustomAttributeCondition"]
    assert "equals" in condition["properties"]["comparison"]["enum"]
