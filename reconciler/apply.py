"""The applier: runs a plan's requests against Braze, journaling every call in the ledger.

Order: send id creates, then deletes (including the delete half of replaces), then creates
and updates (the create half of a replace only after its delete succeeded). Delete before
create, because two live copies can double-send while a gap is healed by the next apply.
Independent changes run concurrently (``parallelism``) under the client's pacing.

Every call: intent -> ledger, call, outcome -> ledger. A create whose outcome is unknown
becomes ``uncertain`` and is reported; an update or delete whose outcome is unknown marks the
record so that the next plan repeats it (both are idempotent). Ctrl-C stops new calls; the
calls in flight finish and are recorded.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from enum import StrEnum

from reconciler.braze.client import BrazeClient, BrazeResponse
from reconciler.braze.errors import (
    BrazeApiError,
    BrazeError,
    CallCancelledError,
    OutcomeUnknownError,
)
from reconciler.braze.gone import GoneAnswer, GoneVerdict, gone_verdict
from reconciler.canonical import content_hash
from reconciler.errors import ReconcilerError
from reconciler.kinds import facts
from reconciler.plan.model import Action, Change, Plan, Request
from reconciler.plan.safety import vanished_hint
from reconciler.state.base import Outcome, Record, RecordStatus, StateStore

log = logging.getLogger(__name__)


class Status(StrEnum):
    DONE = "done"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    NOT_ATTEMPTED = "not attempted"


@dataclasses.dataclass(frozen=True)
class ChangeResult:
    address: str
    action: Action
    status: Status
    message: str | None = None
    schedule_id: str | None = None
    notices: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "address": self.address,
            "action": self.action.value,
            "status": self.status.value,
            "message": self.message,
            "schedule_id": self.schedule_id,
            "notices": list(self.notices),
        }


@dataclasses.dataclass
class ApplyReport:
    results: list[ChangeResult]
    calls: int
    seconds: float
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.status is Status.DONE for r in self.results)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "interrupted": self.interrupted,
            "calls": self.calls,
            "seconds": round(self.seconds, 3),
            "counts": {s.value: self.count(s) for s in Status},
            "results": [r.to_dict() for r in sorted(self.results, key=lambda r: r.address)],
        }


class Applier:
    def __init__(
        self,
        store: StateStore,
        client: BrazeClient,
        *,
        run_id: str,
        parallelism: int = 8,
        on_result: Callable[[ChangeResult], None] | None = None,
        stop: threading.Event | None = None,
        gone_answers: Collection[GoneAnswer] = (),
    ) -> None:
        self.store = store
        self.clock = store.clock
        """The ledger's clock stamps the records the applier writes, as it stamps intents."""
        self.client = client
        self.run_id = run_id
        self.parallelism = max(1, parallelism)
        self.on_result = on_result
        self.stop = stop or threading.Event()
        self.gone_answers = tuple(gone_answers)
        """Braze's own answers to an unknown schedule, as ``doctor`` recorded them: an answer
        equal to one of them says "gone" whatever its words (braze/gone.py)."""
        self._results: dict[str, ChangeResult] = {}
        self._failed_send_ids: set[tuple[object, object]] = set()
        self._replace_deleted: dict[str, str | None] = {}
        """Replaces whose delete is done, with what the delete said (e.g. already gone)."""
        self._sent: set[str] = set()
        """Addresses whose call may have gone out (an intent was written for it)."""
        self._known: dict[str, Record] = {}
        """The ledger's records, read once: the applier is the only writer (it holds the lock)."""
        self._lock = threading.Lock()

    # -- orchestration -----------------------------------------------------------------------
    def apply(self, plan: Plan) -> ApplyReport:
        started = time.monotonic()
        calls_before = self.client.calls
        self._known = self.store.records()
        changes = [c for c in plan.changes if c.is_change and c.blocked is None]
        moved = self._move_renamed(changes)
        for change in moved:
            if not change.requests:
                self._ledger_only(change)
        with_calls = [c for c in moved if c.requests]
        send_ids = [c for c in with_calls if facts(c.kind).applied_first]
        deletes = [c for c in with_calls if c.requests[0].call == "delete"]
        rest = [
            c
            for c in with_calls
            if not facts(c.kind).applied_first and c.requests[0].call != "delete"
        ]
        with ThreadPoolExecutor(self.parallelism, thread_name_prefix="apply") as pool:
            interrupted = self._run_phase(pool, [(c, c.requests[0]) for c in send_ids])
            interrupted = (
                self._run_phase(pool, [(c, c.requests[0]) for c in deletes]) or interrupted
            )
            # The create half of a replace runs only once its delete is known to be done.
            last = [(c, c.requests[0]) for c in rest] + self._replace_creates(deletes)
            interrupted = self._run_phase(pool, last) or interrupted
        results = [self._results[c.address] for c in changes if c.address in self._results]
        for change in changes:
            if change.address in self._results:
                continue
            message = "stopped before this change started"
            if change.address in self._replace_deleted:
                message = "deleted, then stopped before the new schedule was created"
            results.append(self._record_result(change, Status.NOT_ATTEMPTED, message))
        return ApplyReport(
            results=results,
            calls=self.client.calls - calls_before,
            seconds=time.monotonic() - started,
            interrupted=interrupted or self.stop.is_set(),
        )

    def _move_renamed(self, changes: list[Change]) -> list[Change]:
        """Move each renamed resource's record to its new address first (ledger only).

        Returns the changes left to run: a rename alone is done once moved; an update,
        replace or forget then runs at the new address; a change whose move was refused
        (the ledger changed since the plan) runs no further.
        """
        remaining: list[Change] = []
        for change in changes:
            if change.moved_from is None:
                remaining.append(change)
                continue
            record = self._known.get(change.moved_from)
            target = self._known.get(change.address)
            if (
                record is None
                or record.status.value != change.recorded_status
                or record.schedule_id != change.schedule_id
                or (target is not None and target.status is not RecordStatus.FIRED)
            ):
                message = (
                    f"the ledger changed since this plan was made ({change.moved_from} or "
                    f"{change.address}; another apply or `state mv`?): plan again"
                )
                self._finish(self._record_result(change, Status.FAILED, message), change)
                continue
            log.info("apply: rename %s -> %s", change.moved_from, change.address)
            renamed = dataclasses.replace(
                record, protect=change.protect, labels=dict(change.labels)
            )
            self._known.pop(change.moved_from, None)
            self._known[change.address] = self.store.move(
                renamed, change.address, run_id=self.run_id
            )
            if change.action is Action.RENAME:
                self._finish(self._record_result(change, Status.DONE))
            else:
                remaining.append(change)
        return remaining

    def _replace_creates(self, deletes: Iterable[Change]) -> list[tuple[Change, Request]]:
        """The create half of each replace whose delete succeeded."""
        creates: list[tuple[Change, Request]] = []
        for change in deletes:
            if change.action is not Action.REPLACE:
                continue
            result = self._results.pop(change.address, None)
            if result is not None and result.status is Status.DONE:
                self._replace_deleted[change.address] = result.message
                creates.append((change, change.requests[1]))
            elif result is not None:
                self._results[change.address] = result
        return creates

    def _run_phase(self, pool: ThreadPoolExecutor, phase: list[tuple[Change, Request]]) -> bool:
        """Run one phase; True if interrupted. Ctrl-C lands here, in the main thread."""
        pending: set[Future[None]] = set()
        queue = collections.deque(phase)
        interrupted = False
        while queue or pending:
            try:
                while queue and len(pending) < self.parallelism * 2 and not self.stop.is_set():
                    change, request = queue.popleft()
                    if self._dependency_failed(change):
                        self._finish(
                            self._record_result(
                                change, Status.NOT_ATTEMPTED, "its send id was not created"
                            )
                        )
                        continue
                    pending.add(pool.submit(self._execute, change, request))
                if self.stop.is_set():
                    queue.clear()
                if not pending:
                    continue
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()
            except KeyboardInterrupt:
                interrupted = True
                self.stop.set()
                log.warning("apply: interrupted; finishing %d calls in flight", len(pending))
        return interrupted

    def _dependency_failed(self, change: Change) -> bool:
        with self._lock:
            return _send_id_of(change) in self._failed_send_ids

    def _finish(self, result: ChangeResult, change: Change | None = None) -> None:
        with self._lock:
            self._results[result.address] = result
            if (
                change is not None
                and facts(change.kind).applied_first
                and result.status is not Status.DONE
            ):
                self._failed_send_ids.add(_send_id_of(change))
        if self.on_result is not None:
            self.on_result(result)

    def _record_result(
        self,
        change: Change,
        status: Status,
        message: str | None = None,
        *,
        schedule_id: str | None = None,
        notices: tuple[str, ...] = (),
    ) -> ChangeResult:
        return ChangeResult(change.address, change.action, status, message, schedule_id, notices)

    # -- one call ----------------------------------------------------------------------------
    def _execute(self, change: Change, request: Request) -> None:
        if self.stop.is_set():
            self._finish(self._record_result(change, Status.NOT_ATTEMPTED, "interrupted"))
            return
        if request.path != facts(change.kind).path(request.call):
            message = f"the plan's {request.call} of a {change.kind} names {request.path}"
            self._finish(self._record_result(change, Status.FAILED, message), change)
            return
        if request.call == "create" and dict(request.body) != dict(change.after or {}):
            # the ledger records `after`: it must be the body sent, or the next plan lies
            message = "the plan's create body is not the change's desired body: plan again"
            self._finish(self._record_result(change, Status.FAILED, message), change)
            return
        if request is change.requests[0] and self._stale(change):
            message = "the ledger changed since this plan was made (another apply?): plan again"
            self._finish(self._record_result(change, Status.FAILED, message), change)
            return
        is_replace_delete = change.action is Action.REPLACE and request.call == "delete"
        try:
            result = self._call(change, request)
        except Exception as exc:  # e.g. the ledger failed: stop, and say what is known
            self.stop.set()
            if isinstance(exc, ReconcilerError):  # anticipated (the ledger failed): no traceback
                log.error("apply: %s stopped the run: %s", change.address, exc.message)
                log.debug("apply: %s", change.address, exc_info=True)
            else:
                log.exception("apply: %s failed unexpectedly", change.address)
            if change.address in self._sent:
                status, message = (
                    Status.UNCERTAIN,
                    (
                        f"stopped: {type(exc).__name__}: {exc}; the call may have been made and "
                        "its intent stays open: the next apply treats it as of unknown outcome"
                    ),
                )
            else:
                status, message = Status.FAILED, f"stopped before the call: {exc}"
            result = self._record_result(change, status, message)
        if (
            change.action is Action.REPLACE
            and request.call == "create"
            and result.status is not Status.DONE
        ):
            result = dataclasses.replace(
                result,
                message="the old schedule was deleted and the new one is not created: nothing "
                f"is scheduled now; {result.message}",
            )
        deleted_words = self._replace_deleted.get(change.address)
        if request.call == "create" and result.status is Status.DONE and deleted_words:
            result = dataclasses.replace(result, message=f"delete: {deleted_words}; created anew")
        if is_replace_delete and result.status is Status.DONE:
            with self._lock:  # the create half decides the final result
                self._results[change.address] = result
            return
        self._finish(result, change)

    def _call(self, change: Change, request: Request) -> ChangeResult:
        log.info("apply: %s address=%s path=%s", request.call, change.address, request.path)
        intent = self.store.begin(
            address=change.address,
            kind=change.kind,
            action=request.call,
            endpoint=request.path,
            body=request.body,
            body_hash=content_hash(request.body),
            run_id=self.run_id,
        )
        self._sent.add(change.address)
        try:
            response = self._send(change, request)
        except CallCancelledError:
            message = "not sent: the run was stopped while it waited for Braze's rate limit"
            self._complete(intent, Outcome.FAILED, change.address, message=message)
            return self._record_result(change, Status.NOT_ATTEMPTED, message)
        except OutcomeUnknownError as exc:
            return self._unknown(intent, change, request, exc.cause)
        except BrazeApiError as exc:
            if not exc.proves_nothing_happened:  # a 504 after the last retry: it may be done
                return self._unknown(intent, change, request, exc.message)
            verdict = gone_verdict(exc, change.schedule_id, recorded=self.gone_answers)
            gone = self._gone_reason(change, request, exc, verdict)
            if gone is not None:
                message, shown = gone
                self._complete(
                    intent, Outcome.SUCCEEDED, change.address, message=message, drop=True
                )
                return self._record_result(change, Status.DONE, shown)
            adopted = (known := self._known.get(change.address)) is not None and (
                known.status is RecordStatus.ADOPTED
            )
            maybe_gone = request.call in ("update", "delete") and verdict is not GoneVerdict.OTHER
            if request.call == "update" and maybe_gone and adopted:
                message = (
                    f"{_answer_about(change.schedule_id, exc, verdict)}: check the id given to "
                    "`import` (and its campaign or Canvas); the record is kept"
                )
                self._complete(intent, Outcome.FAILED, change.address, message=message)
                return self._record_result(change, Status.FAILED, message)
            if maybe_gone:
                return self._vanished(intent, change, exc, verdict)
            self._complete(intent, Outcome.FAILED, change.address, message=exc.message)
            return self._record_result(change, Status.FAILED, exc.message)
        except BrazeError as exc:
            if exc.proves_nothing_happened or request.call == "create":
                self._complete(intent, Outcome.FAILED, change.address, message=exc.message)
                return self._record_result(change, Status.FAILED, exc.message)
            return self._unknown(intent, change, request, exc.message)
        return self._succeeded(intent, change, request, response)

    def _vanished(
        self, intent: int, change: Change, exc: BrazeApiError, verdict: GoneVerdict
    ) -> ChangeResult:
        """Braze does not know the schedule, or its answer may mean so (braze/gone.py):
        deleted outside this tool, or the key or the stored id is wrong (then it still sends).
        Forgetting it would let the next apply create a second one, so the record stays,
        ``vanished``, blocked until settled; Braze's answer is kept in its notices."""
        message = (
            f"{_answer_about(change.schedule_id, exc, verdict)}: the record is kept as "
            f"vanished; {vanished_hint(change.address)}"
        )
        known = self._known.get(change.address)
        if known is None:
            self._complete(intent, Outcome.FAILED, change.address, message=message)
        else:
            answer = f"Braze answered {exc.status} to {exc.path}: {exc.braze_message}"
            marked = dataclasses.replace(
                known,
                status=RecordStatus.VANISHED,
                notices=(answer, *exc.errors),
                updated_at=self.clock.now(),
            )
            self._complete(intent, Outcome.FAILED, change.address, message=message, put=marked)
        return self._record_result(change, Status.FAILED, message)

    def _send(self, change: Change, request: Request) -> BrazeResponse:
        if not facts(change.kind).has_schedule:
            return self.client.create_send_id(request.body)
        if request.call == "create":
            return self.client.create_schedule(change.kind, request.body)
        if request.call == "update":
            return self.client.update_schedule(change.kind, request.body)
        return self.client.delete_schedule(change.kind, request.body)

    def _stale(self, change: Change) -> bool:
        """The plan's view of this address no longer matches the ledger: acting on it could
        create a second copy of a schedule, or touch the wrong one."""
        known = self._known.get(change.address)
        if change.recorded_status in (None, RecordStatus.FIRED.value):
            return known is not None and known.status is not RecordStatus.FIRED
        return (
            known is None
            or known.status.value != change.recorded_status
            or known.schedule_id != change.schedule_id
        )

    def _gone_reason(
        self, change: Change, request: Request, exc: BrazeApiError, verdict: GoneVerdict
    ) -> tuple[str, str] | None:
        """A delete answered "unknown schedule" that counts as done: (journal, result) words.
        Only an answer that says so (``GONE``); an ambiguous one never does."""
        if request.call != "delete" or verdict is not GoneVerdict.GONE:
            return None
        if self._deleted_before(change, exc):
            return (
                f"already gone: {exc.braze_message} after an earlier unknown outcome",
                "already deleted",
            )
        if change.replace_requested:
            # The repair --replace is for: Braze lost or dropped the schedule behind the
            # tool's back. Gone is what the delete wanted; the create half follows.
            return (
                f"already gone: {exc.braze_message}; --replace counts it as deleted",
                "already gone in Braze",
            )
        return None

    def _deleted_before(self, change: Change, exc: BrazeApiError) -> bool:
        if exc.after_unknown:
            return True
        record = self._known.get(change.address)
        return record is not None and record.unknown_outcome == "delete"

    def _succeeded(
        self, intent: int, change: Change, request: Request, response: BrazeResponse
    ) -> ChangeResult:
        notices = response.notices
        if request.call == "delete":
            self._complete(intent, Outcome.SUCCEEDED, change.address, drop=True)
            return self._record_result(change, Status.DONE, notices=notices)
        previous = self._known.get(change.address)
        schedule_id = None
        if facts(change.kind).has_schedule:
            schedule_id = response.get_str("schedule_id") or (
                previous.schedule_id if previous else None
            )
        dispatch_id = response.get_str("dispatch_id")
        if dispatch_id is None and previous is not None and request.call == "update":
            dispatch_id = previous.dispatch_id
        record = dataclasses.replace(
            self._record_for(change, previous, RecordStatus.ACTIVE),
            schedule_id=schedule_id,
            dispatch_id=dispatch_id,
            notices=notices,
        )
        self._complete(intent, Outcome.SUCCEEDED, change.address, put=record)
        return self._record_result(change, Status.DONE, schedule_id=schedule_id, notices=notices)

    def _unknown(self, intent: int, change: Change, request: Request, cause: str) -> ChangeResult:
        previous = self._known.get(change.address)
        if request.call == "create":
            record = self._record_for(change, previous, RecordStatus.UNCERTAIN)
            if not facts(change.kind).sends_messages:
                # A send id sends nothing: the next apply may simply create it again.
                self._complete(intent, Outcome.UNKNOWN, change.address, message=cause)
                return self._record_result(change, Status.FAILED, f"outcome unknown: {cause}")
            self._complete(intent, Outcome.UNKNOWN, change.address, message=cause, put=record)
            return self._record_result(change, Status.UNCERTAIN, cause)
        if previous is not None:
            marked = dataclasses.replace(previous, unknown_outcome=request.call)
            self._complete(intent, Outcome.UNKNOWN, change.address, message=cause, put=marked)
        else:
            self._complete(intent, Outcome.UNKNOWN, change.address, message=cause)
        return self._record_result(
            change, Status.UNCERTAIN, f"{cause}; the next plan repeats the {request.call}"
        )

    def _complete(
        self,
        intent: int,
        outcome: Outcome,
        address: str,
        *,
        message: str | None = None,
        put: Record | None = None,
        drop: bool = False,
    ) -> None:
        """Record an outcome, and keep the applier's view of the ledger in step."""
        self.store.complete(
            intent, outcome, message=message, put=put, drop=address if drop else None
        )
        if drop:
            self._known.pop(address, None)
        if put is not None:
            self._known[address] = put

    def _record_for(self, change: Change, previous: Record | None, status: RecordStatus) -> Record:
        now = self.clock.now()
        after = change.after or {}
        return Record(
            address=change.address,
            kind=change.kind,
            status=status,
            parent_id=change.parent_id,
            body=dict(after),
            body_hash=change.after_hash,
            schedule_time=change.schedule_time,
            schedule_mode=change.schedule_mode,
            protect=change.protect,
            labels=dict(change.labels),
            created_at=previous.created_at if previous and previous.created_at else now,
            updated_at=now,
        )

    def _ledger_only(self, change: Change) -> None:
        """Forget a fired schedule, or refresh the ledger's own fields: no call to Braze."""
        previous = self._known.get(change.address)
        if previous is None:
            self._finish(self._record_result(change, Status.DONE))
            return
        if change.action is Action.FORGET:
            updated = dataclasses.replace(
                previous, status=RecordStatus.FIRED, updated_at=self.clock.now()
            )
        else:
            updated = dataclasses.replace(
                previous,
                protect=change.protect,
                labels=dict(change.labels),
                status=RecordStatus.ACTIVE
                if previous.status is RecordStatus.ADOPTED and facts(change.kind).created_once
                else previous.status,
                updated_at=self.clock.now(),
            )
        self.store.put(updated)
        self._known[change.address] = updated
        self._finish(self._record_result(change, Status.DONE))


def _send_id_of(change: Change) -> tuple[object, object]:
    """The (campaign_id, send_id) a change creates or uses: send ids belong to a campaign."""
    after = change.after or {}
    return (after.get("campaign_id"), after.get("send_id"))


def _answer_about(schedule_id: str | None, exc: BrazeApiError, verdict: GoneVerdict) -> str:
    if verdict is GoneVerdict.GONE:
        return f"Braze does not know schedule {schedule_id} ({exc.braze_message})"
    return (
        f"Braze's answer about schedule {schedule_id} ({exc.status} {exc.braze_message}) does "
        "not say whether it still holds it"
    )
