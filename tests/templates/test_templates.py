"""reconciler.templates: Braze's Liquid parsed, analysed and rendered offline."""

from __future__ import annotations

from typing import Final

import pytest

from reconciler.templates import (
    MessageTemplate,
    PropertyRef,
    TemplateError,
    liquid_texts,
    main_texts,
    referenced_properties,
    render,
    template_errors,
)
from reconciler.templates.syntax import encode

TRIGGER: Final = "api_trigger_properties"

BRAZE_DOC_EXAMPLES = [
    # supported_personalization_tags.md, setting_default_values.md, aborting_messages.md
    "Hi {{${first_name} | default: 'there'}}, check out our latest picks for you!",
    "{% if {{custom_attribute.${balance}}} > 0 %}\nYour rewards balance is "
    "{{custom_attribute.${balance}}}\n{% else %}\n{% abort_message() %}\n{% endif %}",
    "{% if ${first_name} != blank and ${first_name} != null %}\nHello "
    "{{${first_name} | default: 'there'}}\n{% else %}\nThanks!\n{% endif %}",
    "{% assign new_points_balance = {{custom_attribute.${current_rewards_balance} | plus: 50}} %}"
    "{% if new_points_balance >= 100 %}{{new_points_balance}}{% else %}"
    "{% abort_message('not enough points') %}{% endif %}",
    "{% for items in {{custom_attribute.${Brands Viewed}}} limit:5 %}{% if {{items}} contains "
    "'Converse' %}{% assign converse_viewer = true %}{% endif %}{% endfor %}",
    "{% connected_content https://example.com/api/endpoint :save connected %}\n"
    "{% if connected.__http_status_code__ != 200 %}\n"
    "{% abort_message('Connected Content returned a non-200 status code') %}\n{% endif %}",
    "{% connected_content https://x.example/api\n  :method post\n  :headers {\n"
    '    "x-api-key": "abc"\n  }\n  :save jw\n%}{{jw.copy.vars.cta}}'
    "{% message_extras :key copy_id :value {{jw.copy.id }} %}",
    "{% if user.is_vip %}{% promotion('vip-deal') %}{% else %}"
    "{% promotion('regular-deal') %}{% endif %}",
    "{% capture code %}{% promotion('puttshacktest2') %}{% endcapture %}Use {{code}}!"
    "{% message_extras :key cardscode :value {{code}} %}",
    "{{content_blocks.${footer}}} {{campaign.${name}}} {{canvas.${variant_name}}}",
    "{% catalog_items games 1234 %}{{ items[0].title }}",
    "{% assign hour_in_utc = 'now' | date: '%H' | plus:0 %}{% if hour_in_utc >= 19 %}x"
    "{% else %}{% abort_message %}{% endif %}",
    "{{most_recently_used_device.${model}}} {{subscribed_state.${email_global}}}",
    "{% translation greeting %}Hello {{${first_name}}}{% endtranslation %}",
    "{{ 'x' | md5 }} {{ 1234 | number_with_delimiter }} {{ 'a b' | url_param_escape }}",
    "{% raw %}{{${not_parsed}{% endraw %} and ${literal} text",
]


@pytest.mark.parametrize("source", BRAZE_DOC_EXAMPLES)
def test_braze_documented_liquid_parses_and_renders(source: str) -> None:
    assert template_errors(source) == []
    assert isinstance(render(source, {}), str)


def test_encoding_keeps_every_position() -> None:
    source = "x ${a} {{${first name}}} {% if {{custom_attribute.${b}}} %}y{% endif %}"
    encoded = encode(source)
    assert len(encoded.text) == len(source)
    assert encoded.text.startswith("x ${a} {{")  # text outside markup is left alone
    assert set(encoded.names.values()) == {"first name", "b"}


@pytest.mark.parametrize(
    ("source", "line", "column", "words"),
    [
        ("Hi {{${first_name}", 1, 4, "{{ is never closed by }}"),
        ("one\n{% if x %}two", 2, 4, "endif"),
        ("one\ntwo {{ x | }}", 2, 8, "expected"),
        ("{% bogus %}", 1, 4, "unexpected tag 'bogus'"),
        ("a\n\n  {% for %}{% endfor %}", 3, 6, "missing expression"),
        ("{% if a %}\n{% endfor %}", 2, 4, "endfor"),
    ],
)
def test_syntax_errors_are_placed_in_the_text(
    source: str, line: int, column: int, words: str
) -> None:
    [error] = template_errors(source)
    assert (error.line, error.column) == (line, column)
    assert words in error.message
    assert "\u01c2" not in error.message


def test_an_error_names_the_attribute_as_written() -> None:
    [error] = template_errors("{{ ${first_name} ${last name} }}")
    assert isinstance(error, TemplateError)
    assert "\u01c2" not in error.message


def test_a_huge_text_is_one_error_not_a_slow_parse() -> None:
    assert len(template_errors("{" * 200_000)) == 1
    assert "not rendered" in render("{" * 200_000, {})
    assert referenced_properties("{" * 200_000) == frozenset()
    assert template_errors("x" * 200_000) == []  # no brace, no Liquid: not parsed
    assert render("plain", {}) == "plain"


def test_referenced_properties_in_every_form() -> None:
    source = (
        "{{api_trigger_properties.${discount_code}}} {{api_trigger_properties.plain}}"
        " {{api_trigger_properties['bracketed']}} {{canvas_entry_properties.${tier}}}"
        " {{context.${x}}} {{api_trigger_properties.${product}.name}}"
        " {% if api_trigger_properties.${flag} %}y{% endif %}"
        " {% connected_content https://x.example/?c={{api_trigger_properties.${cc}}} %}"
        " {{custom_attribute.${not_a_property}}} {{${first_name}}}"
    )
    assert referenced_properties(source) == {
        PropertyRef(TRIGGER, "discount_code"),
        PropertyRef(TRIGGER, "plain"),
        PropertyRef(TRIGGER, "bracketed"),
        PropertyRef("canvas_entry_properties", "tier"),
        PropertyRef("context", "x"),
        PropertyRef(TRIGGER, "product"),
        PropertyRef(TRIGGER, "flag"),
        PropertyRef(TRIGGER, "cc"),
    }
    assert str(PropertyRef(TRIGGER, "a")) == "api_trigger_properties.a"


def test_a_variable_the_template_assigns_is_not_a_property() -> None:
    assert referenced_properties("{% assign context = 'x' %}{{context.a}}") == frozenset()


def test_an_unparsable_template_is_scanned_as_text() -> None:
    source = "{% if x %}{{api_trigger_properties.${code}}} {{context['y']}}"
    assert template_errors(source)
    assert referenced_properties(source) == {
        PropertyRef(TRIGGER, "code"),
        PropertyRef("context", "y"),
    }


def test_render_fills_properties_and_shows_attributes_as_placeholders() -> None:
    source = "Hi {{${first_name} | default: 'there'}}, use {{api_trigger_properties.${code}}}"
    assert render(source, {"code": "GIFT10"}) == "Hi {first_name}, use GIFT10"
    assert render(source, {"code": "G"}, {"first_name": "Ana"}) == "Hi Ana, use G"
    custom = "{{custom_attribute.${tier}}}/{{custom_attribute.${Brands Viewed}}}"
    assert render(custom, {}) == "{custom_attribute.tier}/{custom_attribute.Brands Viewed}"
    assert render(custom, {}, {"tier": "gold", "custom_attribute.Brands Viewed": "x"}) == "gold/x"


def test_a_missing_property_is_visible_unless_defaulted() -> None:
    assert render("[{{api_trigger_properties.${code}}}]", {}) == (
        "[{api_trigger_properties.code: missing}]"
    )
    source = "{{canvas_entry_properties.${code} | default: 'WELCOME'}}"
    assert render(source, {}) == "WELCOME"
    assert render("{{context.${a}.b}}", {"a": {"b": "nested"}}) == "nested"
    assert render("{{undefined_name}}", {}) == "{undefined_name: undefined}"


def test_a_condition_on_an_attribute_takes_the_branch_of_a_user_without_it() -> None:
    source = "{% if ${first_name} %}Hi {{${first_name}}}{% else %}Hello{% endif %}"
    assert render(source, {}) == "Hello"
    assert render(source, {}, {"first_name": "Ana"}) == "Hi Ana"


def test_braze_tags_render_markers_and_never_call_out() -> None:
    assert render("{% connected_content https://x.example/ %}", {}) == "{connected_content}"
    saved = "{% connected_content https://x.example/ :save r %}{{r.title}}"
    assert render(saved, {}) == "{connected_content r.title}"
    assert render("a {% abort_message('no code') %} b", {}) == "{message aborted: no code}"
    assert render("{% abort_message %}", {}) == "{message aborted}"
    assert render("{% promotion('vip') %}", {}) == "{promotion code vip}"
    assert render("{% message_extras :key a :value b %}ok", {}) == "ok"


def test_render_never_raises_and_is_bounded() -> None:
    assert render("{% for i in (1..100000) %}x{% endfor %}", {}).startswith("{stopped")
    long = "{% for i in (1..1000) %}" + "y" * 100 + "{% endfor %}"
    out = render(long, {})
    assert len(out) < 21_000
    assert out.endswith("{… output too long}")
    assert render("{{ 1 | divided_by: 0 }}", {}).startswith("{cannot render")
    assert render("{% if x %}", {}).startswith("{not rendered: ")
    assert render("{% include 'x' %}", {}).startswith("{cannot render")


def test_main_texts_picks_what_a_recipient_reads_first() -> None:
    messages = {
        "apple_push": {"alert": {"title": "T", "body": "B"}, "badge": 1},
        "android_push": {"alert": "A", "title": "AT", "extra": {"k": "v"}},
        "email": {"subject": "S", "preheader": "P", "body": "<p>long</p>"},
        "sms": {"body": "SMS"},
        "content_card": {"title": "CT", "description": "CD", "type": "CLASSIC"},
        "webhook": {"url": "https://x.example", "body": "{}"},
        "web_push": {"alert": 3},
    }
    assert main_texts(messages, 'variation "Push A"') == (
        MessageTemplate(
            'variation "Push A" (apple_push)', "apple_push", {"title": "T", "alert": "B"}
        ),
        MessageTemplate(
            'variation "Push A" (android_push)', "android_push", {"title": "AT", "alert": "A"}
        ),
        MessageTemplate('variation "Push A" (email)', "email", {"subject": "S", "preheader": "P"}),
        MessageTemplate('variation "Push A" (sms)', "sms", {"body": "SMS"}),
        MessageTemplate(
            'variation "Push A" (content_card)',
            "content_card",
            {"title": "CT", "description": "CD"},
        ),
    )
    [push] = main_texts({"apple_push": {"alert": "plain"}})
    assert (push.label, push.fields) == ("apple_push", {"alert": "plain"})
    [whats_app] = main_texts({"whats_app": {"message": {"body": "W"}}})
    assert whats_app.fields == {"body": "W"}


def test_liquid_texts_gives_every_text_field() -> None:
    [email, hook] = liquid_texts(
        {
            "email": {
                "subject": "S",
                "body": "B",
                "extras": {"k": "v"},
                "message_variation_id": "m",
            },
            "webhook": {"url": "U", "request_headers": {"h": "H"}, "list": ["a", 1]},
        }
    )
    assert email.fields == {"subject": "S", "body": "B", "extras.k": "v"}
    assert hook.fields == {"url": "U", "request_headers.h": "H", "list[0]": "a"}


def test_property_findings_missing_and_unused() -> None:
    from reconciler.templates.checks import CAMPAIGN_ROOTS, CANVAS_ROOTS, property_findings

    push = MessageTemplate(
        'variation "A" (apple_push)',
        "apple_push",
        {"alert": "{{api_trigger_properties.${code}}} {{api_trigger_properties.${size}}}"},
    )
    found = property_findings([push], CAMPAIGN_ROOTS, {"code": "X", "extra": 1})
    assert [(m.field, m.property.name, m.recipients_without) for m in found.missing] == [
        ("alert", "size", 0)
    ]
    assert found.unused == ("extra",)
    # every recipient supplies it: supplied; one does not: missing for one
    both = property_findings([push], CAMPAIGN_ROOTS, {"code": "X"}, [{"size": "M"}, {"size": "L"}])
    assert both.missing == ()
    one = property_findings([push], CAMPAIGN_ROOTS, {"code": "X"}, [{"size": "M"}, None])
    assert [m.recipients_without for m in one.missing] == [1]
    # a Canvas reads context and canvas_entry_properties, not api_trigger_properties
    canvas = property_findings([push], CANVAS_ROOTS, {"code": "X"})
    assert canvas.missing == ()
    assert canvas.unused == ("code",)
