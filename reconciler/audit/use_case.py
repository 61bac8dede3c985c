"""The audit use case: manifests, ledger and Braze's listing in; an ``AuditReport`` out.

It reads the ledger without taking the lock and never writes it; its only call to Braze is
GET /messages/scheduled_broadcasts. No printing here; the CLI renders the report.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from reconciler.audit.calendar import audit, listing_end_time
from reconciler.audit.expectations import write_drafts
from reconciler.audit.report import AuditReport
from reconciler.binding import check_binding
from reconciler.engine import (
    braze_client,
    effective_records,
    load_desired,
    open_ledger,
)
from reconciler.errors import UsageError
from reconciler.render.reasons import WORDS
from reconciler.settings import Settings
from reconciler.state.locks import lock_warning

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class AuditRun:
    report: AuditReport
    drafted: tuple[Path, ...] = ()
    """Draft DashboardSchedule manifests written (``--generate-expectations``)."""


def audit_use_case(
    settings: Settings,
    paths: Sequence[str],
    now: datetime,
    horizon: timedelta,
    *,
    expectations_dir: Path | None = None,
) -> AuditRun:
    # Reading only: an empty tree is shown as what apply would refuse, not refused here.
    load, desired = load_desired(paths, now, allow_empty=True)
    api_key = settings.api_key()
    endpoint = settings.require_endpoint()
    with open_ledger(settings) as store:
        warnings = check_binding(store, endpoint, api_key, read_only=True)
        recorded = effective_records(store)
        lock = store.current_lock()
        if lock is not None:
            warnings.append(lock_warning(lock, "audit"))
    end_time = listing_end_time(now, horizon)
    with braze_client(settings, api_key, now) as client:
        log.info("audit: listing dashboard broadcasts until %s", end_time)
        listing = client.scheduled_broadcasts(end_time)
    report = audit(desired, recorded, listing, now, horizon, words=WORDS)
    report = dataclasses.replace(
        report,
        workspace=settings.workspace,
        endpoint=endpoint,
        warnings=tuple(warnings) + report.warnings,
    )
    drafted: tuple[Path, ...] = ()
    if expectations_dir is not None:
        taken = [r.name for r in load.resources if r.kind == "DashboardSchedule"]
        try:
            drafted = tuple(write_drafts(report, expectations_dir, taken))
        except OSError as exc:
            raise UsageError(
                f"cannot write draft expectations into {expectations_dir}: {exc.strerror or exc}"
            ) from None
    return AuditRun(report, drafted)
