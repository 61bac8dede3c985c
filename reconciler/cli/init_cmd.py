"""``init [DIR]``: a working project, planned with no flag right after."""

from __future__ import annotations

import importlib.resources
from datetime import datetime, timedelta
from pathlib import Path

import click

from reconciler import __version__
from reconciler.cli.options import examples, now_option
from reconciler.cli.output import err_console
from reconciler.config import FILE_NAME
from reconciler.errors import UsageError
from reconciler.manifest.schema import manifest_schema_text
from reconciler.render.inert import printable
from reconciler.timeutil import SystemClock

GITIGNORE_ENTRY = ".braze-reconciler/"
MANIFESTS = ("scheduled-message", "campaign-schedule", "canvas-schedule", "send-id")
WORKFLOWS = ("braze-reconciler-plan.yml", "braze-reconciler-apply.yml")
SEND_AFTER = timedelta(days=30)
"""The example sends' date: far enough ahead of today for every safety gate."""


def scaffold_text(name: str) -> str:
    """A file of the scaffold, as shipped in the package (``reconciler/cli/scaffold``)."""
    return (
        importlib.resources.files("reconciler.cli")
        .joinpath("scaffold", *name.split("/"))
        .read_text(encoding="utf-8")
    )


def project_files(now: datetime) -> dict[str, str]:
    """Each file ``init`` writes (relative path -> text), its sends 30 days after ``now``."""
    day = (now + SEND_AFTER).date().isoformat()
    files = {FILE_NAME: scaffold_text(FILE_NAME)}
    for name in MANIFESTS:
        text = scaffold_text(f"manifests/{name}.yaml")
        text = text.replace("@@TIME@@", f"{day}T15:00:00Z").replace(
            "@@LOCAL_TIME@@", f"{day}T09:00:00"
        )
        files[f"manifests/{name}.yaml"] = text
    files["schemas/manifest.schema.json"] = manifest_schema_text()
    for name in WORKFLOWS:
        files[f".github/workflows/{name}"] = scaffold_text(f"workflows/{name}")
    files[".pre-commit-config.yaml"] = scaffold_text("pre-commit-config.yaml").replace(
        "@@VERSION@@", __version__
    )
    return files


@click.command(epilog=examples("init", "init braze-schedules && cd braze-schedules"))
@click.argument(
    "directory",
    required=False,
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)
@now_option
def init(directory: Path, now: datetime | None) -> int:
    """Write a working project in DIRECTORY (default: here): braze-reconciler.toml with a
    `local` environment (the embedded emulator) and commented staging and production, one
    example manifest per kind, the manifest schema, GitHub workflows using the action, a
    pre-commit configuration, and .gitignore entries for the local state.

    It never overwrites a file: if any of them exists, nothing is written (exit 3). Right
    after it, `braze-reconciler plan` works with no flag.
    """
    files = project_files(now or SystemClock().now())
    existing = sorted(name for name in files if (directory / name).exists())
    if existing:
        raise UsageError(
            f"{printable(str(directory))} already has {', '.join(existing)}: nothing was written",
            hint="init never overwrites a file: run it in a new directory, or move them aside",
        )
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    ignore = directory / ".gitignore"
    present = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    if GITIGNORE_ENTRY not in present and GITIGNORE_ENTRY.rstrip("/") not in present:
        with ignore.open("a", encoding="utf-8") as out:
            if present and ignore.read_text(encoding="utf-8")[-1:] != "\n":
                out.write("\n")
            out.write(f"# braze-reconciler's local ledger and emulator data\n{GITIGNORE_ENTRY}\n")
    console = err_console()
    where = printable(str(directory))
    console.print(f"Wrote a braze-reconciler project in {where}:", markup=False)
    for name in [*files, ".gitignore"]:
        console.print(f"  {name}", markup=False, highlight=False)
    console.print("\nNext, against the embedded emulator (no account needed):", markup=False)
    if str(directory) != ".":
        console.print(f"  cd {where}", markup=False, highlight=False)
    console.print(
        "  braze-reconciler plan\n  braze-reconciler apply\n"
        f"Then fill in [environments.staging] and [environments.production] in {FILE_NAME}.",
        markup=False,
        highlight=False,
    )
    return 0
