"""Braze's identifiers: the form of the keys Braze generates, checked before any call.

Braze's "API identifier types" page (https://www.braze.com/docs/api/identifier_types/)
describes the app, campaign, Canvas, segment and subscription group identifiers as keys that
Braze generates; the dashboard shows each one (Settings > APIs and Identifiers, or the
"API Identifier" at the bottom of a campaign, Canvas or segment page) as a UUID, e.g.
``924cd632-0dc9-4a59-a3f1-b892936fd233``. Message variation ids are shown the same way on
the API campaign's page. A value of another form can never name an object, so it is refused
offline, at its file:line:column, instead of failing at apply after the merge.

A send id is not one of these (the user chooses it, see ``requests.SendId``).

Schedule ids are returned by the create endpoints, and Braze documents only "string". The
only place a person types one is ``import`` and ``state resolve``; there the check refuses what
cannot be a generated key (a name, a URL, anything with spaces) while accepting a UUID or a
long hexadecimal key (the form of Braze's dispatch ids), so that a real id is never refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from reconciler.braze.models.base import braze_error

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_UUID = re.compile(UUID_PATTERN[1:-1])  # used with fullmatch: "$" would allow a final newline
_HEX_KEY = re.compile(r"[0-9a-fA-F]{24,64}")
_DASHBOARD_URL_ID = re.compile(r"[0-9a-fA-F]{24}")
EXAMPLE_UUID = "924cd632-0dc9-4a59-a3f1-b892936fd233"
INVALID_ID = "invalid_id"

INVALID_CAMPAIGN = "Invalid Campaign ID"
INVALID_CANVAS = "Invalid Canvas ID"
INVALID_VARIANT = "Invalid Message Variant"
INVALID_SEGMENT = "Invalid segment_id"
INVALID_APP = "Invalid app_id"
INVALID_SUBSCRIPTION_GROUP = "Invalid subscription_group_id"
INVALID_SCHEDULE = "Invalid schedule_id"
"""Braze's fatal message for an unknown campaign and variation (its errors page); the others
are the emulator's own, Braze documents none (docs/emulator.md)."""


@dataclass(frozen=True)
class IdKind:
    """Which identifier a field holds: its name for people and the place to copy it from."""

    label: str
    where: str
    braze_message: str


CAMPAIGN = IdKind(
    "campaign",
    "the Campaign API Identifier at the bottom of the campaign's page",
    INVALID_CAMPAIGN,
)
CANVAS = IdKind(
    "Canvas",
    "the Canvas API identifier (the Canvas's page > Analyze Variants, at the bottom)",
    INVALID_CANVAS,
)
SEGMENT = IdKind(
    "segment", "the segment identifier at the bottom of the segment's page", INVALID_SEGMENT
)
APP = IdKind(
    "app",
    "the app's identifier from Settings > APIs and Identifiers > App Identifiers",
    INVALID_APP,
)
VARIATION = IdKind(
    "message variation",
    "the variation's API identifier from the API campaign's page",
    INVALID_VARIANT,
)
SUBSCRIPTION_GROUP = IdKind(
    "subscription group",
    "the group's ID from Audience > Subscriptions",
    INVALID_SUBSCRIPTION_GROUP,
)


def id_problem(value: str, kind: IdKind) -> PydanticCustomError | None:
    """Why ``value`` cannot be a ``kind`` identifier, with a hint that leads to one; or None."""
    if _UUID.fullmatch(value):
        return None
    replacement: str | None = None
    found = _UUID.findall(value)
    if len(found) == 1:
        replacement = found[0]
        hint = f"did you mean {replacement!r}? (the identifier alone, nothing around it)"
    elif _DASHBOARD_URL_ID.fullmatch(value):
        hint = (
            f"this looks like the id in a dashboard URL, not the API identifier: copy "
            f"{kind.where} (a UUID such as {EXAMPLE_UUID})"
        )
    else:
        hint = f"copy {kind.where} (a UUID such as {EXAMPLE_UUID})"
    return braze_error(
        INVALID_ID,
        f"{value!r} is not a Braze {kind.label} identifier: Braze identifiers are UUIDs",
        braze_message=kind.braze_message,
        hint=hint,
        replacement=replacement,
    )


def _checker(kind: IdKind) -> Callable[[str], str]:
    def check(value: str) -> str:
        problem = id_problem(value, kind)
        if problem is not None:
            raise problem
        return value

    return check


_SCHEMA = WithJsonSchema({"type": "string", "pattern": UUID_PATTERN})
CampaignId = Annotated[str, AfterValidator(_checker(CAMPAIGN)), _SCHEMA]
CanvasId = Annotated[str, AfterValidator(_checker(CANVAS)), _SCHEMA]
SegmentId = Annotated[str, AfterValidator(_checker(SEGMENT)), _SCHEMA]
AppId = Annotated[str, AfterValidator(_checker(APP)), _SCHEMA]
VariationId = Annotated[str, AfterValidator(_checker(VARIATION)), _SCHEMA]
SubscriptionGroupId = Annotated[str, AfterValidator(_checker(SUBSCRIPTION_GROUP)), _SCHEMA]


def schedule_id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a schedule id that Braze returned; None if it can be one."""
    if _UUID.fullmatch(value) or _HEX_KEY.fullmatch(value):
        return None
    return (
        f"{value!r} is not a schedule id: Braze's create answer gives one as a generated key "
        f"(a UUID such as {EXAMPLE_UUID})"
    )


SCHEDULE_ID_HINT = (
    "copy the schedule_id from the create call's answer (the apply log or "
    "`state show ADDRESS` of the ledger it was created from)"
)
