"""``audit``: manifests, ledger and Braze's listing in; an ``AuditReport`` out.

It reads the ledger without taking the lock and never writes it; its only call to Braze is
GET /messages/scheduled_broadcasts.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from reconciler.audit.calendar import audit, listing_end_time
from reconciler.audit.expectations import write_drafts
from reconciler.audit.report import AuditReport
from reconciler.binding import check_binding
from reconciler.errors import UsageError
from reconciler.kinds import Kind
from reconciler.render.reasons import WORDS
from reconciler.service.base import ServiceBase, load_desired
from reconciler.service.ledger import read_ledger
from reconciler.state.locks import lock_warning

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class AuditRun:
    report: AuditReport
    drafted: tuple[Path, ...] = ()
    """Draft DashboardSchedule manifests written (``--generate-expectations``)."""


class Auditing(ServiceBase):
    def audit(
        self,
        paths: Sequence[str],
        horizon: timedelta,
        *,
        expectations_dir: Path | None = None,
    ) -> AuditRun:
        now = self.current_time()
        # Reading only: an empty tree is shown as what apply would refuse, not refused here.
        load, desired = load_desired(paths, now, allow_empty=True, selection=self.selection())
        api_key = self.settings.api_key()
        endpoint = self.settings.require_endpoint()
        with self.open_ledger() as store:
            warnings = check_binding(store, endpoint, api_key, read_only=True)
            ledger = read_ledger(store)
            if ledger.lock is not None:
                warnings.append(lock_warning(ledger.lock, "audit"))
        end_time = listing_end_time(now, horizon)
        with self.braze_client(api_key, now) as client:
            log.info("audit: listing dashboard broadcasts until %s", end_time)
            listing = client.scheduled_broadcasts(end_time)
        report = audit(
            desired,
            ledger.records,
            listing,
            now,
            horizon,
            words=WORDS,
            declares=load.declares,
            later=load.occurrences_through(now, now + horizon),
        )
        report = dataclasses.replace(
            report,
            workspace=self.settings.workspace,
            endpoint=endpoint,
            warnings=tuple(warnings) + report.warnings,
        )
        drafted: tuple[Path, ...] = ()
        if expectations_dir is not None:
            taken = [r.name for r in load.resources if r.kind == Kind.DASHBOARD_SCHEDULE]
            try:
                drafted = tuple(write_drafts(report, expectations_dir, taken))
            except OSError as exc:
                raise UsageError(
                    f"cannot write draft expectations into {expectations_dir}: "
                    f"{exc.strerror or exc}"
                ) from None
        return AuditRun(report, drafted)
