"""The reference checks' cost: ``plan examples/`` with its lookups against ``plan --offline``
(which makes none: the plan as it was before the checks), each as a cold process, against the
emulator in its own process with a per-call latency like a real endpoint's.

    python benchmarks/references_bench.py [--repeat 5] [--latency 80] [--baseline-src DIR]

``--baseline-src`` runs the offline figure from another source tree too (a checkout of the
commit before the checks), so that "before" is the old code, not only the old behaviour.
Target (issue 13): a plan of examples/ stays under one second more than before.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_support import NOW_TEXT, Run, emulator_process, machine, run_cli

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 1.0


def _runs(
    label: str,
    args: list[str],
    workdir: Path,
    source: Path,
    repeat: int,
    expect: str,
) -> list[Run]:
    runs = []
    for _ in range(repeat):
        run = run_cli(args, workdir, env={"PYTHONPATH": str(source)})
        if run.code != 0 or expect not in run.stdout:
            raise SystemExit(f"{label}: unexpected plan (exit {run.code}):\n{run.stdout[-2000:]}")
        runs.append(run)
    seconds = sorted(r.seconds for r in runs)
    print(
        f"{label}: wall {statistics.median(seconds):.2f} s median of {repeat} "
        f"({', '.join(f'{s:.2f}' for s in seconds)})"
    )
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--latency", type=float, default=80.0, help="ms per emulated call")
    parser.add_argument("--baseline-src", type=Path, default=None)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp, emulator_process(latency_ms=args.latency) as emu:
        workdir = Path(tmp)
        shutil.copytree(REPO / "examples", workdir / "examples")
        common = ["--endpoint", emu.base_url, "--state", f"sqlite:///{workdir / 'state.db'}"]
        plan = [*common, "plan", "examples/", "--now", NOW_TEXT]
        summary = "Plan: 10 to create"
        _runs("warm-up", [*plan, "--offline"], workdir, REPO, 1, summary)
        before = _runs("plan --offline (no lookups)", [*plan, "--offline"], workdir, REPO,
                       args.repeat, summary)  # fmt: skip
        calls = emu.admin.stats()["total"]
        after = _runs("plan with reference checks", plan, workdir, REPO, args.repeat,
                      "Reference checks: 6 lookups")  # fmt: skip
        lookups = emu.admin.stats()["total"] - calls
        baseline = None
        if args.baseline_src is not None:
            baseline = _runs(f"plan at {args.baseline_src} (before the checks)", plan, workdir,
                             args.baseline_src, args.repeat, summary)  # fmt: skip
    median = statistics.median
    offline = median(r.seconds for r in before)
    online = median(r.seconds for r in after)
    print(
        f"emulated latency {args.latency:.0f} ms per call; {lookups} lookups in {args.repeat} runs"
    )
    print(f"added by the reference checks: {online - offline:+.2f} s (median against median)")
    worst = online - offline
    if baseline is not None:
        old = median(r.seconds for r in baseline)
        print(f"against the code before the checks: {online - old:+.2f} s")
        worst = max(worst, online - old)
    met = worst < TARGET_SECONDS
    print(f"target: under {TARGET_SECONDS:.0f} s more than before: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
