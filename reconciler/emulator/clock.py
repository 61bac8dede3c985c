"""The emulator's virtual clock: real time plus an offset.

It starts at ``--clock TIME`` (or real time) and then runs on with real time, so rate-limit
windows, the ``Date`` header and schedule firing behave as in Braze, while tests jump ahead
with ``advance`` instead of sleeping. Moving the clock never undoes what already happened: a
schedule that fired stays sent if the clock is set back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime


class VirtualClock:
    """Thread-safe: the server thread reads it while a test thread may move it."""

    def __init__(
        self,
        start: datetime | None = None,
        *,
        offset: float = 0.0,
        real: Callable[[], float] = time.time,
    ) -> None:
        self._real = real
        self._lock = threading.Lock()
        self._offset = offset
        if start is not None:
            self.set(start)

    @property
    def offset(self) -> float:
        """Seconds between virtual and real time (what is persisted)."""
        with self._lock:
            return self._offset

    def timestamp(self) -> float:
        """The virtual instant as epoch seconds."""
        with self._lock:
            return self._real() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("the clock needs an aware instant (with a UTC offset)")
        with self._lock:
            self._offset = instant.timestamp() - self._real()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


def iso(timestamp: float) -> str:
    """An epoch instant as ISO 8601 UTC with milliseconds: ``2026-11-27T09:00:00.000Z``."""
    text = datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
