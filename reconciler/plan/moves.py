"""Renames (``renamed_from``): which ledger records move to a new name, and how it reads.

A rename is Terraform's ``moved`` block: the record (schedule id, body last applied) moves to
the new address, and the resource is then compared as usual. Unchanged, it is a ``rename``
with no call to Braze; with updatable changes an ``update``; with fixed fields a ``replace``
that says it is one. Never a delete of the old name and a create of the new one, which would
cancel and schedule the same send again.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.manifest.resource import Resource
from reconciler.plan.model import Action, Change
from reconciler.plan.reasons import NoteCode, Reason, ReasonCode
from reconciler.state.base import Record, RecordStatus


def renames(desired: Mapping[str, Resource], recorded: Mapping[str, Record]) -> dict[str, str]:
    """New address -> old address, for each ``renamed_from`` that has a record to move.

    A rename is skipped when its old name has no record (already moved, or never applied),
    and when the new name already holds a live record (the old one is then planned on its
    own; a warning says so). A fired record of the old name is used for the comparison (so
    an edit after the send is a resend, gated as such) but nothing is moved.
    """
    moves: dict[str, str] = {}
    for address, resource in desired.items():
        old = resource.renamed_from_address
        if old is None or old in desired:
            continue
        source = recorded.get(old)
        target = recorded.get(address)
        if source is None:
            continue
        if target is not None and (
            target.status is not RecordStatus.FIRED or source.status is RecordStatus.FIRED
        ):
            continue
        moves[address] = old
    return moves


def ignored_renames(
    desired: Mapping[str, Resource], recorded: Mapping[str, Record], moves: Mapping[str, str]
) -> list[str]:
    """Warnings for renames whose old and new names both hold a live record."""
    warnings: list[str] = []
    for address, resource in desired.items():
        old = resource.renamed_from_address
        if old is None or address in moves:
            continue
        source, target = recorded.get(old), recorded.get(address)
        if (
            source is not None
            and source.status is not RecordStatus.FIRED
            and target is not None
            and target.status is not RecordStatus.FIRED
        ):
            warnings.append(
                f"{address}: renamed_from {old} is ignored: both names are in the ledger, so "
                f"{old} is planned on its own (`state rm` or `state mv` settles which is which)"
            )
    return sorted(warnings)


def as_moved(change: Change, old: str, record: Record) -> Change:
    """The change planned for the new address, marked as moving ``old``'s record first."""
    if record.status is RecordStatus.FIRED:
        return change  # compared with what was sent; nothing left to move
    reason = Reason(code=ReasonCode.RENAMED, address=old)
    if change.action is Action.NOOP or (change.action is Action.UPDATE and not change.requests):
        # Unchanged in Braze: only the ledger moves (and takes protect and labels along).
        meta = change.reasons if change.action is Action.UPDATE else ()
        return change.evolve(
            action=Action.RENAME,
            moved_from=old,
            reasons=(reason, *meta),
            notes=(
                *(n for n in change.notes if n is not NoteCode.LEDGER_ONLY),
                NoteCode.LEDGER_ONLY,
            ),
        )
    moved = change.evolve(moved_from=old, reasons=(reason, *change.reasons))
    if change.action is Action.REPLACE:
        return moved.with_notes(NoteCode.RENAME_REPLACES)
    return moved
