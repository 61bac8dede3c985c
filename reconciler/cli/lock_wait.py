"""The lines a writer prints on stderr while it waits for the workspace lock (--lock-timeout):
one when it starts waiting, then one every 30 s, each naming the holder."""

from __future__ import annotations

from datetime import timedelta

from reconciler.cli.output import err_console
from reconciler.state.base import LockInfo
from reconciler.timeutil import format_duration, format_utc


def lock_wait_line(held: LockInfo, waited: float, timeout: float) -> str:
    holder = (
        f"held by {held.holder} for {held.operation} since {format_utc(held.acquired_at)} "
        f"(lock id {held.lock_id})"
    )
    limit = format_duration(timedelta(seconds=timeout))
    if waited <= 0:
        return f"Waiting up to {limit} for the lock of workspace {held.workspace!r}: {holder}."
    so_far = format_duration(timedelta(seconds=waited))
    return (
        f"Still waiting for the lock of workspace {held.workspace!r} ({so_far} of {limit}): "
        f"{holder}."
    )


def print_lock_wait(held: LockInfo, waited: float, timeout: float) -> None:
    err_console().print(lock_wait_line(held, waited, timeout), markup=False, highlight=False)
