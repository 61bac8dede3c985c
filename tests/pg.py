"""PostgreSQL for tests: where it is, whether it is up, and a fresh schema per test.

``BRAZE_RECONCILER_TEST_POSTGRES`` names the server (default: a local trust-auth server).
When it is unreachable, tests fail under ``CI=true`` (CI must never skip them silently) and
skip elsewhere. Every test gets its own schema through the libpq ``options`` parameter, so
the URL works anywhere a ledger URL does (``open_store``, the CLI's ``--state``).
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

from reconciler.state.urls import redact_url, with_search_path

ENV = "BRAZE_RECONCILER_TEST_POSTGRES"
DEFAULT_URL = "postgresql://root@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get(ENV) or DEFAULT_URL


@functools.cache
def unreachable_reason(url: str) -> str | None:
    """Why ``url`` cannot be used, or None; asked once per session."""
    try:
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        detail = " ".join(str(exc).split())  # libpq's message spans several lines
        return f"PostgreSQL at {redact_url(url)} is unreachable ({ENV}): {detail}"
    return None


def require_postgres() -> str:
    """The server URL; fails the test under CI=true when it is down, else skips it."""
    url = server_url()
    reason = unreachable_reason(url)
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI=true, so PostgreSQL tests may not be skipped")
        pytest.skip(reason)
    return url


@contextmanager
def fresh_schema(url: str | None = None) -> Iterator[str]:
    """Create schema ``t_<random>``, yield a URL whose search_path is that schema, drop it."""
    base = url or require_postgres()
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield with_search_path(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
