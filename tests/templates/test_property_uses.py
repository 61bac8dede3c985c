"""How a text uses each property: only a bare print is a blank when the property is missing."""

from __future__ import annotations

from reconciler.templates import PropertyRef, PropertyUse, property_uses

X = PropertyRef("api_trigger_properties", "x")


def test_property_uses() -> None:
    assert property_uses("{{ api_trigger_properties.${x} }}") == {X: PropertyUse(True)}
    assert property_uses("{{ api_trigger_properties.${x} | upcase | default: 'zz' }}") == {
        X: PropertyUse(False, defaults=("'zz'",))
    }
    assert property_uses("{% unless true %}{{ api_trigger_properties.x }}{% endunless %}") == {
        X: PropertyUse(False, unreached=True)
    }
    assert property_uses("{% for i in api_trigger_properties.x %}{{ i }}{% endfor %}") == {
        X: PropertyUse(False, in_logic=True)
    }
    assert property_uses("{% case api_trigger_properties.x %}{% when 1 %}a{% endcase %}") == {
        X: PropertyUse(False, in_logic=True)
    }
    guarded = "{% if api_trigger_properties.x %}{{ api_trigger_properties.x }}{% endif %}"
    assert property_uses(guarded) == {X: PropertyUse(False, in_logic=True)}
    unguarded = (
        "{% if api_trigger_properties.x %}{% else %}{{ api_trigger_properties.x }}{% endif %}"
    )
    assert property_uses(unguarded)[X].printed_bare
    assert property_uses("{% connected_content https://a/{{api_trigger_properties.x}} %}") == {
        X: PropertyUse(True)
    }
    assert property_uses("{{ 'a' | append: api_trigger_properties.x }}") == {X: PropertyUse(True)}
    assert property_uses("{{ api_trigger_properties.${x} ") == {X: PropertyUse(True)}  # broken
    assert property_uses("no liquid") == {}


def test_trial_findings_on_rendering_and_syntax() -> None:
    from reconciler.templates import main_texts, render, template_errors

    [error] = template_errors("a {% raw %} b")
    assert error.message == "{% raw %} is never closed by {% endraw %}"
    assert render("a\r\rb {{ 'x' }}\r\n", {}) == "a\r\rb x\r\n"  # as written, not "\n\n"
    # Braze's apple_push_object has no title: only the alert object's title is read
    assert main_texts({"apple_push": {"title": "T", "alert": "A"}})[0].fields == {"alert": "A"}
    [push] = main_texts({"apple_push": {"title": "no", "alert": {"title": "T", "body": "B"}}})
    assert push.fields == {"title": "T", "alert": "B"}
