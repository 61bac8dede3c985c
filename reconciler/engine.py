"""Use cases: validate, plan, apply, audit, import. No printing here; the CLI renders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from reconciler.manifest.loader import LoadResult, load_manifests


def current_time(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def validate_manifests(paths: Sequence[str], now: datetime | None) -> LoadResult:
    return load_manifests(paths, current_time(now))
