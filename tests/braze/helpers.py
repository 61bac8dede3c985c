"""Shared assertions for the Braze model tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from reconciler.braze.models.base import Finding, findings


def assert_error(
    validate: Callable[[Any], object],
    body: Any,
    code: str,
    loc: tuple[str | int, ...],
    braze_message: str | None = "Bad Request",
) -> dict[str, Any]:
    """``body`` fails with exactly one error: this code, at this location, with this text."""
    with pytest.raises(ValidationError) as caught:
        validate(body)
    errors = caught.value.errors()
    assert len(errors) == 1, errors
    error: dict[str, Any] = dict(errors[0])
    ctx = error.get("ctx") or {}
    assert (error["type"], error["loc"], ctx.get("braze_message")) == (code, loc, braze_message)
    return error


def assert_finding(
    model: type[BaseModel], body: Any, code: str, loc: tuple[str | int, ...]
) -> Finding:
    """``body`` is accepted (as Braze may accept it), with exactly one finding: this code, at
    this location."""
    (finding,) = findings(model.model_validate(body))
    assert (finding.code, finding.loc) == (code, loc)
    return finding
