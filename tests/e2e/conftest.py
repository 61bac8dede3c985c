"""End-to-end: the real CLI against the real emulator over loopback, with a real ledger."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig

KEY = "e2e-test-key-0123456789"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NOW_TEXT = "2026-12-01T08:00:00Z"
CAMPAIGN = "64e10856-01be-4aba-b5f7-c8418b2bbdb6"  # Store announcements: no trigger properties
CANVAS = "b1cabb11-07ca-4cf2-9d7e-9485ea537e0d"  # Holiday check-in: context.offer
SEGMENT = "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02"
FLASH_CAMPAIGN = "d111a44a-a347-4ab0-837e-9142cbd2a2fe"


@dataclasses.dataclass
class Result:
    code: int
    stdout: str
    stderr: str


@dataclasses.dataclass
class Project:
    """A working directory with manifests, a ledger, and the emulator behind the CLI."""

    root: Path
    emulator: EmbeddedEmulator
    state: str

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"

    def write(self, name: str, text: str) -> Path:
        path = self.manifests / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def remove(self, name: str) -> None:
        (self.manifests / name).unlink()

    def run(self, *args: str, now: str | None = NOW_TEXT, endpoint: str | None = None) -> Result:
        command = list(args)
        if now is not None and command[0] in ("plan", "apply", "validate", "audit", "import"):
            command += ["--now", now]
        full = [
            "--endpoint",
            endpoint or self.emulator.base_url,
            "--state",
            self.state,
            *command,
        ]
        result = CliRunner().invoke(cli, full)
        return Result(result.exit_code, result.stdout, result.stderr)

    def plan(self, *extra: str) -> Result:
        return self.run("plan", str(self.manifests), *extra)

    def apply(self, *extra: str) -> Result:
        return self.run("apply", str(self.manifests), "--auto-approve", *extra)

    def assert_converged(self) -> None:
        """After every apply: plan again and expect no changes."""
        result = self.plan("--detailed-exitcode")
        assert result.code == 0, result.stdout + result.stderr
        assert "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete" in result.stdout

    def schedules(self, **filters: str) -> list[dict[str, Any]]:
        return self.emulator.admin.schedules(**filters)

    def live(self) -> list[dict[str, Any]]:
        return [s for s in self.schedules() if s["status"] == "scheduled"]


def open_project(
    root: Path, monkeypatch: pytest.MonkeyPatch, *, seed: Path | None = None
) -> Iterator[Project]:
    """A working directory ``root`` with the emulator (the demo workspace, or ``seed``) on
    loopback, a SQLite ledger, and the CLI's key in the environment."""
    monkeypatch.setenv("BRAZE_API_KEY", KEY)
    monkeypatch.delenv("BRAZE_RECONCILER_NOW", raising=False)
    monkeypatch.chdir(root)
    config = EmulatorConfig(api_keys=(KEY,), clock=NOW, data_dir=root / "emulator", seed=seed)
    with EmbeddedEmulator(config) as emulator:
        yield Project(root, emulator, f"sqlite:///{root / 'ledger' / 'state.db'}")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The end-to-end project: the real CLI, the emulator on loopback, a SQLite ledger."""
    yield from open_project(tmp_path, monkeypatch)


def campaign_schedule(
    name: str,
    time: str = "2026-12-05T10:00:00Z",
    *,
    extra: str = "",
    local: bool = False,
    protect: bool = False,
) -> str:
    local_line = "\n    in_local_time: true" if local else ""
    return f"""kind: CampaignSchedule
name: {name}
protect: {str(protect).lower()}
spec:
  campaign_id: {CAMPAIGN}
  broadcast: true{extra}
  schedule:
    time: "{time}"{local_line}
"""


def canvas_schedule(name: str, time: str = "2026-12-09T09:00:00Z", offer: str = "FREESHIP") -> str:
    return f"""kind: CanvasSchedule
name: {name}
spec:
  canvas_id: {CANVAS}
  broadcast: true
  context: {{offer: {offer}}}
  schedule: {{time: "{time}"}}
"""


def scheduled_message(
    name: str, time: str = "2026-12-03T15:00:00Z", alert: str = "Sale", segment: str = SEGMENT
) -> str:
    return f"""kind: ScheduledMessage
name: {name}
spec:
  broadcast: true
  segment_id: {segment}
  schedule: {{time: "{time}"}}
  messages:
    apple_push: {{alert: "{alert}"}}
"""
