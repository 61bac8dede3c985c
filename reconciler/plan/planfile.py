"""Saved plans: ``plan --out FILE`` and ``apply --plan FILE``.

A saved plan holds the ledger serial, workspace, endpoint, a digest of the manifests, its
creation time and the full request bodies; never the API key. It is signed with an HMAC
whose key (``BRAZE_RECONCILER_PLAN_KEY``) the plan and apply jobs share and a person holding
only the file does not: an edited file (a body, a ``protect`` flag, its creation time, its
options) no longer matches its signature. ``apply --plan`` refuses (exit 5) an unsigned or
edited plan, one whose ledger changed since (serial), one older than ``--max-plan-age``, one
for another endpoint or workspace, and one made from other manifests; then it plans again
and applies only when the fresh plan is the saved one (``reconciler.plan.compare``).

The file is the plan's JSON form (what ``plan --format json`` prints) with the signature; it
is read back by the model (``plan.model``), strictly: a field the model does not know, or a
value of another type, is refused naming the field (``changes[3].protect: expected true or
false, got a string``).

A file that is not a saved plan at all (not JSON, not an object, no ``format_version``) is an
invalid argument (exit 3); a saved plan that is malformed is refused like an edited one
(exit 5).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from reconciler import secrets
from reconciler.errors import SavedPlanError, UsageError
from reconciler.plan.jsonform import type_name
from reconciler.plan.model import Plan, Words
from reconciler.timeutil import format_duration, format_utc

FUTURE_TOLERANCE = timedelta(minutes=5)
"""Clocks of the machine that planned and the one that applies may differ a little."""

PLAN_KEY_ENV = "BRAZE_RECONCILER_PLAN_KEY"
SIGNATURE_FIELD = "signature"
_SCHEME = "hmac-sha256:"
_KEY_HINT = (
    f"set {PLAN_KEY_ENV} to the same random secret (e.g. `openssl rand -hex 32`) in the job "
    "that runs `plan --out` and the one that runs `apply --plan`"
)


def save_plan(plan: Plan, path: Path, key: str | None, words: Words) -> None:
    """Write the plan's JSON form, with ``words`` (``render.reasons.WORDS``), signed when a key
    is given (apply --plan refuses unsigned plans)."""
    data = plan.json_form(words)
    if key is not None:
        data[SIGNATURE_FIELD] = signature_of(data, key)
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def load_plan(path: Path, key: str | None = None) -> Plan:
    """Read a saved plan; with ``key``, refuse it unless its signature matches.

    Without a key the file is read unchecked: only for tests and tools that inspect a plan,
    never for ``apply --plan``.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the saved plan {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a saved plan (not UTF-8 text)") from None
    except RecursionError:
        raise UsageError(f"{path} is not a saved plan (JSON nested too deeply)") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not a saved plan (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise UsageError(
            f"{path} is not a saved plan (no format_version)",
            hint="give apply --plan the file written by `plan --out FILE`",
        )
    if key is not None:
        _check_signature(data, key, path)
    try:
        # What was signed, read by the model as JSON: strict types, no unknown field.
        return Plan.model_validate_json(
            json.dumps({k: v for k, v in data.items() if k != SIGNATURE_FIELD})
        )
    except ValidationError as exc:
        problem = describe(exc.errors(include_url=False)[0])
    except (RecursionError, ValueError) as exc:
        problem = str(exc)
    raise SavedPlanError(f"{path} is a malformed saved plan: {problem}", hint="plan again")


_EXPECTED = {
    "bool_type": "true or false",
    "int_type": "an integer",
    "string_type": "a string",
    "dict_type": "an object",
    "mapping_type": "an object",
    "model_type": "an object",
    "tuple_type": "a list",
    "list_type": "a list",
    "datetime_type": "a time",
}


def describe(error: ErrorDetails) -> str:
    """One validation error of a saved plan, naming the field: ``changes[3].protect: expected
    true or false, got a string``."""
    kind, context, value = error["type"], error.get("ctx") or {}, error.get("input")
    where = list(error["loc"])
    if kind == "derived_type":
        where.append(context["field"])
    if kind == "missing":
        problem = "missing"
    elif kind == "extra_forbidden":
        problem = "unknown field (only `plan --out` writes a saved plan)"
    elif kind in _EXPECTED:
        problem = f"expected {_EXPECTED[kind]}, got {type_name(value)}"
    elif kind in ("enum", "literal_error"):
        problem = f"{value!r} is not {context['expected']}"
    elif kind == "value_error":
        problem = str(context["error"])
    else:
        problem = error["msg"]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where).lstrip(".")
    return f"{path}: {problem}" if path else problem


def plan_key_or_none() -> str | None:
    """The key that signs saved plans, from the environment; never printed."""
    key = os.environ.get(PLAN_KEY_ENV, "").strip() or None
    if key is None:
        return None
    secrets.register(key)
    if len(key) < 16:
        raise UsageError(f"{PLAN_KEY_ENV} is too short to authenticate a plan", hint=_KEY_HINT)
    return key


def require_plan_key() -> str:
    key = plan_key_or_none()
    if key is None:
        raise UsageError(
            f"apply --plan needs {PLAN_KEY_ENV}: it proves the saved plan was not edited since "
            "`plan --out` wrote it",
            hint=_KEY_HINT,
        )
    return key


def unsigned_warning() -> str:
    return (
        f"{PLAN_KEY_ENV} is not set: the saved plan is not signed, and apply --plan refuses "
        f"unsigned plans ({_KEY_HINT})"
    )


def signature_of(data: Mapping[str, Any], key: str) -> str:
    unsigned = {k: v for k, v in data.items() if k != SIGNATURE_FIELD}
    canonical = json.dumps(unsigned, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    mac = hmac.new(key.encode(), canonical.encode(), hashlib.sha256)
    return _SCHEME + mac.hexdigest()


def _check_signature(data: Mapping[str, Any], key: str, path: Path) -> None:
    signature = data.get(SIGNATURE_FIELD)
    if not isinstance(signature, str):
        raise SavedPlanError(
            f"the saved plan {path} is not signed: apply --plan cannot prove it was not edited",
            hint=f"run `plan --out` with {PLAN_KEY_ENV} set, review, then apply that plan",
        )
    try:
        expected = signature_of(data, key)
    except (RecursionError, ValueError):
        expected = ""
    if not hmac.compare_digest(signature, expected):
        raise SavedPlanError(
            f"the saved plan {path} does not match its signature: it was edited after "
            f"`plan --out`, or signed with another {PLAN_KEY_ENV}",
            hint="plan again and review the new plan; never edit a saved plan",
        )


def verify_plan(
    plan: Plan,
    *,
    serial: int,
    endpoint: str,
    workspace: str,
    manifests_digest: str,
    now: datetime,
    max_age: timedelta,
) -> None:
    """Raise SavedPlanError (exit 5) naming the reason a saved plan must not be applied."""
    if plan.workspace != workspace:
        raise SavedPlanError(
            f"the saved plan is for workspace {plan.workspace!r}, not {workspace!r}",
            hint="run apply with the plan's --workspace, or plan again",
        )
    if plan.endpoint != endpoint:
        raise SavedPlanError(
            f"the saved plan is for endpoint {plan.endpoint!r}, not {endpoint!r}",
            hint="run apply against the plan's endpoint, or plan again",
        )
    if plan.serial != serial:
        raise SavedPlanError(
            f"the saved plan is stale: the ledger changed since it was made "
            f"(serial {plan.serial}, now {serial})",
            hint="plan again and review the new plan",
        )
    _check_age(plan, now, max_age)
    if plan.manifests_digest != manifests_digest:
        raise SavedPlanError(
            "the manifests differ from those the saved plan was made from (another commit, "
            "an edited file, or other PATHS)",
            hint="give apply --plan the PATHS given to `plan --out`, from the same directory and "
            "commit; or plan again and review the new plan",
        )


def _check_age(plan: Plan, now: datetime, max_age: timedelta) -> None:
    if plan.created_at is None:
        raise SavedPlanError("the saved plan has no creation time", hint="plan again")
    age = now - plan.created_at
    if age < -FUTURE_TOLERANCE:
        made = format_utc(plan.created_at)
        raise SavedPlanError(
            f"the saved plan was made in the future ({made}): its age cannot be known",
            hint="check this machine's clock, then plan again",
        )
    if age > max_age:
        raise SavedPlanError(
            f"the saved plan expired: made {format_duration(age)} ago, the limit is "
            f"{format_duration(max_age)} (--max-plan-age)",
            hint="plan again: what is due to send may have changed",
        )
