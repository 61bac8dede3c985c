"""Ledger URLs: which backend, where, and how to show one without its password."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from reconciler.errors import UsageError
from reconciler.secrets import redact_url

__all__ = ["URL_HINT", "check_workspace", "redact_url", "sqlite_path", "with_search_path"]

_WORKSPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
URL_HINT = (
    "use sqlite:///relative/path.db, sqlite:////absolute/path.db or postgresql://user@host/db"
)


def with_search_path(url: str, schema: str) -> str:
    """``url`` connecting with ``search_path`` set to ``schema`` (libpq ``options``), so the
    ledger's tables live in that schema."""
    parts = urlsplit(url)
    pairs = [p for p in parts.query.split("&") if p and unquote(p.split("=", 1)[0]) != "options"]
    pairs.append("options=" + quote(f"-csearch_path={schema}", safe=""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(pairs), parts.fragment))


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` URL."""
    rest = url.split("://", 1)[1]
    if not rest.startswith("/"):
        raise UsageError(
            f"state URL {redact_url(url)!r} names a host; SQLite URLs have three slashes",
            hint=URL_HINT,
        )
    path = rest[1:]
    if not path or path.endswith("/"):
        raise UsageError(f"state URL {redact_url(url)!r} names no database file", hint=URL_HINT)
    if "?" in path:
        raise UsageError(
            f"state URL {redact_url(url)!r}: SQLite URLs take no query parameters", hint=URL_HINT
        )
    return Path(path)


def check_workspace(name: str) -> None:
    if not _WORKSPACE.match(name):
        raise UsageError(
            f"workspace name {name!r} is not valid",
            hint="use up to 128 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
