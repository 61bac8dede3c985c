"""``doctor``: ask Braze, with calls that change nothing, whether this tool can work here.

It checks the endpoint (it answers), the key (Braze knows it), each permission the manifests
and the ledger need (``braze/probes.py`` says why each probe schedules and sends nothing, and
what its answer proves), the clock (Braze's ``Date`` against the instant the time rules use),
and the ledger's binding; it records Braze's answers to an update and a delete of a made-up
schedule id in the ledger's metadata, which ``apply`` passes to the gone decision.

Statuses: ``ok``; ``warning`` (worth knowing, nothing missing); ``missing`` (something needed
is not there: the CLI exits 3); ``unknown`` (Braze's answer could not tell: a 5xx, a 429, no
answer; the CLI exits 1 when nothing is missing); ``skipped`` (not asked: an earlier check
made it pointless).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from reconciler.binding import check_binding
from reconciler.braze.errors import (
    BrazeApiError,
    BrazeError,
    ConnectFailedError,
    RateLimitedError,
    ServerError,
)
from reconciler.braze.gone import GoneAnswer, GoneVerdict, gone_verdict, probe_answer
from reconciler.braze.models import ENDPOINTS
from reconciler.errors import EndpointMismatchError, KeyMismatchError
from reconciler.kinds import KIND_FACTS, Kind
from reconciler.service.apply import MAX_CLOCK_SKEW
from reconciler.service.base import ServiceBase, load_desired
from reconciler.service.client import ClientOptions
from reconciler.service.ledger import record_gone_answers
from reconciler.state.base import RecordStatus, StateStore, process_holder
from reconciler.timeutil import format_duration, format_utc

if TYPE_CHECKING:
    # Imported where used: the other commands start faster without the HTTP stack.
    from reconciler.braze.client import BrazeClient, BrazeResponse
    from reconciler.braze.probes import Probe

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
LISTING = "/messages/scheduled_broadcasts"
CLOCK_SKEW_WARNING = timedelta(minutes=1)
"""A clock kept by NTP is within a second; off by a minute, nothing keeps it. Past
``MAX_CLOCK_SKEW`` (what apply tolerates between ``--now`` and the real time) it is missing."""


class Purpose(StrEnum):
    APPLY = "apply"
    """plan's and apply's calls: the schedule and send id endpoints of the kinds in use."""
    AUDIT = "audit"
    """audit's one call: the listing of dashboard broadcasts."""


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    MISSING = "missing"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


_WORST_FIRST = (Status.MISSING, Status.UNKNOWN, Status.WARNING)


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    """``endpoint``, ``api_key``, ``clock``, ``ledger``."""
    status: Status
    summary: str
    hint: str | None = None


@dataclasses.dataclass(frozen=True)
class PermissionCheck:
    permission: str
    path: str
    needed_for: tuple[Purpose, ...]
    """Empty: asked on the way (the listing), not needed for the purposes given."""
    status: Status
    probe: str
    answer: str | None
    """What Braze answered the probe (``400 No Recipients``), or why there is no answer."""


@dataclasses.dataclass(frozen=True)
class UnknownScheduleAnswer:
    """Braze's answer to an update or delete of a made-up schedule id."""

    path: str
    answer: str
    default_verdict: GoneVerdict | None
    """What the gone decision makes of it from its words alone (None: a success)."""
    recorded: GoneAnswer | None
    """What doctor keeps of it in the ledger (None: nothing the gone decision may use)."""


@dataclasses.dataclass(frozen=True)
class DoctorReport:
    endpoint: str
    workspace: str
    checked_at: datetime
    checks: tuple[Check, ...]
    permissions: tuple[PermissionCheck, ...]
    unknown_schedule: tuple[UnknownScheduleAnswer, ...]
    recorded: tuple[GoneAnswer, ...] | None
    """What the ledger holds after this run (None: not written; ``recording`` says why)."""
    recording: str

    @property
    def status(self) -> Status:
        """The worst status of what is needed."""
        seen = {check.status for check in self.checks} | {
            p.status for p in self.permissions if p.needed_for
        }
        return next((status for status in _WORST_FIRST if status in seen), Status.OK)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "endpoint": self.endpoint,
            "workspace": self.workspace,
            "checked_at": format_utc(self.checked_at),
            "status": self.status.value,
            "checks": [
                {"name": c.name, "status": c.status.value, "summary": c.summary, "hint": c.hint}
                for c in self.checks
            ],
            "permissions": [
                {
                    "permission": p.permission,
                    "path": p.path,
                    "needed_for": [purpose.value for purpose in p.needed_for],
                    "status": p.status.value,
                    "probe": p.probe,
                    "answer": p.answer,
                }
                for p in self.permissions
            ],
            "unknown_schedule": [
                {
                    "path": u.path,
                    "answer": u.answer,
                    "default_verdict": u.default_verdict and u.default_verdict.value,
                    "recordable": u.recorded is not None,
                }
                for u in self.unknown_schedule
            ],
            "recorded": None if self.recorded is None else [a.to_dict() for a in self.recorded],
            "recording": self.recording,
        }


@dataclasses.dataclass(frozen=True)
class _Asked:
    """One probe and what came of it: an answer, or the error it ended with."""

    probe: Probe
    response: BrazeResponse | None
    error: BrazeError | None

    @property
    def status(self) -> int | None:
        if self.response is not None:
            return self.response.status
        return self.error.status if isinstance(self.error, BrazeApiError) else None

    @property
    def answer(self) -> str:
        if self.response is not None:
            return f"{self.response.status} {self.response.message}".strip()
        if isinstance(self.error, BrazeApiError):
            words = "; ".join((self.error.braze_message, *self.error.errors))
            return f"{self.error.status} {words}"
        return f"no answer: {self.error}"

    @property
    def permission(self) -> Status:
        """What the answer proves of the key's permission (see ``braze/probes.py``)."""
        status = self.status
        if status is None or status == 401:
            return Status.UNKNOWN  # no answer, or the key itself refused
        if status == 403:
            return Status.MISSING
        if isinstance(self.error, RateLimitedError | ServerError):
            return Status.UNKNOWN
        if status == 404 and self.probe.schedule_id is None:
            return Status.UNKNOWN  # "Invalid URL": not Braze, unless about a schedule
        return Status.OK


class _Asking:
    """Makes the probes through the client, keeping each answer, and Braze's clock against the
    instant the time rules use, from the first answer that has a ``Date``."""

    def __init__(self, client: BrazeClient, current_time: Callable[[], datetime]) -> None:
        self._client = client
        self._current_time = current_time
        self.asked: list[_Asked] = []
        self.skew: tuple[timedelta, timedelta] | None = None

    def __call__(self, sent: Probe) -> _Asked:
        from reconciler.braze.probes import send_probe

        before = self._current_time()
        try:
            one = _Asked(sent, send_probe(self._client, sent), None)
        except BrazeError as exc:
            one = _Asked(sent, None, exc)
        after = self._current_time()
        date = one.response.server_date if one.response is not None else None
        if isinstance(one.error, BrazeApiError):
            date = one.error.server_date
        if self.skew is None and date is not None:
            self.skew = _skew(date, before, after)
        self.asked.append(one)
        return one


class Diagnosing(ServiceBase):
    def doctor(
        self,
        paths: Sequence[str],
        purposes: Collection[Purpose] = tuple(Purpose),
        *,
        lock_timeout: float = 0.0,
    ) -> DoctorReport:
        """Ask Braze what this workspace needs (see the module docstring); record its answers
        to an unknown schedule in the ledger, under the workspace lock."""
        from reconciler.braze.client import RetryPolicy
        from reconciler.braze.probes import probe

        now = self.current_time()
        api_key = self.settings.api_key()
        endpoint = self.settings.require_endpoint()
        _, desired = load_desired(paths, now, selection=self.selection())
        # A diagnosis says what it saw, rather than retry for minutes.
        options = ClientOptions(retry=RetryPolicy(max_attempts=2, base_delay=0.5, max_delay=2.0))
        with self.edit_ledger("doctor", lock_timeout) as store:
            ledger, bound = _ledger_check(store, endpoint, api_key, purposes)
            needed = _needed_paths(desired.values(), store, purposes)
            with self.braze_client(api_key, now, options) as client:
                ask = _Asking(client, self.current_time)
                listing = ask(probe(LISTING, now))
                # No answer, not Braze, or the key refused: every other call would say the same.
                went_on = listing.status is not None and listing.status not in (401, 404)
                for path, parent_id in needed.items() if went_on else ():
                    if path != LISTING:
                        ask(probe(path, now, parent_id=parent_id))
            answers = tuple(
                _unknown_schedule(one)
                for one in ask.asked
                if one.probe.schedule_id is not None and one.permission is Status.OK
            )
            recorded, recording = _record(store, endpoint, answers, bound)
        checks = (
            _endpoint_check(listing),
            _key_check(ask.asked),
            _clock_check(
                ask.skew, virtual=self.now is not None, answered=listing.status is not None
            ),
            ledger,
        )
        return DoctorReport(
            endpoint,
            self.settings.workspace,
            self.clock.now(),
            checks,
            tuple(_permissions(ask.asked, needed, purposes)),
            answers,
            recorded,
            recording,
        )


def _record(
    store: StateStore, endpoint: str, answers: Sequence[UnknownScheduleAnswer], bound: bool
) -> tuple[tuple[GoneAnswer, ...] | None, str]:
    """Keep what Braze said of the made-up schedule ids (what the ledger holds then, and why)."""
    if not answers:
        return None, "nothing recorded: Braze answered no update or delete probe"
    if not bound:
        return None, "nothing recorded: the ledger workspace is not this endpoint's and key's"
    learnt = {answer.path: answer.recorded for answer in answers}
    note = f"doctor by {process_holder()}"
    recorded = record_gone_answers(store, endpoint, learnt, note=note)
    return recorded, (
        f"recorded in the ledger workspace {store.workspace!r} (`braze-reconciler state show "
        "@workspace`); apply's gone decision reads them"
    )


def _needed_paths(
    resources: Collection[Any], store: StateStore, purposes: Collection[Purpose]
) -> dict[str, str | None]:
    """Each path to ask about, with the parent id its update or delete probe names: the kinds
    of the manifests and of the ledger's live records (a removed manifest is a delete)."""
    parents: dict[Kind, str | None] = {}
    for resource in sorted(resources, key=lambda r: r.address):
        if resource.kind.facts.applied and parents.get(resource.kind) is None:
            parents[resource.kind] = resource.parent_id
    for record in store.records().values():
        kind = Kind(record.kind)
        if record.status is not RecordStatus.FIRED and parents.get(kind) is None:
            parents[kind] = record.parent_id
    needed: dict[str, str | None] = {LISTING: None}
    if Purpose.APPLY in purposes:
        for kind, facts in KIND_FACTS.items():  # the table's order: stable reports
            if kind in parents:
                needed.update((path, parents[kind]) for _, path in facts.paths)
    return needed


def _ledger_check(
    store: StateStore, endpoint: str, api_key: str, purposes: Collection[Purpose]
) -> tuple[Check, bool]:
    """The binding, as plan checks it; True when Braze's answers may be recorded in it."""
    try:
        check_binding(store, endpoint, api_key)
    except EndpointMismatchError as exc:
        return Check("ledger", Status.MISSING, exc.message, exc.hint), False
    except KeyMismatchError as exc:
        # audit, which never writes, only warns about another key: so does doctor --for audit
        status = Status.MISSING if Purpose.APPLY in purposes else Status.WARNING
        return Check("ledger", status, exc.message, exc.hint), False
    info = store.info()
    if info.endpoint is not None:
        return Check("ledger", Status.OK, f"{store.url}: bound to this endpoint and key"), True
    new = "new, " if info.serial == 0 else ""
    return Check("ledger", Status.OK, f"{store.url}: {new}the first apply binds it"), True


def _endpoint_check(listing: _Asked) -> Check:
    error = listing.error
    if isinstance(error, ConnectFailedError):
        return Check(
            "endpoint",
            Status.MISSING,
            f"unreachable: {error.message}",
            "check --endpoint (your instance's REST endpoint, e.g. https://rest.iad-03.braze.com) "
            "and the network",
        )
    if listing.status is None:
        return Check("endpoint", Status.UNKNOWN, f"{listing.answer}", "try again")
    if listing.status == 404:
        return Check(
            "endpoint",
            Status.MISSING,
            f"answered {listing.answer} to GET {LISTING}: not a Braze REST endpoint",
            "use the REST endpoint of your instance (Settings > APIs and Identifiers), not the "
            "dashboard's or the SDK's",
        )
    return Check("endpoint", Status.OK, f"answered {listing.answer} to GET {LISTING}")


def _key_check(asked: Sequence[_Asked]) -> Check:
    statuses = [one.status for one in asked if one.status is not None]
    if not statuses:
        return Check("api_key", Status.SKIPPED, "not asked: the endpoint did not answer")
    known = [s for s in statuses if s != 401 and s != 429 and s < 500]
    if known:
        return Check("api_key", Status.OK, "valid: Braze knows it (the key is never shown)")
    if 401 in statuses:
        return Check(
            "api_key",
            Status.MISSING,
            "refused: 401 Unauthorized",
            "check the key, that it belongs to this endpoint's instance, and that it is not "
            "quoted (Braze answers 401 to all three)",
        )
    return Check("api_key", Status.UNKNOWN, "Braze's answers did not tell", "try again")


def _skew(date: datetime, before: datetime, after: datetime) -> tuple[timedelta, timedelta]:
    """Braze's clock minus ours, and how far off the estimate may be: ``Date`` has whole
    seconds (read as the middle of its second) and was written between our two readings."""
    middle = before + (after - before) / 2
    return date + timedelta(seconds=0.5) - middle, (after - before) / 2 + timedelta(seconds=0.5)


def _clock_check(
    skew: tuple[timedelta, timedelta] | None, *, virtual: bool, answered: bool
) -> Check:
    what = "--now" if virtual else "this machine's clock"
    if skew is None and not answered:
        return Check("clock", Status.SKIPPED, "not asked: the endpoint did not answer")
    if skew is None:
        return Check("clock", Status.WARNING, "Braze's answers had no Date header to compare")
    offset, margin = skew
    side = "ahead of" if offset >= timedelta(0) else "behind"
    words = f"Braze's Date is {_span(offset)} {side} {what}"
    fix = "drop --now (and BRAZE_RECONCILER_NOW)" if virtual else "synchronise the clock (NTP)"
    least = abs(offset) - margin
    if least > MAX_CLOCK_SKEW:
        gates = "the safety gates (freeze window, sending, fired) are evaluated at that time: "
        return Check("clock", Status.MISSING, words, gates + fix)
    if least > CLOCK_SKEW_WARNING:
        return Check("clock", Status.WARNING, words, fix)
    return Check("clock", Status.OK, f"{words} (give or take {_span(margin)})")


def _span(delta: timedelta) -> str:
    """``0.4 s`` under a minute (what a clock check is about), else ``3 min``, ``2 h``."""
    seconds = abs(delta.total_seconds())
    return f"{seconds:.1f} s" if seconds < 60 else format_duration(delta)


def _permissions(
    asked: Sequence[_Asked],
    needed: dict[str, str | None],
    purposes: Collection[Purpose],
) -> list[PermissionCheck]:
    by_path = {one.probe.endpoint.path: one for one in asked}
    checks = []
    for path in needed:
        endpoint = ENDPOINTS[path]
        purpose = Purpose.AUDIT if path == LISTING else Purpose.APPLY
        needed_for = (purpose,) if purpose in purposes else ()
        one = by_path.get(path)
        if one is None:
            status, described, words = Status.SKIPPED, "-", "not asked: the endpoint or key failed"
        elif one.status == 401:
            status, described = Status.SKIPPED, one.probe.described
            words = f"{one.answer}: the key was refused"
        else:
            status, described, words = one.permission, one.probe.described, one.answer
        checks.append(
            PermissionCheck(endpoint.permission, path, needed_for, status, described, words)
        )
    return checks


def _unknown_schedule(one: _Asked) -> UnknownScheduleAnswer:
    path = one.probe.endpoint.path
    schedule_id = one.probe.schedule_id
    assert schedule_id is not None
    if one.error is None:
        return UnknownScheduleAnswer(path, _without(one.answer, schedule_id), None, None)
    verdict = gone_verdict(one.error, schedule_id)
    recorded = probe_answer(one.error, schedule_id)
    return UnknownScheduleAnswer(path, _without(one.answer, schedule_id), verdict, recorded)


def _without(text: str, schedule_id: str) -> str:
    return text.replace(schedule_id, "{schedule_id}")
