"""``schema``: write the manifest JSON Schema generated from the models."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.options import examples
from reconciler.cli.output import err_console, write
from reconciler.manifest.schema import DEFAULT_PATH, manifest_schema_text


@click.command(epilog=examples("schema", "schema --out - > manifest.schema.json"))
@click.option(
    "--out",
    "out",
    default=DEFAULT_PATH,
    show_default=True,
    help="Where to write it; '-' for stdout.",
)
def schema(out: str) -> int:
    """Write the manifest JSON Schema (for editors and the yaml-language-server)."""
    text = manifest_schema_text()
    if out == "-":
        write(text)
        return 0
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    err_console().print(f"wrote {path}", markup=False)
    return 0
