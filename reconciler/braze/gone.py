"""Has Braze said that a schedule is gone? The one decision apply's recovery rests on.

Braze documents no answer for a ``schedule_id`` it does not know (deleted, already sent, never
created, or created with another workspace's key): its errors page
(https://www.braze.com/docs/api/errors/) and the update and delete pages
(https://www.braze.com/docs/api/endpoints/messaging/schedule_messages/) list none. So the
decision rests on what an answer says, never on one text (``Invalid schedule_id`` is the
emulator's own):

- ``GONE``: a 400 or 404 whose message, or one of its ``errors``, names the schedule id (the
  id itself, ``schedule_id``, "schedule id" or "the schedule") as unknown or invalid, in any
  wording that says so: invalid, unknown, not found, does not exist, no such, no longer,
  deleted, already sent, expired, cancelled. Or an answer recorded as Braze's own for an
  unknown schedule (``recorded``: what ``doctor`` learnt by asking Braze about a made-up
  id, ``probe_answer``, kept in the ledger's metadata and passed by ``apply``).
- ``AMBIGUOUS``: a 400 or 404 that may mean it but does not say so: one that names the
  schedule without saying it is unknown; a 404 that says nothing more than "Not Found"; a
  400 to a delete (whose body holds only identifiers) that says nothing more than "Bad
  Request".
- ``OTHER``: any other answer, a plain failure (another field named, a 400 to an update with
  no more than "Bad Request", which Braze documents for a time it cannot use).

What the applier does with each (docs/decisions.md, "Fidelity to Braze's documentation"):
a delete answered ``GONE`` after an attempt of unknown outcome, or asked for by ``--replace``,
counts as done; an update or delete answered ``GONE`` or ``AMBIGUOUS`` otherwise keeps the
record, ``vanished``: the plan blocks it until ``state resolve`` (or ``apply --replace``)
settles it. An ``AMBIGUOUS`` answer never counts as done.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any

from reconciler.braze.errors import BrazeApiError, BrazeError

_ID_PLACEHOLDER = "{schedule_id}"
_SCHEDULE = re.compile(
    r"\{schedule id\}|\bschedule[\s-]?id\b|\bschedule\b(?!\s*\.?\s*(?:time|object)\b)",
    re.IGNORECASE,
)
"""The schedule id named: the id itself (replaced by the placeholder), the field, or the
schedule as a thing (not ``schedule.time``, "schedule time", "schedule object")."""
_UNKNOWN = re.compile(
    r"\b(?:invalid|unknown|not[\s_-]+found|no\s+such|does\s*n[o']t\s+exist|not\s+exist|"
    r"no\s+longer|non[\s-]?existent|deleted|already\s+(?:been\s+)?sent|has\s+been\s+sent|"
    r"expired|cancell?ed|unrecogni[sz]ed|not\s+recogni[sz]ed|"
    r"(?:could|can|did)\s*(?:not|n't)\s+(?:be\s+)?f(?:i|ou)nd|"
    r"no\s+(?:such\s+)?(?:scheduled?\b|\{schedule id\}))",
    re.IGNORECASE,
)
"""Words that say the schedule is unknown or invalid."""
UNKNOWN_WORDS = _UNKNOWN
"""The same words, for the reference checks' lookups (``service.references.unknown_id``)."""
_NOT_ABOUT_IT = re.compile(
    r"\b(?:required|missing|must\s+(?:be|have|contain|include)|expected|should\s+be|"
    r"is\s+valid|exists|was\s+found)\b",
    re.IGNORECASE,
)
"""Words that say something else about the field (the request's shape) or that the schedule
is known: a clause naming the schedule with these alone does not make an answer ambiguous."""
_CLAUSES = re.compile(r"\.(?:\s|$)|[;\n]|,\s|\bbut\b|\bwhile\b", re.IGNORECASE)
_BARE = {400: "bad request", 404: "not found"}
"""The status' own words: an answer that says nothing more than them says nothing."""


class GoneVerdict(StrEnum):
    GONE = "gone"
    """Braze says it does not know the schedule id."""
    AMBIGUOUS = "ambiguous"
    """Braze's answer may mean that, but does not say so."""
    OTHER = "other"
    """An answer about something else: a plain failure."""


@dataclasses.dataclass(frozen=True)
class GoneAnswer:
    """An answer Braze gave for a schedule id it does not know, the id in its texts replaced
    by ``{schedule_id}``; ``path`` the endpoint it was seen on (None: any)."""

    status: int
    message: str
    errors: tuple[str, ...] = ()
    path: str | None = None

    @classmethod
    def of(cls, error: BrazeApiError, schedule_id: str, *, any_path: bool = False) -> GoneAnswer:
        """The answer ``error`` gave for ``schedule_id`` (made up, so known to be unknown), as
        ``doctor`` records it."""
        return cls(
            error.status,
            _without_id(error.braze_message, schedule_id),
            tuple(_without_id(text, schedule_id) for text in error.errors),
            None if any_path else error.path,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as the ledger's metadata keeps it."""
        return {
            "status": self.status,
            "message": self.message,
            "errors": list(self.errors),
            "path": self.path,
        }

    @classmethod
    def from_dict(cls, data: Any) -> GoneAnswer:
        """The inverse of ``to_dict``; ValueError for anything else (a ledger edited by hand)."""
        if not isinstance(data, Mapping) or set(data) != {"status", "message", "errors", "path"}:
            raise ValueError(f"not a recorded answer: {data!r}")
        status, message, errors, path = (data[k] for k in ("status", "message", "errors", "path"))
        if (
            not isinstance(status, int)
            or not isinstance(message, str)
            or not isinstance(errors, list)
            or not all(isinstance(text, str) for text in errors)
            or not (path is None or isinstance(path, str))
        ):
            raise ValueError(f"not a recorded answer: {data!r}")
        return cls(status, message, tuple(errors), path)

    def matches(self, error: BrazeApiError, schedule_id: str | None) -> bool:
        return (
            self.status == error.status
            and (self.path is None or self.path == error.path)
            and self.message == _without_id(error.braze_message, schedule_id)
            and self.errors == tuple(_without_id(text, schedule_id) for text in error.errors)
        )


def gone_verdict(
    error: BrazeError, schedule_id: str | None, *, recorded: Collection[GoneAnswer] = ()
) -> GoneVerdict:
    """What ``error``, Braze's answer to an update or delete of ``schedule_id``, says about
    that schedule. ``recorded``: answers known to be Braze's for an unknown schedule id."""
    if not isinstance(error, BrazeApiError) or error.status not in _BARE:
        return GoneVerdict.OTHER
    if any(answer.matches(error, schedule_id) for answer in recorded):
        return GoneVerdict.GONE
    # Underscores read as spaces: INVALID_SCHEDULE_ID says what "invalid schedule id" says.
    texts = [
        _without_id(text, schedule_id).replace("_", " ")
        for text in (error.braze_message, *error.errors)
    ]
    clauses = [clause for text in texts for clause in _CLAUSES.split(text)]
    named = [clause for clause in clauses if _SCHEDULE.search(clause)]
    if any(_UNKNOWN.search(clause) for clause in named):
        return GoneVerdict.GONE
    if any(not _NOT_ABOUT_IT.search(clause) for clause in named):
        return GoneVerdict.AMBIGUOUS
    if _says_nothing(error, schedule_id) and (
        error.status == 404 or error.path.endswith("/delete")
    ):
        return GoneVerdict.AMBIGUOUS
    return GoneVerdict.OTHER


def probe_answer(error: BrazeError, probe_id: str) -> GoneAnswer | None:
    """What ``doctor`` records of Braze's answer to an update or delete of ``probe_id``, an id
    it made up so that Braze cannot know it (every other field of the probe is valid): the
    answer, when it is a 400 or 404 (the statuses the decision reads) that says the id is
    unknown, may mean so, or says nothing more than its status (then the made-up id is what
    Braze refused). None for any other answer, and for one about something else (another
    field, a time, the request's shape): recorded, that would come to mean "gone"."""
    if not isinstance(error, BrazeApiError) or error.status not in _BARE:
        return None
    verdict = gone_verdict(error, probe_id)
    if verdict is GoneVerdict.OTHER and not _says_nothing(error, probe_id):
        return None
    return GoneAnswer.of(error, probe_id)


def _says_nothing(error: BrazeApiError, schedule_id: str | None) -> bool:
    """Nothing more than the status' own words (``Bad Request``), or nothing at all."""
    texts = [_without_id(text, schedule_id) for text in (error.braze_message, *error.errors)]
    return " ".join(texts).strip().lower() in ("", _BARE[error.status])


def _without_id(text: str, schedule_id: str | None) -> str:
    text = text.strip()
    if schedule_id:
        text = text.replace(schedule_id, _ID_PLACEHOLDER)
    return text
