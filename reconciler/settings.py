"""Global settings of a run: endpoint, API key, ledger location and workspace."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler import secrets
from reconciler.braze.instances import resolve_base_url
from reconciler.config import ENV_VARIABLE, FILE_NAME, Given, Resolution
from reconciler.errors import UsageError
from reconciler.recurrence import parse_horizon
from reconciler.timeutil import parse_duration

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from reconciler.state.locks import LockWaitReport

LOCAL = "local"
STATE_DIR = ".braze-reconciler"
API_KEY_ENV = "BRAZE_API_KEY"
LOCAL_API_KEY = "local-emulator-key"
"""The embedded emulator's key when BRAZE_API_KEY is unset: it guards nothing real."""
_WORKSPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclasses.dataclass
class Settings:
    endpoint: str | None
    api_key_file: Path | None
    state_url: str | None
    workspace: str
    cwd: Path
    on_lock_wait: LockWaitReport | None = dataclasses.field(default=None, repr=False, compare=False)
    """How a writer waiting for the workspace lock says so (the CLI prints it)."""
    api_key_env: str = API_KEY_ENV
    """The environment variable that holds the key (``api_key_env`` in the file)."""
    resolution: Resolution | None = dataclasses.field(default=None, repr=False, compare=False)
    """Where each setting came from, the environment and its variables (None: not resolved
    from flags, environment variables and a file, as in tests that build Settings)."""
    given: Mapping[str, Given] = dataclasses.field(default_factory=dict, repr=False)
    """The global options given as flags or environment variables, to resolve again when one
    is written after the command."""

    _warned: bool = dataclasses.field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _WORKSPACE.match(self.workspace):
            raise UsageError(
                f"workspace {self.workspace!r} is not a valid name",
                hint="use letters, digits, '.', '_' and '-' (at most 64 characters)",
            )

    @property
    def environment(self) -> str | None:
        return self.resolution.environment if self.resolution is not None else None

    @property
    def environments(self) -> tuple[str, ...]:
        return self.resolution.environments if self.resolution is not None else ()

    @property
    def variables(self) -> Mapping[str, Any] | None:
        return self.resolution.variables if self.resolution is not None else None

    @property
    def paths(self) -> tuple[str, ...]:
        """The manifest paths when a command is given none: the file's ``paths``, else "."."""
        if self.resolution is not None:
            return tuple(self.resolution.values.get("paths") or (".",))
        return (".",)

    def _file_value(self, name: str) -> Any:
        return self.resolution.values.get(name) if self.resolution is not None else None

    @property
    def freeze_window(self) -> timedelta | None:
        text = self._file_value("freeze_window")
        return parse_duration(text) if text is not None else None

    @property
    def horizon(self) -> timedelta | None:
        text = self._file_value("horizon")
        return parse_horizon(text) if text is not None else None

    @property
    def destroy_threshold(self) -> tuple[int | None, int | None]:
        """(count, percent) from the file; None where not set (the planner's defaults)."""
        return self._file_value("destroy_threshold"), self._file_value("destroy_percent")

    @property
    def rate_limits(self) -> dict[str, int]:
        """The configuration's ``rate_limits`` (``--rate-limit`` overrides each one)."""
        return dict(self._file_value("rate_limits") or {})

    @property
    def test_group(self) -> str | None:
        """The configuration's ``test_group``: where previews go without ``--to``."""
        value = self._file_value("test_group")
        return str(value) if value is not None else None

    def require_environment(self) -> None:
        """Refuse to guess between configured environments (commands that reach a ledger or
        Braze call it; ``validate``, ``config`` and ``init`` do not need one)."""
        resolution = self.resolution
        if resolution is None:
            return
        self._refuse_default_to_remote(resolution)
        if not resolution.unselected:
            return
        names = ", ".join(resolution.environments)
        file = resolution.config.path.name if resolution.config is not None else FILE_NAME
        raise UsageError(
            f"{file} defines environments ({names}) and none is selected",
            hint=f"pass --env NAME (or set {ENV_VARIABLE}), e.g. --env "
            f"{resolution.environments[0]}",
        )

    def _refuse_default_to_remote(self, resolution: Resolution) -> None:
        """``default_environment`` only ever picks the local emulator: an endpoint given
        elsewhere (an exported BRAZE_REST_ENDPOINT) does not turn it into a real workspace."""
        source = resolution.environment_source or ""
        if not source.startswith("default_environment") or not self.endpoint or self.is_local:
            return
        names = ", ".join(resolution.environments)
        raise UsageError(
            f"environment {resolution.environment} was selected by {source}, and its endpoint "
            f"is {self.endpoint} (from {resolution.sources.get('endpoint', 'default')}), not "
            "the local emulator",
            hint=f"a real workspace is never reached without --env: pass --env NAME (or set "
            f"{ENV_VARIABLE}); environments: {names}",
        )

    @property
    def is_local(self) -> bool:
        return (self.endpoint or "").strip().lower() == LOCAL

    def require_endpoint(self) -> str:
        """``local`` or a base URL; UsageError when none is configured."""
        if not self.endpoint:
            raise UsageError(
                "no Braze endpoint configured",
                hint=(
                    "pass --endpoint https://rest.iad-03.braze.com (or an instance name such as "
                    "US-03, or 'local' for the embedded emulator), or set BRAZE_REST_ENDPOINT"
                ),
            )
        if self.is_local:
            return LOCAL
        try:
            return resolve_base_url(self.endpoint)
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    def api_key(self) -> str:
        """The REST API key, from --api-key-file or BRAZE_API_KEY; registered for redaction."""
        key: str | None
        if self.api_key_file is not None:
            try:
                key = self.api_key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise UsageError(
                    f"cannot read the API key file {self.api_key_file}: {exc.strerror}"
                ) from None
            if not key:
                raise UsageError(f"the API key file {self.api_key_file} is empty")
        else:
            key = os.environ.get(self.api_key_env, "").strip() or None
        if key is None:
            if self.is_local:
                key = LOCAL_API_KEY
            elif self.api_key_env != API_KEY_ENV:
                raise UsageError(
                    f"no Braze API key: {self.api_key_env} is not set",
                    hint=f"the configuration's api_key_env names {self.api_key_env}: set it, "
                    "or pass --api-key-file FILE",
                )
            else:
                raise UsageError(
                    "no Braze API key",
                    hint=f"set {API_KEY_ENV}, or pass --api-key-file FILE (never a flag value)",
                )
        if any(ch in key for ch in "\"' \t\r\n"):
            raise UsageError(
                "the API key contains quotes or white space",
                hint="Braze answers 401 to a quoted key: store the bare key",
            )
        secrets.register(key)
        resolution = self.resolution
        if resolution is not None and resolution.ignored_api_key and not self._warned:
            self._warned = True
            log.warning(
                "environment %s takes its API key from %s",
                resolution.environment,
                resolution.sources["api_key"],
            )
        return key

    def state_dir(self) -> Path:
        """Default ledger directory: the local emulator's ledger is kept apart."""
        base = self.cwd / STATE_DIR
        return base / LOCAL if self.is_local else base

    def emulator_dir(self) -> Path:
        return self.cwd / STATE_DIR / "emulator"
