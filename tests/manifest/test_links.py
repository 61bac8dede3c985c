"""Symbolic links in a manifest tree are followed only while they stay inside the given paths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli

SEND_ID = (
    "kind: SendId\nname: {name}\nspec:\n  campaign_id: d111a44a-a347-4ab0-837e-9142cbd2a2fe\n"
    "  send_id: {name}\n"
)
CANARY = "canary-7f3a9c1e5b"


def validate(*paths: Path) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(cli, ["validate", *map(str, paths), "--format", "json"])
    assert "internal error" not in result.output
    report = json.loads(result.stdout)
    return result.exit_code, report["diagnostics"], result.output


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "manifests"
    root.mkdir()
    (root / "flash.yaml").write_text(SEND_ID.format(name="flash"), encoding="utf-8")
    return root


def test_a_link_to_proc_self_environ_is_refused_and_never_read(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRAZE_CANARY", CANARY)
    (tree / "env.yaml").symlink_to("/proc/self/environ")
    code, diagnostics, output = validate(tree)
    assert code == 3
    assert diagnostics == [
        {
            "severity": "error",
            "code": "link_outside_paths",
            "message": (
                "symbolic link to /proc/self/environ leads outside the given paths: not read"
            ),
            "file": str(tree / "env.yaml"),
            "line": 1,
            "column": 1,
            "address": None,
            "path": None,
            "hint": (
                "copy the manifests into the tree, or give the link's target as a path too if "
                "it is meant to be read"
            ),
            "related": [],
            "replacement": None,
        }
    ]
    assert CANARY not in output


def test_a_linked_file_outside_is_refused_its_content_never_shown(
    tree: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "secrets.yaml"
    outside.write_text(f"kind: {CANARY}\n", encoding="utf-8")
    (tree / "shared.yaml").symlink_to(outside)
    code, diagnostics, output = validate(tree)
    assert code == 3
    assert [(d["file"], d["code"]) for d in diagnostics] == [
        (str(tree / "shared.yaml"), "link_outside_paths")
    ]
    assert CANARY not in output


def test_a_linked_directory_outside_is_refused_not_skipped(tree: Path, tmp_path: Path) -> None:
    # Skipped without a word, its manifests would be missing and the plan would delete them.
    outside = tmp_path / "team-b"
    outside.mkdir()
    (outside / "b.yaml").write_text(SEND_ID.format(name="b"), encoding="utf-8")
    (tree / "team-b").symlink_to(outside, target_is_directory=True)
    code, diagnostics, _ = validate(tree)
    assert code == 3
    assert [(d["file"], d["code"], d["message"]) for d in diagnostics] == [
        (
            str(tree / "team-b"),
            "link_outside_paths",
            f"symbolic link to {outside} leads outside the given paths: not read",
        )
    ]


def test_following_the_hint_giving_the_target_as_a_path_reads_it(
    tree: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "team-b"
    outside.mkdir()
    (outside / "b.yaml").write_text(SEND_ID.format(name="b"), encoding="utf-8")
    (tree / "team-b").symlink_to(os.path.relpath(outside, tree), target_is_directory=True)
    result = CliRunner().invoke(cli, ["validate", str(tree), str(outside)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 resources in 2 files valid.\n"


def test_a_linked_directory_inside_the_tree_is_read_once(tree: Path) -> None:
    (tree / "shared").mkdir()
    (tree / "shared" / "b.yaml").write_text(SEND_ID.format(name="b"), encoding="utf-8")
    (tree / "linked-dir").symlink_to("shared", target_is_directory=True)
    result = CliRunner().invoke(cli, ["validate", str(tree)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 resources in 2 files valid.\n"


def test_a_linked_file_inside_the_tree_is_read(tree: Path) -> None:
    (tree / "shared").mkdir()
    (tree / "shared" / "b.yml").write_text(SEND_ID.format(name="b"), encoding="utf-8")
    (tree / "b.yaml").symlink_to("shared/b.yml")  # the file is found twice: as itself, as b.yaml
    result = CliRunner().invoke(cli, ["validate", str(tree)])
    assert result.exit_code == 3, result.output  # the same file twice: a duplicate, not a refusal
    assert "send_id/b is declared twice" in result.stdout
    assert "link_outside_paths" not in result.stdout


def test_a_link_given_by_name_is_the_users_choice(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(SEND_ID.format(name="other"), encoding="utf-8")
    link = tmp_path / "named.yaml"
    link.symlink_to(outside)
    code, diagnostics, _ = validate(link)
    assert (code, diagnostics) == (0, [])


def test_a_link_to_a_name_that_is_not_utf8_is_refused_and_printable(
    tree: Path, tmp_path: Path
) -> None:
    target = os.fsencode(tmp_path) + b"/caf\xe9.yaml"
    os.symlink(target, os.fsencode(tree) + b"/cafe.yaml")
    code, diagnostics, _ = validate(tree)
    assert code == 3
    assert [d["message"] for d in diagnostics] == [
        f"symbolic link to {tmp_path}/caf\\xe9.yaml leads outside the given paths: not read"
    ]
