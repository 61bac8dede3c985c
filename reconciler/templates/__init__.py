"""Braze message templates: Liquid with Braze's syntax, checked, analysed and rendered offline.

A ground-floor package (it imports nothing of the project's): the manifest checks, the planner
and the reference checks all read message text through it.

- :func:`main_texts` picks what a recipient reads first from a Braze ``messages`` object (push
  title and alert, email subject and preheader, SMS body, Content Card title and description);
  :func:`liquid_texts` gives every text field, for checks that must see all the Liquid.
- :func:`template_errors` parses one text as Braze's Liquid (python-liquid, with Braze's
  ``${attribute}`` syntax and tags: :mod:`reconciler.templates.syntax`,
  :mod:`reconciler.templates.braze_liquid`).
- :func:`referenced_properties` lists the trigger, entry and context properties a text reads.
- :func:`render` shows what a recipient will read, given the schedule's properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.templates.messages import (
    LIMIT_SOURCE,
    MAIN_FIELDS,
    MessageTemplate,
    PropertyRef,
    PropertyRoot,
    PropertyUse,
    TemplateError,
    liquid_texts,
    main_texts,
)

ROOT_PROPERTIES = ("api_trigger_properties", "canvas_entry_properties", "context")
"""The Liquid roots that read what a schedule supplies (trigger, entry and context properties)."""


def template_errors(source: str) -> list[TemplateError]:
    """The Liquid syntax errors of ``source`` as Braze's Liquid: empty when it parses.

    Line and column are 1-based within ``source``. python-liquid stops at the first error, so
    there is at most one. A text without ``{`` holds no Liquid and is not parsed.
    """
    if "{" not in source:
        return []
    from reconciler.templates import engine

    return engine.template_errors(source)


def referenced_properties(source: str) -> frozenset[PropertyRef]:
    """The trigger, entry and context properties ``source`` reads: ``${x}``, dotted and bracket
    forms, and inside Braze's tags (:func:`reconciler.templates.engine.referenced_properties`)."""
    if "{" not in source:
        return frozenset()
    from reconciler.templates import engine

    return engine.referenced_properties(source)


def property_uses(source: str) -> dict[PropertyRef, PropertyUse]:
    """How ``source`` uses each property it reads: whether a missing one prints a blank
    (:func:`reconciler.templates.engine.property_uses`)."""
    if "{" not in source:
        return {}
    from reconciler.templates import engine

    return engine.property_uses(source)


def render(
    source: str, properties: Mapping[str, Any], attributes: Mapping[str, Any] | None = None
) -> str:
    """What a recipient reads: ``source`` rendered offline (:func:`engine.render`)."""
    if "{" not in source:
        return source
    from reconciler.templates import engine

    return engine.render(source, properties, attributes)


__all__ = [
    "LIMIT_SOURCE",
    "MAIN_FIELDS",
    "ROOT_PROPERTIES",
    "MessageTemplate",
    "PropertyRef",
    "PropertyRoot",
    "PropertyUse",
    "TemplateError",
    "liquid_texts",
    "main_texts",
    "property_uses",
    "referenced_properties",
    "render",
    "template_errors",
]
