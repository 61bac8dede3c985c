"""``apply``: plan (or re-plan a saved plan), check, confirm, and apply under the lock."""

from __future__ import annotations

import dataclasses
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reconciler.binding import bind, check_binding, refuse_shared_key
from reconciler.errors import LedgerError, SavedPlanError, UnsafePlanError, UsageError
from reconciler.plan.compare import first_difference
from reconciler.plan.model import Plan, PlanOptions
from reconciler.plan.planfile import load_plan, require_plan_key, verify_plan
from reconciler.service.base import load_desired
from reconciler.service.client import ClientOptions
from reconciler.service.ledger import recorded_gone_answers
from reconciler.service.plan import Planning
from reconciler.state.base import LockInfo, StateStore, process_holder
from reconciler.timeutil import format_utc

if TYPE_CHECKING:
    # Imported where used: `plan` and `validate` start faster without the HTTP stack.
    from reconciler.apply import ApplyReport, ChangeResult

log = logging.getLogger(__name__)


@dataclasses.dataclass
class ApplyRequest:
    paths: Sequence[str] = ()
    plan_file: Path | None = None
    options: PlanOptions = dataclasses.field(default_factory=PlanOptions)
    parallelism: int = 8
    max_plan_age: timedelta = timedelta(hours=1)
    lock_timeout: float = 0.0
    client: ClientOptions = dataclasses.field(default_factory=ClientOptions)
    """Rate limits, request timeout and retries; the connections follow ``parallelism``."""
    allow_empty: bool = False
    """Accept PATHS that hold no resource (every managed resource is then planned to go)."""
    allow_shared_key: bool = False
    """Bind a new ledger workspace even though another one has this endpoint and key."""
    offline: bool = False
    """Skip the reference checks' lookups (``--offline``)."""


MAX_CLOCK_SKEW = timedelta(minutes=5)


def refuse_virtual_time_against_braze(endpoint: str, now: datetime, real_now: datetime) -> None:
    """``--now`` is for reproducible plans and emulators: against Braze itself, time gates
    evaluated at another instant could let a change through while a schedule is sending."""
    host = urlsplit(endpoint).hostname or ""
    if host.endswith((".braze.com", ".braze.eu")) and abs(now - real_now) > MAX_CLOCK_SKEW:
        raise UsageError(
            f"--now {format_utc(now)} is not the current time, and {endpoint} is Braze itself",
            hint="apply to Braze evaluates the safety gates at the real time: drop --now "
            "(and BRAZE_RECONCILER_NOW)",
        )


def refuse_blocked(plan: Plan) -> None:
    blocked = plan.blocked
    if blocked:
        details = "\n".join(
            f"  {c.address} ({c.action.value}): {c.blocked.reason}" for c in blocked if c.blocked
        )
        raise UnsafePlanError(
            f"{len(blocked)} change{'s' if len(blocked) != 1 else ''} blocked by a safety gate; "
            f"nothing was applied:\n{details}",
            hint="resolve each, or narrow the run with --target",
        )


def refuse_unlike(saved: Plan, fresh: Plan) -> None:
    """A saved plan is applied only when the applying side would make it itself: what is
    applied is the fresh plan, so every fact (bodies, ids, ``protect``) comes from the
    manifests and the ledger, never from the file."""
    difference = first_difference(saved, fresh)
    if difference is not None:
        raise SavedPlanError(
            f"the saved plan is not the plan these manifests and this ledger give now: "
            f"{difference}",
            hint="plan again and review the new plan",
        )


@contextmanager
def _apply_lock(store: StateStore, timeout: float) -> Iterator[LockInfo]:
    """The workspace lock; a release that fails (the ledger is unreachable) is reported, not
    raised: it must not hide the apply's report or the error that ended it."""
    lock = store.acquire_lock("apply", process_holder(), timeout=timeout)
    try:
        yield lock
    finally:
        try:
            store.release_lock(lock.lock_id)
        except LedgerError as exc:
            log.error(
                "apply: the workspace lock %s could not be released (%s); once the ledger is "
                "reachable again, run `braze-reconciler state force-unlock %s`",
                lock.lock_id,
                exc.message,
                lock.lock_id,
            )


class Applying(Planning):
    def apply(
        self,
        request: ApplyRequest,
        *,
        confirm: Callable[[Plan], bool],
        on_start: Callable[[Plan], None] | None = None,
        on_result: Callable[[ChangeResult], None] | None = None,
    ) -> tuple[Plan, ApplyReport | None]:
        """Plan (or load a saved plan), check it, confirm, and apply it under the lock.

        Returns the plan and the report; the report is None when there was nothing to apply
        or the person declined.
        """
        from reconciler.apply import Applier

        now = self.current_time()
        api_key = self.settings.api_key()
        endpoint = self.settings.require_endpoint()
        refuse_virtual_time_against_braze(endpoint, now, self.clock.now())
        saved: Plan | None = None
        if request.plan_file is not None:
            saved = load_plan(request.plan_file, require_plan_key())
        horizon = (saved.options if saved is not None else request.options).horizon
        load, desired = load_desired(
            request.paths,
            now,
            allow_empty=request.allow_empty,
            horizon=horizon,
            selection=self.selection(),
        )
        run_id = uuid.uuid4().hex[:12]
        with self.open_ledger() as store:
            check_binding(store, endpoint, api_key)
            if store.info().endpoint is None and not request.allow_shared_key:
                refuse_shared_key(store, endpoint, api_key)
            with _apply_lock(store, request.lock_timeout):
                recovered = store.recover_interrupted(current_run_id=run_id)
                for intent in recovered:
                    log.warning(
                        "apply: %s of %s was interrupted earlier; its outcome is unknown",
                        intent.action,
                        intent.address,
                    )
                if saved is not None:
                    verify_plan(
                        saved,
                        serial=store.info().serial,
                        endpoint=endpoint,
                        workspace=self.settings.workspace,
                        manifests_digest=load.digest,
                        now=self.clock.now(),
                        max_age=request.max_plan_age,
                    )
                options = saved.options if saved is not None else request.options
                plan = self._make_plan(
                    store,
                    desired,
                    load,
                    now,
                    options,
                    api_key=api_key,
                    holding_lock=True,
                    offline=request.offline,
                )
                if saved is not None:
                    refuse_unlike(saved, plan)
                refuse_blocked(plan)
                if not plan.has_changes:
                    return plan, None
                if not confirm(plan):
                    return plan, None
                bind(store, endpoint, api_key, allow_shared_key=request.allow_shared_key)
                stop = threading.Event()  # Ctrl-C: the applier sets it, the client's waits end
                client_options = dataclasses.replace(
                    request.client, max_connections=max(request.parallelism, 1), stop=stop
                )
                with self.braze_client(api_key, now, client_options) as client:
                    if on_start is not None:
                        on_start(plan)
                    applier = Applier(
                        store,
                        client,
                        run_id=run_id,
                        parallelism=request.parallelism,
                        on_result=on_result,
                        stop=stop,
                        gone_answers=recorded_gone_answers(store, endpoint),
                    )
                    return plan, applier.apply(plan)
