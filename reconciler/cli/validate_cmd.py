"""``validate``: offline checks of manifests."""

from __future__ import annotations

from datetime import datetime

import click

from reconciler.cli.options import allow_empty_option, examples, now_option, service
from reconciler.cli.output import err_console, write
from reconciler.errors import EXIT_INVALID, EXIT_OK
from reconciler.render.diagnostics import RENDERERS
from reconciler.settings import Settings


@click.command(epilog=examples("validate manifests/", "validate --format github manifests/"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for GitHub Actions annotations.",
)
@allow_empty_option
@now_option
@click.pass_obj
def validate(
    settings: Settings,
    paths: tuple[str, ...],
    output_format: str,
    allow_empty: bool,
    now: datetime | None,
) -> int:
    """Check manifests offline (no API key, no ledger). Exit 0 when valid, 3 when not.

    PATHS are files or directories (searched recursively for *.yaml and *.yml); default ".".
    """
    result = service(settings, now).validate(paths or settings.paths, allow_empty=allow_empty)
    write(RENDERERS[output_format](result.diagnostics, len(result.resources), len(result.files)))
    if result.elsewhere and not result.resources:
        count = len(result.elsewhere)
        err_console().print(
            f"note: no manifest is declared for environment {settings.environment}: {count} "
            f"manifest{'s are' if count != 1 else ' is'} limited to other environments",
            markup=False,
            highlight=False,
        )
    return EXIT_OK if result.ok else EXIT_INVALID
