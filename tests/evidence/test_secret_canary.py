"""Secret canary: run every command with canary API keys, through success and every error
path, with ``-vv`` logging, and prove no key appears in any output, log, plan file, ledger,
export, error message, or anywhere in the project's directory.

Three canaries: one the emulator accepts, one it does not know (401), one lacking the
permission (403). Commands run in-process through click's runner (each with the secret
registry emptied, as in a fresh process) and, for the main paths, as real processes with
the key in the environment and in ``--api-key-file``. The emulator keeps its keys in memory
(its seed and ``--api-key``); its data directory holds schedules only, and is checked too.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reconciler import secrets as secret_registry
from reconciler.cli import cli
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from reconciler.state.sqlite import SqliteStore
from tests.e2e.conftest import NOW, NOW_TEXT, scheduled_message

ROOT = Path(__file__).parents[2]
DEMO_WORKSPACE = ROOT / "reconciler" / "emulator" / "demo_workspace.yaml"
UNKNOWN_CAMPAIGN = "00000000-0000-4000-8000-000000000000"
CAMPAIGN = "924cd632-0dc9-4a59-a3f1-b892936fd233"


def canary(label: str) -> str:
    return f"canary-{label}-{secrets.token_hex(16)}"


PLAN_KEY = canary("plan")
"""Signs saved plans: a secret like the API key, never shown either."""


@dataclasses.dataclass(frozen=True)
class Captured:
    label: str
    code: int
    text: str


@dataclasses.dataclass
class Canary:
    root: Path
    emulator: EmbeddedEmulator
    good: str
    wrong: str
    limited: str
    monkeypatch: pytest.MonkeyPatch
    captured: list[Captured] = dataclasses.field(default_factory=list)

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.good, self.wrong, self.limited, PLAN_KEY)

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"

    def write(self, name: str, text: str) -> None:
        path = self.manifests / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def cli(
        self,
        *args: str,
        key: str | None = None,
        endpoint: str | None = None,
        expect: int,
        global_args: tuple[str, ...] = (),
    ) -> Captured:
        """One command, as if in a fresh process (nothing registered for redaction yet)."""
        self.monkeypatch.setattr(secret_registry, "_secrets", set())
        env = {
            "BRAZE_API_KEY": key if key is not None else self.good,
            "BRAZE_RECONCILER_PLAN_KEY": PLAN_KEY,
        }
        full = [
            "-vv",
            "--endpoint",
            endpoint or self.emulator.base_url,
            "--state",
            f"sqlite:///{self.root / 'ledger' / 'state.db'}",
            *global_args,
            *args,
        ]
        result = CliRunner().invoke(cli, full, env=env)
        text = result.stdout + result.stderr
        captured = Captured(" ".join(args[:3]), result.exit_code, text)
        self.captured.append(captured)
        assert result.exit_code == expect, (args, result.exit_code, text[-3000:])
        return captured

    def process(self, *args: str, expect: int, key_file: Path | None = None) -> Captured:
        """The same through a real process: key from the environment or --api-key-file."""
        env = dict(os.environ) | {
            "BRAZE_API_KEY": "" if key_file else self.good,
            "BRAZE_RECONCILER_PLAN_KEY": PLAN_KEY,
        }
        key_args = ["--api-key-file", str(key_file)] if key_file else []
        command = [
            sys.executable, "-m", "reconciler", "-vv", "--endpoint", self.emulator.base_url,
            "--state", f"sqlite:///{self.root / 'ledger' / 'state.db'}", *key_args, *args,
        ]  # fmt: skip
        result = subprocess.run(
            command, cwd=self.root, env=env, capture_output=True, text=True, timeout=120
        )
        captured = Captured(
            "process " + " ".join(args[:3]), result.returncode, result.stdout + result.stderr
        )
        self.captured.append(captured)
        assert result.returncode == expect, (args, result.returncode, result.stderr[-3000:])
        return captured

    def faults(self, *rules: dict[str, object]) -> None:
        self.emulator.admin.set_faults(list(rules), seed=1)


@pytest.fixture
def canary_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Canary]:
    monkeypatch.chdir(tmp_path)
    good, wrong, limited = canary("good"), canary("wrong"), canary("limited")
    seed = tmp_path / "emulator-seed" / "seed.yaml"  # the emulator's own key store
    seed.parent.mkdir()
    seed.write_text(
        DEMO_WORKSPACE.read_text(encoding="utf-8").replace(
            "api_keys: []",
            f"api_keys:\n  - {{key: {limited}, permissions: [messages.schedule_broadcasts]}}",
        ),
        encoding="utf-8",
    )
    config = EmulatorConfig(
        api_keys=(good,), clock=NOW, data_dir=tmp_path / "emulator-data", seed=seed
    )
    with EmbeddedEmulator(config) as emulator:
        yield Canary(tmp_path, emulator, good, wrong, limited, monkeypatch)


TEST_GROUP = "kind: TestGroup\nname: qa\nspec:\n  recipients:\n    - external_user_id: qa-1\n"


def message(name: str, alert: str = "Sale") -> str:
    return scheduled_message(name, alert=alert)


def test_no_api_key_appears_anywhere(canary_project: Canary) -> None:
    c = canary_project
    manifests = str(c.manifests)
    for index in range(3):
        c.write(f"m{index}.yaml", message(f"m{index}", alert=f"A{index}"))

    # validate, plan (every format, saved), apply; then a saved plan, applied and then stale
    for output_format in ("text", "json", "github"):
        c.cli("validate", manifests, "--format", output_format, expect=0)
    for output_format in ("text", "markdown", "json"):
        c.cli("plan", manifests, "--format", output_format, "--now", NOW_TEXT, expect=0)
    c.cli("plan", manifests, "--detailed-exitcode", "--now", NOW_TEXT, expect=2)
    c.cli("plan", manifests, "--out", str(c.root / "first.json"), "--now", NOW_TEXT, expect=0)
    c.cli("apply", manifests, "--auto-approve", "--now", NOW_TEXT, expect=0)
    c.cli("apply", manifests, "--auto-approve", "--now", NOW_TEXT, "--format", "json", expect=0)
    c.write("m0.yaml", message("m0", alert="A0 v2"))
    saved = str(c.root / "saved.json")
    c.cli("plan", manifests, "--out", saved, "--format", "json", "--now", NOW_TEXT, expect=0)
    c.cli("apply", "--plan", saved, manifests, "--auto-approve", "--now", NOW_TEXT, expect=0)
    c.cli("apply", "--plan", saved, manifests, "--auto-approve", "--now", NOW_TEXT, expect=5)
    c.cli("apply", "--plan", str(c.root / "first.json"), manifests, "--auto-approve", expect=5)

    # Braze refusing the key (401), or the permission (403); a fatal 400
    c.write("m3.yaml", message("m3", alert="A3"))
    refused = c.cli("apply", manifests, "--auto-approve", "--now", NOW_TEXT, key=c.wrong, expect=3)
    assert "the API key is not the one the ledger workspace 'default'" in refused.text
    fresh = ("--workspace", "fresh")  # not bound to a key yet: the call reaches Braze
    unauthorized = c.cli(
        "apply", manifests, "--auto-approve", "--now", NOW_TEXT, key=c.wrong, global_args=fresh,
        expect=7,
    )  # fmt: skip
    assert "Unauthorized" in unauthorized.text
    denied = c.cli(
        "apply", manifests, "--auto-approve", "--now", NOW_TEXT, key=c.limited,
        global_args=("--workspace", "fresh-limited"), expect=7,
    )  # fmt: skip
    assert "Access Denied" in denied.text
    bad_campaign = (
        f"kind: CampaignSchedule\nname: bad\nspec:\n  campaign_id: {UNKNOWN_CAMPAIGN}\n"
        "  broadcast: true\n  schedule: {time: '2026-12-05T10:00:00Z'}\n"
    )
    c.write("bad.yaml", bad_campaign)
    target = ("--target", "campaign_schedule/bad")
    # --offline: past the reference checks (which would block it), to Braze's own refusal
    failed = c.cli(
        "apply", manifests, "--auto-approve", "--now", NOW_TEXT, "--offline", *target, expect=7
    )
    assert "Invalid Campaign ID" in failed.text
    (c.manifests / "bad.yaml").unlink()

    # Faults: 429, 500 and 503 retried; 504 on an update retried; a timeout, a reset and a
    # dropped answer make creates uncertain; then plan is blocked and state resolve settles
    c.faults(
        {"endpoint": "/messages/schedule/create", "fault": "429", "count": 1, "delay": 0},
        {"endpoint": "/messages/schedule/create", "fault": "500", "count": 1},
        {"endpoint": "/messages/schedule/create", "fault": "503", "count": 1},
    )
    c.cli("apply", manifests, "--auto-approve", "--now", NOW_TEXT, "--parallelism", "1", expect=0)
    c.write("m1.yaml", message("m1", alert="A1 v2"))
    c.faults({"endpoint": "/messages/schedule/update", "fault": "504", "count": 1})
    c.cli("apply", manifests, "--auto-approve", "--now", NOW_TEXT, expect=0)
    c.write("t.yaml", message("t", alert="T"))
    c.write("r.yaml", message("r", alert="R"))
    c.write("d.yaml", message("d", alert="D"))
    c.faults(
        {"endpoint": "/messages/schedule/create", "fault": "timeout", "count": 1, "delay": 2},
        {"endpoint": "/messages/schedule/create", "fault": "reset", "count": 1},
        {"endpoint": "/messages/schedule/create", "fault": "drop_after_commit", "count": 1},
    )
    apply_args = ("--auto-approve", "--now", NOW_TEXT, "--parallelism", "1")
    timeouts = ("--request-timeout", "1")
    uncertain = c.cli("apply", manifests, *apply_args, *timeouts, expect=7)
    assert uncertain.text.count("uncertain  create") == 3
    c.faults()
    c.cli("plan", manifests, "--now", NOW_TEXT, expect=4)
    c.cli("apply", manifests, "--auto-approve", "--now", NOW_TEXT, expect=4)
    live = {s["body"]["messages"]["apple_push"]["alert"]: s for s in c.emulator.admin.schedules()}
    for name, alert in (("t", "T"), ("r", "R"), ("d", "D")):
        found = live.get(alert)
        how = ["--schedule-id", found["schedule_id"]] if found else ["--absent"]
        c.cli("state", "resolve", f"scheduled_message/{name}", *how, expect=0)
    c.cli("state", "resolve", "scheduled_message/t", "--absent", expect=3)
    c.cli("apply", manifests, "--auto-approve", "--now", NOW_TEXT, expect=0)

    # A locked ledger, and its repair
    with SqliteStore(c.root / "ledger" / "state.db", "default") as store:
        lock = store.acquire_lock("apply", "someone else pid 1")
        c.cli("apply", manifests, "--auto-approve", "--now", NOW_TEXT, expect=6)
        c.cli("state", "rm", "scheduled_message/m2", expect=6)
    c.cli("state", "force-unlock", lock.lock_id, expect=0)
    c.cli("state", "force-unlock", lock.lock_id, expect=1)

    # Invalid manifests, a bad key, bad endpoints (unknown, refused, another than the ledger's)
    (c.root / "broken").mkdir()
    (c.root / "broken" / "x.yaml").write_text("kind: ScheduledMessage\nname: Bad Name\nspec: {}\n")
    broken = str(c.root / "broken")
    c.cli("validate", broken, expect=3)
    c.cli("plan", broken, "--now", NOW_TEXT, expect=3)
    c.cli("apply", broken, "--auto-approve", "--now", NOW_TEXT, expect=3)
    c.cli("apply", manifests, *apply_args, key=f'"{c.good}"', expect=3)
    c.cli("plan", manifests, "--now", NOW_TEXT, endpoint="not a url", expect=3)
    c.cli("plan", manifests, "--now", NOW_TEXT, endpoint="http://127.0.0.1:9", expect=3)
    refused_port = c.cli(
        "apply",
        str(c.manifests / "m0.yaml"),
        *apply_args,
        endpoint="http://127.0.0.1:9",
        global_args=("--workspace", "unreachable"),
        expect=7,
    )
    assert "could not connect" in refused_port.text

    # import (adopt an existing schedule), every state subcommand, schema
    created = httpx.post(
        c.emulator.base_url + "/messages/schedule/create",
        headers={"Authorization": f"Bearer {c.good}"},
        json={
            "broadcast": True,
            "segment_id": "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02",
            "schedule": {"time": "2026-12-04T10:00:00Z"},
            "messages": {"apple_push": {"alert": "adopted"}},
        },
    ).json()
    c.write("adopted.yaml", message("adopted", alert="adopted v2"))
    address = "scheduled_message/adopted"
    c.cli("import", address, created["schedule_id"], "--path", manifests, expect=0)
    c.cli("import", address, created["schedule_id"], "--path", manifests, expect=3)
    c.cli("apply", manifests, "--auto-approve", "--now", NOW_TEXT, expect=0)
    c.cli("state", "list", expect=0)
    c.cli("state", "list", "--all", "--format", "json", expect=0)
    c.cli("state", "show", address, expect=0)
    c.cli("state", "show", "scheduled_message/nothing", expect=3)
    export = c.root / "export.json"
    c.cli("state", "export", expect=0)
    c.cli("state", "export", "--out", str(export), expect=0)
    c.cli("state", "import-json", str(export), global_args=("--workspace", "copy"), expect=0)
    c.cli("state", "import-json", str(c.root / "missing.json"), expect=3)
    c.cli("state", "rebind-key", expect=0)
    c.cli("state", "rm", "scheduled_message/m2", expect=0)
    c.cli("state", "rm", "scheduled_message/m2", expect=3)
    c.cli("schema", "--out", "-", expect=0)
    c.cli("schema", "--out", str(c.root / "schema.json"), expect=0)

    # The emulator command's error paths, with a key given to it
    bad_seed = c.root / "bad-seed.yaml"
    bad_seed.write_text("campaigns:\n  - id: c1\n    api_triggerd: true\n", encoding="utf-8")
    emulator_key = ("--api-key", c.good)
    c.cli("emulator", *emulator_key, "--seed", str(bad_seed), expect=3)
    port = int(c.emulator.base_url.rsplit(":", 1)[1])
    c.cli("emulator", *emulator_key, "--port", str(port), expect=3)
    bad_faults = c.root / "faults.json"
    bad_faults.write_text('{"rules": [{"fault": "explode"}]}', encoding="utf-8")
    c.cli("emulator", *emulator_key, "--faults", str(bad_faults), expect=3)

    # audit: every format, drift, drafts of expectations; a refused key
    audit = ("audit", manifests, "--now", NOW_TEXT)
    for output_format in ("text", "markdown", "json"):
        c.cli(*audit, "--format", output_format, expect=0)
    c.cli(*audit, "--fail-on-drift", expect=2)
    c.cli(*audit, "--generate-expectations", str(c.root / "expectations"), expect=0)
    c.cli(*audit, key=c.limited, expect=0)  # listing broadcasts is the one permission it has
    c.cli(*audit, key=c.wrong, expect=1)

    # doctor: every format; a refused key, a key lacking permissions, an unreachable endpoint
    checkup = ("doctor", manifests, "--now", NOW_TEXT)
    for output_format in ("text", "json"):
        c.cli(*checkup, "--format", output_format, expect=0)
    c.cli(*checkup, key=c.wrong, expect=3)
    c.cli(*checkup, key=c.limited, expect=3)
    c.cli(*checkup, "--for", "audit", key=c.limited, global_args=("--workspace", "x"), expect=0)
    c.cli(*checkup, endpoint="http://127.0.0.1:9", global_args=("--workspace", "y"), expect=3)

    # preview: sent, skipped, refused without a terminal, uncertain, refused keys (401, 403)
    c.write("group.yaml", TEST_GROUP)
    previewed = ("--target", "scheduled_message/m0", "--now", NOW_TEXT)
    preview = ("preview", manifests, "--to", "qa", *previewed)
    c.cli(*preview, "--yes", expect=0)
    c.cli(*preview, "--yes", "--format", "json", expect=0)
    c.cli(*preview, expect=3)
    c.faults({"endpoint": "/messages/send", "fault": "drop_after_commit", "count": 1})
    c.cli(*preview, "--yes", "--again", expect=7)
    c.faults()
    c.cli(*preview, "--yes", key=c.wrong, expect=3)
    c.cli(*preview, "--yes", key=c.wrong, global_args=("--workspace", "preview-x"), expect=7)
    c.cli(*preview, "--yes", key=c.limited, global_args=("--workspace", "preview-y"), expect=7)

    # Real processes: the key from the environment, and from --api-key-file
    key_file = c.root / "keys" / "braze.key"
    key_file.parent.mkdir()
    key_file.write_text(c.good + "\n", encoding="utf-8")
    c.write("p.yaml", message("p", alert="P"))
    c.process("plan", manifests, "--now", NOW_TEXT, "--format", "markdown", expect=0)
    c.process("apply", manifests, "--auto-approve", "--now", NOW_TEXT, expect=0, key_file=key_file)
    c.process(
        "preview", manifests, "--to", "qa", "--target", "scheduled_message/p", "--yes",
        "--now", NOW_TEXT, expect=0, key_file=key_file,
    )  # fmt: skip
    c.process("state", "export", expect=0, key_file=key_file)
    c.process("audit", manifests, "--now", NOW_TEXT, "--format", "json", expect=0)
    c.process("doctor", manifests, "--now", NOW_TEXT, expect=0, key_file=key_file)
    c.process("apply", broken, "--auto-approve", "--now", NOW_TEXT, expect=3, key_file=key_file)
    empty = c.root / "keys" / "empty.key"
    empty.write_text("", encoding="utf-8")
    c.process("apply", manifests, "--auto-approve", expect=3, key_file=empty)
    key_file.unlink()

    assert_no_key_anywhere(c)


def assert_no_key_anywhere(c: Canary) -> None:
    # the key, or a recognisable part of it (a truncated message would still leak)
    needles = [n for key in c.keys for n in (key, key.rsplit("-", 1)[1][:16])]
    leaks = [
        (captured.label, needle)
        for captured in c.captured
        for needle in needles
        if needle in captured.text
    ]
    assert leaks == []
    # Every file of the run but the emulator's seed, which holds its keys by design.
    seed = c.root / "emulator-seed" / "seed.yaml"
    files = [path for path in c.root.rglob("*") if path.is_file() and path != seed]
    names = {path.name for path in files}
    # what the run wrote: plan files, the ledger (and its WAL), the export, the emulator's data
    assert {"first.json", "saved.json", "state.db", "export.json", "emulator.sqlite3"} <= names
    for path in files:
        data = path.read_bytes()
        found = [needle for needle in needles if needle.encode() in data]
        assert found == [], f"{path} holds {found}"
    assert len(c.captured) > 60
    # the search finds a key where one is: in the emulator's seed, and -vv logs were captured
    assert c.limited.encode() in seed.read_bytes()
    assert sum("DEBUG reconciler.braze.client" in captured.text for captured in c.captured) > 5
    with socket.socket() as probe:  # the port the emulator command was refused stays taken
        assert probe.connect_ex(("127.0.0.1", int(c.emulator.base_url.rsplit(":", 1)[1]))) == 0
    ledger_export = json.loads((c.root / "export.json").read_text(encoding="utf-8"))
    assert ledger_export["records"], "the export must hold the records"
