"""Server-side rate limits, as braze-api.md section 2 describes them, on the virtual clock.

Buckets, each a fixed window aligned on multiples of its length since the epoch:

- ``hourly``: the shared 250,000 per hour (``--hourly-limit``), aligned on the clock hour;
  ``--limit-window`` shortens the window for tests and benchmarks;
- ``broadcast``: 250 per minute for the broadcast calls of the five broadcast-limited
  endpoints, and ``audience:<key>``: 10 per minute per unique audience. These calls are not
  counted in the hourly bucket;
- ``send_ids``: 100 send id + campaign id pairs created per (UTC) day with
  ``/sends/id/create``: a call that creates none (an existing pair, a refused body) spends
  nothing and is never refused by this bucket (``take(..., counted=False)``).

A call is refused (429) when any of its buckets is spent; a refused call spends nothing. The
``x-ratelimit-*`` headers describe the bucket with the fewest calls remaining (after this
call); when several are spent, the one that resets last, so that a client waiting for the
reset is not refused again at once.
"""

from __future__ import annotations

import dataclasses
import math
import threading

from reconciler.braze.limits import DAY, HOUR, MINUTE, RateLimits, bucket_names

_PRUNE_AT = 10_000


@dataclasses.dataclass(frozen=True)
class Limits(RateLimits):
    """Braze's limits, with a shorter shared window for tests and benchmarks."""

    hourly_window: int = HOUR


@dataclasses.dataclass(frozen=True)
class RateState:
    """One bucket as the headers show it: ``reset`` is the window's end in epoch seconds."""

    limit: int
    remaining: int
    reset: int

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("x-ratelimit-limit", str(self.limit)),
            ("x-ratelimit-remaining", str(self.remaining)),
            ("x-ratelimit-reset", str(self.reset)),
        ]


@dataclasses.dataclass(frozen=True)
class Decision:
    allowed: bool
    state: RateState


@dataclasses.dataclass(frozen=True)
class _Bucket:
    name: str
    limit: int
    window: int


class RateLimiter:
    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}
        """bucket name -> (window index, calls counted in that window)."""

    def buckets(self, path: str, audience_key: str | None) -> list[_Bucket]:
        limits = self.limits
        sizes = {
            "send_ids": (limits.send_ids_per_day, DAY),
            "broadcast": (limits.broadcast_per_minute, MINUTE),
            "audience": (limits.audience_per_minute, MINUTE),
            "hourly": (limits.hourly, limits.hourly_window),
        }
        return [
            _Bucket(name, *sizes[name.split(":")[0]]) for name in bucket_names(path, audience_key)
        ]

    def take(
        self, path: str, audience_key: str | None, now: float, *, counted: bool = True
    ) -> Decision:
        """Count one call, or refuse it if a bucket is spent. A call that is not ``counted``
        spends nothing and is never refused: its answer shows the bucket as it is."""
        if not counted:
            return Decision(True, self.peek(path, now))
        buckets = self.buckets(path, audience_key)
        with self._lock:
            used = [self._used(bucket, now) for bucket in buckets]
            spent = [
                self._state(bucket, count, now)
                for bucket, count in zip(buckets, used, strict=True)
                if count >= bucket.limit
            ]
            if spent:
                return Decision(False, max(spent, key=lambda state: state.reset))
            states = []
            for bucket, count in zip(buckets, used, strict=True):
                self._counts[bucket.name] = (self._index(bucket, now), count + 1)
                states.append(self._state(bucket, count + 1, now))
            if len(self._counts) > _PRUNE_AT:
                self._prune(now)
        return Decision(True, min(states, key=lambda state: (state.remaining, state.reset)))

    def peek(self, path: str, now: float) -> RateState:
        """The state of the call's usual bucket, counting nothing (for answers refused before
        the limits are applied, and for the admin API)."""
        bucket = self.buckets(path, None)[0]
        with self._lock:
            return self._state(bucket, self._used(bucket, now), now)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def _index(self, bucket: _Bucket, now: float) -> int:
        return math.floor(now / bucket.window)

    def _used(self, bucket: _Bucket, now: float) -> int:
        index, count = self._counts.get(bucket.name, (-1, 0))
        return count if index == self._index(bucket, now) else 0

    def _state(self, bucket: _Bucket, count: int, now: float) -> RateState:
        reset = (self._index(bucket, now) + 1) * bucket.window
        return RateState(bucket.limit, max(0, bucket.limit - count), reset)

    def _prune(self, now: float) -> None:
        # Unique audiences come and go; drop the buckets of windows that have ended.
        stale = [
            name
            for name, (index, _) in self._counts.items()
            if name.startswith("audience:") and index < math.floor(now / MINUTE)
        ]
        for name in stale:
            del self._counts[name]
