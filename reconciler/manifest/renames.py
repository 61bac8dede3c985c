"""Rules for ``renamed_from`` across documents: each old name moves to one new name, once.

A rename moves a ledger record; it is unambiguous only when the old name is no longer
declared (else the old resource would be planned too), is not the resource itself, and is
claimed by one resource. Chains (``c`` renamed from ``b``, ``b`` renamed from ``a``) are not
followed: ``b`` is still declared, so the rule above refuses them with a hint that names the
ledger's name.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.manifest.diagnostics import Diagnostic, Severity
from reconciler.manifest.resource import Resource


def rename_checks(resources: Sequence[Resource]) -> list[Diagnostic]:
    declared = {resource.address: resource for resource in resources}
    claimed: dict[str, Resource] = {}
    diagnostics: list[Diagnostic] = []
    for resource in resources:
        old = resource.renamed_from_address
        if old is None:
            continue
        problem = _problem(resource, old, declared.get(old), claimed.get(old))
        if problem is not None:
            code, message, hint = problem
            diagnostics.append(
                Diagnostic(
                    severity=Severity.ERROR,
                    code=code,
                    message=message,
                    location=resource.location_of("renamed_from"),
                    address=resource.address,
                    path="renamed_from",
                    hint=hint,
                )
            )
            continue
        claimed[old] = resource
    return diagnostics


def _problem(
    resource: Resource, old: str, still_declared: Resource | None, first: Resource | None
) -> tuple[str, str, str] | None:
    if not resource.kind.facts.applied:
        return (
            "renamed_from_unsupported",
            f"a {resource.kind} is never in the ledger: renamed_from has nothing to move",
            "remove renamed_from",
        )
    if old == resource.address:
        return (
            "renamed_from_self",
            "renamed_from names this resource itself",
            "remove renamed_from, or give the name the resource had before",
        )
    if still_declared is not None and still_declared.renamed_from_address is not None:
        return (
            "renamed_from_chain",
            f"renamed_from {old}, which is itself renamed from "
            f"{still_declared.renamed_from_address} (at {still_declared.location_of('name')}): "
            "chains of renames are not followed",
            f"rename from the name in the ledger: renamed_from: {still_declared.renamed_from}, "
            f"and remove the manifest of {old}",
        )
    if still_declared is not None:
        return (
            "renamed_from_declared",
            f"renamed_from {old}, which is still declared (at "
            f"{still_declared.location_of('name')})",
            f"remove the manifest of {old} (its ledger record moves to {resource.address}), or "
            "remove renamed_from to keep both",
        )
    if first is not None:
        return (
            "renamed_from_duplicate",
            f"{old} is renamed to two resources (first to {first.address} at "
            f"{first.location_of('renamed_from')})",
            "a ledger record moves to one name: keep renamed_from on one of them",
        )
    return None
