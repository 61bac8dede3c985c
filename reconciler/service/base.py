"""What every use case is built from: the settings, the clock, ``--now``, and the factories of
the ledger and of the Braze client."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from reconciler.config import LoadedConfig
from reconciler.errors import ManifestError
from reconciler.manifest.environment import NO_SELECTION, Selection
from reconciler.manifest.loader import LoadResult, load_manifests
from reconciler.manifest.resource import Resource
from reconciler.manifest.yamlload import Variables
from reconciler.scope import refuse_empty
from reconciler.service.client import ClientFactory, ClientOptions, braze_client
from reconciler.service.ledger import StoreFactory, edit, open_ledger
from reconciler.settings import Settings
from reconciler.state.base import StateStore
from reconciler.timeutil import Clock

if TYPE_CHECKING:
    from reconciler.braze.client import BrazeClient


class ServiceBase:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        now: datetime | None = None,
        store_factory: StoreFactory = open_ledger,
        client_factory: ClientFactory = braze_client,
    ) -> None:
        self.settings = settings
        self.clock = clock
        """The real time: it stamps the ledger and saved plans, dates a saved plan's age and
        tells a virtual ``--now`` from the present."""
        self.now = now
        """``--now``: the instant the time rules are evaluated at, instead of the clock's."""
        self._store_factory = store_factory
        self._client_factory = client_factory

    def current_time(self) -> datetime:
        """The instant the time rules are evaluated at: ``--now``, else the clock's time."""
        return self.now if self.now is not None else self.clock.now()

    def selection(self, environment: str | None = None) -> Selection:
        """The environment manifests are read for: ``environment``, else the selected one."""
        return selection_of(self.settings, environment)

    def open_ledger(self) -> StateStore:
        return self._store_factory(self.settings, self.clock)

    def edit_ledger(
        self, operation: str, lock_timeout: float, *, recover: bool = False
    ) -> AbstractContextManager[StateStore]:
        """The ledger under the workspace lock (see ``ledger.edit``)."""
        return edit(self.open_ledger, operation, lock_timeout, recover=recover)

    def braze_client(
        self, api_key: str, now: datetime, options: ClientOptions | None = None
    ) -> AbstractContextManager[BrazeClient]:
        return self._client_factory(self.settings, api_key, now, options or ClientOptions())


def selection_of(settings: Settings, environment: str | None = None) -> Selection:
    """``environment`` (else the selected one), the configured names and the variables."""
    resolution = settings.resolution
    if resolution is None:
        return NO_SELECTION
    config = resolution.config
    name = environment or resolution.environment
    if config is None:
        return Selection(name, resolution.environments, Variables(None))
    where = (
        f"[environments.{name}.vars] (or [vars]) in {config.path.name}"
        if name
        else f"[vars] in {config.path.name}"
    )
    return Selection(
        name,
        resolution.environments,
        Variables(
            config.variables(name),
            f" in environment {name}" if name else "",
            where,
            _variable_sources(config, name),
        ),
    )


def _variable_sources(config: LoadedConfig, name: str | None) -> dict[str, str]:
    """Where each of the environment's variables is written (``file:line``)."""
    sources = {var: config.where("vars", var) for var in config.model.vars}
    section = config.section(name)
    if section is not None:
        sources.update(
            (var, config.where("environments", str(name), "vars", var)) for var in section.vars
        )
    return sources


def load_desired(
    paths: Sequence[str],
    now: datetime,
    *,
    allow_empty: bool = False,
    horizon: timedelta | None = None,
    selection: Selection = NO_SELECTION,
) -> tuple[LoadResult, dict[str, Resource]]:
    """Load manifests; raise ManifestError (exit 3) when any is invalid, UsageError (exit 3)
    when they hold no resource at all and ``allow_empty`` is not given. ``horizon``
    (``--horizon``) is for the recurring manifests that set none."""
    result = load_manifests(paths, now, horizon, selection=selection)
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
