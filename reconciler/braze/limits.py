"""Braze's documented rate limits (braze-api.md section 2), and which apply to a call.

The one home of these rules: the client paces itself by them, the emulator enforces them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from reconciler.braze.models.requests import ENDPOINTS
from reconciler.kinds import SEND_IDS_PATH

HOUR = 3600
MINUTE = 60
DAY = 86_400


@dataclasses.dataclass(frozen=True)
class RateLimits:
    """Per workspace. Accounts can have them raised; the defaults are the documented ones."""

    hourly: int = 250_000
    """Requests per clock hour, shared by every endpoint without a limit of its own."""
    broadcast_per_minute: int = 250
    """Broadcast calls of the five broadcast-limited endpoints, per minute, all audiences."""
    audience_per_minute: int = 10
    """The same, per unique audience (``unique_audience_key``)."""
    send_ids_per_day: int = 100
    """``/sends/id/create`` per day."""

    @classmethod
    def parse(cls, items: Mapping[str, int]) -> RateLimits:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(items) - known
        if unknown:
            raise ValueError(
                f"unknown rate limit {sorted(unknown)[0]!r}; known: {', '.join(sorted(known))}"
            )
        for name, value in items.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"rate limit {name} must be a whole number of at least 1")
        return dataclasses.replace(cls(), **items)


def bucket_names(path: str, audience_key: str | None) -> tuple[str, ...]:
    """The buckets a call counts against: ``send_ids``; ``broadcast`` and
    ``audience:<key>`` for a broadcast call of a broadcast-limited endpoint; else ``hourly``."""
    if path == SEND_IDS_PATH:
        return ("send_ids",)
    endpoint = ENDPOINTS.get(path)
    if endpoint is not None and endpoint.broadcast_limited and audience_key is not None:
        return ("broadcast", "audience:" + audience_key)
    return ("hourly",)
