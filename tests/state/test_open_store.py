"""open_store: which backend a URL selects, where SQLite files go, and URLs without secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import EXIT_INVALID, UsageError
from reconciler.state import open_store
from reconciler.state.postgres import PostgresStore
from reconciler.state.sqlite import SqliteStore
from reconciler.state.urls import redact_url, with_search_path
from tests.pg import fresh_schema
from tests.state.helpers import full_record

URL_HINT = (
    "use sqlite:///relative/path.db, sqlite:////absolute/path.db or postgresql://user@host/db"
)


def test_no_url_means_state_db_in_the_default_directory(tmp_path: Path) -> None:
    with open_store(None, "default", default_dir=tmp_path / ".braze-reconciler") as store:
        assert isinstance(store, SqliteStore)
        assert store.url == f"sqlite:///{tmp_path}/.braze-reconciler/state.db"
    assert (tmp_path / ".braze-reconciler" / "state.db").is_file()


def test_sqlite_urls_with_relative_and_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///rel/dir/a.db", "default", default_dir=tmp_path) as store:
        store.put(full_record("a"))
    with open_store(f"sqlite:///{tmp_path}/abs/b.db", "default", default_dir=tmp_path) as store:
        assert store.url == f"sqlite:////{str(tmp_path).lstrip('/')}/abs/b.db"

    assert (tmp_path / "rel" / "dir" / "a.db").is_file()
    assert (tmp_path / "abs" / "b.db").is_file()
    with open_store("SQLITE:///rel/dir/a.db", "default", default_dir=tmp_path) as store:
        assert list(store.records()) == ["a"]


def test_sqlite_store_uses_wal_and_full_sync(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db", "default") as store:
        assert isinstance(store, SqliteStore)
        conn = store._conn
        assert conn is not None
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL


@pytest.mark.parametrize(
    ("url", "message", "hint"),
    [
        ("mysql://u@h/db", "unknown state URL scheme 'mysql' in 'mysql://u@h/db'", URL_HINT),
        (
            "mysql://u:hunter2@h/db",
            "unknown state URL scheme 'mysql' in 'mysql://u:***@h/db'",
            URL_HINT,
        ),
        (
            "state.db",
            "state URL 'state.db' has no scheme",
            f"did you mean sqlite:///state.db? ({URL_HINT})",
        ),
        (
            "sqlite://host/state.db",
            "state URL 'sqlite://host/state.db' names a host; SQLite URLs have three slashes",
            URL_HINT,
        ),
        ("sqlite:///", "state URL 'sqlite:///' names no database file", URL_HINT),
        (
            "sqlite:///a.db?mode=ro",
            "state URL 'sqlite:///a.db?mode=ro': SQLite URLs take no query parameters",
            URL_HINT,
        ),
    ],
)
def test_bad_urls_are_usage_errors(tmp_path: Path, url: str, message: str, hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        open_store(url, "default", default_dir=tmp_path)

    assert caught.value.exit_code == EXIT_INVALID
    assert (caught.value.message, caught.value.hint) == (message, hint)


@pytest.mark.parametrize("workspace", ["", "-x", "has space", "a/b", "x" * 129])
def test_bad_workspace_names_are_usage_errors(tmp_path: Path, workspace: str) -> None:
    with pytest.raises(UsageError, match="is not valid"):
        open_store(None, workspace, default_dir=tmp_path)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:hunter2@db:5432/x", "postgresql://u:***@db:5432/x"),
        ("postgresql://u@db/x?password=hunter2&sslmode=require", None),
        ("postgres://db/x?sslpassword=hunter2", "postgres://db/x?sslpassword=***"),
        ("postgresql://u@db/x", "postgresql://u@db/x"),
        ("sqlite:///a.db", "sqlite:///a.db"),
        ("postgresql://u:hunter2@[bad/x", "postgresql://(unparsable)"),
        ("host=db password=hunter2 dbname=x", "host=db password=*** dbname=x"),
        ("host=db password = 'hunter2 x' user=u", "host=db password = *** user=u"),
        ("host=db PASSWORD=hunter2", "host=db PASSWORD=***"),
        ("sslpassword=hunter2 host=db", "sslpassword=*** host=db"),
    ],
)
def test_redact_url(url: str, shown: str | None) -> None:
    redacted = redact_url(url)

    assert "hunter2" not in redacted
    assert redacted == (shown or "postgresql://u@db/x?password=***&sslmode=require")


@pytest.mark.parametrize(
    ("url", "message", "hint"),
    [
        (
            "host=db password=hunter2 dbname=x",
            "state URL 'host=db password=*** dbname=x' has no scheme",
            "write it as postgresql://user:password@host:port/dbname",
        ),
        (
            "host=db dbname=x",
            "state URL 'host=db dbname=x' has no scheme",
            "write it as postgresql://user:password@host:port/dbname",
        ),
        (
            "sqlite://u:hunter2@host/state.db",
            "state URL 'sqlite://u:***@host/state.db' names a host; SQLite URLs have three slashes",
            URL_HINT,
        ),
    ],
)
def test_a_password_never_reaches_a_usage_error(
    tmp_path: Path, url: str, message: str, hint: str
) -> None:
    with pytest.raises(UsageError) as caught:
        open_store(url, "default", default_dir=tmp_path)
    assert (caught.value.message, caught.value.hint) == (message, hint)


def test_with_search_path_replaces_any_options() -> None:
    assert with_search_path("postgresql://h/db?options=-cx%3D1&sslmode=disable", "t_1") == (
        "postgresql://h/db?sslmode=disable&options=-csearch_path%3Dt_1"
    )


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_url_opens_without_showing_its_password(tmp_path: Path, scheme: str) -> None:
    with fresh_schema() as url:
        # The test server trusts local connections, so any password is accepted and ignored.
        user, _, host = url.split("://", 1)[1].partition("@")
        secret_url = f"{scheme}://{user}:hunter2@{host}" if host else url
        with open_store(secret_url, "default", default_dir=tmp_path) as store:
            assert isinstance(store, PostgresStore)
            store.put(full_record("a"))
            assert "hunter2" not in store.url
            assert store.url.startswith(f"{scheme}://")
            assert list(store.records()) == ["a"]


@pytest.mark.parametrize(
    "url",
    [
        "postgres://root:Hunter2Secret@[::1:5432/test",
        "postgresql://root@127.0.0.1:5432/test?badparam=1",
    ],
)
def test_a_malformed_postgresql_url_is_invalid_input_without_its_password(url: str) -> None:
    with pytest.raises(UsageError) as raised:
        open_store(url, "default", default_dir=Path("."))
    assert raised.value.exit_code == EXIT_INVALID
    assert "is not a valid PostgreSQL connection string" in str(raised.value)
    assert "Hunter2Secret" not in str(raised.value)
