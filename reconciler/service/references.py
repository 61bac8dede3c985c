"""The lookups of the reference checks: every campaign, Canvas and segment the manifests name,
looked up once per run, concurrently, paced in the client's shared rate-limit bucket.

Read-only (``GET``), never a write. What they find goes to the planner as data
(``plan.references.References``): the planner stays pure. A key without a lookup permission
skips the checks that need it, with one warning naming the permission; an answer that is
neither the object nor "unknown" (a server error, no connection) skips that object's checks,
with a warning: a lookup never fails the plan.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from reconciler.braze.errors import (
    BadRequestError,
    BrazeApiError,
    BrazeError,
    ForbiddenError,
    LookupSkippedError,
    NotFoundError,
    UnauthorizedError,
)
from reconciler.braze.gone import UNKNOWN_WORDS
from reconciler.braze.models.details import (
    CAMPAIGN_DETAILS_PATH,
    CANVAS_DETAILS_PATH,
    LOOKUP_ENDPOINTS,
    SEGMENTS_LIST_PATH,
    SEGMENTS_PAGE_SIZE,
    CampaignDetails,
    CanvasDetails,
    MessageDetails,
)
from reconciler.plan.references import Found, ObjectKind, References, Wanted
from reconciler.templates import MessageTemplate, liquid_texts, main_texts

if TYPE_CHECKING:
    from reconciler.braze.client import BrazeClient

MAX_CONCURRENT = 8
PERMISSION_OF: Mapping[ObjectKind, str] = {
    ObjectKind.CAMPAIGN: LOOKUP_ENDPOINTS[CAMPAIGN_DETAILS_PATH].permission,
    ObjectKind.CANVAS: LOOKUP_ENDPOINTS[CANVAS_DETAILS_PATH].permission,
    ObjectKind.SEGMENT: LOOKUP_ENDPOINTS[SEGMENTS_LIST_PATH].permission,
}
Messages = dict[str, tuple[MessageTemplate, ...]]
"""For the rendered previews: campaign or Canvas id -> the main texts of its messages."""


@dataclasses.dataclass
class Looked:
    """What the lookups gave: the planner's data, the looked-up messages, and warnings."""

    references: References
    messages: Messages
    warnings: list[str]


class _Denied(Exception):
    pass


def look_up(client: BrazeClient, wanted: Wanted) -> Looked:
    """Look up every object of ``wanted``."""
    objects: dict[tuple[ObjectKind, str], Found | None] = {}
    skipped: dict[ObjectKind, str] = {}
    warnings: list[str] = []
    messages: Messages = {}
    jobs: list[tuple[ObjectKind, str]] = [
        (ObjectKind.CAMPAIGN, i) for i in sorted(wanted.campaigns)
    ]
    jobs += [(ObjectKind.CANVAS, i) for i in sorted(wanted.canvases)]
    segments: frozenset[str] | None = None
    before = client.lookups

    def one(job: tuple[ObjectKind, str]) -> tuple[tuple[ObjectKind, str], Any]:
        kind, object_id = job
        try:
            if kind is ObjectKind.CAMPAIGN:
                return job, CampaignDetails.model_validate(client.campaign_details(object_id))
            return job, CanvasDetails.model_validate(client.canvas_details(object_id))
        except (BadRequestError, NotFoundError) as exc:
            if unknown_id(exc, kind):
                return job, None  # INFERENCE (braze/models/details.py): the id is unknown
            return job, exc
        except ForbiddenError:
            return job, _Denied()
        except (BrazeError, ValidationError) as exc:
            return job, exc

    def all_segments() -> frozenset[str] | Exception:
        found: set[str] = set()
        page = 0
        try:
            while True:
                items = client.segments_page(page)
                found |= {str(item["id"]) for item in items if "id" in item}
                if len(items) < SEGMENTS_PAGE_SIZE:
                    return frozenset(found)
                page += 1
        except ForbiddenError:
            return _Denied()
        except BrazeError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=MAX_CONCURRENT) as pool:
        listing = pool.submit(all_segments) if wanted.segments else None
        results = list(pool.map(one, jobs))
        listed = listing.result() if listing is not None else None
    not_made = 0
    for (kind, object_id), answer in results:
        if isinstance(answer, (_Denied, UnauthorizedError, LookupSkippedError)):
            not_made += 1
        if isinstance(answer, _Denied):
            skipped[kind] = PERMISSION_OF[kind]
        elif isinstance(answer, UnauthorizedError):
            refused = "the API key was refused (401 Unauthorized): reference checks are skipped"
            if refused not in warnings:
                warnings.append(refused)
        elif isinstance(answer, Exception):
            warnings.append(_failed(kind, object_id, answer))
        elif answer is None:
            objects[(kind, object_id)] = None
        else:
            found, labelled = _found(kind, object_id, answer)
            objects[(kind, object_id)] = found
            messages[object_id] = labelled
    if isinstance(listed, (_Denied, UnauthorizedError, LookupSkippedError)):
        not_made += 1
    if isinstance(listed, UnauthorizedError):
        refused_key = "the API key was refused (401 Unauthorized): reference checks are skipped"
        if refused_key not in warnings:
            warnings.append(refused_key)
    elif isinstance(listed, _Denied):
        skipped[ObjectKind.SEGMENT] = PERMISSION_OF[ObjectKind.SEGMENT]
    elif isinstance(listed, Exception):
        warnings.append(f"segments could not be listed ({_why(listed)}): their checks are skipped")
    elif listed is not None:
        segments = listed
    for kind, permission in sorted(skipped.items()):
        warnings.append(
            f"the API key lacks the {permission} permission: the reference checks of "
            f"{_plural(kind)} are skipped (give the key {permission} to check them)"
        )
    references = References(
        objects=objects,
        segments=segments,
        skipped=skipped,
        lookups=max(0, client.lookups - before - not_made),
    )
    return Looked(references, messages, warnings)


def _plural(kind: ObjectKind) -> str:
    return {ObjectKind.CANVAS: "Canvases"}.get(kind, f"{kind}s")


def unknown_id(error: BadRequestError | NotFoundError, kind: ObjectKind) -> bool:
    """Whether a 400 or 404 to a details lookup says that the id is unknown.

    Braze documents no answer for an unknown id (``braze/models/details.py``), so, as for a
    schedule id (``braze/gone.py``), the answer must say so: its message, or one of its
    ``errors``, names the id (``campaign_id``, ``canvas_id``, "campaign", "Canvas") with
    words that say it is unknown or invalid (``Invalid campaign_id``). A bare "Not Found" (a
    proxy, a wrong path) says nothing about the id: the lookup failed."""
    field = "campaign" if kind is ObjectKind.CAMPAIGN else "canvas"
    named = re.compile(rf"\b{field}(?:[\s_-]?id)?\b", re.IGNORECASE)
    for text in (error.braze_message, *error.errors):
        if named.search(text) and UNKNOWN_WORDS.search(text):
            return True
    return False


def _why(error: Exception) -> str:
    """Why a lookup failed, short and escaped: ``HTTP 404: Not Found``."""
    if isinstance(error, BrazeApiError):
        return f"HTTP {error.status}: {shorten(error.braze_message)}"
    if isinstance(error, LookupSkippedError):
        return error.cause
    return shorten(str(error))


def shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _failed(kind: ObjectKind, object_id: str, error: Exception) -> str:
    if isinstance(error, LookupSkippedError):
        return f"{kind} {object_id} was not looked up ({_why(error)}): its checks are skipped"
    return f"{kind} {object_id} could not be looked up ({_why(error)}): its checks are skipped"


def _found(
    kind: ObjectKind,
    object_id: str,
    answer: CampaignDetails | CanvasDetails,
) -> tuple[Found, tuple[MessageTemplate, ...]]:
    labelled: list[tuple[str, MessageDetails]] = []
    variations: dict[str, str | None] = {}
    if isinstance(answer, CampaignDetails):
        for variation_id, message in answer.messages.items():
            variations[variation_id] = message.message_key
            if not message.is_control:
                labelled.append((_label(message, None), message))
        paused = False
    else:
        for step, _variation_id, message in answer.step_messages():
            if not message.is_control:
                labelled.append((_label(message, step.name), message))
        paused = answer.enabled is False
    texts = tuple(
        template
        for label, message in labelled
        for template in liquid_texts(_as_messages(message), label)
    )
    found = Found(
        kind=kind,
        id=object_id,
        name=answer.name,
        archived=answer.archived,
        draft=answer.draft,
        schedule_type=answer.schedule_type,
        paused=paused,
        variations=variations,
        texts=texts,
    )
    shown = tuple(
        template
        for label, message in labelled
        for template in main_texts(_as_messages(message), label)
    )
    return found, shown


def _as_messages(message: MessageDetails) -> dict[str, Any]:
    """A looked-up message as a ``messages`` object of one channel (``{"apple_push": ...}``),
    the shape ``reconciler.templates`` reads."""
    key = message.message_key or message.channel or "message"
    return {key: message.content()}


def _label(message: MessageDetails, step: str | None) -> str:
    what = f"variation {message.name!r}" if message.name else "message"
    return (f"step {step!r}, " if step else "") + what
