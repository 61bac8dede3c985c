"""The YAML composer against ruamel.yaml's own safe loader, on generated documents.

The composer (``reconciler/manifest/yamlload.py``) decides the type of every scalar with its
own regular expressions. Here both load the same generated documents (mappings and sequences,
block and flow, nested a few levels; plain, quoted and tagged scalars that look like numbers,
booleans, nulls and times) and must agree value for value and type for type. Where the loader
departs from ruamel by design, ``expected`` says so, and why, one narrow rule at a time: a
new difference fails this test until someone decides which side is right.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode

from reconciler.manifest.yamlload import YamlProblem, compose_documents
from tests.evidence.conftest import PROPERTY_SETTINGS

RUAMEL = YAML(typ="safe", pure=True)
_RESOLVER = YAML(typ="safe", pure=True).resolver
_YAML = "tag:yaml.org,2002:"
_INT64 = range(-(2**63), 2**63)

# The core schema's spellings of each type (YAML 1.2.2, 10.3.2), for explicit tags only.
CORE_SPELLINGS = {
    "!!null": re.compile(r"|~|null|Null|NULL"),
    "!!bool": re.compile(r"true|True|TRUE|false|False|FALSE"),
    "!!int": re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"),
    "!!float": re.compile(
        r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
    ),
}


@dataclasses.dataclass(frozen=True)
class Leaf:
    text: str
    style: str = "plain"  # plain, single, double
    tag: str | None = None


@dataclasses.dataclass(frozen=True)
class Mapping:
    items: tuple[tuple[Leaf, Node], ...]
    flow: bool


@dataclasses.dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]
    flow: bool


Node = Leaf | Mapping | Sequence


@dataclasses.dataclass(frozen=True)
class Refused:
    code: str


# --- scalars ---------------------------------------------------------------------------------

SIGN = st.sampled_from(["", "-", "+"])
DIGITS = st.text("0123456789", min_size=1, max_size=21)
INT64_EDGES = [
    "9223372036854775807",
    "-9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "-9223372036854775809",
    "0x7fffffffffffffff",
    "0x8000000000000000",
    "0o777777777777777777777",
    "0o1000000000000000000000",
]
INTS = st.one_of(
    st.builds(lambda sign, digits: sign + digits, SIGN, DIGITS),
    st.builds(
        lambda sign, prefix, digits: sign + prefix + digits,
        SIGN,
        st.sampled_from(["0x", "0X", "0o", "0O", "0b", "0B"]),
        st.text("0123456789abcdefABCDEF", max_size=17),
    ),
    st.text("0123456789_", min_size=1, max_size=9),  # YAML 1.1's underscores
    st.sampled_from(INT64_EDGES),
    st.integers(-(2**65), 2**65).map(str),
)
FLOAT_SPELLINGS = [
    ".inf", ".Inf", ".INF", ".iNf", "-.inf", "+.INF", ".nan", ".NaN", ".NAN", "-.nan",
    "inf", "nan", "NaN", "Infinity", "1e400", "-1e400", "1_000.5", ".1_0", "._5", "1.5_",
]  # fmt: skip
MANTISSA = st.one_of(
    st.text("0123456789", min_size=1, max_size=4),
    st.text("0123456789", min_size=1, max_size=4).map(lambda d: d + "."),
    st.text("0123456789", min_size=1, max_size=4).map(lambda d: "." + d),
    st.builds("{}.{}".format, st.text("0123456789", min_size=1, max_size=3), DIGITS),
)
EXPONENT = st.one_of(
    st.just(""),
    st.builds(
        lambda e, sign, digits: e + sign + digits,
        st.sampled_from("eE"),
        SIGN,
        st.text("0123456789", min_size=1, max_size=3),
    ),
)
FLOATS = st.one_of(
    st.builds(lambda sign, digits, exponent: sign + digits + exponent, SIGN, MANTISSA, EXPONENT),
    st.sampled_from(FLOAT_SPELLINGS),
    st.floats().map(repr),
)
BOOLS = st.sampled_from([
    "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "fALSE",
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    "y", "Y", "n", "N",
])  # fmt: skip
NULLS = st.sampled_from(["null", "Null", "NULL", "nULL", "~", ""])
TIMESTAMPS = st.builds(
    lambda day, time, zone: day + time + zone,
    st.one_of(
        st.dates(date(1000, 1, 1)).map(str),
        st.builds(  # also impossible dates and one-digit months and days
            "{}-{}-{}".format,
            st.text("0123456789", min_size=4, max_size=4),
            st.text("0123456789", min_size=1, max_size=2),
            st.text("0123456789", min_size=1, max_size=2),
        ),
    ),
    st.one_of(
        st.just(""),
        st.builds(
            lambda sep, h, m, s, fraction: f"{sep}{h}:{m:02d}:{s:02d}{fraction}",
            st.sampled_from(["T", "t", " "]),
            st.integers(0, 29),
            st.integers(0, 69),
            st.integers(0, 69),
            st.sampled_from(["", ".", ".5", ".123456789"]),
        ),
    ),
    st.sampled_from(["", "Z", "z", "+02:00", "-05", " +02:00", " Z", "+0200"]),
)
LOOKALIKES = st.sampled_from([
    "1.2.3", "1e", "e3", "0x", "0o", "0b", "12:30", "190:20:30", "1,000", "1 000", "=", "<<",
    "+", "-", ".", "..", "-.", "+-1", "1-2", "1/2", "0.0.0.0", "v1", "1st", "-0", "+0", "00",
    "http://example.com/a?b=c#d", "a:b", "it's", 'say "hi"', "a#b", "~x", "null1", "truex",
    ":a", "?x", "x?y", "-x", "a: b", "a #b", "#x", "&a", "*a", "!x", "|", ">", "%x", "@x",
])  # fmt: skip
FREE_TEXT = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), max_size=8)
TEXTS = st.one_of(INTS, FLOATS, BOOLS, NULLS, TIMESTAMPS, LOOKALIKES, FREE_TEXT)
TAGS = st.sampled_from([None] * 8 + ["!!str", "!!int", "!!float", "!!bool", "!!null", "!"])


@st.composite
def leaves(draw: st.DrawFn) -> Leaf:
    text = draw(TEXTS)
    style = draw(st.sampled_from(["plain", "plain", "plain", "single", "double"]))
    tag = draw(TAGS) if text else None
    return Leaf(text, style, tag)


IDENTIFIERS = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
KEYS = st.one_of(IDENTIFIERS.map(Leaf), IDENTIFIERS.map(Leaf), leaves())


def containers(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(
            Mapping,
            st.lists(st.tuples(KEYS, children), max_size=4).map(tuple),
            st.booleans(),
        ),
        st.builds(Sequence, st.lists(children, max_size=4).map(tuple), st.booleans()),
    )


DOCUMENTS = st.builds(
    Mapping,
    st.lists(
        st.tuples(KEYS, st.recursive(leaves(), containers, max_leaves=16)), min_size=1, max_size=5
    ).map(tuple),
    st.just(False),
)


# --- writing a document ----------------------------------------------------------------------

_STARTS_OTHER_TOKENS = set("-?:,[]{}#&*!|>'\"%@`")


def plain_safe(text: str, flow: bool) -> bool:
    """Whether ``text`` can be written unquoted here and still read back as ``text``."""
    if not text:
        return not flow
    if text != text.strip() or ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and (any(c in text for c in ",[]{}") or text[0] == "?"):
        return False
    first = text[0]
    return first not in _STARTS_OTHER_TOKENS or (first in "-?:" and len(text) > 1)


def settle_leaf(leaf: Leaf, flow: bool) -> Leaf:
    """``leaf``, quoted where it cannot be written plain (in its context)."""
    # A plain scalar that starts with ':' in a flow collection is valid YAML 1.2 that
    # neither parser reads well: libyaml misreads it after a tag (test_yamlload.py), and
    # ruamel's pure parser refuses it as a flow mapping's value. Quoted here.
    colon = flow and leaf.text.startswith(":")
    if leaf.style == "plain" and (colon or not plain_safe(leaf.text, flow)):
        return dataclasses.replace(leaf, style="double")
    return leaf


def settle(node: Node, flow: bool = False) -> Node:
    """``node`` with each leaf quoted where it cannot be written plain (in its context)."""
    if isinstance(node, Leaf):
        return settle_leaf(node, flow)
    inner = flow or node.flow
    if isinstance(node, Mapping):
        items = tuple((settle_key(key, inner), settle(value, inner)) for key, value in node.items)
        return Mapping(items, node.flow)
    return Sequence(tuple(settle(item, inner) for item in node.items), node.flow)


def settle_key(key: Leaf, flow: bool) -> Leaf:
    """A plain key is kept plain only without ':' (which would end it) and when it is not the
    merge key ``<<`` (merging is tested in test_yamlload.py, not scalar types)."""
    unsafe = not key.text or ":" in key.text or key.text == "<<" or key.text[0] in "?-"
    if key.style == "plain" and unsafe:
        return dataclasses.replace(key, style="double")
    return settle_leaf(key, flow)


def scalar(leaf: Leaf) -> str:
    if leaf.style == "single":
        text = "'" + leaf.text.replace("'", "''") + "'"
    elif leaf.style == "double":
        text = json.dumps(leaf.text, ensure_ascii=False)
    else:
        text = leaf.text
    return f"{leaf.tag} {text}" if leaf.tag else text


def inline(node: Node) -> str:
    if isinstance(node, Leaf):
        return scalar(node)
    if isinstance(node, Mapping):
        return "{" + ", ".join(f"{scalar(k)}: {inline(v)}" for k, v in node.items) + "}"
    return "[" + ", ".join(inline(item) for item in node.items) + "]"


def block(node: Mapping | Sequence, indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    entries = (
        [(f"{scalar(k)}:", v) for k, v in node.items]
        if isinstance(node, Mapping)
        else [("-", item) for item in node.items]
    )
    for head, value in entries:
        if isinstance(value, Leaf) or value.flow or not value.items:
            lines.append(f"{pad}{head} {inline(value)}".rstrip())
        else:
            lines.append(f"{pad}{head}")
            lines.extend(block(value, indent + 2))
    return lines


def document(root: Mapping) -> str:
    return "\n".join(block(root, 0)) + "\n"


# --- what each side reads --------------------------------------------------------------------


def theirs(leaf: Leaf) -> Any:
    """ruamel's value for the scalar alone (its type depends on nothing around it), or the
    exception it raises."""
    try:
        return RUAMEL.load(f"v: {scalar(leaf)}\n")["v"]
    except Exception as exc:  # ruamel raises several kinds: each is "refused" here
        return exc


def ruamel_tag(leaf: Leaf) -> str:
    """The tag ruamel's resolver gives a plain, untagged scalar."""
    return str(_RESOLVER.resolve(ScalarNode, leaf.text, (True, False)))


def expected(leaf: Leaf, value: Any) -> Any:
    """What the loader must read for ``leaf``, given what ruamel read (``value``)."""
    plain = leaf.style == "plain" and leaf.tag is None
    text = leaf.text
    if leaf.tag == "!":
        # The non-specific tag "!" makes a scalar a string (YAML 1.2.2, 6.9.1); ruamel
        # resolves it like an untagged plain scalar.
        return text
    if leaf.tag in CORE_SPELLINGS and not CORE_SPELLINGS[leaf.tag].fullmatch(text):
        # An explicit tag takes its type's core schema spellings (YAML 1.2.2, 10.3.2) and
        # nothing else. ruamel's constructors are looser: !!int and !!float strip one sign
        # and the underscores and hand the rest to Python's int() and float() ("+-1", "1_0",
        # "inf", ".iNf", "-.nan"); !!bool takes YAML 1.1's yes, no, on, off (YAML 1.2 is
        # used: "yes/no are strings", decisions.md); !!null ignores the text it tags.
        return Refused("yaml_tag")
    if plain and ruamel_tag(leaf) == _YAML + "timestamp":
        # Unquoted timestamps stay text (docs/decisions.md, "Manifests"): Braze wants the
        # string. ruamel makes a date, or refuses one that does not exist (2026-02-30).
        return text
    if plain and ruamel_tag(leaf) in (_YAML + "merge", _YAML + "value"):
        # "<<" and "=" as values: YAML 1.1's merge and value types. The loader reads YAML 1.2
        # (module docstring, decisions.md), whose core schema makes them strings; ruamel
        # refuses them outside a key.
        return text
    if plain and re.search(r"_|0[bB]|[-+]0[xXoO]", text) and type(value) in (int, float):
        # Underscores, 0b binary and a sign before 0x or 0o are YAML 1.1 numbers that
        # ruamel's 1.2 resolver still reads; in the core schema they are strings.
        return text
    if plain and re.fullmatch(r"[-+]?\.[0-9]+[eE][0-9]+", text):
        # ".5e3": ruamel's 1.2 float pattern wants a signed exponent after a leading dot;
        # the core schema's float pattern does not.
        value = float(text)
    if isinstance(value, float) and not math.isfinite(value):
        # JSON, and so Braze, has no infinity or NaN: refused, with a hint to quote it.
        return Refused("yaml_not_finite")
    if isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
        # Integers beyond 64 bits are refused (decisions.md): JSON parsers hold 64 bits.
        return Refused("yaml_number_too_large")
    if isinstance(value, Exception):
        # What ruamel refuses, the loader refuses: here only a tag the text does not fit.
        return Refused("yaml_tag")
    return value


def key_text(value: Any) -> Any:
    """Mapping keys are strings (JSON's are): ``1`` is ``"1"``, ``true`` is ``"true"``."""
    if isinstance(value, Refused | str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclasses.dataclass
class Expectation:
    value: Any = None
    refused: Refused | None = None
    ruamel_refuses: bool = False
    ruamel_value: Any = None


def expect(node: Node, outcome: Expectation) -> tuple[Any, Any]:
    """(the loader's expected value, ruamel's value), walking in document order so that the
    first refusal recorded is the one the loader meets first."""
    if isinstance(node, Leaf):
        value = theirs(node)
        mine = expected(node, value)
        if isinstance(value, Exception):
            outcome.ruamel_refuses = True
        if isinstance(mine, Refused) and outcome.refused is None:
            outcome.refused = mine
        return mine, value
    if isinstance(node, Sequence):
        pairs = [expect(item, outcome) for item in node.items]
        return [mine for mine, _ in pairs], [their for _, their in pairs]
    mine_map: dict[Any, Any] = {}
    their_map: dict[Any, Any] = {}
    for key, item in node.items:
        mine_key, their_key = expect(key, outcome)
        mine_key = key_text(mine_key)
        mine_value, their_value = expect(item, outcome)
        if not isinstance(mine_key, Refused) and mine_key in mine_map and outcome.refused is None:
            outcome.refused = Refused("yaml_duplicate_key")  # keys equal as text
        mine_map[mine_key] = mine_value
        if their_key in their_map:  # ruamel refuses keys equal as values (1 and 1.0)
            outcome.ruamel_refuses = True
        their_map[their_key] = their_value
    return mine_map, their_map


def typed(value: Any) -> Any:
    """``value`` with each scalar's type made part of it: 1, 1.0 and True differ; NaN == NaN."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    return (type(value).__name__, value)


def load(text: str) -> Any:
    (only,) = [d.value for d in compose_documents(text)]
    return only


def check(root: Mapping) -> None:
    settled = settle(root)
    assert isinstance(settled, Mapping)
    text = document(settled)
    outcome = Expectation()
    outcome.value, outcome.ruamel_value = expect(settled, outcome)
    if not outcome.ruamel_refuses:
        # The leaves' values compose to what ruamel reads for the whole document.
        assert typed(RUAMEL.load(text)) == typed(outcome.ruamel_value), text
    if outcome.refused is not None:
        with pytest.raises(YamlProblem) as caught:
            load(text)
        assert caught.value.code == outcome.refused.code, text
    else:
        assert typed(load(text)) == typed(outcome.value), text


@PROPERTY_SETTINGS
@given(DOCUMENTS)
def test_the_loader_reads_what_ruamel_reads_or_differs_as_documented(root: Mapping) -> None:
    check(root)


@PROPERTY_SETTINGS
@given(leaves())
def test_a_scalar_key_is_the_text_of_its_value(key: Leaf) -> None:
    check(Mapping(((key, Leaf("1")),), flow=False))
