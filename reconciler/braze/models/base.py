"""The base of every Braze model: strict types, unknown fields rejected with a did-you-mean.

Validation errors raised by Braze's rules use ``braze_error`` so that one rule gives the same
words everywhere: in ``validate`` (with a hint for people) and in the emulator (whose 400
answer carries the ``braze_message``, Braze's documented fatal error text).
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

UNKNOWN_FIELD = "unknown_field"
_KNOWN_KEYS: dict[type[BaseModel], frozenset[str]] = {}


def braze_error(
    code: str, message: str, *, braze_message: str = "Bad Request", hint: str | None = None
) -> PydanticCustomError:
    """A rule violation. ``code`` is stable (tests, JSON output); ``message`` is for people.

    ``braze_message`` is the fatal error text Braze documents for the violation (what the
    emulator answers); ``hint`` tells a person what to do.
    """
    context: dict[str, Any] = {"braze_message": braze_message}
    if hint:
        context["hint"] = hint
    return PydanticCustomError(code, message, context)


def suggest(word: str, choices: list[str]) -> str | None:
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
                        "type": braze_error("invalid_key", f"field names must be strings, not {key!r}"),
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
