"""Canonical JSON and content hashes: equality of bodies is decided by hash, not by diffing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def _mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


def canonical_json(value: Any) -> str:
    """Sorted keys, no insignificant white space, UTF-8 kept: one text per value."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_mapping
    )


def content_hash(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
