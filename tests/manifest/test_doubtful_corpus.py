"""The doubtful corpus: manifests whose body Braze may well accept, though their author probably
did not mean it (a misspelt field, both time modes, a priority Braze replaces by 0).

``validate`` accepts each (exit 0: a body Braze accepts never fails here) and reports exactly
the warnings of its ``# warn: LINE:COL CODE PATH | MESSAGE | HINT`` lines. The emulator accepts
the same bodies (tests/contract/test_documented_examples.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from tests.manifest.test_invalid_corpus import NOW, ROOT, rendered

DOUBTFUL = Path(__file__).parent / "doubtful"
FILES = sorted(DOUBTFUL.glob("*.yaml"))


def warnings_expected(path: Path) -> list[str]:
    prefix = "# warn: "
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line[len(prefix) :] for line in lines if line.startswith(prefix)]


def test_every_file_expects_warnings() -> None:
    assert len(FILES) >= 5
    assert all(warnings_expected(path) for path in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_doubtful_manifest(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = path.relative_to(ROOT)
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json", "--now", NOW])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [d["severity"] for d in report["diagnostics"]] == ["warning"] * report["warnings"]
    assert [rendered(d) for d in report["diagnostics"]] == warnings_expected(path)


def test_text_format_says_warning_with_file_line_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    path = (DOUBTFUL / "02-local-and-optimal-time.yaml").relative_to(ROOT)
    result = CliRunner().invoke(cli, ["validate", str(path), "--now", NOW])
    assert result.exit_code == 0
    assert result.stdout.startswith(
        f"{path}:9:22: warning: campaign_schedule/gift-guide: spec.schedule.at_optimal_time: "
        "in_local_time and at_optimal_time are both true"
    )
    assert result.stdout.endswith("1 resource in 1 file valid (1 warning).\n")
