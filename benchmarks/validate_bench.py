"""Time and peak memory of `validate` on a generated tree (default 10,000 resources, 500 files).

Runs the real command in a fresh process, as a pre-commit hook or CI would, a few times, and
prints the figures. Usage: python benchmarks/validate_bench.py [--resources N] [--files F]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from manifest_tree import write_tree


def run_once(root: Path) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MiB) of the largest process of one `validate`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "reconciler",
            "validate",
            str(root),
            "--now",
            "2026-12-01T00:00:00Z",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"validate failed ({result.returncode}): {result.stdout[-500:]}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "manifests"
        write_tree(root, args.resources, args.files)
        size = sum(path.stat().st_size for path in root.rglob("*.yaml"))
        lines = sum(path.read_text().count("\n") for path in root.rglob("*.yaml"))
        print(
            f"tree: {args.resources:,} resources in {args.files} files, {lines:,} lines, "
            f"{size / 1048576:.1f} MiB; {os.cpu_count()} cores"
        )
        times = []
        peak = 0.0
        for run in range(1, args.runs + 1):
            elapsed, peak = run_once(root)
            times.append(elapsed)
            print(f"run {run}: {elapsed:.2f} s")
        print(
            f"validate: best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s, "
            f"peak RSS {peak:.0f} MiB"
        )


if __name__ == "__main__":
    main()
