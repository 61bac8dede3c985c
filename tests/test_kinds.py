"""The kind table is the one home of what a kind is: every kind has its row and its model,
and no module outside the table compares or maps kind names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reconciler.kinds import (
    APPLIED_KINDS,
    KIND_BY_PREFIX,
    KIND_FACTS,
    SCHEDULE_KINDS,
    Kind,
    addresses_of,
    facts,
)
from reconciler.manifest.models import MANIFEST_MODELS
from reconciler.manifest.resource import address_of, parse_address

PACKAGE = Path(__file__).resolve().parents[1] / "reconciler"
# The table itself, and the manifest models whose `kind: Literal[...]` discriminates them.
KIND_HOMES = {PACKAGE / "kinds.py", PACKAGE / "manifest" / "models.py"}


def test_every_kind_has_one_row_one_model_and_one_prefix() -> None:
    assert set(KIND_FACTS) == set(Kind)
    assert set(MANIFEST_MODELS) == set(Kind)
    assert all(row.kind is kind for kind, row in KIND_FACTS.items())
    assert len(KIND_BY_PREFIX) == len(Kind)
    for kind, model in MANIFEST_MODELS.items():
        assert model.model_fields["kind"].description == kind.value


@pytest.mark.parametrize("kind", list(Kind))
def test_addresses_round_trip_through_the_prefix(kind: Kind) -> None:
    assert parse_address(address_of(kind, "spring-sale")) == (kind, "spring-sale")
    assert address_of(kind.value, "x") == f"{kind.prefix}/x"


def test_what_the_planner_manages_has_calls_and_the_rest_has_none() -> None:
    never_applied = {k for k in Kind if k.facts.expectation_only or k.facts.test_only}
    assert set(Kind) - never_applied == APPLIED_KINDS
    for kind in Kind:
        row = kind.facts
        if row.has_schedule:
            # a schedule can be created, updated (its schedule at least) and deleted
            assert {"create", "update", "delete"} == set(dict(row.paths))
            assert "schedule" in row.updatable
            assert row.sends_messages
        if row.created_once:
            assert not row.deletable
            assert not row.updatable
            assert set(dict(row.paths)) == {"create"}
        if row.expectation_only or row.test_only:
            assert not row.applied
            assert not row.sends_messages
            assert row.preview_path is None
        if row.preview_path is not None:  # what preview sends now is what it schedules
            assert row.has_schedule


def test_paths_are_braze_paths_and_a_missing_call_is_refused() -> None:
    assert facts("CampaignSchedule").path("update") == "/campaigns/trigger/schedule/update"
    assert facts("ScheduledMessage").path("delete") == "/messages/schedule/delete"
    assert Kind.SEND_ID.facts.path("create") == "/sends/id/create"
    with pytest.raises(ValueError, match="a SendId has no delete call"):
        Kind.SEND_ID.facts.path("delete")
    with pytest.raises(ValueError, match="Shiny"):
        facts("Shiny")


def test_hints_name_the_address_prefixes() -> None:
    assert addresses_of(SCHEDULE_KINDS) == (
        "scheduled_message/, campaign_schedule/ or canvas_schedule/"
    )
    assert addresses_of(frozenset({Kind.SEND_ID})) == "send_id/"


def _kind_literals(path: Path) -> list[str]:
    values = {kind.value for kind in Kind}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in values:
            found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value!r}")
    return found


def test_no_module_but_the_table_writes_a_kind_name() -> None:
    """A kind compared or mapped by its string (``kind == "SendId"``) is a fact written twice:
    the code asks ``Kind`` and its facts instead. (Docstrings may name kinds in prose.)"""
    offenders = [
        literal
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in KIND_HOMES
        for literal in _kind_literals(path)
    ]
    assert offenders == []
