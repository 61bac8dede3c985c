"""Fuzzing the loader and the validator: random and mutated YAML never gives a traceback or a
hang, only diagnostics that each name a file, a line and a column.

Seeds are the examples and the invalid corpus; mutations flip bytes, delete and duplicate
spans, re-indent lines, insert random unicode, YAML anchors, aliases, merge keys, tags and
flow brackets. Deep nesting and alias bombs are checked one by one.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reconciler.cli import cli
from reconciler.manifest.loader import FileOutcome, load_file
from tests.evidence.conftest import FUZZ_SETTINGS

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SEEDS = sorted(
    [
        *(ROOT / "examples").rglob("*.yaml"),
        *(ROOT / "tests" / "manifest" / "invalid").glob("*.yaml"),
    ]
)
SEED_BYTES = [path.read_bytes() for path in SEEDS]
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
PER_FILE_SECONDS = 2.0
"""A manifest of a few kilobytes loads in milliseconds: anything near this is a hang."""
YAML_SNIPPETS = [
    b"&a ", b"*a", b"<<: *a\n", b"&b [1, 2]", b"*b", b"!!binary ", b"!custom ", b"!!str ",
    b"? ", b": ", b"- ", b"---\n", b"...\n", b"[", b"]", b"{", b"}", b"'", b'"', b"#", b"|\n",
    b">-\n", b"\t", b"\r", b"\x00", b"\xef\xbb\xbf", b"%YAML 1.1\n", b"%TAG ! tag:x,2002:\n",
    b"key: &k {a: *k}\n", b"2026-12-05T10:00:00", b"0x1F", b".inf", b"~", b"\\u0000",
]  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def load_bytes(directory: Path, data: bytes) -> FileOutcome:
    path = directory / "fuzzed.yaml"
    path.write_bytes(data)
    started = time.perf_counter()
    outcome = load_file(str(path), NOW)
    elapsed = time.perf_counter() - started
    assert elapsed < PER_FILE_SECONDS, f"{elapsed:.1f} s to load {len(data)} bytes"
    # the parser's line breaks (as editors count them): a lone CR, NEL, LS and PS are some too
    lines = len(LINE_BREAK.split(data.decode("utf-8", errors="replace")))
    for diagnostic in outcome.diagnostics:
        location = diagnostic.location
        assert location.file == str(path), diagnostic
        assert 1 <= location.line <= lines, diagnostic
        assert location.column >= 1, diagnostic
        assert diagnostic.message, diagnostic
    return outcome


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(
            st.sampled_from(["flip", "delete", "duplicate", "indent", "unicode", "snippet"])
        )
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if operation == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif operation == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif operation == "duplicate":
            span = bytes(data[at : at + draw(st.integers(1, 80))])
            data[at:at] = span * draw(st.integers(1, 4))
        elif operation == "indent":
            lines = bytes(data).split(b"\n")
            index = draw(st.integers(0, len(lines) - 1))
            lines[index] = b" " * draw(st.integers(0, 12)) + lines[index].lstrip(b" ")
            data = bytearray(b"\n".join(lines))
        elif operation == "unicode":
            data[at:at] = draw(st.text(max_size=20)).encode("utf-8", "surrogatepass")
        else:
            data[at:at] = draw(st.sampled_from(YAML_SNIPPETS))
    return bytes(data)


@FUZZ_SETTINGS
@given(data=mutated())
def test_mutated_manifests_give_positioned_diagnostics(fuzz_dir: Path, data: bytes) -> None:
    load_bytes(fuzz_dir, data)


@FUZZ_SETTINGS
@given(data=st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_random_input_gives_positioned_diagnostics(fuzz_dir: Path, data: bytes) -> None:
    load_bytes(fuzz_dir, data)


# A YAML-shaped grammar: plain mappings, lists and scalars, written in block or flow style.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["ScheduledMessage", "CampaignSchedule", "2026-12-05T10:00:00Z", "spec"]),
)
keys = st.sampled_from(
    ["kind", "name", "spec", "schedule", "time", "messages", "broadcast", "segment_id",
     "campaign_id", "recipients", "audience", "labels", "protect", "in_local_time", "x"]
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


@FUZZ_SETTINGS
@given(document=st.dictionaries(keys, values, max_size=6), flow=st.booleans())
def test_generated_documents_give_positioned_diagnostics(
    fuzz_dir: Path, document: dict[str, object], flow: bool
) -> None:
    text = json.dumps(document) if flow else block_yaml(document)
    load_bytes(fuzz_dir, text.encode("utf-8", "surrogatepass"))


def block_yaml(value: object, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "\n" + "\n".join(
            f"{pad}{key}: {block_yaml(item, indent + 2)}" for key, item in value.items()
        )
    if isinstance(value, list):
        if not value:
            return "[]"
        return "\n" + "\n".join(f"{pad}- {block_yaml(item, indent + 2)}" for item in value)
    return json.dumps(value)


@FUZZ_SETTINGS
@given(data=mutated(), output_format=st.sampled_from(["json", "text", "github"]))
def test_validate_never_shows_a_traceback(fuzz_dir: Path, data: bytes, output_format: str) -> None:
    path = fuzz_dir / "validate.yaml"
    path.write_bytes(data)
    result = CliRunner().invoke(
        cli, ["validate", str(path), "--format", output_format, "--now", "2026-12-01T08:00:00Z"]
    )
    assert result.exit_code in (0, 3), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    if output_format == "json":
        report = json.loads(result.stdout)
        for diagnostic in report["diagnostics"]:
            assert diagnostic["file"] == str(path)
            assert diagnostic["line"] >= 1
            assert diagnostic["column"] >= 1
        assert (result.exit_code == 3) == any(
            d["severity"] == "error" for d in report["diagnostics"]
        )


# -- nesting and expansion, one by one --------------------------------------------------------

CAMPAIGN_HEAD = (
    "kind: CampaignSchedule\nname: deep\nspec:\n"
    "  campaign_id: 924cd632-0dc9-4a59-a3f1-b892936fd233\n  broadcast: true\n"
    "  schedule: {time: '2026-12-05T10:00:00Z'}\n  trigger_properties:"
)


def deep_inputs() -> Iterator[tuple[str, str, str]]:
    """(id, text, the diagnostic code expected)."""
    depth = 10_000
    yield "open-brackets", "[" * depth, "yaml_too_deep"
    yield "balanced-brackets", "[" * depth + "]" * depth, "yaml_too_deep"
    yield "open-braces", "{a: " * depth, "yaml_too_deep"
    yield "balanced-braces", "{a: " * depth + "1" + "}" * depth, "yaml_too_deep"
    yield "block-sequences", "".join(" " * i + "-\n" for i in range(3000)), "yaml_too_deep"
    yield (
        "block-mappings",
        "".join(" " * i + f"k{i}:\n" for i in range(3000)) + " " * 3000 + "v\n",
        "yaml_too_deep",
    )
    yield "spec-brackets", CAMPAIGN_HEAD + " " + "[" * depth + "]" * depth + "\n", "yaml_too_deep"
    yield (
        "spec-nested-300",
        CAMPAIGN_HEAD + " {a: " + "[" * 300 + "]" * 300 + "}\n",
        "yaml_too_deep",
    )
    chain = "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 2000))
    yield "alias-chain", "a0: &a0 [x]\n" + chain, "yaml_too_large"
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    yield "alias-bomb", bomb, "yaml_too_large"
    yield "recursive-alias", "a: &a [1, *a]\n", "yaml_recursive_alias"


DEEP = list(deep_inputs())


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("text", "code"), [d[1:] for d in DEEP], ids=[d[0] for d in DEEP])
def test_deep_nesting_and_expansion_give_a_diagnostic_not_a_recursion_error(
    fuzz_dir: Path, text: str, code: str
) -> None:
    outcome = load_bytes(fuzz_dir, text.encode())
    assert outcome.resources == []
    assert [d.code for d in outcome.diagnostics] == [code]


@pytest.mark.timeout(60)
def test_deep_nesting_through_the_validate_command(fuzz_dir: Path) -> None:
    path = fuzz_dir / "deep.yaml"
    path.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 3, result.output
    (diagnostic,) = json.loads(result.stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["line"] >= 1, diagnostic["column"] >= 1) == (
        "yaml_too_deep",
        True,
        True,
    )


# -- numbers too large and file names that are not UTF-8, one by one -------------------------

HUGE = "9" * 5000


@pytest.mark.parametrize(
    "text",
    [
        CAMPAIGN_HEAD + f" {{total: {HUGE}}}\n",
        CAMPAIGN_HEAD + f" {{total: -{HUGE}}}\n",
        CAMPAIGN_HEAD + f" {{total: 0x{'f' * 5000}}}\n",
        CAMPAIGN_HEAD + f" {{total: !!int {HUGE}}}\n",
        CAMPAIGN_HEAD + f" {{{HUGE}: total}}\n",
        f"kind: SendId\nname: x\nspec: [{HUGE}]\n",
        CAMPAIGN_HEAD + " {total: 9223372036854775808}\n",
    ],
    ids=["decimal", "negative", "hex", "tagged", "as-a-key", "in-a-list", "just-over-64-bits"],
)
def test_an_integer_beyond_64_bits_is_a_diagnostic(fuzz_dir: Path, text: str) -> None:
    outcome = load_bytes(fuzz_dir, text.encode())
    assert [d.code for d in outcome.diagnostics] == ["yaml_number_too_large"]
    (diagnostic,) = outcome.diagnostics
    assert diagnostic.hint == "quote it to send it as text"
    assert len(diagnostic.message) < 200


def test_the_largest_64_bit_integer_is_data(fuzz_dir: Path) -> None:
    outcome = load_bytes(fuzz_dir, (CAMPAIGN_HEAD + " {total: 9223372036854775807}\n").encode())
    assert outcome.diagnostics == []
    (resource,) = outcome.resources
    assert resource.body["trigger_properties"] == {"total": 9223372036854775807}


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_a_huge_integer_through_the_validate_command(tmp_path: Path, output_format: str) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(CAMPAIGN_HEAD + f" {{total: {HUGE}}}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", output_format])
    assert result.exit_code == 3, result.output
    assert "internal error" not in result.output
    assert "yaml_number_too_large" in result.output
    where = {
        "text": f"{path}:7:31: error:",
        "json": '"line": 7',
        "github": f"::error file={path},line=7,col=31,",
    }[output_format]
    assert where in result.output


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_a_file_name_that_is_not_utf8_is_a_diagnostic(tmp_path: Path, output_format: str) -> None:
    directory = tmp_path / "manifests"
    directory.mkdir()
    (directory / "ok.yaml").write_text(
        "kind: SendId\nname: flash\nspec:\n  campaign_id: d111a44a-a347-4ab0-837e-9142cbd2a2fe\n"
        "  send_id: flash\n",
        encoding="utf-8",
    )
    os.close(os.open(os.fsencode(directory) + b"/caf\xe9.yaml", os.O_CREAT | os.O_WRONLY))
    result = CliRunner().invoke(cli, ["validate", str(directory), "--format", output_format])
    assert result.exit_code == 3, result.output
    assert "internal error" not in result.output
    shown = f"{directory}/caf\\xe9.yaml"
    if output_format == "json":
        (diagnostic,) = json.loads(result.stdout)["diagnostics"]
        assert (diagnostic["file"], diagnostic["code"], diagnostic["message"]) == (
            shown,
            "file_name_not_utf8",
            "file name is not valid UTF-8: not read",
        )
        assert diagnostic["hint"] == "rename the file with UTF-8 characters (ASCII is safest)"
    else:
        assert shown in result.output
        assert "file_name_not_utf8" in result.output


def test_a_path_argument_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    missing = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9")
    result = CliRunner().invoke(cli, ["validate", missing])
    assert result.exit_code == 3, result.output
    assert f"error: {tmp_path}/caf\\xe9: no such file or directory" in result.stderr


@pytest.mark.parametrize(
    ("data", "position"),
    [(b"\r[", (2, 2)), (b"\r\r{", (3, 2)), (b"a: [\n", (2, 1)), (b"x: 1\r\ny: [\r\n", (3, 1))],
)
def test_a_syntax_error_at_the_end_is_placed_inside_the_file(
    fuzz_dir: Path, data: bytes, position: tuple[int, int]
) -> None:
    """Found by this fuzzing: after a lone CR the scanner named a line past the last one."""
    (diagnostic,) = load_bytes(fuzz_dir, data).diagnostics
    assert (diagnostic.code, diagnostic.location.line, diagnostic.location.column) == (
        "yaml_syntax",
        *position,
    )
