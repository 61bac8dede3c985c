"""One manifest, two environments: staging and production, each its own Braze workspace (two
emulators whose campaign ids differ), ledger and key, from one braze-reconciler.toml."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from tests.e2e.conftest import CAMPAIGN, NOW, NOW_TEXT

DEMO = Path(__file__).parents[2] / "reconciler" / "emulator" / "demo_workspace.yaml"
PRODUCTION_CAMPAIGN = "5b1d6a2e-7c1f-4d8e-9f0a-2b3c4d5e6f70"
STAGING_KEY = "staging-test-key-0123456789"
PRODUCTION_KEY = "production-test-key-0123456789"

MANIFEST = """kind: CampaignSchedule
name: gift-guide
spec:
  campaign_id: !var gift_guide_campaign
  broadcast: true
  trigger_properties: {discount_percent: !var discount}
  schedule:
    time: "2026-12-05T10:00:00Z"
---
kind: CampaignSchedule
name: production-only
environments: [production]
spec:
  campaign_id: !var gift_guide_campaign
  broadcast: true
  schedule:
    time: "2026-12-06T10:00:00Z"
"""


def config(staging: str, production: str) -> str:
    return f"""paths = ["manifests"]

[vars]
discount = 20

[environments.staging]
endpoint = "{staging}"
state = "sqlite:///ledgers/staging.db"
api_key_env = "STAGING_BRAZE_KEY"

[environments.staging.vars]
gift_guide_campaign = "{CAMPAIGN}"

[environments.production]
endpoint = "{production}"
state = "sqlite:///ledgers/production.db"
api_key_env = "PRODUCTION_BRAZE_KEY"

[environments.production.vars]
gift_guide_campaign = "{PRODUCTION_CAMPAIGN}"
discount = 15
"""


@pytest.fixture
def emulators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[EmbeddedEmulator, EmbeddedEmulator]]:
    seed = tmp_path / "production-seed.yaml"
    seed.write_text(
        DEMO.read_text(encoding="utf-8").replace(CAMPAIGN, PRODUCTION_CAMPAIGN), "utf-8"
    )
    for name in ("BRAZE_API_KEY", "BRAZE_REST_ENDPOINT", "BRAZE_RECONCILER_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STAGING_BRAZE_KEY", STAGING_KEY)
    monkeypatch.setenv("PRODUCTION_BRAZE_KEY", PRODUCTION_KEY)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    staging = EmulatorConfig(api_keys=(STAGING_KEY,), clock=NOW, data_dir=tmp_path / "e1")
    production = EmulatorConfig(
        api_keys=(PRODUCTION_KEY,), clock=NOW, data_dir=tmp_path / "e2", seed=seed
    )
    with EmbeddedEmulator(staging) as one, EmbeddedEmulator(production) as two:
        (tmp_path / "braze-reconciler.toml").write_text(config(one.base_url, two.base_url), "utf-8")
        (tmp_path / "manifests").mkdir()
        (tmp_path / "manifests" / "gift-guide.yaml").write_text(MANIFEST, "utf-8")
        yield one, two


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args, "--now", NOW_TEXT])
    return result.exit_code, result.stdout, result.stderr


def test_one_manifest_two_environments(
    emulators: tuple[EmbeddedEmulator, EmbeddedEmulator], tmp_path: Path
) -> None:
    staging, production = emulators
    code, out, err = run("--env", "staging", "plan")
    assert code == 0, out + err
    assert f'campaign_id = "{CAMPAIGN}" (var gift_guide_campaign)' in out
    assert "trigger_properties.discount_percent = 20 (var discount)" in out
    assert "production-only" not in out
    assert "Plan for workspace staging" in out
    code, out, err = run("--env", "production", "plan")
    assert code == 0, out + err
    assert f'campaign_id = "{PRODUCTION_CAMPAIGN}" (var gift_guide_campaign)' in out
    assert "trigger_properties.discount_percent = 15 (var discount)" in out
    assert "campaign_schedule/production-only" in out

    for name in ("staging", "production"):
        code, out, err = run("--env", name, "apply", "--auto-approve")
        assert code == 0, out + err
    assert [s["parent_id"] for s in staging.admin.schedules()] == [CAMPAIGN]
    assert sorted(s["parent_id"] for s in production.admin.schedules()) == [
        PRODUCTION_CAMPAIGN,
        PRODUCTION_CAMPAIGN,
    ]
    assert (tmp_path / "ledgers" / "staging.db").is_file()
    assert (tmp_path / "ledgers" / "production.db").is_file()
    for name in ("staging", "production"):
        code, out, err = run("--env", name, "plan", "--detailed-exitcode")
        assert code == 0, out + err
        assert "No changes." in out

    # A value of one environment changes: only its plan shows the update, with the variable.
    text = (tmp_path / "braze-reconciler.toml").read_text("utf-8")
    (tmp_path / "braze-reconciler.toml").write_text(text.replace("discount = 15", "discount = 10"))
    code, out, _ = run("--env", "production", "plan", "--detailed-exitcode")
    assert code == 2
    assert "trigger_properties.discount_percent: 15 -> 10 (var discount)" in out
    code, out, _ = run("--env", "production", "plan", "--format", "markdown")
    assert code == 0
    assert (
        "Variables: <code>campaign_id</code> (var <code>gift_guide_campaign</code>), "
        "<code>trigger_properties.discount_percent</code> (var <code>discount</code>)"
    ) in out
    code, _, _ = run("--env", "staging", "plan", "--detailed-exitcode")
    assert code == 0


def test_validate_checks_every_environment_defines_every_variable(
    emulators: tuple[EmbeddedEmulator, EmbeddedEmulator], tmp_path: Path
) -> None:
    code, out, err = run("validate")
    assert code == 0, out + err
    path = tmp_path / "braze-reconciler.toml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("[vars]\ndiscount = 20\n", ""), "utf-8")
    code, out, _ = run("validate")
    assert code == 3
    # Production defines discount itself; staging does not.
    assert "unknown variable 'discount' in environment staging" in out
    assert "in environment production" not in out
    code, out, _ = run("--env", "production", "validate")
    assert code == 0, out
    # The selected environment's plan refuses it at its position.
    code, _, err = run("--env", "staging", "plan")
    assert code == 3
    assert "manifests/gift-guide.yaml:6:42: error" in err


def test_plan_settings_from_the_file_and_the_flag_over_them(
    emulators: tuple[EmbeddedEmulator, EmbeddedEmulator], tmp_path: Path
) -> None:
    path = tmp_path / "braze-reconciler.toml"
    text = path.read_text("utf-8")
    path.write_text(
        text.replace('paths = ["manifests"]', 'paths = ["manifests"]\nfreeze_window = "30d"')
    )
    code, out, _ = run("--env", "staging", "plan")
    assert code == 4, out  # every send is within 30 days: frozen
    assert "(frozen)" in out
    code, out, _ = run("--env", "staging", "plan", "--freeze-window", "15m")
    assert code == 0, out
    # Each environment may set its own: staging's section over the top level.
    path.write_text(
        path.read_text("utf-8").replace(
            'api_key_env = "STAGING_BRAZE_KEY"',
            'api_key_env = "STAGING_BRAZE_KEY"\nfreeze_window = "1h"',
        )
    )
    assert run("--env", "staging", "plan")[0] == 0
    assert run("--env", "production", "plan")[0] == 4


def test_an_environment_without_manifests_of_its_own(
    emulators: tuple[EmbeddedEmulator, EmbeddedEmulator], tmp_path: Path
) -> None:
    staging, _ = emulators
    manifest = tmp_path / "manifests" / "gift-guide.yaml"
    code, out, err = run("--env", "staging", "apply", "--auto-approve")
    assert code == 0, out + err
    # Both manifests now limited to production: staging declares nothing.
    manifest.write_text(
        MANIFEST.replace("name: gift-guide\n", "name: gift-guide\nenvironments: [production]\n"),
        "utf-8",
    )
    code, out, err = run("--env", "staging", "validate")
    assert code == 0, out + err
    assert "2 manifests are limited to other environments" in err
    # The recorded gift-guide is planned for deletion, said so, and deleting every managed
    # resource still needs --allow-destroy.
    code, out, err = run("--env", "staging", "plan")
    assert "no manifest is declared for environment staging: 2 manifests" in out + err
    assert (
        "campaign_schedule/gift-guide: recorded in environment staging, whose manifest is now "
        "limited to other environments" in out + err
    )
    code, out, err = run("--env", "staging", "apply", "--auto-approve")
    assert code != 0, out + err
    assert "--allow-destroy" in out + err
    assert [s["status"] for s in staging.admin.schedules()] == ["scheduled"]


def test_a_plan_names_its_environment(
    emulators: tuple[EmbeddedEmulator, EmbeddedEmulator], tmp_path: Path
) -> None:
    code, out, err = run("--env", "staging", "plan", "--format", "json", "--out", "s.plan")
    assert code == 0, out + err
    assert json.loads(out)["environment"] == "staging"
    assert "apply it with: braze-reconciler --env staging apply --plan s.plan" in err
    code, out, err = run("--env", "production", "plan", "--format", "markdown")
    assert "### braze-reconciler plan for environment <code>production</code> (workspace " in out
