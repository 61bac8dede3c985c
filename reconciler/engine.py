"""Use cases: validate, plan, apply, import. No printing here; the CLI renders the results."""

from __future__ import annotations

import dataclasses
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reconciler.binding import bind, check_binding, refuse_shared_key, shared_key_warning
from reconciler.braze.limits import RateLimits
from reconciler.errors import (
    LedgerError,
    ManifestError,
    SavedPlanError,
    UnsafePlanError,
    UsageError,
)
from reconciler.manifest.loader import LoadResult, ManifestLoading, load_manifests
from reconciler.manifest.resource import Resource
from reconciler.plan import planner
from reconciler.plan.compare import first_difference
from reconciler.plan.model import Plan, PlanOptions
from reconciler.plan.planfile import load_plan, require_plan_key, verify_plan
from reconciler.plan.replace_check import check_replace
from reconciler.scope import refuse_empty, refuse_unmatched_targets
from reconciler.settings import LOCAL, Settings
from reconciler.state import open_store
from reconciler.state.base import RENAME, Intent, LockInfo, Record, StateStore, process_holder
from reconciler.state.locks import lock_warning
from reconciler.state.sql import uncertain_record
from reconciler.timeutil import format_utc

if TYPE_CHECKING:
    # Imported where used: `plan` and `validate` start faster without the HTTP stack.
    from reconciler.apply import ApplyReport, ChangeResult
    from reconciler.braze.client import BrazeClient, RetryPolicy

log = logging.getLogger(__name__)


def current_time(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


# -- validate -------------------------------------------------------------------------------


def validate_manifests(
    paths: Sequence[str], now: datetime | None, *, allow_empty: bool = False
) -> LoadResult:
    result = load_manifests(paths, current_time(now))
    refuse_empty(result, paths, allow_empty=allow_empty)
    return result


def load_desired(
    paths: Sequence[str], now: datetime, *, allow_empty: bool = False
) -> tuple[LoadResult, dict[str, Resource]]:
    """Load manifests; raise ManifestError (exit 3) when any is invalid, UsageError (exit 3)
    when they hold no resource at all and ``allow_empty`` is not given."""
    result = load_manifests(paths, now)
    refuse_empty(result, paths, allow_empty=allow_empty)
    return desired_of(result)


def desired_of(result: LoadResult) -> tuple[LoadResult, dict[str, Resource]]:
    if not result.ok:
        count = len(result.errors)
        raise ManifestError(
            f"{count} error{'s' if count != 1 else ''} in the manifests; nothing was planned",
            list(result.diagnostics),
        )
    return result, {r.address: r for r in result.resources}


# -- the ledger -----------------------------------------------------------------------------


def open_ledger(settings: Settings) -> StateStore:
    store = open_store(settings.state_url, settings.workspace, default_dir=settings.state_dir())
    store.on_lock_wait = settings.on_lock_wait
    return store


@dataclasses.dataclass(frozen=True)
class LedgerView:
    """What a plan reads of the ledger, each piece once."""

    serial: int
    records: dict[str, Record]
    """With calls left open by a dead run overlaid: creates as uncertain."""
    lock: LockInfo | None
    interrupted: tuple[Intent, ...]
    """Intents without an outcome: calls of a dead run, or of the apply holding the lock."""


def read_ledger(store: StateStore) -> LedgerView:
    """Read the serial first: a write between the reads then makes the plan stale (exit 5 at
    apply), never a plan that pairs old records with a newer serial.

    ``plan`` does not write, so it cannot close a dead run's intents; it shows what ``apply``
    will find after ``recover_interrupted``. A lock row proves nothing about them (its holder
    may have been killed, or its calls may land any moment), so open intents are shown as
    uncertain whatever the lock says: never as a create to make again.
    """
    serial = store.info().serial
    records = store.records()
    lock = store.current_lock()
    interrupted = tuple(store.intents(open_only=True))
    for intent in interrupted:
        overlaid = _overlay(records.get(intent.address), intent)
        if overlaid is not None:
            records[intent.address] = overlaid
    return LedgerView(serial, records, lock, interrupted)


def effective_records(store: StateStore) -> dict[str, Record]:
    """The ledger's records, with creates left open by a dead run shown as uncertain."""
    return read_ledger(store).records


def _overlay(record: Record | None, intent: Intent) -> Record | None:
    if intent.action == "create":
        if intent.kind == "SendId":
            return record  # a send id sends nothing: it is simply created again
        return uncertain_record(intent, record, datetime.now(UTC))
    if record is None or intent.action == RENAME:
        return record  # removed by `state rm` since, or a rename that moved nothing yet
    return dataclasses.replace(record, unknown_outcome=intent.action)


# -- plan -----------------------------------------------------------------------------------


def make_plan(
    settings: Settings,
    store: StateStore,
    desired: Mapping[str, Resource],
    load: LoadResult,
    now: datetime,
    options: PlanOptions,
    *,
    api_key: str | None,
    ledger: LedgerView | None = None,
    holding_lock: bool = False,
) -> Plan:
    endpoint = settings.require_endpoint()
    warnings = check_binding(store, endpoint, api_key)
    warnings += shared_key_warning(store, endpoint, api_key)
    if ledger is None:
        ledger = read_ledger(store)
    refuse_unmatched_targets(desired, ledger.records, options.targets)
    plan = planner.plan(desired, ledger.records, now, options)
    check_replace(plan, desired, ledger.records)
    if ledger.lock is not None and not holding_lock:
        warnings.append(lock_warning(ledger.lock))
    if ledger.interrupted:
        addresses = ", ".join(sorted({i.address for i in ledger.interrupted}))
        whose = "an interrupted apply" if ledger.lock is None else "an apply (running, or killed)"
        warnings.append(
            f"{len(ledger.interrupted)} call(s) of {whose} have unknown outcomes "
            f"({addresses}): shown as uncertain; the next apply records them so"
        )
    return plan.evolve(
        workspace=settings.workspace,
        endpoint=endpoint,
        serial=ledger.serial,
        manifests_digest=load.digest,
        created_at=format_utc(datetime.now(UTC)),
        warnings=(*warnings, *plan.warnings),
    )


def plan_use_case(
    settings: Settings,
    paths: Sequence[str],
    now: datetime,
    options: PlanOptions,
    *,
    allow_empty: bool = False,
) -> Plan:
    loading = ManifestLoading(paths, now)
    api_key = _optional_key(settings)
    with open_ledger(settings) as store:
        ledger = read_ledger(store)  # while worker processes parse the manifests
        result = loading.result()
        refuse_empty(result, paths, allow_empty=allow_empty)
        load, desired = desired_of(result)
        return make_plan(
            settings, store, desired, load, now, options, api_key=api_key, ledger=ledger
        )


def _optional_key(settings: Settings) -> str | None:
    try:
        return settings.api_key()
    except UsageError:
        return None


# -- apply ----------------------------------------------------------------------------------


@dataclasses.dataclass
class ApplyRequest:
    paths: Sequence[str] = ()
    plan_file: Path | None = None
    options: PlanOptions = dataclasses.field(default_factory=PlanOptions)
    parallelism: int = 8
    max_plan_age: timedelta = timedelta(hours=1)
    lock_timeout: float = 0.0
    rate_limits: RateLimits = dataclasses.field(default_factory=RateLimits)
    request_timeout: float = 30.0
    retry: RetryPolicy | None = None
    """None: the client's default policy."""
    allow_empty: bool = False
    """Accept PATHS that hold no resource (every managed resource is then planned to go)."""
    allow_shared_key: bool = False
    """Bind a new ledger workspace even though another one has this endpoint and key."""


MAX_CLOCK_SKEW = timedelta(minutes=5)


def refuse_virtual_time_against_braze(endpoint: str, now: datetime) -> None:
    """``--now`` is for reproducible plans and emulators: against Braze itself, time gates
    evaluated at another instant could let a change through while a schedule is sending."""
    host = urlsplit(endpoint).hostname or ""
    if host.endswith((".braze.com", ".braze.eu")) and abs(now - datetime.now(UTC)) > MAX_CLOCK_SKEW:
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
def braze_client(
    settings: Settings,
    api_key: str,
    now: datetime,
    *,
    rate_limits: RateLimits | None = None,
    request_timeout: float = 30.0,
    retry: RetryPolicy | None = None,
    max_connections: int = 16,
    stop: threading.Event | None = None,
) -> Iterator[BrazeClient]:
    """A client for the configured endpoint; ``local`` starts the embedded emulator."""
    from reconciler.braze.client import BrazeClient, RetryPolicy, Timeouts
    from reconciler.braze.models import unique_audience_key
    from reconciler.braze.ratelimit import Pacer

    endpoint = settings.require_endpoint()
    with _base_url(settings, endpoint, api_key, now) as base_url:
        client = BrazeClient(
            base_url,
            api_key,
            timeouts=Timeouts(connect=10.0, read=request_timeout),
            retry=retry or RetryPolicy(),
            pacer=Pacer(rate_limits or RateLimits()),
            max_connections=max_connections,
            audience_key=unique_audience_key,
            stop=stop,
        )
        try:
            yield client
        finally:
            client.close()


@contextmanager
def _base_url(settings: Settings, endpoint: str, api_key: str, now: datetime) -> Iterator[str]:
    if endpoint != LOCAL:
        yield endpoint
        return
    from reconciler.emulator.server import EmbeddedEmulator, local_config

    with EmbeddedEmulator(local_config(settings.emulator_dir(), api_key, now)) as emulator:
        yield emulator.base_url


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


def apply_use_case(
    settings: Settings,
    request: ApplyRequest,
    now: datetime,
    *,
    confirm: Callable[[Plan], bool],
    on_start: Callable[[Plan], None] | None = None,
    on_result: Callable[[ChangeResult], None] | None = None,
) -> tuple[Plan, ApplyReport | None]:
    """Plan (or load a saved plan), check it, confirm, and apply it under the lock.

    Returns the plan and the report; the report is None when there was nothing to apply or
    the person declined.
    """
    from reconciler.apply import Applier

    api_key = settings.api_key()
    endpoint = settings.require_endpoint()
    refuse_virtual_time_against_braze(endpoint, now)
    saved: Plan | None = None
    if request.plan_file is not None:
        saved = load_plan(request.plan_file, require_plan_key())
    load, desired = load_desired(request.paths, now, allow_empty=request.allow_empty)
    run_id = uuid.uuid4().hex[:12]
    with open_ledger(settings) as store:
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
                    workspace=settings.workspace,
                    manifests_digest=load.digest,
                    now=datetime.now(UTC),
                    max_age=request.max_plan_age,
                )
            options = saved.options if saved is not None else request.options
            plan = make_plan(
                settings, store, desired, load, now, options, api_key=api_key, holding_lock=True
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
            with braze_client(
                settings,
                api_key,
                now,
                rate_limits=request.rate_limits,
                request_timeout=request.request_timeout,
                retry=request.retry,
                max_connections=max(request.parallelism, 1),
                stop=stop,
            ) as client:
                if on_start is not None:
                    on_start(plan)
                applier = Applier(
                    store,
                    client,
                    run_id=run_id,
                    parallelism=request.parallelism,
                    on_result=on_result,
                    stop=stop,
                )
                return plan, applier.apply(plan)
