"""The shape of a saved plan's JSON, checked before it is read: a malformed file gets a clear
error naming the field (``changes[2].requests: expected a list``), never a traceback.

The tables list every field ``Plan.to_dict`` writes; a field not listed is refused, since a
saved plan comes only from ``plan --out`` and anything else in it was put there by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_NONE = type(None)
_OPT_STR = (str, _NONE)

_PLAN: Mapping[str, tuple[type, ...]] = {
    "format_version": (int,),
    "now": (str,),
    "created_at": _OPT_STR,
    "workspace": _OPT_STR,
    "endpoint": _OPT_STR,
    "serial": (int, _NONE),
    "manifests_digest": _OPT_STR,
    "options": (dict,),
    "managed": (int,),
    "summary": (dict,),
    "has_changes": (bool,),
    "blocked": (int,),
    "warnings": (list,),
    "changes": (list,),
    "signature": (str,),
}
_PLAN_REQUIRED = ("format_version", "now", "changes")

_CHANGE: Mapping[str, tuple[type, ...]] = {
    "address": (str,),
    "kind": (str,),
    "action": (str,),
    "symbol": (str,),
    "housekeeping": (bool,),
    "before": (dict, _NONE),
    "after": (dict, _NONE),
    "reasons": (list,),
    "blocked": (dict, _NONE),
    "field_changes": (list,),
    "requests": (list,),
    "schedule_id": _OPT_STR,
    "parent_id": _OPT_STR,
    "schedule_time": _OPT_STR,
    "schedule_mode": _OPT_STR,
    "before_schedule_time": _OPT_STR,
    "before_schedule_mode": _OPT_STR,
    "send_at": _OPT_STR,
    "lifecycle": _OPT_STR,
    "protect": (bool,),
    "recorded_protect": (bool,),
    "labels": (dict,),
    "source": _OPT_STR,
    "after_hash": _OPT_STR,
    "recorded_status": _OPT_STR,
    "recorded_unknown": _OPT_STR,
    "previous_send": _OPT_STR,
    "moved_from": _OPT_STR,
    "replace_requested": (bool,),
    "notes": (list,),
}
_CHANGE_REQUIRED = ("address", "kind", "action")

_REQUEST: Mapping[str, tuple[type, ...]] = {"call": (str,), "path": (str,), "body": (dict,)}
_REQUEST_REQUIRED = ("call", "path", "body")

_OPTIONS: Mapping[str, tuple[type, ...]] = {
    "freeze_window_seconds": (int,),
    "allow_late": (bool,),
    "allow_destroy": (bool,),
    "allow_resend": (bool,),
    "targets": (list,),
    "replace": (list,),
}


def check_shape(data: Mapping[str, Any]) -> str | None:
    """The first problem in a saved plan's JSON, or None when its shape is right."""
    problem = _check_object(data, "", _PLAN, _PLAN_REQUIRED)
    if problem is None:
        problem = _check_object(data.get("options") or {}, "options.", _OPTIONS, ())
    for index, change in enumerate(data.get("changes", ()) if problem is None else ()):
        where = f"changes[{index}]"
        if not isinstance(change, dict):
            return f"{where}: expected an object, got {_type_name(change)}"
        problem = _check_object(change, where + ".", _CHANGE, _CHANGE_REQUIRED)
        for number, request in enumerate(change.get("requests", ()) if problem is None else ()):
            at = f"{where}.requests[{number}]"
            if not isinstance(request, dict):
                return f"{at}: expected an object, got {_type_name(request)}"
            problem = _check_object(request, at + ".", _REQUEST, _REQUEST_REQUIRED)
            if problem is not None:
                return problem
        if problem is not None:
            return problem
    return problem


def _check_object(
    data: Mapping[str, Any],
    prefix: str,
    fields: Mapping[str, tuple[type, ...]],
    required: tuple[str, ...],
) -> str | None:
    for name in required:
        if name not in data:
            return f"{prefix}{name}: missing"
    for name, value in data.items():
        types = fields.get(name)
        if types is None:
            return f"{prefix}{name}: unknown field (only `plan --out` writes a saved plan)"
        # bool is an int to Python, never to a plan: `serial: true` is not a serial
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            expected = " or ".join(_TYPE_NAMES[t] for t in types)
            return f"{prefix}{name}: expected {expected}, got {_type_name(value)}"
    return None


_TYPE_NAMES: Mapping[type, str] = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    dict: "an object",
    list: "a list",
    _NONE: "null",
    float: "a number",
}


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)
