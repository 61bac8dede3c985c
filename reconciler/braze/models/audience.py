"""The connected audience object: filters on custom attributes, subscription and app use,
combined with AND / OR to any depth.

A node is one single-key mapping. ``ConnectedAudience`` dispatches on that key, so an error
is reported where it is (``audience.AND.1.custom_attribute.value``) and the JSON Schema is the
plain union of the six node shapes.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Self

from pydantic import (
    Field,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reconciler.braze.models.base import (
    UNKNOWN_FIELD,
    BrazeModel,
    Choice,
    braze_error,
    error_at,
    suggest,
)
from reconciler.braze.models.schedule import IsoDateTime, check_iso_datetime

CustomAttributeComparisonName = Literal[
    "equals",
    "not_equal",
    "does_not_equal",
    "matches_regex",
    "does_not_match_regex",
    "exists",
    "does_not_exist",
    "includes_value",
    "does_not_include_value",
    "greater_than",
    "greater_than_or_equal_to",
    "less_than",
    "less_than_or_equal_to",
    "less_than_x_days_ago",
    "greater_than_x_days_ago",
    "less_than_x_days_in_the_future",
    "greater_than_x_days_in_the_future",
    "after",
    "before",
]
SubscriptionComparisonName = Literal["is", "is_not"]
SubscriptionStateName = Literal["opted_in", "subscribed", "unsubscribed"]
TimeComparisonName = Literal["after", "before"]

# What the value of each comparison may be. The request does not say the attribute's type
# (string, number, boolean, array, time), so it is inferred from the comparison and value.
_STRING, _NUMBER, _BOOLEAN, _TIME = "a string", "a number", "true or false", "an ISO 8601 time"
_VALUE_KINDS: dict[str, tuple[str, ...]] = {
    "equals": (_STRING, _NUMBER, _BOOLEAN),
    "not_equal": (_STRING, _NUMBER),
    "does_not_equal": (_BOOLEAN,),
    "matches_regex": (_STRING,),
    "does_not_match_regex": (_STRING,),
    "includes_value": (_STRING, _NUMBER),
    "does_not_include_value": (_STRING, _NUMBER),
    "greater_than": (_NUMBER,),
    "greater_than_or_equal_to": (_NUMBER,),
    "less_than": (_NUMBER,),
    "less_than_or_equal_to": (_NUMBER,),
    "less_than_x_days_ago": (_NUMBER,),
    "greater_than_x_days_ago": (_NUMBER,),
    "less_than_x_days_in_the_future": (_NUMBER,),
    "greater_than_x_days_in_the_future": (_NUMBER,),
    "after": (_TIME,),
    "before": (_TIME,),
}
_VALUE_OPTIONAL = frozenset({"exists", "does_not_exist"})


def _shown(value: object) -> str:
    """A value as the user wrote it (JSON / YAML spelling: true, not True)."""
    return json.dumps(value, ensure_ascii=False)


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return _BOOLEAN
    if isinstance(value, int | float):
        return _NUMBER
    return _STRING


class CustomAttributeCondition(BrazeModel):
    """A test on one custom attribute."""

    custom_attribute_name: str = Field(description="The custom attribute to test.")
    comparison: Annotated[CustomAttributeComparisonName, Choice()] = Field(
        description=(
            "How to compare. String: equals, not_equal, matches_regex, does_not_match_regex. "
            "Number: equals, not_equal, greater_than(_or_equal_to), less_than(_or_equal_to). "
            "Boolean: equals, does_not_equal. Array: includes_value, does_not_include_value. "
            "Time: after, before, less_than/greater_than_x_days_ago, "
            "less_than/greater_than_x_days_in_the_future. Any type: exists, does_not_exist."
        )
    )
    value: bool | int | float | str | None = Field(
        default=None,
        description=(
            "What to compare with: a string, number or boolean as the comparison needs; an "
            "ISO 8601 time for after/before; a number of days for *_x_days_*. Not needed for "
            "exists/does_not_exist."
        ),
    )

    @model_validator(mode="after")
    def _check_value(self) -> Self:
        comparison, value = self.comparison, self.value
        if comparison in _VALUE_OPTIONAL:
            return self
        if value is None:
            raise error_at(
                ("value",),
                braze_error(
                    "missing",
                    f"comparison {comparison!r} needs a value",
                    hint="add value, or use exists / does_not_exist",
                ),
                None,
            )
        allowed = _VALUE_KINDS[comparison]
        kind = _kind_of(value)
        if _TIME in allowed and kind == _STRING:
            assert isinstance(value, str)
            try:
                check_iso_datetime(value)
            except PydanticCustomError as exc:
                raise error_at(
                    ("value",),
                    braze_error(
                        "invalid_time",
                        f"comparison {comparison!r} needs an ISO 8601 date-time, got "
                        f"{_shown(value)}",
                        hint=(exc.context or {}).get("hint", "write it like 2026-11-27T09:00:00Z"),
                        replacement=(exc.context or {}).get("replacement"),
                    ),
                    value,
                ) from None
            return self
        if kind in allowed:
            return self
        if comparison == "not_equal" and kind == _BOOLEAN:
            hint = "for a boolean attribute use does_not_equal"
        elif comparison == "does_not_equal":
            hint = "does_not_equal is for booleans; use not_equal for strings and numbers"
        else:
            hint = f"give {' or '.join(allowed)}"
        raise error_at(
            ("value",),
            braze_error(
                "value_type_mismatch",
                f"comparison {comparison!r} needs {' or '.join(allowed)}, got {_shown(value)}",
                hint=hint,
            ),
            value,
        )


class SubscriptionCondition(BrazeModel):
    """A test on the user's push or email subscription state."""

    comparison: Annotated[SubscriptionComparisonName, Choice()] = Field(description="is or is_not.")
    value: Annotated[SubscriptionStateName, Choice()] = Field(
        description="opted_in, subscribed or unsubscribed."
    )


class LastUsedAppCondition(BrazeModel):
    """A test on when the user last used the app."""

    comparison: Annotated[TimeComparisonName, Choice()] = Field(description="after or before.")
    value: IsoDateTime = Field(description="An ISO 8601 time, e.g. 2019-07-22T13:17:55+0000.")


class CustomAttributeFilter(BrazeModel):
    """Users whose custom attribute passes the test."""

    custom_attribute: CustomAttributeCondition = Field(
        description="{custom_attribute_name, comparison, value}."
    )


class PushSubscriptionFilter(BrazeModel):
    """Users by push subscription state."""

    push_subscription_status: SubscriptionCondition = Field(
        description="{comparison: is|is_not, value: opted_in|subscribed|unsubscribed}."
    )


class EmailSubscriptionFilter(BrazeModel):
    """Users by email subscription state."""

    email_subscription_status: SubscriptionCondition = Field(
        description="{comparison: is|is_not, value: opted_in|subscribed|unsubscribed}."
    )


class LastUsedAppFilter(BrazeModel):
    """Users by when they last used the app."""

    last_used_app: LastUsedAppCondition = Field(
        description="{comparison: after|before, value: ISO 8601 time}."
    )


def _check_group(items: list[Any]) -> list[Any]:
    if not items:
        raise braze_error(
            "empty_audience_group",
            "an AND / OR group needs at least one filter",
            hint="add filters to the list, or remove the group",
        )
    return items


class AudienceAnd(BrazeModel):
    """Users who match every filter of the list."""

    all_of: list[ConnectedAudience] = Field(
        alias="AND", description="Filters or nested AND / OR groups; all must match."
    )

    @field_validator("all_of")
    @classmethod
    def _non_empty(cls, items: list[ConnectedAudience]) -> list[ConnectedAudience]:
        return _check_group(items)


class AudienceOr(BrazeModel):
    """Users who match at least one filter of the list."""

    any_of: list[ConnectedAudience] = Field(
        alias="OR", description="Filters or nested AND / OR groups; one must match."
    )

    @field_validator("any_of")
    @classmethod
    def _non_empty(cls, items: list[ConnectedAudience]) -> list[ConnectedAudience]:
        return _check_group(items)


AudienceNode = (
    AudienceAnd
    | AudienceOr
    | CustomAttributeFilter
    | PushSubscriptionFilter
    | EmailSubscriptionFilter
    | LastUsedAppFilter
)

_NODES: dict[str, type[BrazeModel]] = {
    "AND": AudienceAnd,
    "OR": AudienceOr,
    "custom_attribute": CustomAttributeFilter,
    "push_subscription_status": PushSubscriptionFilter,
    "email_subscription_status": EmailSubscriptionFilter,
    "last_used_app": LastUsedAppFilter,
}
_NODE_KEYS = list(_NODES)
_NODE_HINT = "use one of " + ", ".join(_NODE_KEYS)


def _validate_node(value: Any, _handler: ValidatorFunctionWrapHandler) -> Any:
    """Pick the node model by its one key, so errors are not repeated for every union member."""
    if isinstance(value, BrazeModel) and type(value) in _NODES.values():
        return value
    if not isinstance(value, dict) or not value:
        raise braze_error(
            "invalid_audience",
            "an audience filter must be a mapping with one key",
            hint=_NODE_HINT,
        )
    unknown = [key for key in value if key not in _NODES]
    if unknown:
        key = unknown[0]
        match = suggest(str(key), _NODE_KEYS)
        raise error_at(
            (str(key),),
            PydanticCustomError(
                UNKNOWN_FIELD,
                "unknown field '{field}'",
                {
                    "field": str(key),
                    "suggestion": match,
                    "hint": f"did you mean {match!r}?" if match else _NODE_HINT,
                },
            ),
            value[key],
        )
    if len(value) > 1:
        raise braze_error(
            "multiple_audience_filters",
            "one audience filter per mapping, found " + ", ".join(value),
            hint='combine filters in a list under AND or OR: {"AND": [{...}, {...}]}',
        )
    return _NODES[next(iter(value))].model_validate(value)


ConnectedAudience = Annotated[AudienceNode, WrapValidator(_validate_node)]
"""A single filter, or ``{"AND": [...]}`` / ``{"OR": [...]}`` of filters and groups."""

AudienceAnd.model_rebuild()
AudienceOr.model_rebuild()
