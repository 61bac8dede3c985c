"""Sample user attributes for what recipients will read (``plan --sample-attributes FILE``).

A YAML or JSON mapping of attribute name to value: ``first_name: Ada``,
``custom_attribute.tier: gold`` (or just ``tier: gold``). The rendered texts show these values
where Braze would print the user's; an attribute not given stays a placeholder
(``{last_name}``). Any problem with the file is a usage error (exit 3) at ``file:line:col``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.errors import UsageError
from reconciler.manifest.yamlload import YamlProblem, compose_documents

HINT = "give a mapping of attribute name to value, e.g. 'first_name: Ada' and 'tier: gold'"


def load_sample_attributes(path: Path) -> dict[str, Any]:
    """The attributes of ``path``; raises :class:`UsageError` at the file's line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"{path}: cannot read the sample attributes: {reason}") from None
    try:
        documents = list(compose_documents(text))
    except YamlProblem as problem:
        line, column = problem.position
        raise UsageError(f"{path}:{line}:{column}: {problem.message}", hint=problem.hint) from None
    if not documents:
        return {}
    if len(documents) > 1:
        line, column = documents[1].start
        raise UsageError(f"{path}:{line}:{column}: one document only", hint=HINT)
    document = documents[0]
    if not isinstance(document.value, dict):
        line, column = document.start
        raise UsageError(
            f"{path}:{line}:{column}: the sample attributes are not a mapping", hint=HINT
        )
    for key in document.value:
        if not isinstance(key, str) or not key:
            line, column = document.key_position((key,))
            raise UsageError(
                f"{path}:{line}:{column}: an attribute name must be text, not {key!r}", hint=HINT
            )
    return dict(document.value)
