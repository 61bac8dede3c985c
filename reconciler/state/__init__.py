"""The ledger: the seam (``base``), its SQLite and PostgreSQL stores, and ``open_store``."""

from __future__ import annotations

from pathlib import Path

from reconciler.errors import UsageError
from reconciler.secrets import register_url
from reconciler.state.base import (
    Intent,
    LockInfo,
    Outcome,
    Record,
    RecordStatus,
    StateStore,
    WorkspaceInfo,
    process_holder,
)
from reconciler.state.sqlite import SqliteStore
from reconciler.state.urls import URL_HINT, check_workspace, redact_url, sqlite_path
from reconciler.timeutil import Clock

__all__ = [
    "Intent",
    "LockInfo",
    "Outcome",
    "Record",
    "RecordStatus",
    "StateStore",
    "WorkspaceInfo",
    "open_store",
    "process_holder",
]

DEFAULT_FILE = "state.db"


def open_store(
    url: str | None, workspace: str, *, default_dir: Path, clock: Clock | None = None
) -> StateStore:
    """Open the ledger at ``url`` for ``workspace``; None means ``<default_dir>/state.db``.
    ``clock`` stamps its times (default: the system clock).

    ``sqlite:///relative.db`` and ``sqlite:////absolute.db`` open a SQLite file (its
    directories are created); ``postgresql://`` and ``postgres://`` take any libpq URL.
    """
    check_workspace(workspace)
    if url is None:
        return SqliteStore(default_dir / DEFAULT_FILE, workspace, clock=clock)
    register_url(url)
    scheme, separator, _ = url.partition("://")
    scheme = scheme.lower()
    if not separator:
        shown = redact_url(url)
        hint = f"did you mean sqlite:///{shown}? ({URL_HINT})" if url else URL_HINT
        if "=" in url:  # a libpq key/value string: the URL form is what is accepted here
            hint = "write it as postgresql://user:password@host:port/dbname"
        raise UsageError(f"state URL {shown!r} has no scheme", hint=hint)
    if scheme == "sqlite":
        return SqliteStore(sqlite_path(url), workspace, clock=clock)
    if scheme in ("postgresql", "postgres"):
        # Imported here so that commands using SQLite never pay for loading psycopg.
        from reconciler.state.postgres import PostgresStore

        return PostgresStore(url, workspace, clock=clock)
    raise UsageError(f"unknown state URL scheme {scheme!r} in {redact_url(url)!r}", hint=URL_HINT)
