"""Shared by the evidence tests: sizes, hypothesis settings, the emulator-backed project."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.e2e.conftest import Project, open_project

CI = os.environ.get("CI", "").lower() == "true"


def evidence_settings(examples: int, *allowed: HealthCheck) -> settings:
    """Reproducible in CI (the same examples every run, no example database); exploring
    elsewhere, with the database replaying earlier failures first."""
    checks = [HealthCheck.too_slow, *allowed]
    if CI:
        return settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=checks,
        )
    return settings(max_examples=examples, deadline=None, suppress_health_check=checks)


PROPERTY_SETTINGS = evidence_settings(200)

FUZZ_SETTINGS = evidence_settings(300, HealthCheck.function_scoped_fixture)


def size_from_env(name: str, ci_size: int) -> int:
    """The CI size, or a larger one for a manual run (``BRAZE_RECONCILER_SOAK_SIZE=1000``)."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else ci_size


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The end-to-end project: the real CLI, the emulator on loopback, a SQLite ledger."""
    yield from open_project(tmp_path, monkeypatch)
