"""``config``: the resolved settings and where each came from (never the key)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from reconciler.cli.options import examples
from reconciler.cli.output import write
from reconciler.config.model import SETTINGS
from reconciler.plan.safety import DESTROY_FRACTION, DESTROY_MIN
from reconciler.recurrence import DEFAULT_HORIZON
from reconciler.render.inert import no_command, printable
from reconciler.secrets import redact_url
from reconciler.sendtime import DEFAULT_FREEZE_WINDOW
from reconciler.settings import Settings
from reconciler.state import DEFAULT_FILE
from reconciler.timeutil import short_duration

_BUILT_IN = {
    "freeze_window": short_duration(DEFAULT_FREEZE_WINDOW),
    "horizon": f"{DEFAULT_HORIZON.days}d",
    "destroy_threshold": DESTROY_MIN,
    "destroy_percent": round(DESTROY_FRACTION * 100),
    "rate_limits": "Braze's documented limits",
}


@click.command(epilog=examples("config", "--env production config --format json"))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools.",
)
@click.pass_obj
def config(settings: Settings, output_format: str) -> int:
    """Show the resolved settings and where each came from: a flag, an environment variable,
    the selected environment's section or the top level of the configuration file (with its
    line), or the built-in default. The API key is never shown: only where it is read from.

    Precedence, first found wins: flag > environment variable > [environments.NAME] >
    top level > default.
    """
    document = describe(settings)
    if output_format == "json":
        write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return 0
    write("\n".join(no_command(printable(line)) for line in render(document).split("\n")) + "\n")
    return 0


def describe(settings: Settings) -> dict[str, Any]:
    """The settings as shown: values (the ledger URL without its password) and sources."""
    resolution = settings.resolution
    values = dict(resolution.values) if resolution is not None else {}
    sources = dict(resolution.sources) if resolution is not None else {}
    rows: list[dict[str, Any]] = []
    for name in SETTINGS:
        if name in ("api_key_env", "api_key_file"):
            continue
        value = values.get(name)
        if name == "state":
            value = redact_url(value) if value else str(settings.state_dir() / DEFAULT_FILE)
        elif name == "paths":
            value = list(settings.paths)
        elif value is None and name in _BUILT_IN:
            value = _BUILT_IN[name]
        rows.append({"name": name, "value": value, "source": sources.get(name, "default")})
    kind, where = values.get("api_key", ("env", settings.api_key_env))
    if kind == "file":
        key = {"file": where, "present": Path(where).is_file()}
    else:
        key = {"env": where, "present": bool(os.environ.get(where, "").strip())}
    key["local"] = settings.is_local
    rows.append({"name": "api_key", "value": key, "source": sources.get("api_key", "default")})
    config = resolution.config if resolution is not None else None
    variables = (
        [
            {"name": name, "value": value, "source": resolution.variable_sources.get(name, "")}
            for name, value in sorted((settings.variables or {}).items())
        ]
        if resolution is not None
        else []
    )
    return {
        "config_file": str(config.path) if config is not None else None,
        "environment": settings.environment,
        "environment_source": resolution.environment_source if resolution is not None else None,
        "environments": list(settings.environments),
        "settings": rows,
        "vars": variables,
    }


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def render(document: dict[str, Any]) -> str:
    lines = []
    file = document["config_file"]
    lines.append(f"configuration file: {file or '(none: flags, environment variables, defaults)'}")
    names = document["environments"]
    if document["environment"] is not None:
        lines.append(
            f"environment: {document['environment']} (from {document['environment_source']})"
        )
    elif names:
        lines.append(
            f"environment: none selected (environments: {', '.join(names)}; pass --env NAME)"
        )
    lines.append("")
    shown: list[tuple[str, str, str]] = []
    for row in document["settings"]:
        value = row["value"]
        if row["name"] == "api_key":
            if "file" in value:
                text = f"read from the file {value['file']}" + (
                    "" if value["present"] else " (missing)"
                )
            else:
                text = f"read from ${value['env']}" + (
                    " (set)"
                    if value["present"]
                    else " (not set: the emulator's own key)"
                    if value["local"]
                    else " (not set)"
                )
        else:
            text = _shown(value)
        shown.append((row["name"], text, row["source"]))
    for variable in document["vars"]:
        shown.append(
            (f"vars.{variable['name']}", json.dumps(variable["value"]), variable["source"])
        )
    width = max(len(name) for name, _, _ in shown)
    value_width = min(max(len(text) for _, text, _ in shown), 60)
    for name, text, source in shown:
        lines.append(f"{name:<{width}}  {text:<{value_width}}  ({source})")
    return "\n".join(lines)
