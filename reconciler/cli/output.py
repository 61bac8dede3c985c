"""Consoles for stdout and stderr: colour only on a terminal, NO_COLOR respected (by rich)."""

from __future__ import annotations

import sys

from rich.console import Console, JustifyMethod
from rich.segment import Segment, Segments
from rich.table import Table

# Wide enough for any row: a table is measured against it, then printed at its own width.
_UNBOUNDED = 1_000_000


class OutputClosed(Exception):
    """The reader of stdout went away (``| head``). Not an ``OSError``: click turns a broken
    pipe into exit 1 without a word, as for a failure; the CLI says what happened instead."""


class _OutConsole(Console):
    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise OutputClosed


def out_console() -> Console:
    """A console on the current stdout (tests swap sys.stdout, so it is not cached on it)."""
    return _OutConsole(file=sys.stdout, highlight=False, soft_wrap=True)


def err_console() -> Console:
    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def write(text: str) -> None:
    """Write already rendered text to stdout, exactly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise OutputClosed from None


def columns(*justify: JustifyMethod) -> Table:
    """A borderless table without a header, its columns two spaces apart, one per ``justify``.
    Cells are never wrapped: give them ``Text`` (rich reads a ``str`` as markup) made
    printable (``reconciler.render.inert``)."""
    table = Table(box=None, show_header=False, show_edge=False, pad_edge=False, padding=(0, 1))
    for how in justify:
        table.add_column(justify=how, no_wrap=True)
    return table


def print_table(console: Console, table: Table) -> None:
    """Print ``table`` at its natural width, whatever the terminal's: no cell is cut short,
    folded or wrapped (an address must copy whole), a CI log does not depend on ``COLUMNS``,
    and no line ends in blanks. An empty table prints nothing."""
    if not table.row_count:
        return
    width = console.measure(table, options=console.options.update_width(_UNBOUNDED)).maximum
    options = console.options.update(width=width, no_wrap=True)
    segments: list[Segment] = []
    for line in console.render_lines(table, options, pad=False):
        segments.extend(_without_trailing_blanks(line))
        segments.append(Segment.line())
    console.print(Segments(segments), end="")


def _without_trailing_blanks(line: list[Segment]) -> list[Segment]:
    kept = list(line)
    while kept and not kept[-1].control and not kept[-1].text.rstrip():
        kept.pop()
    if kept and not kept[-1].control:
        last = kept[-1]
        kept[-1] = Segment(last.text.rstrip(), last.style)
    return kept
