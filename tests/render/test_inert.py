"""Escaping, masking and line diffs: the pieces every plan renderer shares."""

from __future__ import annotations

import pytest

from reconciler.plan.planner import plan
from reconciler.render.inert import fence, markdown_code, markdown_text, printable
from reconciler.render.recipients import MASK, is_recipient, mask_recipients, path_keys
from reconciler.render.text import render_text
from reconciler.render.textdiff import DiffLine, is_long, line_diff, word_diff
from tests.commonmark import comments, table_cells, visible
from tests.golden import plain
from tests.plan.helpers import NOW, message, recorded

HOSTILE = [
    "<!-- hidden",
    "</details><details open>",
    "a | b",
    "`code` and ``more``",
    "*bold* _it_ __x__ ~~gone~~",
    "[link](https://example.com) ![img](x.png)",
    "&lt; is not <",
    "$x^2$ \\ backslash",
    "New_York snake_case_name",
    "<script>alert(1)</script>",
]


def test_printable_escapes_every_control_character() -> None:
    assert printable("a\nb\r\tc") == "a\\nb\\r\\tc"
    assert printable("\x1b]0;title\x07\x1b[31m") == "\\x1b]0;title\\x07\\x1b[31m"
    assert printable("\x9b2J \u202eevil \u2028") == "\\x9b2J \\u202eevil \\u2028"
    assert printable("plain é ✓") == "plain é ✓"


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_renders_to_exactly_the_value(value: str) -> None:
    assert visible(markdown_text(value)).strip() == value
    assert comments(markdown_text(value)) == []
    row = f"| {markdown_code(value)} | {markdown_text(value)} |"
    assert table_cells(f"| a | b |\n|---|---|\n{row}\n")[1] == [value, value]
    summary = f"<details>\n<summary>{markdown_code(value)}</summary>\n\nafter\n</details>\n"
    assert visible(summary).split("\n")[1] == value
    assert "after" in visible(summary)


def test_a_newline_cannot_start_a_block() -> None:
    assert visible(markdown_text("x\n# heading\n> quote")).strip() == "x\\n# heading\\n> quote"


def test_the_fence_is_longer_than_any_backtick_run() -> None:
    assert fence(["plain"]) == "```"
    assert fence(["```", "a ````` b"]) == "``````"


def test_only_recipient_identifiers_are_masked() -> None:
    body = {
        "external_user_ids": ["u1"],
        "user_aliases": [{"alias_name": "n", "alias_label": "l"}],
        "recipients": [
            {"external_user_id": "u2", "trigger_properties": {"email": "shown"}},
            {"email": "a@example.com", "prioritization": ["identified"]},
            {"user_alias": {"alias_name": "n"}, "attributes": {"phone": "+1", "tier": "vip"}},
        ],
        "messages": {"email": {"subject": "Hi", "from": "a <a@x.example>", "body": "<p>"}},
    }
    assert mask_recipients(body) == {
        "external_user_ids": [MASK],
        "user_aliases": [{"alias_name": MASK, "alias_label": MASK}],
        "recipients": [
            {"external_user_id": MASK, "trigger_properties": {"email": "shown"}},
            {"email": MASK, "prioritization": ["identified"]},
            {"user_alias": {"alias_name": MASK}, "attributes": {"phone": MASK, "tier": "vip"}},
        ],
        "messages": {"email": {"subject": "Hi", "from": "a <a@x.example>", "body": "<p>"}},
    }
    assert path_keys("recipients[1].email") == ("recipients", "email")
    assert is_recipient(path_keys("recipients[1].email"))
    assert not is_recipient(path_keys("messages.email.subject"))
    assert mask_recipients("u9", path_keys("external_user_ids[0]")) == MASK


def test_long_or_multi_line_values_are_line_diffs_with_distant_lines_elided() -> None:
    assert not is_long("short", "also short")
    assert is_long("x" * 81, "x")
    assert is_long("a\nb", "a")
    before = "\n".join(f"line {i}" for i in range(10))
    after = before.replace("line 5", "line five")
    assert line_diff(before, after) == [
        DiffLine("…", "3 unchanged lines"),
        DiffLine(" ", "line 3"),
        DiffLine(" ", "line 4"),
        DiffLine("-", "line 5"),
        DiffLine("+", "line five"),
        DiffLine(" ", "line 6"),
        DiffLine(" ", "line 7"),
        DiffLine("…", "2 unchanged lines"),
    ]


def test_a_word_diff_only_where_it_helps() -> None:
    spans = word_diff("take 30% off all outerwear", "take 40% off all outerwear")
    assert spans is not None
    assert [(s.tag, s.text) for s in spans] == [
        (" ", "take "),
        ("-", "30"),
        ("+", "40"),
        (" ", "% off all outerwear"),
    ]
    assert word_diff("completely different words", "nothing alike at all here") is None


def test_rich_markup_in_a_long_value_prints_as_written() -> None:
    old = "[bold]Sale[/] on everything in the store today, with [red]free[/] shipping over $50"
    new = old.replace("today", "tonight")
    before, after = message(alert=old), message(alert=new)
    result = plan({after.address: after}, {before.address: recorded(before)}, NOW)
    text = plain(render_text(result))
    assert (
        "          ~ [bold]Sale[/] on everything in the store [-today-]{+tonight+}, with "
        "[red]free[/] shipping over $50"
    ) in text.splitlines()


def test_a_huge_line_gets_no_word_diff_and_stays_fast() -> None:
    line = " ".join(f"word{i}" for i in range(5_000))
    assert word_diff(line, line.replace("word10 ", "changed ")) is None


def test_an_error_keeps_its_own_lines_and_no_line_can_start_a_workflow_command() -> None:
    from reconciler.render.inert import printable_lines

    message = "refused: a\x1b]0;x\x07b\n  hint: plan again\n::warning file=x::owned"
    assert printable_lines(message) == (
        "refused: a\\x1b]0;x\\x07b\n  hint: plan again\n  :\\:warning file=x::owned"
    )
