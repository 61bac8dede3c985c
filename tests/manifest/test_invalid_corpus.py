"""The invalid corpus: one file per mistake users really make, each with its exact diagnostics.

Every file under ``invalid/`` ends with ``# expect: LINE:COL CODE PATH | MESSAGE | HINT`` lines
(comments after the content, so they move no position). ``validate`` must exit 3, print no
traceback, and report exactly those errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli

ROOT = Path(__file__).parents[2]
CORPUS = Path(__file__).parent / "invalid"
NOW = "2026-12-01T08:00:00Z"


def expectations(path: Path) -> list[str]:
    prefix = "# expect: "
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line[len(prefix) :] for line in lines if line.startswith(prefix)]


def rendered(diagnostic: dict[str, object]) -> str:
    return (
        f"{diagnostic['line']}:{diagnostic['column']} {diagnostic['code']} "
        f"{diagnostic['path'] or '-'} | {diagnostic['message']} | {diagnostic['hint'] or '-'}"
    )


FILES = sorted(CORPUS.glob("*.yaml"))


def test_the_corpus_is_large_enough() -> None:
    assert len(FILES) >= 50
    assert all(expectations(path) for path in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_invalid_manifest(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # messages name files as the user gave them: relative here
    path = path.relative_to(ROOT)
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(path), "--format", "json", "--now", NOW])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert [rendered(d) for d in errors] == expectations(path)
    assert all(d["file"] == str(path) for d in errors)


@pytest.mark.parametrize("path", FILES[:5], ids=[p.stem for p in FILES[:5]])
def test_text_format_names_file_line_column_and_field(path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(path), "--now", NOW])
    assert result.exit_code == 3
    first = expectations(path)[0]
    position, code = first.split(" ")[0:2]
    assert f"{path}:{position}: error:" in result.stdout
    assert f"[{code}]" in result.stdout


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("kind: SendId\nname: caf\xe9\n".encode("latin-1"))
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 3
    (error,) = json.loads(result.stdout)["diagnostics"]
    assert rendered(error) == (
        "2:10 not_utf8 - | file is not valid UTF-8 (byte 0xe9) | save the file as UTF-8"
    )


def test_utf16(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("kind: SendId\n".encode("utf-16"))
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 3
    (error,) = json.loads(result.stdout)["diagnostics"]
    assert error["code"] == "not_utf8"
    assert error["message"] == "file is UTF-16; manifests must be UTF-8"


def test_very_large_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("kind: SendId\nname: huge\ndescription: '")
        handle.write("x" * (9 * 1024 * 1024))
        handle.write("'\n")
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 3
    (error,) = json.loads(result.stdout)["diagnostics"]
    assert error["code"] == "file_too_large"
    assert error["message"] == "file is 9.0 MiB; manifests are limited to 8 MiB"


def test_duplicate_address_across_files_names_both(tmp_path: Path) -> None:
    body = (
        "kind: SendId\nname: flash\nspec:\n  campaign_id: d111a44a-a347-4ab0-837e-9142cbd2a2fe\n"
        "  send_id: flash\n"
    )
    (tmp_path / "a.yaml").write_text(body, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("# another copy\n" + body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--format", "json"])
    assert result.exit_code == 3
    (error,) = json.loads(result.stdout)["diagnostics"]
    assert error["file"] == str(tmp_path / "b.yaml")
    assert (error["line"], error["column"]) == (3, 7)
    assert error["message"] == (
        f"send_id/flash is declared twice (first at {tmp_path / 'a.yaml'}:2:7)"
    )
    assert error["related"] == [{"file": str(tmp_path / "a.yaml"), "line": 2, "column": 7}]


def test_all_errors_of_a_run_are_reported(tmp_path: Path) -> None:
    for index, path in enumerate(FILES[:10]):
        (tmp_path / f"{index:02d}.yaml").write_bytes(path.read_bytes())
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--format", "json", "--now", NOW])
    report = json.loads(result.stdout)
    expected = sum(len(expectations(path)) for path in FILES[:10])
    assert report["errors"] == expected
