"""One running emulator: workspace, store, virtual clock, rate limiter, faults and statistics,
shared by the Braze API (``app.py``) and the admin API (``admin.py``)."""

from __future__ import annotations

import collections
import threading
from datetime import datetime
from typing import Any

from reconciler.emulator.api import BrazeApi
from reconciler.emulator.clock import VirtualClock, iso
from reconciler.emulator.faults import FaultConfig, FaultInjector
from reconciler.emulator.limits import RateLimiter
from reconciler.emulator.store import Store
from reconciler.emulator.workspace import Workspace

CLOCK_OFFSET = "clock_offset"


class Stats:
    """Answers per path and outcome (a status code, or ``reset``, ``dropped``, ``hung_up``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_path: dict[str, collections.Counter[str]] = {}
        self._rate_limited = 0

    def count(self, path: str, outcome: str) -> None:
        with self._lock:
            self._by_path.setdefault(path, collections.Counter())[outcome] += 1
            if outcome == "429":
                self._rate_limited += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            requests = {
                path: dict(sorted(counts.items())) for path, counts in self._by_path.items()
            }
            total = sum(sum(counts.values()) for counts in self._by_path.values())
            return {"requests": requests, "total": total, "rate_limited": self._rate_limited}

    def reset(self) -> None:
        with self._lock:
            self._by_path.clear()
            self._rate_limited = 0


class Emulator:
    def __init__(
        self,
        *,
        workspace: Workspace,
        store: Store,
        clock: VirtualClock,
        limiter: RateLimiter,
        faults: FaultInjector,
        latency: float = 0.0,
    ) -> None:
        self.workspace = workspace
        self.store = store
        self.clock = clock
        self.limiter = limiter
        self.faults = faults
        self.latency = latency
        """Seconds added to every Braze API call (not to the admin API)."""
        self.stats = Stats()
        self.api = BrazeApi(workspace, store, clock)
        self.stopping = threading.Event()
        """Set when the server shuts down: delayed answers give up (see app.py)."""

    def fire_due(self) -> None:
        self.store.fire_due(self.clock.timestamp())

    # -- clock ------------------------------------------------------------------------------
    def set_clock(self, instant: datetime) -> None:
        self.clock.set(instant)
        self._clock_moved()

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self._clock_moved()

    def save_clock(self) -> None:
        self.store.set_meta(CLOCK_OFFSET, repr(self.clock.offset))

    def _clock_moved(self) -> None:
        self.save_clock()
        self.fire_due()

    def clock_state(self) -> dict[str, Any]:
        return {"now": iso(self.clock.timestamp()), "offset_seconds": self.clock.offset}

    # -- admin ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Drop schedules, send ids, sends, rate counters, statistics and faults."""
        self.store.reset()
        self.limiter.reset()
        self.faults.configure(FaultConfig())
        self.stats.reset()

    def close(self) -> None:
        self.store.close()
