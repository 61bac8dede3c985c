"""Apply under a low rate limit: N creates against an emulator allowing L calls per W-second
window (600 per minute by default), against the bound the limit sets, counting 429 answers.

Two runs: the limit told to the client (``--rate-limit hourly=L``, "known"), and not told
(the client starts from Braze's documented 250,000 an hour and learns the limit from the
``x-ratelimit-*`` headers of the first answers, "learned").

The bound is ``N / rate`` (N * W / L seconds). The emulator's windows are fixed and aligned
like Braze's, so a run may use one more or one less window than N / L depending on where its
first call lands; the calls counted in each window show how fully the pacing uses each one.
Times are measured between the first and the last schedule the emulator created (its clock
runs at real speed), so process start and planning are left out. The emulator's clock is set
so that the first call lands near the start of a window (estimated from a cold ``plan``).

Run: ``python benchmarks/ratelimit_bench.py [--quick]`` (quick: 400 creates at 100 per 10 s).
Targets: no 429 when the limits are known; time within 10 % of the bound.
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from apply_bench import last_json
from bench_support import NOW_TEXT, emulator_process, machine, run_cli, write_messages

TARGET_EXCESS = 0.10


def created_at(schedules: list[dict[str, object]]) -> list[float]:
    return [datetime.fromisoformat(str(s["created_at"])).timestamp() for s in schedules]


def first_and_last(schedules: list[dict[str, object]]) -> tuple[float, float]:
    instants = created_at(schedules)
    return min(instants), max(instants)


def run(root: Path, manifests: Path, count: int, limit: int, window: int, known: bool) -> None:
    label = "known" if known else "learned"
    workdir = root / label
    workdir.mkdir()
    with emulator_process(hourly_limit=limit, limit_window=window) as emulator:
        # Land the first call just after a window starts: the planning before it takes about
        # as long as planning alone, measured here once.
        state = f"sqlite:///{workdir / 'state.db'}"
        planning = ["--endpoint", emulator.base_url, "--state", state, "plan", str(manifests)]
        startup = run_cli([*planning, "--now", NOW_TEXT], workdir).seconds
        now = datetime.fromisoformat(str(emulator.admin.clock()["now"]))
        boundary = math.ceil(now.timestamp() / window + 1) * window
        emulator.admin.set_clock(
            datetime.fromtimestamp(boundary, now.tzinfo) - timedelta(seconds=startup)
        )
        args = [
            "--endpoint", emulator.base_url, "--state", state,
            "apply", str(manifests), "--auto-approve", "--now", NOW_TEXT, "--format", "json",
        ]  # fmt: skip
        if known:
            args += ["--rate-limit", f"hourly={limit}"]
        started = time.perf_counter()
        result = run_cli(args, workdir)
        wall = time.perf_counter() - started
        schedules = emulator.admin.schedules(status="scheduled")
        rate_limited = int(emulator.admin.stats()["rate_limited"])
    report = last_json(result.stdout)["apply"] if result.stdout.strip() else {}
    if result.code != 0 or len(schedules) != count:
        raise SystemExit(f"{label}: exit {result.code}, {len(schedules)} live\n{result.stderr}")
    first, last = first_and_last(schedules)
    per_window = collections.Counter(int(t // window) for t in created_at(schedules))
    occupancy = [per_window[w] for w in range(min(per_window), max(per_window) + 1)]
    rate_bound = count * window / limit
    measured = last - first
    print(
        f"limits {label}: first to last create {measured:.1f} s (apply phase "
        f"{float(report['seconds']):.1f} s, whole process {wall:.1f} s); {rate_limited} x 429; "
        f"{report['calls']} calls; bound N/rate {rate_bound:.0f} s, ratio "
        f"{measured / rate_bound:.2f}; first call {first % window:.1f} s into its window; "
        f"creates per window {occupancy}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=600, help="calls per window")
    parser.add_argument("--window", type=int, default=60, help="seconds")
    parser.add_argument("--quick", action="store_true", help="400 creates at 100 per 10 s")
    parser.add_argument("--only", choices=["known", "learned"], help="run one of the two")
    args = parser.parse_args(argv)
    if args.quick:
        args.count, args.limit, args.window = 400, 100, 10
    print(f"machine: {machine()}")
    print(f"{args.count} creates at {args.limit} calls per {args.window} s")
    with tempfile.TemporaryDirectory(prefix="ratelimit-bench-") as directory:
        root = Path(directory)
        manifests = root / "manifests"
        write_messages(manifests, args.count)
        for known in (True, False):
            if args.only is None or args.only == ("known" if known else "learned"):
                run(root, manifests, args.count, args.limit, args.window, known)
    print(
        f"targets: 0 x 429 with the limits known; within {TARGET_EXCESS:.0%} of the bound "
        "(see the ratios above)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
