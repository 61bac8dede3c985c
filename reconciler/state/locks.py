"""What a workspace lock says about its holder: whether it is dead, how to release it, and the
error a second writer gets. Shared by the stores (acquiring) and the plan (warning)."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable

from reconciler.errors import LedgerLockedError
from reconciler.state.base import LockInfo, pid_space_tag
from reconciler.timeutil import format_utc

DEFAULT_WORKSPACE = "default"
LOCK_WAIT_REPORT_SECONDS = 30.0
"""How often a writer waiting for the lock says so (read at each wait, so tests can shorten
it)."""

LockWaitReport = Callable[[LockInfo, float, float], None]
"""Told, while a writer waits: the lock held, seconds waited so far (0 when it starts
waiting), and the timeout."""

_HOLDER = re.compile(
    r"(?P<user>.*)@(?P<host>[^@\s]+) pid (?P<pid>[1-9][0-9]{0,9})(?: \(ns (?P<tag>[0-9a-f]+)\))?"
)


def holder_gone(holder: str) -> bool:
    """True when ``holder`` (``user@host pid N (ns TAG)``) is a process of this host, boot and
    pid namespace that no longer runs (or is a zombie).

    A holder elsewhere (a CI runner, a colleague's laptop, another container) cannot be
    checked from here, so it is never called gone: only what is proven is reported.
    """
    match = _HOLDER.fullmatch(holder)
    if (
        match is None
        or match["host"] != socket.gethostname()
        or (match["tag"] or "") != pid_space_tag()
    ):
        return False
    if _zombie(match["pid"]):
        return True  # exited, not yet reaped by its parent: it will never release the lock
    try:
        os.kill(int(match["pid"]), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False  # it exists, under another user (or cannot be a pid at all)
    return False


def _zombie(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # "pid (command) state ...": the command may hold spaces and parentheses
            return stat.read().rpartition(")")[2].split()[:1] in (["Z"], ["X"])
    except OSError:
        return False


def force_unlock_command(lock: LockInfo) -> str:
    """The exact command that releases ``lock``."""
    workspace = "" if lock.workspace == DEFAULT_WORKSPACE else f" --workspace {lock.workspace}"
    return f"braze-reconciler{workspace} state force-unlock {lock.lock_id}"


def dead_holder_words(lock: LockInfo) -> str:
    match = _HOLDER.fullmatch(lock.holder)
    pid = match["pid"] if match else "?"
    return f"that process is gone (no process {pid} runs on this host)"


def locked_error(workspace: str, held: LockInfo, timeout: float) -> LedgerLockedError:
    """The error of a writer that could not take the lock, naming the holder."""
    since = (
        f"workspace {workspace!r} is locked by {held.holder} for {held.operation} "
        f"since {format_utc(held.acquired_at)}, lock id {held.lock_id}"
    )
    if holder_gone(held.holder):
        return LedgerLockedError(
            f"{since}, and {dead_holder_words(held)}: the lock is dead",
            hint=(
                "make sure no other braze-reconciler runs on this workspace, then release it: "
                f"{force_unlock_command(held)}"
            ),
        )
    waited = f" (waited {timeout:g} s)" if timeout > 0 else ""
    return LedgerLockedError(
        f"{since}{waited}",
        hint=(
            "wait for it to finish, or retry with --lock-timeout; if that process is gone: "
            f"{force_unlock_command(held)}"
        ),
    )


def lock_warning(lock: LockInfo, what: str = "plan") -> str:
    """The warning of a read (``what``: plan, audit) while the workspace lock is held."""
    if holder_gone(lock.holder):
        return (
            f"the workspace lock {lock.lock_id} is held by {lock.holder} ({lock.operation}, "
            f"since {format_utc(lock.acquired_at)}), and {dead_holder_words(lock)}: the "
            f"lock is dead and apply will refuse to run (exit 6) until it is released with "
            f"`{force_unlock_command(lock)}`"
        )
    return (
        f"{lock.operation} is running ({lock.holder}, since "
        f"{format_utc(lock.acquired_at)}): this {what} may be out of date"
    )
