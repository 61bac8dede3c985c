"""Every behavioural ledger test runs on both backends through the ``store`` fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reconciler.state import StateStore, open_store
from tests.pg import fresh_schema

OpenLedger = Callable[..., StateStore]


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A ledger URL for an empty database of the backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ledger/state.db"
    else:
        with fresh_schema() as url:
            yield url


@pytest.fixture
def open_ledger(store_url: str, tmp_path: Path) -> Iterator[OpenLedger]:
    """Open more stores on the same database (other workspaces, a second writer)."""
    opened: list[StateStore] = []

    def open_(workspace: str = "default") -> StateStore:
        store = open_store(store_url, workspace, default_dir=tmp_path)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_ledger: OpenLedger) -> StateStore:
    return open_ledger()
