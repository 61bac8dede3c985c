"""``emulator``: run the local Braze emulator until Ctrl-C."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from reconciler.cli.options import INSTANT, examples

DEFAULT_PORT = 4010


@click.command(
    epilog=examples(
        "emulator --port 4010", "emulator --clock 2026-11-20T09:00:00Z --data .emulator"
    )
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="Port (0: any).")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep schedules, send ids and the clock in this directory (default: in memory).",
)
@click.option(
    "--seed",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workspace seed file, YAML or JSON (default: the demo workspace).",
)
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    metavar="KEY",
    help="Add an API key holding every permission (repeatable).",
)
@click.option(
    "--clock",
    type=INSTANT,
    help=(
        "Start the virtual clock at this instant (ISO 8601 with offset). Default: real time, "
        "or where the clock saved in --data was."
    ),
)
@click.option(
    "--hourly-limit",
    type=click.IntRange(min=1),
    default=250_000,
    show_default=True,
    help="Requests per window of the shared rate-limit bucket.",
)
@click.option(
    "--limit-window",
    type=click.IntRange(min=1),
    default=3600,
    show_default=True,
    metavar="SECONDS",
    help="Length of the shared bucket's window (shorter for tests and benchmarks).",
)
@click.option(
    "--latency",
    "latency_ms",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="MS",
    help="Every API call takes at least this long (milliseconds), its own work included.",
)
@click.option(
    "--faults",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fault rules to start with (JSON or YAML, as POST /_emulator/faults takes).",
)
def emulator(
    host: str,
    port: int,
    data_dir: Path | None,
    seed: Path | None,
    api_keys: tuple[str, ...],
    clock: datetime | None,
    hourly_limit: int,
    limit_window: int,
    latency_ms: float,
    faults: Path | None,
) -> int:
    """Run the local Braze emulator (see docs/emulator.md) until Ctrl-C."""
    # Imported here: the server stack (uvicorn, starlette) would slow every other command.
    from reconciler.emulator.server import EmulatorConfig, run_emulator

    config = EmulatorConfig(
        host=host,
        port=port,
        data_dir=data_dir,
        seed=seed,
        api_keys=api_keys,
        clock=clock,
        resume_clock=clock is None,
        hourly_limit=hourly_limit,
        limit_window=limit_window,
        latency_ms=latency_ms,
        faults=faults,
    )

    def ready(base_url: str) -> None:
        click.echo(
            f"Braze emulator listening on {base_url} (admin API: {base_url}/_emulator/); "
            "press Ctrl-C to stop"
        )

    run_emulator(config, on_ready=ready)
    return 0
