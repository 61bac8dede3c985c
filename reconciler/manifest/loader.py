"""Manifest files and directories to desired resources, with every diagnostic of the run.

Directories are searched recursively for ``*.yaml`` and ``*.yml`` in sorted order. Large
trees are read by two worker processes (one per core of a CI runner) when the process has
no other threads, since forking a threaded process is unsafe.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from reconciler.errors import UsageError
from reconciler.kinds import Kind
from reconciler.manifest.diagnostics import Diagnostic, Location, Severity
from reconciler.manifest.environment import NO_SELECTION, Selection
from reconciler.manifest.recurring import RecurringRule
from reconciler.manifest.refusals import (
    is_utf8_name,
    leads_outside,
    name_refusal,
    printable_name,
    refusal,
    roots_of,
)
from reconciler.manifest.renames import rename_checks
from reconciler.manifest.resource import Resource, split_occurrence
from reconciler.manifest.validate import DocumentContext, for_elsewhere, read_document
from reconciler.manifest.yamlload import YamlProblem, compose_documents

MAX_FILE_BYTES = 8 * 1024 * 1024
"""A manifest file larger than this is refused (split it): YAML parsing is memory-hungry."""
PARALLEL_MIN_FILES = 64
SUFFIXES = (".yaml", ".yml")


@dataclasses.dataclass
class FileOutcome:
    path: str
    digest: str
    resources: list[Resource]
    diagnostics: list[Diagnostic]
    rules: list[RecurringRule] = dataclasses.field(default_factory=list)
    elsewhere: list[str] = dataclasses.field(default_factory=list)
    """The addresses of its manifests limited to other environments (not declared here)."""

    @property
    def declared(self) -> list[Resource]:
        """One resource per document, in order: a recurring one by its rule's template (its
        occurrences' addresses are unique by construction)."""
        once = [r for r in self.resources if r.recurrence is None]
        templates = [rule.template for rule in self.rules]
        return sorted(once + templates, key=lambda r: (r.source.line, r.source.column))


@dataclasses.dataclass
class LoadResult:
    resources: list[Resource]
    """Desired resources: one-shot ones, and the occurrences of the recurring manifests in
    their horizon."""
    diagnostics: list[Diagnostic]
    files: list[str]
    digest: str
    """A digest of every file's path and bytes: saved plans record what they were made from."""
    rules: dict[str, RecurringRule] = dataclasses.field(default_factory=dict)
    """The recurring manifests by address (``campaign_schedule/weekly-digest``): what the
    planner asks about a recorded occurrence outside the horizon (docs/decisions.md)."""
    elsewhere: list[str] = dataclasses.field(default_factory=list)
    """The addresses of the manifests limited to other environments than the selected one."""

    def declares(self, address: str) -> Resource | None:
        """The occurrence a recurring manifest declares at ``address`` (``KIND/NAME@KEY``),
        whatever the horizon; None when no rule declares it (the planner's question)."""
        prefix, _, name = address.partition("/")
        base, key = split_occurrence(name)
        rule = self.rules.get(f"{prefix}/{base}") if key is not None else None
        return rule.resource_for(key) if rule is not None and key is not None else None

    def occurrences_through(self, now: datetime, through: datetime) -> dict[str, Resource]:
        """Every occurrence of the recurring manifests not yet sent at ``now`` and first
        sending by ``through``, whatever their own horizon (the audit's calendar)."""
        found = (
            rule.resource(occurrence)
            for rule in self.rules.values()
            for occurrence in rule.recurrence.occurrences(now, through)
        )
        return {resource.address: resource for resource in found}

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """The manifest files named by ``paths`` (files, or directories searched recursively)."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if _is_candidate(p, path)))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(
                f"{printable_name(str(given))}: no such file or directory",
                hint="give manifest files or directories that hold *.yaml files",
            )
    unique: dict[Path, None] = dict.fromkeys(found)
    return list(unique)


def _is_candidate(path: Path, root: Path) -> bool:
    if _hidden(path, root):
        return False
    if path.is_symlink():  # listed, so that one leading out of the paths is refused, not skipped
        return path.suffix in SUFFIXES or path.is_dir()
    return path.suffix in SUFFIXES and path.is_file()


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


class ManifestLoading:
    """Manifests being read: worker processes parse a large tree while the caller reads the
    ledger; ``result()`` waits for them (a small tree is read there, in-process)."""

    def __init__(
        self,
        paths: Sequence[str | Path],
        now: datetime,
        default_horizon: timedelta | None = None,
        selection: Selection = NO_SELECTION,
    ) -> None:
        self.now = now
        self.horizon = default_horizon
        self.selection = selection
        found = discover(paths)
        roots = roots_of(paths)
        self.refused = {
            str(path): name_refusal(str(path)) for path in found if not is_utf8_name(str(path))
        }
        self.refused.update(
            (str(path), refusal(str(path)))
            for path in found
            if str(path) not in self.refused and path.is_symlink() and leads_outside(path, roots)
        )
        # A linked directory that stays inside the paths is read through its real path.
        self.names = [
            str(path)
            for path in found
            if str(path) in self.refused or not (path.is_symlink() and path.is_dir())
        ]
        self._read = [name for name in self.names if name not in self.refused]
        self._pool: ProcessPoolExecutor | None = None
        self._parts: list[Future[list[FileOutcome]]] = []
        parallel = len(self._read) >= PARALLEL_MIN_FILES and (os.cpu_count() or 1) > 1
        if parallel and _single_threaded():
            workers = min(2, os.cpu_count() or 1)
            self._pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("fork")
            )
            self._parts = [
                self._pool.submit(
                    _load_chunk, self._read[i::workers], now, default_horizon, selection
                )
                for i in range(workers)
            ]

    def result(self) -> LoadResult:
        by_name = {
            name: FileOutcome(printable_name(name), "", [], [diagnostic])
            for name, diagnostic in self.refused.items()
        }
        if self._pool is None:
            by_name.update(
                (name, load_file(name, self.now, self.horizon, self.selection))
                for name in self._read
            )
        else:
            try:
                by_name.update((o.path, o) for part in self._parts for o in part.result())
            finally:
                self._pool.shutdown()
        return _combine([by_name[name] for name in self.names])


def load_manifests(
    paths: Sequence[str | Path],
    now: datetime,
    default_horizon: timedelta | None = None,
    *,
    selection: Selection = NO_SELECTION,
) -> LoadResult:
    """``default_horizon`` (``--horizon``) is for recurring manifests that set none;
    ``selection``: the environment (its variables, which manifests it declares)."""
    return ManifestLoading(paths, now, default_horizon, selection).result()


def _combine(outcomes: list[FileOutcome]) -> LoadResult:
    names = [outcome.path for outcome in outcomes]
    resources = [r for outcome in outcomes for r in outcome.resources]
    rules = [rule for outcome in outcomes for rule in outcome.rules]
    diagnostics = [d for outcome in outcomes for d in outcome.diagnostics]
    diagnostics.extend(
        cross_checks(declared for outcome in outcomes for declared in outcome.declared)
    )
    digest = hashlib.sha256()
    for outcome in outcomes:
        digest.update(f"{outcome.path}\0{outcome.digest}\0".encode())
    diagnostics.sort(key=Diagnostic.sort_key)
    by_address = {rule.address: rule for rule in reversed(rules)}  # the first of duplicates
    elsewhere = [address for outcome in outcomes for address in outcome.elsewhere]
    return LoadResult(
        resources, diagnostics, names, "sha256:" + digest.hexdigest(), by_address, elsewhere
    )


def _single_threaded() -> bool:
    return threading.active_count() == 1 and multiprocessing.get_start_method() == "fork"


def _load_chunk(
    names: list[str], now: datetime, default_horizon: timedelta | None, selection: Selection
) -> list[FileOutcome]:
    return [load_file(name, now, default_horizon, selection) for name in names]


def load_file(
    name: str,
    now: datetime,
    default_horizon: timedelta | None = None,
    selection: Selection = NO_SELECTION,
) -> FileOutcome:
    path = Path(name)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _file_problem(
                name,
                "",
                "file_too_large",
                f"file is {size / 1048576:.1f} MiB; manifests are limited to "
                f"{MAX_FILE_BYTES // 1048576} MiB",
                "split it into several files",
            )
        raw = path.read_bytes()
    except OSError as exc:
        return _file_problem(name, "", "unreadable", f"cannot read file: {exc.strerror}", None)
    digest = hashlib.sha256(raw).hexdigest()
    text, problem = _decode(raw)
    if problem is not None:
        message, position, hint = problem
        return _file_problem(name, digest, "not_utf8", message, hint, position)
    resources: list[Resource] = []
    rules: list[RecurringRule] = []
    diagnostics: list[Diagnostic] = []
    elsewhere: list[str] = []
    try:
        for document in compose_documents(text, selection.variables):
            context = DocumentContext(name, document, selection, text)
            declared, found = read_document(context, now)
            diagnostics.extend(found)
            if declared is None and not found and for_elsewhere(context):
                elsewhere.append(context.address or f"{name}:{document.start[0]}")
            if isinstance(declared, RecurringRule):
                rules.append(declared)
                resources.extend(declared.resources(now, default_horizon))
            elif declared is not None:
                resources.append(declared)
    except YamlProblem as exc:
        diagnostics.append(
            Diagnostic(
                severity=Severity.ERROR,
                code=exc.code,
                message=exc.message,
                location=Location(name, *exc.position),
                path=".".join(str(p) for p in exc.path) or None,
                hint=exc.hint,
                related=(Location(name, *exc.other),) if exc.other else (),
            )
        )
    return FileOutcome(name, digest, resources, diagnostics, rules, elsewhere)


def _decode(raw: bytes) -> tuple[str, tuple[str, tuple[int, int], str] | None]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", ("file is UTF-16; manifests must be UTF-8", (1, 1), "save the file as UTF-8")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        byte = raw[exc.start]
        return "", (
            f"file is not valid UTF-8 (byte 0x{byte:02x})",
            (line, column),
            "save the file as UTF-8",
        )


def _file_problem(
    name: str,
    digest: str,
    code: str,
    message: str,
    hint: str | None,
    position: tuple[int, int] = (1, 1),
) -> FileOutcome:
    diagnostic = Diagnostic(
        severity=Severity.ERROR,
        code=code,
        message=message,
        location=Location(name, *position),
        hint=hint,
    )
    return FileOutcome(name, digest, [], [diagnostic])


def cross_checks(resources: Iterable[Resource]) -> list[Diagnostic]:
    """Rules across documents: unique addresses; send ids declared before use; renames.
    ``resources`` has one per document (``FileOutcome.declared``)."""
    diagnostics: list[Diagnostic] = []
    seen: dict[str, Resource] = {}
    send_ids: set[tuple[str | None, str]] = set()
    resources = list(resources)
    for resource in resources:
        first = seen.get(resource.address)
        if first is not None:
            diagnostics.append(
                Diagnostic(
                    severity=Severity.ERROR,
                    code="duplicate_address",
                    message=(
                        f"{resource.address} is declared twice "
                        f"(first at {first.location_of('name')})"
                    ),
                    location=resource.location_of("name"),
                    address=resource.address,
                    path="name",
                    hint="names are unique per kind: rename one of them",
                    related=(first.location_of("name"),),
                )
            )
            continue
        seen[resource.address] = resource
        if resource.kind is Kind.SEND_ID:
            send_ids.add((resource.body.get("campaign_id"), str(resource.body.get("send_id"))))
    for resource in resources:
        send_id = resource.body.get("send_id")
        if not resource.kind.facts.has_schedule or not isinstance(send_id, str):
            continue
        campaign_id = resource.body.get("campaign_id")
        if (campaign_id, send_id) not in send_ids:
            diagnostics.append(
                Diagnostic(
                    severity=Severity.WARNING,
                    code="send_id_not_declared",
                    message=f"send_id {send_id!r} is not declared by a SendId manifest",
                    location=resource.location_of("spec.send_id"),
                    address=resource.address,
                    path="spec.send_id",
                    hint=(
                        "Braze needs a send id created with /sends/id/create first: declare it "
                        "as a SendId for the same campaign_id, or make sure it exists"
                    ),
                )
            )
    diagnostics.extend(rename_checks(list(seen.values())))
    return diagnostics
