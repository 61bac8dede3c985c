"""Template checks of ScheduledMessage manifests: each error placed where the Liquid is."""

from __future__ import annotations

from pathlib import Path

from reconciler.manifest.liquid import liquid_diagnostics, place
from reconciler.manifest.yamlload import compose_documents
from reconciler.templates import TemplateError

HEAD = """kind: ScheduledMessage
name: m
spec:
  broadcast: true
  segment_id: s
  schedule: {time: "2026-12-03T15:00:00Z"}
  messages:
"""


def errors(messages: str) -> list[tuple[int, int, str]]:
    text = HEAD + messages
    [document] = compose_documents(text)
    return [
        (d.location.line, d.location.column, d.path or "")
        for d in liquid_diagnostics("m.yaml", document, text, "scheduled_message/m")
    ]


def test_a_literal_block_maps_line_for_line() -> None:
    messages = "    email:\n      body: |\n        ok {{${a}}}\n\n          {{ x | }}\n"
    assert errors(messages) == [(12, 14, "spec.messages.email.body")]


def test_plain_and_quoted_values_map_column_for_column() -> None:
    assert errors("    sms:\n      body: Hi {{ x\n") == [(9, 16, "spec.messages.sms.body")]
    assert errors('    sms:\n      body: "Hi {{ x"\n') == [(9, 17, "spec.messages.sms.body")]
    assert errors("    sms: {body: 'a {% bad %}'}\n") == [(8, 23, "spec.messages.sms.body")]


def test_a_folded_value_is_placed_on_the_line_that_holds_the_error() -> None:
    messages = "    web_push:\n      alert: >\n        first line\n        then {{ a | }} here\n"
    assert errors(messages) == [(11, 17, "spec.messages.web_push.alert")]


def test_every_text_field_is_checked_and_valid_liquid_passes() -> None:
    messages = (
        "    webhook:\n      url: 'https://x.example/{{${user_id}'\n"
        "      request_headers: {h: '{% if %}'}\n"
        "    email:\n      subject: '{{${first_name} | default: \"there\"}}'\n"
    )
    assert [path for *_, path in errors(messages)] == [
        "spec.messages.webhook.url",
        "spec.messages.webhook.request_headers.h",
    ]


def test_without_the_file_text_an_error_is_at_the_value() -> None:
    error = TemplateError(2, 3, "x")
    assert place([], (5, 7), "a\nb {{", error) == (5, 7)
    assert place(["x: >", "  a", "  b"], (1, 4), "a\nzzz", TemplateError(2, 1, "x")) == (1, 4)


def test_the_examples_use_valid_liquid() -> None:
    root = Path(__file__).parents[2] / "examples"
    for path in root.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for document in compose_documents(text):
            assert liquid_diagnostics(str(path), document, text, None) == []


def test_a_quoted_value_over_several_lines_is_followed_through_its_folding() -> None:
    double = '    sms:\n      body: "first line\n        second {{ x\n        third"\n'
    assert errors(double) == [(10, 16, "spec.messages.sms.body")]
    single = "    sms:\n      body: 'it''s\n\n        {{ x | }}'\n"
    assert errors(single) == [(11, 12, "spec.messages.sms.body")]
    escaped = '    sms:\n      body: "say \\"hi\\"\\n  {% bad %}"\n'
    assert errors(escaped) == [(9, 31, "spec.messages.sms.body")]
    folded = "    sms:\n      body: >-\n        one\n        two {{ x\n"
    assert errors(folded) == [(11, 13, "spec.messages.sms.body")]
