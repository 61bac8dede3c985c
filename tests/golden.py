"""Golden files: compare a render with its file; ``UPDATE_GOLDEN=1`` rewrites the file."""

from __future__ import annotations

import io
import os
from pathlib import Path

from rich.console import Console


def check_golden(folder: Path, name: str, text: str) -> None:
    path = folder / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"golden {name} differs"


def plain(markup: str) -> str:
    """Rich markup as a terminal without colour, 120 columns wide, would show it."""
    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None, highlight=False, soft_wrap=True).print(
        markup, end=""
    )
    return buffer.getvalue()
