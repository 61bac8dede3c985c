"""Recipient identifiers masked by where they sit in a body, never by their key alone.

Only who receives a send is masked: the ids and aliases listed at the top of a body, and
each ``recipients[]`` item's identifier (and the email and phone among the attributes it
sets). Message content is never masked: ``messages.email.subject`` is a subject, not a
recipient, though its parent is named ``email``.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "•••"
_LISTS = frozenset({"external_user_ids", "user_aliases"})
"""Top-level fields whose whole value is a list of users."""
_ITEM_IDS = frozenset({"external_user_id", "user_alias", "braze_id", "email", "phone"})
"""The identifier of one ``recipients[]`` item."""
_ATTRIBUTE_IDS = frozenset({"email", "phone"})
"""User attributes a ``recipients[]`` item sets that identify a person."""
_KEY = re.compile(r"[^.\[\]]+")


def path_keys(path: str) -> tuple[str, ...]:
    """``recipients[0].email`` -> ``("recipients", "email")``: list indices do not matter."""
    return tuple(key for key in _KEY.findall(path) if not key.isdigit())


def is_recipient(keys: tuple[str, ...]) -> bool:
    """Whether the value at ``keys`` (a body's field path, without indices) names a user."""
    if not keys:
        return False
    if keys[0] in _LISTS:
        return True
    if keys[0] != "recipients" or len(keys) < 2:
        return False
    if keys[1] in _ITEM_IDS:
        return True
    return len(keys) >= 3 and keys[1] == "attributes" and keys[2] in _ATTRIBUTE_IDS


def mask_recipients(value: Any, keys: tuple[str, ...] = ()) -> Any:
    """A copy of ``value`` (found at ``keys`` in a body) with recipient identifiers masked."""
    if is_recipient(keys):
        return _mask_all(value)
    if isinstance(value, dict):
        return {key: mask_recipients(item, (*keys, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_recipients(item, keys) for item in value]
    return value


def _mask_all(value: Any) -> Any:
    if isinstance(value, list):
        return [_mask_all(item) for item in value]
    if isinstance(value, dict):
        return {key: _mask_all(item) for key, item in value.items()}
    return MASK
