"""What the configuration must not let through: a default environment turned into a real
workspace by an exported endpoint, a generic key sent to an environment with its own, and two
environments sharing one ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli

_VARIABLES = (
    "BRAZE_REST_ENDPOINT",
    "BRAZE_RECONCILER_WORKSPACE",
    "BRAZE_RECONCILER_STATE",
    "BRAZE_RECONCILER_ENV",
    "BRAZE_RECONCILER_CONFIG",
    "BRAZE_API_KEY",
    "PROD_KEY",
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_exported_endpoint_does_not_turn_the_default_environment_remote(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    assert "PROD_KEY" in row and "[environments.production]" in row
    assert "BRAZE_API_KEY is set and ignored" in row
    # An environment without a key source of its own takes the generic key.
    code, out, err = run("--env", "staging", "config")
    row = next(line for line in out.splitlines() if line.startswith("api_key"))
    assert "BRAZE_API_KEY" in row and "ignored" not in row
    # apply reads PROD_KEY and says once that BRAZE_API_KEY is ignored; no key is shown.
    (project / "m.yaml").write_text(
        "kind: CampaignSchedule\nname: a\nspec:\n  campaign_id: x\n", encoding="utf-8"
    )
    code, out, err = run(
        "--env", "production", "--endpoint", "http://127.0.0.1:9", "plan", "m.yaml"
    )
    assert err.count("BRAZE_API_KEY is set and ignored") == 1, err
    assert "k1-generic-key" not in out + err and "k2-production-key" not in out + err
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
