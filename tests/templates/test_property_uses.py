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
