"""Issue 13 §2 after the trial: a property not given is an error only where a message prints it
bare; a looked-up message that is not valid Liquid is a warning, and its properties count."""

from __future__ import annotations

from reconciler.plan.references import Found, ObjectKind, Problem, ProblemCode, References, problems
from reconciler.render.reasons import problem_words
from reconciler.templates import MessageTemplate
from tests.plan.helpers import CAMPAIGN, resource

LABEL = "variation 'A' (apple_push)"


def _problems(alert: str, given: str = "{a: 1}") -> list[Problem]:
    texts = (MessageTemplate(LABEL, "apple_push", {"alert": alert}),)
    found = Found(ObjectKind.CAMPAIGN, CAMPAIGN, schedule_type="api_triggered", texts=texts)
    references = References(objects={(ObjectKind.CAMPAIGN, CAMPAIGN): found})
    manifest = resource(
        f"""kind: CampaignSchedule
name: one
spec:
  campaign_id: {CAMPAIGN}
  trigger_properties: {given}
  broadcast: true
  schedule: {{time: "2026-12-05T10:00:00Z"}}
"""
    )
    return problems(manifest, references)


def test_a_property_with_a_default_or_only_in_a_condition_is_a_warning() -> None:
    used = "{{api_trigger_properties.${a}}}"
    for alert, instead in [
        ("{{ api_trigger_properties.${dflt} | default: 'zz' }}", "the default 'zz'"),
        ("{% if api_trigger_properties.${dflt} %}Hi{% endif %}", "condition"),
        ("{% if false %}{{ api_trigger_properties.${dflt} }}{% endif %}", "nothing renders"),
        (
            "{% if api_trigger_properties.${dflt} %}{{api_trigger_properties.${dflt}}}{% endif %}",
            "condition",
        ),
    ]:
        [problem] = _problems(used + alert)
        assert problem.code is ProblemCode.DEFAULTED_PROPERTY
        assert not problem.is_error
        words = problem_words(problem)
        assert "'dflt'" in words
        assert instead in words
        assert "blank in its place" not in words


def test_a_property_printed_bare_is_still_an_error() -> None:
    for alert in [
        "{{ api_trigger_properties.${a} }} {{ api_trigger_properties.${bare} | upcase }}",
        "{% assign b = api_trigger_properties.${bare} %}{{ api_trigger_properties.${a} }}{{ b }}",
        "{{api_trigger_properties.${a}}}{{ api_trigger_properties.${bare} | default: 'x' }}"
        "{{ api_trigger_properties.${bare} }}",
    ]:
        [problem] = _problems(alert)
        assert (problem.code, problem.property_name, problem.is_error) == (
            ProblemCode.MISSING_PROPERTY,
            "bare",
            True,
        )
        assert "blank in its place" in problem_words(problem)


def test_a_broken_looked_up_message_is_a_warning_and_its_properties_are_used() -> None:
    found = _problems("Hi {{ api_trigger_properties.${a} ")
    assert [(p.code, p.is_error) for p in found] == [(ProblemCode.BROKEN_TEXT, False)]
    words = problem_words(found[0])
    assert f"{LABEL} alert (1:4: " in words
    assert "is not valid Liquid" in words


def test_a_campaign_message_reading_a_canvas_root_is_a_warning_no_schedule_can_fix() -> None:
    """``canvas_entry_properties`` in a campaign's message (or ``api_trigger_properties`` in a
    Canvas's) is never filled, whatever the schedule gives: a warning naming the root, not a
    missing property the manifest could add."""
    found = _problems("{{api_trigger_properties.${a}}} {{canvas_entry_properties.${offer}}}")
    assert [(p.code, p.property_name, p.is_error) for p in found] == [
        (ProblemCode.FOREIGN_PROPERTY, "canvas_entry_properties.offer", False)
    ]
    words = problem_words(found[0])
    assert f"{LABEL} alert reads canvas_entry_properties.offer, which a campaign never fills" in (
        words
    )
    assert "fix the message in Braze" in words
