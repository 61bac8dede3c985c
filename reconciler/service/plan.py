"""``validate`` and ``plan``: manifests (and the ledger) in, diagnostics or a Plan out."""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from reconciler.binding import check_binding, shared_key_warning
from reconciler.errors import UsageError
from reconciler.manifest.diagnostics import Diagnostic
from reconciler.manifest.loader import LoadResult, ManifestLoading, load_manifests
from reconciler.manifest.resource import Resource
from reconciler.plan import planner, references
from reconciler.plan.model import Action, Plan, PlanOptions
from reconciler.plan.replace_check import check_replace
from reconciler.render.reasons import problem_words
from reconciler.scope import refuse_empty, refuse_unmatched_targets
from reconciler.service.base import ServiceBase, desired_of
from reconciler.service.ledger import LedgerView, read_ledger
from reconciler.state.base import StateStore
from reconciler.state.locks import lock_warning
from reconciler.timeutil import format_utc

if TYPE_CHECKING:
    from reconciler.service.references import Looked


def _load_client_modules() -> None:
    import reconciler.service.references  # noqa: F401


def _merged(results: Mapping[str, LoadResult]) -> LoadResult:
    """One result of the same files read for several environments: every diagnostic once
    (one that names its environment, once naming every environment it fails in), every
    resource once by address (the first environment's)."""
    diagnostics: dict[tuple[str, str, str], Diagnostic] = {}
    failing: dict[tuple[str, str, str], list[str]] = {}
    for environment, result in results.items():
        scope = f" in environment {environment}"
        for d in result.diagnostics:
            general = d.message.replace(scope, "\0")
            key = (d.code, general, str(d.location))
            diagnostics.setdefault(key, d)
            if general != d.message:
                failing.setdefault(key, []).append(environment)
    for key, names in failing.items():
        where = f" in environment{'s' if len(names) > 1 else ''} {', '.join(names)}"
        diagnostics[key] = dataclasses.replace(
            diagnostics[key], message=key[1].replace("\0", where)
        )
    resources = {res.address: res for r in reversed(list(results.values())) for res in r.resources}
    first = next(iter(results.values()))
    return dataclasses.replace(
        first,
        resources=list(resources.values()),
        diagnostics=sorted(diagnostics.values(), key=Diagnostic.sort_key),
    )


def _declared_elsewhere(plan: Plan, load: LoadResult, environment: str | None) -> list[str]:
    """A recorded resource whose manifest is limited to other environments is deleted from
    this one, never silently: the plan says so."""
    elsewhere = set(load.elsewhere)
    if not elsewhere:
        return []
    found = sorted(
        change.address
        for change in plan.changes
        if change.action is Action.DELETE
        and (change.address in elsewhere or change.address.split("@")[0] in elsewhere)
    )
    if not found:
        return []
    return [
        f"{', '.join(found)}: recorded in environment {environment}, whose manifest is now "
        "limited to other environments (environments:): planned for deletion here; check "
        "--env names the environment you mean"
    ]


def _none_here(load: LoadResult, environment: str | None) -> str:
    count = len(load.elsewhere)
    return (
        f"no manifest is declared for environment {environment}: {count} "
        f"manifest{'s are' if count != 1 else ' is'} limited to other environments"
    )


class Planning(ServiceBase):
    def validate(self, paths: Sequence[str], *, allow_empty: bool = False) -> LoadResult:
        """Offline checks: no API key, no ledger. Without a selected environment, the
        manifests are read for each configured one (each variable used must be defined in
        every environment that declares the manifest)."""
        now = self.current_time()
        resolution = self.settings.resolution
        chosen = resolution is not None and resolution.chosen
        selected = self.settings.environment if chosen else None
        environments = self.settings.environments
        if selected is not None or not environments:
            result = load_manifests(paths, now, selection=self.selection(selected))
        else:
            result = _merged(
                {e: load_manifests(paths, now, selection=self.selection(e)) for e in environments}
            )
        refuse_empty(result, paths, allow_empty=allow_empty)
        return result

    def plan(
        self,
        paths: Sequence[str],
        options: PlanOptions,
        *,
        allow_empty: bool = False,
        offline: bool = False,
        sample_attributes: Mapping[str, Any] | None = None,
    ) -> Plan:
        now = self.current_time()
        loading = ManifestLoading(paths, now, options.horizon, self.selection())
        api_key = self._optional_key()
        if api_key is not None and not offline:
            # The HTTP stack loads while the ledger is read and the manifests parsed.
            threading.Thread(target=_load_client_modules).start()
        with self.open_ledger() as store:
            ledger = read_ledger(store)  # while worker processes parse the manifests
            result = loading.result()
            refuse_empty(result, paths, allow_empty=allow_empty)
            load, desired = desired_of(result)
            make = functools.partial(self._make_plan, sample_attributes=sample_attributes)
            return make(
                store, desired, load, now, options, api_key=api_key, ledger=ledger, offline=offline
            )

    def _look_up(
        self,
        desired: Mapping[str, Resource],
        options: PlanOptions,
        api_key: str | None,
        now: datetime,
        warnings: list[str],
    ) -> Looked | None:
        """The reference checks' lookups (``service.references``); None when there is nothing
        to look up, or no key to look it up with (a warning says the checks were skipped)."""
        resources = [
            r
            for r in desired.values()
            if r.kind.facts.applied
            and (not options.targets or planner.targeted(r, options.targets))
        ]
        wanted = references.wanted(resources)
        if wanted.empty:
            return None
        if api_key is None:
            warnings.append(
                "no API key (BRAZE_API_KEY): the reference checks were skipped, so campaigns, "
                "Canvases and segments the manifests name were not looked up (--offline skips "
                "them without this warning)"
            )
            return None
        from reconciler.service.references import look_up

        with self.braze_client(api_key, now) as client:
            return look_up(client, wanted)

    def _optional_key(self) -> str | None:
        try:
            return self.settings.api_key()
        except UsageError:
            return None

    def _make_plan(
        self,
        store: StateStore,
        desired: Mapping[str, Resource],
        load: LoadResult,
        now: datetime,
        options: PlanOptions,
        *,
        api_key: str | None,
        ledger: LedgerView | None = None,
        holding_lock: bool = False,
        offline: bool = False,
        sample_attributes: Mapping[str, Any] | None = None,
    ) -> Plan:
        endpoint = self.settings.require_endpoint()
        warnings = check_binding(store, endpoint, api_key)
        warnings += shared_key_warning(store, endpoint, api_key)
        if ledger is None:
            ledger = read_ledger(store)
        refuse_unmatched_targets(desired, ledger.records, options.targets)
        looked = None if offline else self._look_up(desired, options, api_key, now, warnings)
        plan = planner.plan(
            desired,
            ledger.records,
            now,
            options,
            load.declares,
            messages=looked.messages if looked is not None else None,
            references=looked.references if looked is not None else None,
            problem_words=problem_words,
            sample_attributes=sample_attributes,
        )
        if looked is not None:
            warnings += looked.warnings
        check_replace(plan, desired, ledger.records)
        warnings += _declared_elsewhere(plan, load, self.settings.environment)
        if not desired and load.elsewhere:
            warnings.append(_none_here(load, self.settings.environment))
        if ledger.lock is not None and not holding_lock:
            warnings.append(lock_warning(ledger.lock))
        if ledger.interrupted:
            addresses = ", ".join(sorted({i.address for i in ledger.interrupted}))
            whose = (
                "an interrupted apply" if ledger.lock is None else "an apply (running, or killed)"
            )
            warnings.append(
                f"{len(ledger.interrupted)} call(s) of {whose} have unknown outcomes "
                f"({addresses}): shown as uncertain; the next apply records them so"
            )
        return plan.evolve(
            workspace=self.settings.workspace,
            environment=self.settings.environment,
            endpoint=endpoint,
            serial=ledger.serial,
            manifests_digest=load.digest,
            created_at=format_utc(self.clock.now()),
            warnings=(*warnings, *plan.warnings),
        )
