"""The base of every Braze model: strict types, and findings for what Braze may accept.

Validation errors raised by Braze's rules use ``braze_error`` so that one rule gives the same
words everywhere: in ``validate`` (with a hint for people) and in the emulator (whose 400
answer carries the ``braze_message``, Braze's documented fatal error text).

What Braze's docs do not forbid but a person probably did not mean (an unknown field, both
time modes, a priority Braze replaces by 0) is not an error: the model accepts it, so a body
Braze accepts never fails here, and ``findings`` reports it, which ``validate`` shows with
the same codes, hints and replacements as errors.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
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
    "recipients": "external_user_ids",
}
"""Names people reach for (often the name the field has on another endpoint)."""


def suggest(word: str, choices: list[str]) -> str | None:
    known = KNOWN_CONFUSIONS.get(word)
    if known is not None and known in choices:
        return known
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


NARROWING_FIELDS = frozenset(
    {"audience", "segment_id", "recipients", "external_user_ids", "user_aliases"}
)
"""Fields that narrow who receives a message: a misspelt one, ignored by Braze, would send to a
wider audience, so ``validate`` refuses it (the emulator still accepts it, as Braze may)."""


@dataclass(frozen=True)
class Finding:
    """Something in a body that Braze may well accept but a person probably did not mean.

    ``loc`` is the field's path in the body; ``at_key`` places it on the key (an unknown field)
    rather than the value. ``replacement``, as for errors, is the one value that clears it.
    ``refused_by_validate``: ``validate`` reports it as an error (the emulator accepts it).
    """

    loc: tuple[str | int, ...]
    code: str
    message: str
    hint: str | None = None
    replacement: str | bool | None = None
    at_key: bool = False
    refused_by_validate: bool = False

    def under(self, prefix: tuple[str | int, ...]) -> Finding:
        return Finding(
            prefix + self.loc,
            self.code,
            self.message,
            self.hint,
            self.replacement,
            self.at_key,
            self.refused_by_validate,
        )


def _unknown_field(key: str, known: frozenset[str]) -> Finding:
    match = suggest(key, sorted(known))
    hint = f"did you mean {match!r}?" if match else "allowed: " + ", ".join(sorted(known))
    if key in NARROWING_FIELDS or match in NARROWING_FIELDS:
        message = (
            f"unknown field '{key}': if Braze ignores it, the message may go to a wider "
            "audience than meant"
        )
        return Finding((key,), UNKNOWN_FIELD, message, hint, match, True, True)
    # Braze's docs do not say whether an unknown field is ignored or refused, for any endpoint
    # (https://www.braze.com/docs/api/errors/ lists no such error): it is sent as written.
    message = (
        f"unknown field '{key}': Braze's documentation does not say whether it ignores or "
        "refuses it; it is sent as written"
    )
    return Finding((key,), UNKNOWN_FIELD, message, hint, match, True)


def findings(value: Any, loc: tuple[str | int, ...] = ()) -> list[Finding]:
    """Every finding of a validated model and the models inside it, with its path."""
    found: list[Finding] = []
    _collect_findings(value, loc, found)
    return found


def _collect_findings(value: Any, loc: tuple[str | int, ...], found: list[Finding]) -> None:
    # Runs for every manifest a plan loads: it descends only into models and lists, never
    # into the scalars that are most of a body.
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, BaseModel | list):
                _collect_findings(item, (*loc, index), found)
        return
    if not isinstance(value, BaseModel):
        return
    if isinstance(value, BrazeModel):
        for key in value.model_extra or {}:
            found.append(_unknown_field(key, value.known_keys()).under(loc))
        found.extend(finding.under(loc) for finding in value.model_findings())
    for name, key in _nesting_fields(type(value)):
        item = getattr(value, name)
        if item is not None:
            _collect_findings(item, (*loc, key), found)


_NESTING: dict[type[BaseModel], tuple[tuple[str, str], ...]] = {}


def _nesting_fields(cls: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """The fields of ``cls`` whose type can hold a model, with their keys: the only ones a
    walk for findings must enter."""
    fields = _NESTING.get(cls)
    if fields is None:
        fields = tuple(
            (name, info.alias or name)
            for name, info in cls.model_fields.items()
            if _can_hold_model(info.annotation)
        )
        _NESTING[cls] = fields
    return fields


def _can_hold_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_can_hold_model(arg) for arg in get_args(annotation))


def _as_init_error(error: Any) -> InitErrorDetails:
    """Re-home an error reported by pydantic so that it can be raised again with others."""
    context = dict(error.get("ctx") or {})
    custom = PydanticCustomError(error["type"], str(error["msg"]), context)
    return {"type": custom, "loc": tuple(error["loc"]), "input": error.get("input")}


def _documented_fields_only(schema: dict[str, Any]) -> None:
    # The JSON Schema lists the documented fields only, so that editors flag a typo.
    schema["additionalProperties"] = False


class BrazeModel(BaseModel):
    """Strict types: ``"broadcast": "false"`` (a string) is an error, since Braze documents a
    boolean. Unknown fields are kept and sent as written: Braze's docs do not say whether it
    ignores or refuses them, so they are findings (did-you-mean), not errors. A model of ours
    (a manifest) sets ``extra="forbid"`` to refuse them with the same did-you-mean."""

    model_config = ConfigDict(
        extra="allow",
        strict=True,
        populate_by_name=False,
        json_schema_extra=_documented_fields_only,
    )

    @classmethod
    def known_keys(cls) -> frozenset[str]:
        """The keys a body may carry: field names, or their aliases (``from``)."""
        keys = _KNOWN_KEYS.get(cls)
        if keys is None:
            keys = frozenset(info.alias or name for name, info in cls.model_fields.items())
            _KNOWN_KEYS[cls] = keys
        return keys

    def model_findings(self) -> Iterator[Finding]:
        """This model's own findings, located relative to it (unknown fields aside)."""
        return iter(())

    @model_validator(mode="wrap")
    @classmethod
    def _check_unknown_fields(cls, data: Any, handler: Any) -> Any:
        """Refuse unknown fields (``extra="forbid"``), non-string keys, and, in a body refused
        anyway, an unknown field that is the typo of a missing required one (its did-you-mean
        is then the useful error)."""
        if not isinstance(data, dict):
            return handler(data)
        known = cls.known_keys()
        if known.issuperset(data):
            return handler(data)  # the usual case: no unknown field, so no typo to report
        refused = cls.model_config.get("extra") == "forbid"
        unknown = [
            key for key in data if key not in known and (refused or not isinstance(key, str))
        ]
        kept = {key: value for key, value in data.items() if key not in unknown}
        if not unknown:
            try:
                return handler(kept)
            except ValidationError as exc:
                missing = {
                    error["loc"][0]
                    for error in exc.errors()
                    if error["type"] == "missing" and len(error["loc"]) == 1
                }
                typos = [
                    key
                    for key in kept
                    if key not in known and suggest(str(key), sorted(known)) in missing
                ]
                if not typos:
                    raise
                errors = [_unknown_field_error(key, data[key], known) for key in typos]
                errors.extend(_as_init_error(error) for error in exc.errors())
                raise ValidationError.from_exception_data(cls.__name__, errors) from None
        errors = [_unknown_field_error(key, data[key], known) for key in unknown]
        try:
            handler(kept)
        except ValidationError as exc:
            errors.extend(_as_init_error(error) for error in exc.errors())
        raise ValidationError.from_exception_data(cls.__name__, errors)


def _unknown_field_error(key: object, value: Any, known: frozenset[str]) -> InitErrorDetails:
    if not isinstance(key, str):
        return {
            "type": braze_error("invalid_key", f"field names must be strings, not {key!r}"),
            "loc": (str(key),),
            "input": key,
        }
    finding = _unknown_field(key, known)
    return {
        "type": PydanticCustomError(
            UNKNOWN_FIELD,
            "unknown field '{field}'",
            {"field": key, "suggestion": finding.replacement, "hint": finding.hint},
        ),
        "loc": (key,),
        "input": value,
    }


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
    """Metadata for a number field with documented bounds (code ``out_of_range``). With
    ``refuse=False`` the bounds are only shown in the JSON Schema (Braze replaces a value out
    of them, and the model reports a finding instead)."""

    low: int | float | None = None
    high: int | float | None = None
    unit: str = ""
    refuse: bool = True

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
            if self.refuse and not self.within(value):
                raise braze_error(
                    "out_of_range",
                    f"{value!r} is out of range: Braze allows {self.describe()}",
                    hint=f"use a value {self.describe()}",
                )
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def within(self, value: int | float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        if self.low is not None:
            json_schema["minimum"] = self.low
        if self.high is not None:
            json_schema["maximum"] = self.high
        return json_schema
