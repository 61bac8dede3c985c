"""Consoles for stdout and stderr: colour only on a terminal, NO_COLOR respected (by rich)."""

from __future__ import annotations

import sys

from rich.console import Console


def out_console() -> Console:
    """A console on the current stdout (tests swap sys.stdout, so it is not cached on it)."""
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def err_console() -> Console:
    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def write(text: str) -> None:
    """Write already rendered text to stdout, exactly."""
    sys.stdout.write(text)
    sys.stdout.flush()
