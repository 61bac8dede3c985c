"""The YAML composer: plain values, positions of keys and values, and refusals."""

from __future__ import annotations

import pytest

from reconciler.manifest.yamlload import MAX_NODES, YamlProblem, compose_documents


def one(text: str) -> object:
    documents = list(compose_documents(text))
    assert len(documents) == 1
    return documents[0].value


def problem(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as caught:
        list(compose_documents(text))
    return caught.value


def test_scalars_follow_the_yaml_1_2_core_schema() -> None:
    value = one(
        "a: 1\nb: -2.5\nc: true\nd: yes\ne: ~\nf: 0x1F\ng: 0o17\nh: 1e3\ni: '1'\n"
        "j: 2026-12-01T09:00:00\nk: !!str 5\nl: !!float 3\nm: null\nn: ''\n"
    )
    assert value == {
        "a": 1,
        "b": -2.5,
        "c": True,
        "d": "yes",  # YAML 1.2: yes is a string, not a boolean
        "e": None,
        "f": 31,
        "g": 15,
        "h": 1000.0,
        "i": "1",
        "j": "2026-12-01T09:00:00",  # timestamps stay text: Braze wants the string
        "k": "5",
        "l": 3.0,
        "m": None,
        "n": "",
    }


def test_positions_of_values_and_keys_are_one_based() -> None:
    (document,) = compose_documents(
        "kind: X\nspec:\n  schedule:\n    time: '2026'\n  list: [a, b]\n"
    )
    assert document.value_position(("spec", "schedule", "time")) == (4, 11)
    assert document.key_position(("spec", "schedule", "time")) == (4, 5)
    assert document.value_position(("spec", "list", 1)) == (5, 13)
    assert document.key_position(("spec",)) == (2, 1)
    # a missing field falls back to its nearest ancestor
    assert document.value_position(("spec", "schedule", "in_local_time")) == (4, 5)


def test_several_documents_and_empty_ones() -> None:
    documents = list(compose_documents("a: 1\n---\n# only a comment\n---\nb: 2\n"))
    assert [d.value for d in documents] == [{"a": 1}, {"b": 2}]
    assert [d.index for d in documents] == [0, 2]


def test_anchors_aliases_and_merge_keys() -> None:
    value = one("base: &b {x: 1, y: 2}\nuse: *b\nm:\n  <<: *b\n  y: 3\n")
    assert value == {"base": {"x": 1, "y": 2}, "use": {"x": 1, "y": 2}, "m": {"x": 1, "y": 3}}


def test_duplicate_key_names_both_positions() -> None:
    found = problem("spec:\n  campaign_id: a\n  campaign_id: b\n")
    assert found.code == "yaml_duplicate_key"
    assert found.position == (3, 3)
    assert found.other == (2, 3)
    assert found.message == "duplicate key 'campaign_id'"


def test_syntax_error_has_position_and_hint() -> None:
    found = problem("kind: X\nname: a: b\n")
    assert found.code == "yaml_syntax"
    assert found.position == (2, 8)
    assert found.hint == "quote values that contain ': ', or fix the indentation"


def test_tab_indentation_hint() -> None:
    found = problem("spec:\n\tcampaign_id: a\n")
    assert found.hint == "indent with spaces, not tabs"


def test_alias_bomb_is_refused_without_exhausting_memory() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    found = problem("\n".join(lines) + "\n")
    assert found.code == "yaml_too_large"
    assert f"{MAX_NODES:,}" in found.message


def test_recursive_alias_is_refused() -> None:
    assert problem("a: &x [1, *x]\n").code == "yaml_recursive_alias"


def test_undefined_alias() -> None:
    found = problem("a: *nowhere\n")
    assert found.code == "yaml_undefined_alias"
    assert found.position == (1, 4)


def test_complex_keys_and_unknown_tags_are_refused() -> None:
    assert problem("? [a, b]\n: 1\n").code == "yaml_complex_key"
    found = problem("a: !!binary aGVsbG8=\n")
    assert found.code == "yaml_tag"
    assert found.message == "unsupported tag 'tag:yaml.org,2002:binary'"


def test_non_string_keys_become_strings() -> None:
    assert one("200: ok\ntrue: 1\n") == {"200": "ok", "true": 1}


@pytest.mark.parametrize(
    "text", ["a: .inf\n", "a: -.Inf\n", "a: .nan\n", "a: 1e400\n", "a: !!float .inf\n"]
)
def test_numbers_json_cannot_hold_are_refused(text: str) -> None:
    found = problem(text)
    assert found.code == "yaml_not_finite"
    assert found.position == (1, 4)
    assert found.hint == "JSON, and so Braze, has no infinity or NaN: quote it to send it as text"


def test_integers_of_64_bits_are_read_down_to_the_smallest() -> None:
    assert one("a: -9223372036854775808\nb: 0x7fffffffffffffff\n") == {
        "a": -(2**63),
        "b": 2**63 - 1,
    }
    assert problem("a: -9223372036854775809\n").code == "yaml_number_too_large"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("!!float -0", -0.0),  # the sign kept
        ("!!float 10000000000000000000", 1e19),  # a float, not a 64-bit integer
        ("!!float '1.5'", 1.5),
        ("!!int 0o17", 15),
        ("!!bool True", True),
    ],
)
def test_an_explicit_tag_reads_its_types_spellings(text: str, value: object) -> None:
    (read,) = one(f"a: {text}\n").values()  # type: ignore[attr-defined]
    assert (type(read), repr(read)) == (type(value), repr(value))


@pytest.mark.parametrize(
    "text", ["!!float 0x10", "!!float 0o17", "!!bool 9223372036854775808", "!!int .inf"]
)
def test_an_explicit_tag_refuses_another_types_spelling(text: str) -> None:
    found = problem(f"a: {text}\n")
    assert found.code == "yaml_tag"
    assert found.message.endswith("is not a valid " + text.split()[0].removeprefix("!!"))


def test_only_a_plain_merge_key_merges() -> None:
    assert one("a: {x: 1}\nb:\n  '<<': {y: 2}\n  y: 3\n") == {
        "a": {"x": 1},
        "b": {"<<": {"y": 2}, "y": 3},
    }
    assert problem("b:\n  '<<': 1\n  \"<<\": 2\n").code == "yaml_duplicate_key"
    assert one("a: &a {x: 1}\nb:\n  <<: *a\n") == {"a": {"x": 1}, "b": {"x": 1}}


def test_a_colon_or_a_question_mark_in_a_plain_scalar_in_a_flow_collection_is_read() -> None:
    # YAML 1.2 allows it; libyaml (the C parser) refuses it, so the pure parser reads it
    assert one("a: {time: 2026-12-05T10:00:00Z}\nb: [a:b, '1', 12:30, :x, a?b]\n") == {
        "a": {"time": "2026-12-05T10:00:00Z"},
        "b": ["a:b", "1", "12:30", ":x", "a?b"],
    }
    documents = list(compose_documents("a: 1\n---\nb: [a:b]\n---\nc: 3\n"))
    assert [d.value for d in documents] == [{"a": 1}, {"b": ["a:b"]}, {"c": 3}]
    # what neither parser reads keeps libyaml's words and position
    found = problem("a: 1\n---\nb: [a:b\n")
    assert found.message == "YAML syntax error: found unexpected ':'"
    assert found.position == (3, 6)


def test_libyaml_misreads_a_tagged_colon_in_a_flow_collection() -> None:
    # A known limitation, asserted as it is: a plain scalar may start with ':' in a flow
    # collection too (YAML 1.2), and ruamel's pure parser reads [!!str :a] so, but libyaml
    # (ruamel.yaml.clib) reads a mapping without an error (untagged, it refuses [:a], and the
    # pure parser then reads it). Rare enough in manifests to leave to libyaml; this test
    # fails, and says so, when that changes.
    assert one("a: [!!str :a]\n") == {"a": [{"": "a"}]}


def test_times_outside_what_braze_can_schedule_are_refused() -> None:
    from pydantic import ValidationError

    from reconciler.braze.models import ScheduleObject

    for time in ("9999-12-31T23:00:00", "0001-01-01T00:00:00"):
        with pytest.raises(ValidationError, match="is not a time Braze can schedule"):
            ScheduleObject.model_validate({"time": time, "in_local_time": True})
