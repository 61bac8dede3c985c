"""Global settings of a run: endpoint, API key, ledger location and workspace."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler import secrets
from reconciler.braze.instances import resolve_base_url
from reconciler.errors import UsageError

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

    def __post_init__(self) -> None:
        if not _WORKSPACE.match(self.workspace):
            raise UsageError(
                f"workspace {self.workspace!r} is not a valid name",
                hint="use letters, digits, '.', '_' and '-' (at most 64 characters)",
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
            key = os.environ.get(API_KEY_ENV, "").strip() or None
        if key is None:
            if self.is_local:
                key = LOCAL_API_KEY
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
        return key

    def state_dir(self) -> Path:
        """Default ledger directory: the local emulator's ledger is kept apart."""
        base = self.cwd / STATE_DIR
        return base / LOCAL if self.is_local else base

    def emulator_dir(self) -> Path:
        return self.cwd / STATE_DIR / "emulator"
