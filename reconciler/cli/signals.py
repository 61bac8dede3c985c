"""SIGTERM, what CI runners send on cancel before SIGKILL, handled like Ctrl-C.

Python turns SIGINT into KeyboardInterrupt in the main thread; its default for SIGTERM is to
die at once, leaving the lock held and the calls in flight unrecorded. Raising
KeyboardInterrupt instead lets apply stop new calls, finish and record those in flight,
release the lock and report (exit 7), as it does for Ctrl-C.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt (only the main thread can say so)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
