"""The base of every Braze model: strict types, unknown fields rejected with a did-you-mean.

Validation errors raised by Braze's rules use ``braze_error`` so that one rule gives the same
words everywhere: in ``validate`` (with a hint for people) and in the emulator (whose 400
answer carries the ``braze_message``, Braze's documented fatal error text).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError, core_schema

UNKNOWN_FIELD = "unknown_field"
_KNOWN_KEYS: dict[type[BaseModel], frozenset[str]] = {}


def braze_error(
    code: str,
    message: str,
    *,
    braze_message: str = "Bad Request",
    hint: str | None = None,
    replacement: str | bool | None = None,
) -> PydanticCustomError:
    """A rule violation. ``code`` is stable (tests, JSON output); ``message`` is for people.

    ``braze_message`` is the fatal error text Braze documents for the violation (what the
    emulator answers); ``hint`` tells a person what to do. ``replacement``, when the hint
    names one value that fixes the field, is that value, so that tools (and the test that
    follows every hint) can apply it.
    """
    context: dict[str, Any] = {"braze_message": braze_message}
    if hint:
        context["hint"] = hint
    if replacement is not None:
        context["replacement"] = replacement
    return PydanticCustomError(code, message, context)


KNOWN_CONFUSIONS = {
    "override_frequency_capping": "override_messaging_limits",
    "override_messaging_limits": "override_frequency_capping",
    "canvas_entry_properties": "context",
    "external_ids": "external_user_ids",
    "user_ids": "external_user_ids",
    "time_zone": "in_local_time",
    "local_time": "in_local_time",
    "optimal_time": "at_optimal_time",
}
"""Names people reach for (often the name the field has on another endpoint)."""


def suggest(word: str, choices: list[str]) -> str | None:
    known = KNOWN_CONFUSIONS.get(word)
    if known is not None and known in choices:
        return known
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _as_init_error(error: Any) -> InitErrorDetails:
    """Re-home an error reported by pydantic so that it can be raised again with others."""
    context = dict(error.get("ctx") or {})
    custom = PydanticCustomError(error["type"], str(error["msg"]), context)
    return {"type": custom, "loc": tuple(error["loc"]), "input": error.get("input")}


class BrazeModel(BaseModel):
    """Strict: ``"broadcast": "false"`` (a string) is an error, as Braze's examples should be."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)

    @classmethod
    def known_keys(cls) -> frozenset[str]:
        """The keys a body may carry: field names, or their aliases (``from``)."""
        keys = _KNOWN_KEYS.get(cls)
        if keys is None:
            keys = frozenset(info.alias or name for name, info in cls.model_fields.items())
            _KNOWN_KEYS[cls] = keys
        return keys

    @model_validator(mode="wrap")
    @classmethod
    def _reject_unknown_fields(cls, data: Any, handler: Any) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        known = cls.known_keys()
        unknown = [key for key in data if key not in known]
        if not unknown:
            return handler(data)
        errors: list[InitErrorDetails] = []
        for key in unknown:
            if not isinstance(key, str):
                errors.append(
                    {
                        "type": braze_error(
                            "invalid_key", f"field names must be strings, not {key!r}"
                        ),
                        "loc": (str(key),),
                        "input": key,
                    }
                )
                continue
            match = suggest(key, sorted(known))
            hint = f"did you mean {match!r}?" if match else "allowed: " + ", ".join(sorted(known))
            errors.append(
                {
                    "type": PydanticCustomError(
                        UNKNOWN_FIELD,
                        "unknown field '{field}'",
                        {"field": key, "suggestion": match, "hint": hint},
                    ),
                    "loc": (key,),
                    "input": data[key],
                }
            )
        try:
            handler({key: value for key, value in data.items() if key not in unknown})
        except ValidationError as exc:
            errors.extend(_as_init_error(error) for error in exc.errors())
        raise ValidationError.from_exception_data(cls.__name__, errors)


# Rule helpers shared by the request models.


def error_at(loc: tuple[str | int, ...], error: PydanticCustomError, value: Any) -> ValidationError:
    """An error placed on one field, for a rule checked across fields by an after-validator.

    Raised from a validator, pydantic nests ``loc`` under the model's own location, so the
    error blames ``recipients.3.attributes`` rather than the whole recipient.
    """
    return ValidationError.from_exception_data(
        "BrazeModel", [{"type": error, "loc": loc, "input": value}]
    )


_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def json_size(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON: how Braze's payload limits are measured.

    ``value`` must already be validated JSON data (no cycles, only JSON types).
    """
    return len(_COMPACT_JSON.encode(value).encode("utf-8"))


def _listed(choices: list[str]) -> str:
    return ", ".join(repr(choice) for choice in choices)


@dataclass(frozen=True)
class Choice:
    """Metadata for a ``Literal`` of strings: a value not allowed gets a did-you-mean.

    ``Annotated[Literal["POST", "PUT"], Choice()]`` keeps the precise type and the JSON
    Schema ``enum``, and reports ``invalid_choice`` rather than pydantic's literal error.
    """

    braze_message: str = "Bad Request"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        choices = [str(choice) for choice in get_args(source)]
        allowed = frozenset(choices)
        by_case = {choice.casefold(): choice for choice in choices}
        braze_message = self.braze_message

        def check(value: Any) -> Any:
            if isinstance(value, str) and value not in allowed:
                match = by_case.get(value.casefold()) or suggest(value, choices)
                listed = _listed(choices)
                raise braze_error(
                    "invalid_choice",
                    f"{value!r} is not one of {listed}"
                    if len(choices) <= 6
                    else f"{value!r} is not an allowed value",
                    braze_message=braze_message,
                    hint=f"did you mean {match!r}?" if match else f"use one of {listed}",
                    replacement=match,
                )
            return value

        return core_schema.no_info_before_validator_function(check, handler(source))


@dataclass(frozen=True)
class Range:
    """Metadata for a number field with documented bounds (code ``out_of_range``)."""

    low: int | float | None = None
    high: int | float | None = None
    unit: str = ""

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.low is None:
            return f"at most {self.high:,}{unit}"
        if self.high is None:
            return f"at least {self.low:,}{unit}"
        return f"from {self.low:,} to {self.high:,}{unit}"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        def check(value: Any) -> Any:
            if (self.low is not None and value < self.low) or (
                self.high is not None and value > self.high
            ):
                raise braze_error(
                    "out_of_range",
                    f"{value!r} is out of range: Braze allows {self.describe()}",
                    hint=f"use a value {self.describe()}",
                )
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        if self.low is not None:
            json_schema["minimum"] = self.low
        if self.high is not None:
            json_schema["maximum"] = self.high
        return json_schema
