"""Fuzzing what the ledger reads from files: random and deeply nested JSON given to
`state import-json`, and random bytes in place of the SQLite ledger, never give a traceback:
exit 0 or 3, and the ledger is never read as a fresh start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reconciler.cli import cli
from tests.evidence.conftest import FUZZ_SETTINGS

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
RECORD_KEYS = ["address", "kind", "status", "schedule_id", "body", "protect", "labels"]


def run(root: Path, *args: str) -> tuple[int, str]:
    state = f"sqlite:///{root / 'state.db'}"
    result = CliRunner().invoke(cli, ["--endpoint", "local", "--state", state, *args])
    return result.exit_code, result.stdout + result.stderr


def assert_clear(code: int, output: str) -> None:
    assert code in (0, 3), output
    assert "Traceback" not in output
    assert "unexpected error" not in output


@FUZZ_SETTINGS
@given(
    document=st.one_of(
        JSON_VALUES,
        st.fixed_dictionaries(
            {"format_version": st.integers(0, 2) | JSON_VALUES},
            optional={
                "records": st.lists(
                    st.dictionaries(st.sampled_from(RECORD_KEYS), JSON_VALUES, max_size=7),
                    max_size=3,
                )
                | JSON_VALUES
            },
        ),
    )
)
def test_random_json_to_import_json_is_imported_or_refused(
    tmp_path_factory: pytest.TempPathFactory, document: Any
) -> None:
    root = tmp_path_factory.mktemp("import")
    export = root / "export.json"
    export.write_text(json.dumps(document), encoding="utf-8")
    assert_clear(*run(root, "state", "import-json", str(export)))


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("shape", ["[", '{"records": [', '{"a":'])
def test_deeply_nested_json_to_import_json_is_refused(
    tmp_path: Path, depth: int, shape: str
) -> None:
    closing = {"[": "]", '{"records": [': "]}", '{"a":': "}"}[shape]
    export = tmp_path / "deep.json"
    export.write_text(shape * depth + ("1" if shape == '{"a":' else "") + closing * depth)
    code, output = run(tmp_path, "state", "import-json", str(export))
    assert code == 3, output
    assert_clear(code, output)


@FUZZ_SETTINGS
@given(data=st.binary(min_size=1, max_size=4096))
def test_random_bytes_as_the_ledger_file_are_refused(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    root = tmp_path_factory.mktemp("ledger")
    (root / "state.db").write_bytes(data)
    code, output = run(root, "state", "list")
    assert code == 3, output
    assert_clear(code, output)
    assert f"the ledger file {root / 'state.db'}" in output
