"""Shared by the benchmark scripts: manifests, an emulator in its own process, the CLI as a
cold process with its peak memory, and a ledger filled the way an apply fills it."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from reconciler.emulator.admin_client import AdminClient
from reconciler.manifest.resource import Resource
from reconciler.state.base import Record, RecordStatus
from reconciler.state.sql import RECORD_UPSERT, record_params
from reconciler.state.sqlite import SqliteStore

KEY = "bench-key-0123456789abcdef"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NOW_TEXT = "2026-12-01T08:00:00Z"
SEGMENT = "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02"


def message_document(index: int, alert: str | None = None) -> str:
    """A scheduled message: not broadcast-limited, so volume is paced by the shared bucket."""
    hour = index % 24
    minute = (index // 24) % 60
    return f"""kind: ScheduledMessage
name: message-{index:05d}
spec:
  broadcast: true
  segment_id: {SEGMENT}
  schedule: {{time: "2026-12-10T{hour:02d}:{minute:02d}:00Z"}}
  messages:
    apple_push: {{alert: "{alert or f"Bench {index}"}"}}
"""


def write_messages(root: Path, count: int, per_file: int = 20) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for start in range(0, count, per_file):
        docs = [message_document(i) for i in range(start, min(count, start + per_file))]
        (root / f"messages-{start // per_file:04d}.yaml").write_text(
            "---\n".join(docs), encoding="utf-8"
        )


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{os.uname().sysname} {os.uname().release}"
    )


@dataclasses.dataclass
class EmulatorProcess:
    base_url: str
    process: subprocess.Popen[str]
    admin: AdminClient


@contextmanager
def emulator_process(
    *,
    latency_ms: float = 0.0,
    hourly_limit: int | None = None,
    limit_window: int | None = None,
    data_dir: Path | None = None,
) -> Iterator[EmulatorProcess]:
    """``braze-reconciler emulator`` in its own process (its own core and GIL)."""
    command = [
        sys.executable, "-m", "reconciler", "emulator", "--port", "0", "--api-key", KEY,
        "--clock", NOW_TEXT, "--latency", str(latency_ms),
    ]  # fmt: skip
    if hourly_limit is not None:
        command += ["--hourly-limit", str(hourly_limit)]
    if limit_window is not None:
        command += ["--limit-window", str(limit_window)]
    if data_dir is not None:
        command += ["--data", str(data_dir)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.match(r"Braze emulator listening on (\S+) ", line)
        if match is None:
            raise RuntimeError(f"the emulator did not start: {line!r}")
        admin = AdminClient(match.group(1))
        try:
            yield EmulatorProcess(match.group(1), process, admin)
        finally:
            admin.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclasses.dataclass(frozen=True)
class Run:
    code: int
    seconds: float
    max_rss_mb: float
    """Peak resident memory of the largest process of the run's tree (its loader workers)."""
    stdout: str
    stderr: str


def run_cli(args: Sequence[str], workdir: Path, env: dict[str, str] | None = None) -> Run:
    """``python -m reconciler ARGS`` as a cold process, as users run it; peak RSS by wait4."""
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    environment = dict(os.environ) | {"BRAZE_API_KEY": KEY} | (env or {})
    started = time.perf_counter()
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "reconciler", *args],
            stdout=stdout,
            stderr=stderr,
            env=environment,
            cwd=workdir,
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        process.returncode,
        seconds,
        usage.ru_maxrss / 1024,
        out.read_text(encoding="utf-8"),
        err.read_text(encoding="utf-8"),
    )


def applied_record(resource: Resource, schedule_id: str) -> Record:
    """The record the applier writes after a successful create of ``resource``."""
    return Record(
        address=resource.address,
        kind=resource.kind,
        status=RecordStatus.ACTIVE,
        parent_id=resource.parent_id,
        schedule_id=None if resource.kind == "SendId" else schedule_id,
        dispatch_id=f"dispatch-{schedule_id}",
        body=dict(resource.body),
        body_hash=resource.body_hash,
        schedule_time=resource.schedule_time,
        schedule_mode=resource.schedule_mode,
        protect=resource.protect,
        labels=dict(resource.labels),
        created_at=NOW,
        updated_at=NOW,
    )


def fill_ledger(store: SqliteStore, records: Iterable[Record]) -> int:
    """Write records with the store's own upsert, in one transaction (an apply writes each in
    its own; only the setup time differs, not what the plan then reads)."""
    count = 0
    with store.transaction(write=True) as tx:
        for record in records:
            tx.execute(RECORD_UPSERT, record_params(store.workspace, record))
            count += 1
    return count
