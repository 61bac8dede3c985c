"""Precedence, first found wins: flag > environment variable > the environment's section >
the top level > the default; `config` shows each value and where it came from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.config import find_config

CONFIG = """paths = ["manifests"]
endpoint = "https://rest.fra-01.braze.eu"
workspace = "top"
freeze_window = "20m"
[environments.staging]
endpoint = "https://rest.iad-03.braze.com"
api_key_env = "BRAZE_STAGING_KEY"
[environments.staging.vars]
campaign = "924cd632-0dc9-4a59-a3f1-b892936fd233"
[environments.production]
api_key_file = "secrets/prod.key"
workspace = "production"
"""
_VARIABLES = (
    "BRAZE_REST_ENDPOINT",
    "BRAZE_RECONCILER_WORKSPACE",
    "BRAZE_RECONCILER_STATE",
    "BRAZE_RECONCILER_ENV",
    "BRAZE_RECONCILER_CONFIG",
    "BRAZE_API_KEY",
    "BRAZE_STAGING_KEY",
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / "braze-reconciler.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "manifests").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def shown(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, [*args, "config", "--format", "json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    document["by_name"] = {row["name"]: row for row in document["settings"]}
    return document


def endpoint(*args: str) -> tuple[str | None, str]:
    row = shown(*args)["by_name"]["endpoint"]
    return row["value"], row["source"]


def test_precedence_table(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The default: nothing anywhere (no file either).
    (project / "braze-reconciler.toml").rename(project / "elsewhere.toml")
    assert endpoint() == (None, "default")
    (project / "elsewhere.toml").rename(project / "braze-reconciler.toml")
    # The top level, then the environment's section over it.
    assert endpoint() == ("https://rest.fra-01.braze.eu", "top level, braze-reconciler.toml:2")
    assert endpoint("--env", "staging") == (
        "https://rest.iad-03.braze.com",
        "[environments.staging], braze-reconciler.toml:6",
    )
    # An environment without the setting falls back to the top level.
    assert endpoint("--env", "production")[0] == "https://rest.fra-01.braze.eu"
    # The environment variable over the file; the flag over the environment variable.
    monkeypatch.setenv("BRAZE_REST_ENDPOINT", "US-05")
    assert endpoint("--env", "staging") == ("US-05", "BRAZE_REST_ENDPOINT")
    assert endpoint("--env", "staging", "--endpoint", "US-08") == ("US-08", "--endpoint")
    # A flag after the command counts as much as one before it.
    result = CliRunner().invoke(
        cli, ["--env", "staging", "config", "--format", "json", "--endpoint", "local"]
    )
    rows = {row["name"]: row for row in json.loads(result.stdout)["settings"]}
    assert rows["endpoint"]["value"] == "local"
    assert rows["endpoint"]["source"] == "--endpoint"


def test_the_environment_from_the_variable_and_the_flag(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRAZE_RECONCILER_ENV", "production")
    document = shown()
    assert (document["environment"], document["environment_source"]) == (
        "production",
        "BRAZE_RECONCILER_ENV",
    )
    assert shown("--env", "staging")["environment"] == "staging"


def test_the_workspace_defaults_to_the_environment_name(project: Path) -> None:
    rows = shown("--env", "staging")["by_name"]
    assert rows["workspace"]["value"] == "top"  # the top level is written: it comes first
    (project / "braze-reconciler.toml").write_text(
        CONFIG.replace('workspace = "top"\n', ""), encoding="utf-8"
    )
    rows = shown("--env", "staging")["by_name"]
    assert rows["workspace"] == {
        "name": "workspace",
        "value": "staging",
        "source": "default: the environment's name",
    }


def test_the_key_is_never_shown_only_where_it_is_read(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRAZE_STAGING_KEY", "a-very-secret-key-value")
    result = CliRunner().invoke(cli, ["--env", "staging", "config"])
    assert result.exit_code == 0
    assert "a-very-secret-key-value" not in result.output
    assert "read from $BRAZE_STAGING_KEY (set)" in result.output
    key = shown("--env", "production")["by_name"]["api_key"]
    assert key["value"] == {
        "file": str(project / "secrets" / "prod.key"),
        "present": False,
        "local": False,
    }
    # The environment's own api_key_env comes before BRAZE_API_KEY (which is then ignored).
    monkeypatch.setenv("BRAZE_API_KEY", "another-secret")
    key = shown("--env", "staging")["by_name"]["api_key"]
    assert key == {
        "name": "api_key",
        "value": {"env": "BRAZE_STAGING_KEY", "present": True, "local": False},
        "source": "[environments.staging], braze-reconciler.toml:7 (BRAZE_API_KEY is set and "
        "ignored)",
    }


def test_plan_settings_and_paths_from_the_file(project: Path) -> None:
    rows = shown("--env", "staging")["by_name"]
    assert rows["freeze_window"]["value"] == "20m"
    assert rows["paths"]["value"] == ["manifests"]
    assert rows["horizon"] == {"name": "horizon", "value": "14d", "source": "default"}
    variables = shown("--env", "staging")["vars"]
    assert variables == [
        {
            "name": "campaign",
            "value": "924cd632-0dc9-4a59-a3f1-b892936fd233",
            "source": "braze-reconciler.toml:9",
        }
    ]


def test_environments_and_no_selection(project: Path) -> None:
    result = CliRunner().invoke(cli, ["plan"])
    assert result.exit_code == 3
    assert "defines environments (staging, production) and none is selected" in result.stderr
    assert "--env" in result.stderr
    result = CliRunner().invoke(cli, ["--env", "prod", "plan"])
    assert result.exit_code == 3
    assert "no environment 'prod'" in result.stderr
    assert "did you mean 'production'?" in result.stderr
    # validate, config and schema need no environment
    assert CliRunner().invoke(cli, ["config"]).exit_code == 0


def test_config_flag_and_variable(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = project / "other.toml"
    other.write_text('endpoint = "local"\n', encoding="utf-8")
    document = shown("--config", str(other))
    assert document["config_file"] == str(other)
    monkeypatch.setenv("BRAZE_RECONCILER_CONFIG", str(other))
    assert shown()["by_name"]["endpoint"]["value"] == "local"
    result = CliRunner().invoke(cli, ["--config", "missing.toml", "config"])
    assert result.exit_code == 3
    assert "does not exist" in result.stderr


def test_env_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRAZE_RECONCILER_ENV", raising=False)
    result = CliRunner().invoke(cli, ["--env", "staging", "plan"])
    assert result.exit_code == 3
    assert "no configuration file defines environments" in result.stderr


def test_the_repository_root_runs_without_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick start and the documented commands run from the repository's root, where no
    configuration applies (a braze-reconciler.toml there would change them)."""
    root = Path(__file__).parents[2]
    assert find_config(root) is None
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(root)
    document = shown()
    assert document["config_file"] is None
    assert document["by_name"]["paths"]["value"] == ["."]


def test_shell_completion(tmp_path: Path) -> None:
    env = {**os.environ, "_BRAZE_RECONCILER_COMPLETE": "bash_complete"}
    env.update({"COMP_WORDS": "braze-reconciler con", "COMP_CWORD": "1"})
    done = subprocess.run(
        [sys.executable, "-m", "reconciler"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.stdout.split() == ["plain,config"]
    env["_BRAZE_RECONCILER_COMPLETE"] = "bash_source"
    done = subprocess.run(
        [sys.executable, "-m", "reconciler"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert "_braze_reconciler_completion()" in done.stdout


def test_a_broken_file_stops_commands_but_not_help_or_init(project: Path) -> None:
    (project / "braze-reconciler.toml").write_text('endpont = "local"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 3
    assert "braze-reconciler.toml:1: endpont: unknown setting 'endpont'" in result.stderr
    assert CliRunner().invoke(cli, ["plan", "--help"]).exit_code == 0
    assert CliRunner().invoke(cli, ["init", "new"]).exit_code == 0


def test_test_group_and_rate_limits_from_the_file(project: Path) -> None:
    result = CliRunner().invoke(cli, ["--env", "staging", "preview", "--target", "x"])
    assert result.exit_code == 3
    assert "preview needs --to GROUP" in result.stderr
    text = (project / "braze-reconciler.toml").read_text("utf-8")
    (project / "braze-reconciler.toml").write_text(
        'test_group = "marketing-team"\nrate_limits = {hourly = 500000}\n' + text, "utf-8"
    )
    rows = shown("--env", "staging")["by_name"]
    assert rows["test_group"]["value"] == "marketing-team"
    assert rows["rate_limits"]["value"] == {"hourly": 500000}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_exported_endpoint_does_not_turn_the_default_environment_remote(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "braze-reconciler.toml").unlink()
    assert run("init", ".")[0] == 0
    monkeypatch.setenv("BRAZE_REST_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("BRAZE_API_KEY", "k1-secret-key")
    code, out, err = run("apply", "--auto-approve")
    assert code == 3, out + err
    assert "selected by default_environment, braze-reconciler.toml:" in err
    assert "from BRAZE_REST_ENDPOINT" in err
    assert "pass --env NAME" in err
    assert "k1-secret-key" not in out + err
    assert "Traceback" not in out + err
    # Chosen on purpose, the same endpoint is used (then unreachable here: not refused as above).
    code, out, err = run("--env", "local", "plan")
    assert "selected by default_environment" not in err
    monkeypatch.delenv("BRAZE_REST_ENDPOINT")
    assert run("plan")[0] == 0


def test_an_environment_key_source_beats_the_generic_key(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "braze-reconciler.toml").write_text(
        'endpoint = "US-03"\n[environments.production]\napi_key_env = "PROD_KEY"\n'
        '[environments.staging]\nworkspace = "stage"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("BRAZE_API_KEY", "k1-generic-key")
    monkeypatch.setenv("PROD_KEY", "k2-production-key")
    code, out, err = run("--env", "production", "config")
    assert code == 0, out + err
    row = next(line for line in out.splitlines() if line.startswith("api_key"))
    assert "PROD_KEY" in row
    assert "[environments.production]" in row
    assert "BRAZE_API_KEY is set and ignored" in row
    # An environment without a key source of its own takes the generic key.
    code, out, err = run("--env", "staging", "config")
    row = next(line for line in out.splitlines() if line.startswith("api_key"))
    assert "BRAZE_API_KEY" in row
    assert "ignored" not in row
    # apply reads PROD_KEY and says once that BRAZE_API_KEY is ignored; no key is shown.
    (project / "m.yaml").write_text(
        "kind: CampaignSchedule\nname: a\nspec:\n  campaign_id: x\n", encoding="utf-8"
    )
    code, out, err = run(
        "--env", "production", "--endpoint", "http://127.0.0.1:9", "plan", "m.yaml"
    )
    assert err.count("BRAZE_API_KEY is set and ignored") == 1, err
    assert "k1-generic-key" not in out + err
    assert "k2-production-key" not in out + err
    # --api-key-file still wins over both.
    (project / "flag.key").write_text("k3", encoding="utf-8")
    code, out, err = run("--env", "production", "--api-key-file", "flag.key", "config")
    row = next(line for line in out.splitlines() if line.startswith("api_key"))
    assert "--api-key-file" in row


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            'workspace = "shared"\nendpoint = "local"\n[environments.staging]\n'
            "[environments.production]\n",
            1,
        ),
        (
            'state = "sqlite:///l.db"\n[environments.staging]\nendpoint = "local"\n'
            '[environments.production]\nendpoint = "local"\nworkspace = "staging"\n',
            6,
        ),
    ],
)
def test_two_environments_on_one_ledger_are_refused(project: Path, text: str, line: int) -> None:
    (project / "braze-reconciler.toml").write_text(text, encoding="utf-8")
    code, out, err = run("--env", "staging", "validate")
    assert code == 3, out + err
    assert (
        f"braze-reconciler.toml:{line}: environments staging and production share one ledger" in err
    )
    assert "own workspace" in err
    # Each on its own workspace (the default: its name) is fine.
    fixed = text.replace('workspace = "shared"\n', "").replace('workspace = "staging"\n', "")
    (project / "braze-reconciler.toml").write_text(fixed, encoding="utf-8")
    assert run("--env", "staging", "config")[0] == 0


def test_validate_without_env_checks_every_environment(project: Path) -> None:
    (project / "braze-reconciler.toml").write_text(
        'default_environment = "local"\n[environments.local]\nendpoint = "local"\n'
        '[environments.local.vars]\nx = "a"\n'
        '[environments.staging]\nendpoint = "US-03"\n[environments.production]\n'
        'endpoint = "US-03"\n',
        encoding="utf-8",
    )
    (project / "m.yaml").write_text(
        "kind: CampaignSchedule\nname: a\nspec:\n  campaign_id: !var x\n  broadcast: true\n"
        "  trigger_properties: {y: !var y}\n"
        '  schedule:\n    time: "2026-12-05T10:00:00Z"\n',
        encoding="utf-8",
    )
    code, out, err = run("validate", "m.yaml")
    assert code == 3, out + err
    assert out.count("unknown variable 'x'") == 1, out
    assert "unknown variable 'x' in environments staging, production" in out
    assert out.count("unknown variable 'y'") == 1, out
    assert "unknown variable 'y' in environments local, staging, production" in out
    # Named, one environment is checked.
    code, out, err = run("--env", "local", "validate", "m.yaml")
    assert "unknown variable 'x'" not in out
    assert "unknown variable 'y' in environment local" in out


def test_a_variable_of_the_wrong_type_points_at_the_configuration(project: Path) -> None:
    (project / "braze-reconciler.toml").write_text(
        '[environments.staging]\nendpoint = "US-03"\n[environments.staging.vars]\nid = 12345\n',
        encoding="utf-8",
    )
    (project / "m.yaml").write_text(
        "kind: CampaignSchedule\nname: a\nspec:\n  campaign_id: !var id\n  broadcast: true\n"
        '  schedule:\n    time: "2026-12-05T10:00:00Z"\n',
        encoding="utf-8",
    )
    code, out, err = run("--env", "staging", "validate", "m.yaml")
    assert code == 3, out + err
    assert "m.yaml:4:16" in out
    assert "the value is the variable id (braze-reconciler.toml:4): fix it there" in out


def test_schema_needs_no_configuration(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAZE_RECONCILER_CONFIG", str(project / "missing.toml"))
    code, out, err = run("schema", "--out", "-")
    assert code == 0, err
    assert json.loads(out)["$schema"]
    assert run("validate")[0] == 3
