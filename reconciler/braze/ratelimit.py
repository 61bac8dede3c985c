"""Client-side pacing to Braze's documented rate limits, so that a paced run sees no 429.

Buckets (braze-api.md section 2):

- ``hourly``: 250,000 requests per hour shared by the workspace, resetting on the clock hour;
  corrected by the ``x-ratelimit-*`` headers of every answer (which also teach a lower limit
  an account, or an emulator, may have).
- ``broadcast``: 250 broadcast calls per minute to the trigger schedule-create and send
  endpoints, and ``audience:<key>``: 10 per minute per unique audience. Kept as sliding
  windows, which never exceed a fixed-window limit either.
- ``send_ids``: 100 ``/sends/id/create`` per day.

The pacer is shared by the threads of one apply. ``acquire`` blocks until every bucket of the
call has room; ``release`` records the answer's headers.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping

from reconciler.braze.limits import DAY, HOUR, MINUTE, RateLimits, bucket_names

__all__ = ["Pacer", "RateLimitInfo", "RateLimits", "Ticket", "http_date", "parse_headers"]

log = logging.getLogger(__name__)

_BUCKET_WORDS = {
    "hourly": "requests per hour",
    "send_ids": "send ids per day",
    "broadcast": "broadcasts per minute",
    "audience": "broadcasts per minute per audience",
}
HEADER_MARGIN = 1.0
"""Headers carry whole seconds: wait a little past a reset so the server agrees it passed."""


class PacingStopped(Exception):
    """The wait for rate-limit room ended because the run was stopped; nothing was taken."""


class PacingTooLong(Exception):
    """Room would come only after more than the caller's ``max_wait``; nothing was taken."""

    def __init__(self, path: str, wait: float, buckets: str) -> None:
        super().__init__(path)
        self.wait = wait
        self.buckets = buckets


@dataclasses.dataclass(frozen=True)
class RateLimitInfo:
    """The ``x-ratelimit-*`` headers of one answer; ``reset_in`` in seconds from its Date."""

    limit: int | None
    remaining: int | None
    reset_in: float | None


def parse_headers(headers: Mapping[str, str], local_time: float) -> RateLimitInfo:
    """Read the headers case-insensitively (HTTP/2 sends them in lower case)."""
    lowered = {key.lower(): value for key, value in headers.items()}

    def number(name: str) -> float | None:
        value = lowered.get(name)
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    limit = number("x-ratelimit-limit")
    remaining = number("x-ratelimit-remaining")
    reset = number("x-ratelimit-reset")
    reset_in = None
    if reset is not None:
        # The reset is an epoch instant on the server's clock: measure it from the server's own
        # Date header when there is one, so a skewed (or virtual) clock does not mislead us.
        server_now = http_date(lowered.get("date")) or local_time
        reset_in = max(0.0, reset - server_now)
    return RateLimitInfo(
        int(limit) if limit is not None else None,
        int(remaining) if remaining is not None else None,
        reset_in,
    )


def http_date(value: str | None) -> float | None:
    """An HTTP date (the ``Date`` header) as epoch seconds; None when absent or unreadable."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None


class _FixedWindow:
    """A counter per window, aligned on the server's resets once headers have been seen.

    Until the first answer, the window is a guess (the clock hour); the first answer's headers
    replace it. After that, an answer naming a later reset starts a new window; one naming an
    earlier reset is a late answer from an old window and is ignored.
    """

    def __init__(self, limit: int, window: float, first_end: float) -> None:
        self.limit = limit
        self.window = window
        self.end = first_end
        self.tokens = limit
        self.in_flight = 0
        self.margin = 0.0
        self.confirmed = False
        self.blocked_until = 0.0

    def roll(self, now: float) -> None:
        while now >= self.end + self.margin:
            self.end += self.window
            self.tokens = max(0, self.limit - self.in_flight)
            self.margin = 0.0

    def wait(self, now: float) -> float:
        if now < self.blocked_until:
            return self.blocked_until - now
        self.roll(now)
        return 0.0 if self.tokens > 0 else self.end + self.margin - now

    def take(self) -> None:
        self.tokens -= 1
        self.in_flight += 1

    def done(self, info: RateLimitInfo | None, now: float) -> None:
        self.in_flight -= 1
        if info is None or info.remaining is None:
            return
        if info.limit is not None and info.limit > 0:
            self.limit = info.limit
        # Requests still in flight were sent before this answer; the server may not have
        # counted them yet, so they are spent too.
        available = info.remaining - self.in_flight
        if info.reset_in is not None:
            end = now + info.reset_in
            if not self.confirmed or end > self.end + HEADER_MARGIN:
                self.end, self.tokens, self.margin = end, available, HEADER_MARGIN
                self.confirmed = True
                return
            if end < self.end - HEADER_MARGIN:
                return  # a late answer, counted in a window that has passed
        self.tokens = min(self.tokens, available)

    def block(self, seconds: float, now: float) -> None:
        """A 429: nothing goes out until its reset, whatever the window says."""
        self.blocked_until = max(self.blocked_until, now + seconds + HEADER_MARGIN)


class _SlidingWindow:
    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.times: collections.deque[float] = collections.deque()
        self.blocked_until = 0.0

    def wait(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.window:
            self.times.popleft()
        if now < self.blocked_until:
            return self.blocked_until - now
        if len(self.times) < self.limit:
            return 0.0
        return self.times[0] + self.window - now

    def take(self, now: float) -> None:
        self.times.append(now)

    def block(self, seconds: float, now: float) -> None:
        self.blocked_until = max(self.blocked_until, now + seconds + HEADER_MARGIN)


@dataclasses.dataclass(frozen=True)
class Ticket:
    fixed: tuple[str, ...]
    sliding: tuple[str, ...]


class Pacer:
    """Thread-safe pacing for one workspace. Times are monotonic seconds."""

    def __init__(
        self,
        limits: RateLimits | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = limits or RateLimits()
        self._monotonic = monotonic
        self.wall = wall
        """Epoch seconds of the real clock, as Braze's windows and reset headers count them."""
        self._sleep = sleep
        self._lock = threading.Lock()
        now, wall_now = monotonic(), wall()
        hour_end = now + (HOUR - wall_now % HOUR)
        day_end = now + (DAY - wall_now % DAY)
        self._fixed = {
            "hourly": _FixedWindow(self.limits.hourly, HOUR, hour_end),
            "send_ids": _FixedWindow(self.limits.send_ids_per_day, DAY, day_end),
        }
        self._sliding: dict[str, _SlidingWindow] = {
            "broadcast": _SlidingWindow(self.limits.broadcast_per_minute, MINUTE)
        }
        self.waited = 0.0
        """Seconds spent waiting for room, for reports and benchmarks."""

    def buckets(self, path: str, audience_key: str | None) -> Ticket:
        names = bucket_names(path, audience_key)
        fixed = tuple(name for name in names if name in self._fixed)
        return Ticket(fixed, tuple(name for name in names if name not in self._fixed))

    def _sliding_bucket(self, name: str) -> _SlidingWindow:
        bucket = self._sliding.get(name)
        if bucket is None:
            bucket = _SlidingWindow(self.limits.audience_per_minute, MINUTE)
            self._sliding[name] = bucket
        return bucket

    def acquire(
        self,
        path: str,
        audience_key: str | None = None,
        stop: threading.Event | None = None,
        max_wait: float | None = None,
    ) -> Ticket:
        """Wait for room and take it; raise PacingStopped if ``stop`` is set first, and
        PacingTooLong, at once, if the wait would be longer than ``max_wait``."""
        ticket = self.buckets(path, audience_key)
        while True:
            if stop is not None and stop.is_set():
                raise PacingStopped(path)
            with self._lock:
                now = self._monotonic()
                wait = max(
                    [self._fixed[name].wait(now) for name in ticket.fixed]
                    + [self._sliding_bucket(name).wait(now) for name in ticket.sliding]
                )
                if wait <= 0:
                    for name in ticket.fixed:
                        self._fixed[name].take()
                    for name in ticket.sliding:
                        self._sliding_bucket(name).take(now)
                    return ticket
            names = [_BUCKET_WORDS[name.split(":")[0]] for name in ticket.fixed + ticket.sliding]
            if max_wait is not None and wait > max_wait:
                raise PacingTooLong(path, wait, " and ".join(names))
            if wait >= 5:
                log.warning(
                    "pacing: waiting %.0f s before %s, for Braze's rate limit (%s)",
                    wait,
                    path,
                    " and ".join(names),
                )
            else:
                log.debug("pacing: waiting %.2fs for %s", wait, path)
            started = self._monotonic()
            if stop is not None:
                stop.wait(wait)  # Ctrl-C during a long wait stops it at once
            else:
                self._sleep(wait)
            self.waited += self._monotonic() - started

    def release(self, ticket: Ticket, info: RateLimitInfo | None) -> None:
        with self._lock:
            now = self._monotonic()
            for name in ticket.fixed:
                self._fixed[name].done(info, now)

    def rate_limited(self, ticket: Ticket, reset_in: float | None) -> None:
        """A 429: nothing more goes to these buckets until the reset."""
        seconds = reset_in if reset_in is not None else 60.0
        with self._lock:
            now = self._monotonic()
            for name in ticket.fixed:
                self._fixed[name].block(seconds, now)
            for name in ticket.sliding:
                self._sliding_bucket(name).block(seconds, now)
