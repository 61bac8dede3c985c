"""How the plan's models meet their JSON form (``plan.model``): the types that read and write
it (instants, bodies, arrays), and the fields the JSON form derives for people, which are
checked for their type when read, then dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reconciler.timeutil import format_utc, parse_instant


def _instant(value: object) -> object:
    """An instant as the JSON form writes it (``format_utc``): UTC, to the second."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(microsecond=0)
    if not isinstance(value, str):
        return value  # refused by the datetime check, as any other type
    try:
        return parse_instant(value).replace(microsecond=0)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a time with a UTC offset (e.g. 2026-11-27T09:00:00Z)"
        ) from None


Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_instant),
    PlainSerializer(format_utc, return_type=str, when_used="json"),
]
"""An aware instant, UTC to the second; ``2026-11-27T09:00:00Z`` in the JSON form."""


def _plain(body: Mapping[str, Any]) -> dict[str, Any]:
    return body if isinstance(body, dict) else dict(body)


Body = Annotated[Mapping[str, Any], PlainSerializer(_plain, return_type=dict[str, Any])]
"""A request body: a JSON object. A ledger's body may be a lazily decoded mapping."""

T = TypeVar("T")
Array = Annotated[tuple[T, ...], Field(strict=False)]
"""A JSON array, held as a tuple. Not strict about its container only: once the JSON form's
derived fields are dropped (a validator), pydantic reads a list where strictness wants a
tuple; its items stay strict."""

_TYPE_NAMES: Mapping[type, str] = {
    str: "a string",
    bool: "true or false",
    int: "an integer",
    dict: "an object",
    list: "a list",
}


def without_derived(data: Any, derived: Mapping[str, type], words: tuple[str, ...] = ()) -> Any:
    """A JSON form's object without what the model derives when it writes: each is checked
    for its type (a wrong one is refused like any field), then dropped."""
    if not isinstance(data, dict):
        return data
    for name, expected in derived.items():
        if name in data and not _is(data[name], expected):
            raise _wrong_type(name, expected, data[name])
    for name in words:
        value = data.get(name, [])
        if not isinstance(value, list):
            raise _wrong_type(name, list, value)
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise _wrong_type(f"{name}[{index}]", str, item)
    return {k: v for k, v in data.items() if k not in derived and k not in words}


def _is(value: object, expected: type) -> bool:
    # bool is an int to Python, never to a plan: `blocked: true` is not a count
    return isinstance(value, expected) and (expected is bool or not isinstance(value, bool))


def _wrong_type(field: str, expected: type, value: object) -> PydanticCustomError:
    return PydanticCustomError(
        "derived_type",
        "expected {expected}, got {got}",
        {"field": field, "expected": _TYPE_NAMES[expected], "got": type_name(value)},
    )


def type_name(value: object) -> str:
    """A JSON value's type in words: ``a string``, ``an object``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, float):
        return "a number"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class PlanModel(BaseModel):
    """Frozen, and strict when read: no unknown field, no value of another type."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class JsonFormModel(PlanModel):
    """A model whose JSON form also holds fields derived for people (``derived``), and
    fields written as words (``AS_WORDS``): read back, both are checked for their type and
    dropped."""

    DERIVED: ClassVar[Mapping[str, type]] = {}
    AS_WORDS: ClassVar[tuple[str, ...]] = ()
    OMITTED_WHEN_NONE: ClassVar[tuple[str, ...]] = ()
    """Optional fields the JSON form writes only when they hold a value: what older plans
    did not have, so that their JSON stays byte for byte the same."""

    def derived(self) -> dict[str, Any]:
        return {}

    @model_validator(mode="before")
    @classmethod
    def _read_json_form(cls, data: Any, info: ValidationInfo) -> Any:
        if info.mode != "json":
            return data
        return without_derived(data, cls.DERIVED, cls.AS_WORDS)

    @model_serializer(mode="wrap")
    def _with_derived(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if info.mode_is_json():
            for name in self.OMITTED_WHEN_NONE:
                if data.get(name, 0) is None:
                    del data[name]
            data.update(self.derived())
        return data
