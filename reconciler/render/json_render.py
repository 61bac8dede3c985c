"""The plan (or any report) as JSON: stable sorted keys, ``format_version`` first-class."""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan.model import Plan
from reconciler.render.reasons import WORDS


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan's JSON form (``plan --format json``, and saved plans): the model's dump, with
    the words of its reasons and notes for the people who read it."""
    return plan.json_form(WORDS)
