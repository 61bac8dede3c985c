"""What a run covers, checked before anything is planned: the PATHS must hold manifests, and
each ``--target`` must select something. A wrong path or a misspelt target would otherwise read
as "delete everything" or "no changes"."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from reconciler.errors import UsageError
from reconciler.manifest.loader import LoadResult
from reconciler.manifest.resource import Resource
from reconciler.plan import planner
from reconciler.state.base import Record


def refuse_empty(result: LoadResult, paths: Sequence[str], *, allow_empty: bool) -> None:
    """A path that holds no resource is almost always a wrong path (a typo, the wrong working
    directory, a checkout without the manifests), and planned against the ledger it would
    delete every managed resource: refuse it unless the person says it is meant."""
    if allow_empty or result.resources or result.rules or result.errors:
        return
    if result.elsewhere:
        # The paths are right: every manifest is limited to other environments. An empty
        # desired set, planned through every gate (deleting all needs --allow-destroy).
        return
    where = ", ".join(paths)
    found = (
        "no *.yaml or *.yml file there"
        if not result.files
        else f"{len(result.files)} YAML file{'s' if len(result.files) != 1 else ''} there, "
        "holding no document with a kind"
    )
    raise UsageError(
        f"no manifests found in {where} ({found})",
        hint=(
            "give the directory or files that hold your manifests (e.g. manifests/); if the "
            "manifests were removed on purpose, pass --allow-empty: every managed resource is "
            "then planned for deletion, through every safety gate (deleting them all also "
            "needs --allow-destroy)"
        ),
    )


def refuse_unmatched_targets(
    desired: Mapping[str, Resource], recorded: Mapping[str, Record], targets: tuple[str, ...]
) -> None:
    unmatched = planner.unmatched_targets(desired, recorded, targets)
    if not unmatched:
        return
    known = planner.targetable(desired, recorded)
    close = [
        match for target in unmatched for match in difflib.get_close_matches(target, known, n=1)
    ]
    looked_for = ", ".join(repr(target) for target in unmatched)
    raise UsageError(
        f"--target {looked_for} matches no resource of the manifests or the ledger "
        f"({len(known)} address{'es' if len(known) != 1 else ''} looked at); nothing was planned",
        hint=(f"did you mean {', '.join(close)}? " if close else "")
        + "a target is an address such as scheduled_message/black-friday (glob patterns "
        "allowed: 'scheduled_message/black-*') or a label such as team=growth; "
        "`braze-reconciler state list` shows the recorded addresses",
    )
