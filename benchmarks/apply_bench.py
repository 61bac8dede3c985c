"""Apply throughput: N creates against the emulator with injected latency, at several
parallelisms, against the ideal ``parallelism / latency``.

The emulator runs in its own process (``braze-reconciler emulator --latency MS``) and the
apply as a cold ``python -m reconciler apply --auto-approve --format json`` process with a
fresh SQLite ledger, so each has its own core on a 2-core machine. Throughput is creates per
second of the apply phase (the report's ``seconds``: the calls, their journal writes and the
pacing; not the process start, the load of the manifests or the plan). A last run at 0 ms
latency shows the ceiling set by the per-call costs (two durable ledger commits, the HTTP
exchange, the emulator's own work).

Run: ``python benchmarks/apply_bench.py [--count 2000] [--latency 20] [--parallelism 1 8 16]``.
Target: throughput at least 85 % of the ideal.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_support import NOW_TEXT, emulator_process, machine, run_cli, write_messages

TARGET_RATIO = 0.85


def last_json(text: str) -> dict[str, Any]:
    """The last JSON document of a stream (``apply --format json`` prints the plan first)."""
    decoder = json.JSONDecoder()
    position, found = 0, None
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        found, position = decoder.raw_decode(text, position)
    if not isinstance(found, dict):
        raise ValueError("no JSON document in the output")
    return found


def apply_once(
    root: Path, manifests: Path, count: int, parallelism: int, latency_ms: float
) -> dict[str, Any]:
    workdir = root / f"p{parallelism}-l{latency_ms:g}"
    workdir.mkdir()
    with emulator_process(latency_ms=latency_ms) as emulator:
        args = [
            "--endpoint", emulator.base_url, "--state", f"sqlite:///{workdir / 'state.db'}",
            "apply", str(manifests), "--auto-approve", "--now", NOW_TEXT,
            "--parallelism", str(parallelism), "--format", "json",
        ]  # fmt: skip
        run = run_cli(args, workdir)
        report = last_json(run.stdout)["apply"] if run.stdout.strip() else {}
        live = len(emulator.admin.schedules(status="scheduled"))
        stats = emulator.admin.stats()
    if run.code != 0 or report.get("counts", {}).get("done") != count or live != count:
        raise SystemExit(f"apply failed (exit {run.code}, {live} live):\n{run.stderr[-2000:]}")
    return {
        "seconds": float(report["seconds"]),
        "calls": int(report["calls"]),
        "wall": run.seconds,
        "rss": run.max_rss_mb,
        "rate_limited": int(stats["rate_limited"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=20.0, help="milliseconds per call")
    parser.add_argument("--parallelism", type=int, nargs="+", default=[1, 8, 16])
    parser.add_argument("--no-ceiling", action="store_true", help="skip the 0 ms run")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"{args.count} creates (scheduled messages), emulator latency {args.latency:g} ms")
    with tempfile.TemporaryDirectory(prefix="apply-bench-") as directory:
        root = Path(directory)
        manifests = root / "manifests"
        write_messages(manifests, args.count)
        missed = []
        for parallelism in args.parallelism:
            result = apply_once(root, manifests, args.count, parallelism, args.latency)
            throughput = args.count / result["seconds"]
            ideal = parallelism / (args.latency / 1000)
            ratio = throughput / ideal
            if ratio < TARGET_RATIO:
                missed.append(parallelism)
            print(
                f"parallelism {parallelism:>2}: {result['seconds']:.2f} s apply phase "
                f"({result['wall']:.2f} s whole process), {throughput:,.0f} creates/s; ideal "
                f"{ideal:,.0f}/s; ratio {ratio:.0%}; {result['calls']} calls; "
                f"{result['rate_limited']} x 429; peak RSS {result['rss']:.0f} MB"
            )
        if not args.no_ceiling:
            parallelism = max(args.parallelism)
            result = apply_once(root, manifests, args.count, parallelism, 0.0)
            print(
                f"ceiling (0 ms latency, parallelism {parallelism}): "
                f"{args.count / result['seconds']:,.0f} creates/s "
                f"({result['seconds']:.2f} s, {result['calls']} calls)"
            )
    print(
        f"target: >= {TARGET_RATIO:.0%} of the ideal: "
        + ("met" if not missed else f"MISSED at parallelism {', '.join(map(str, missed))}")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
