"""``preview``: send a manifest's message now to a test group, and never twice by accident.

Each preview is journaled like a create (``StateStore.begin_preview`` before the call, its
outcome after) in the ledger's preview journal, which nothing the planner reads holds. The
same body to the same group within the dedupe window is skipped, unless ``again``; an answer
that was lost is not retried and the preview is reported uncertain.

The workspace lock is not taken: it guards the records, which a preview never writes, and an
apply that found it held, even for a moment, would fail (exit 6). The dedupe read and the
intent are one ledger transaction, serialised per workspace instead (docs/decisions.md).
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from reconciler.binding import check_binding
from reconciler.braze.errors import BrazeError, OutcomeUnknownError
from reconciler.braze.models import ENDPOINTS
from reconciler.braze.previews import preview_body, reaches_only
from reconciler.canonical import content_hash
from reconciler.errors import UsageError
from reconciler.kinds import MESSAGES_SEND_PATH, PREVIEW_KINDS, Kind, addresses_of
from reconciler.manifest.resource import Resource, address_of
from reconciler.plan import planner
from reconciler.service.apply import refuse_virtual_time_against_braze
from reconciler.service.base import ServiceBase, load_desired
from reconciler.service.client import ClientOptions
from reconciler.state.base import Outcome, PreviewEntry, StateStore
from reconciler.timeutil import format_duration, format_utc

if TYPE_CHECKING:
    from reconciler.braze.client import BrazeClient

log = logging.getLogger(__name__)

DEFAULT_DEDUPE = timedelta(minutes=15)


@dataclasses.dataclass(frozen=True)
class PreviewRequest:
    paths: Sequence[str]
    test_group: str
    """``--to``: a TestGroup's name or address."""
    targets: tuple[str, ...]
    dedupe: timedelta = DEFAULT_DEDUPE
    again: bool = False
    """Send even what the dedupe window would skip."""
    with_campaign: bool = False
    """Track a scheduled message's preview under its campaign (and variations)."""
    client: ClientOptions = dataclasses.field(default_factory=ClientOptions)


class PreviewStatus(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"
    """The same body went to the same group within the dedupe window."""
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    NOT_ATTEMPTED = "not attempted"


def _earlier_dict(entry: PreviewEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "started_at": format_utc(entry.started_at),
        "outcome": entry.outcome.value if entry.outcome else None,
        "dispatch_id": entry.dispatch_id,
        "run_id": entry.run_id,
    }


@dataclasses.dataclass(frozen=True)
class PlannedPreview:
    """One send: a resource's message, to the group, through its immediate-send endpoint."""

    address: str
    kind: Kind
    endpoint: str
    body: dict[str, Any]
    body_hash: str
    notes: tuple[str, ...]
    earlier: PreviewEntry | None = None
    """A preview of this body to this group within the window, when it was planned."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind.value,
            "endpoint": self.endpoint,
            "body": self.body,
            "body_hash": self.body_hash,
            "notes": list(self.notes),
            "earlier": _earlier_dict(self.earlier),
        }


@dataclasses.dataclass(frozen=True)
class PreviewProposal:
    """What ``preview`` would send: shown, and confirmed, before anything is."""

    test_group: str
    recipients: int
    endpoint: str
    workspace: str
    now: datetime
    dedupe: timedelta
    again: bool
    previews: tuple[PlannedPreview, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "test_group": self.test_group,
            "recipients": self.recipients,
            "endpoint": self.endpoint,
            "workspace": self.workspace,
            "now": format_utc(self.now),
            "dedupe": format_duration(self.dedupe),
            "again": self.again,
            "previews": [p.to_dict() for p in self.previews],
        }


@dataclasses.dataclass(frozen=True)
class PreviewResult:
    preview: PlannedPreview
    status: PreviewStatus
    message: str | None = None
    dispatch_id: str | None = None
    notices: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.preview.to_dict(),
            "status": self.status.value,
            "message": self.message,
            "dispatch_id": self.dispatch_id,
            "notices": list(self.notices),
        }


@dataclasses.dataclass(frozen=True)
class PreviewReport:
    proposal: PreviewProposal
    results: tuple[PreviewResult, ...]
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        done = (PreviewStatus.SENT, PreviewStatus.SKIPPED)
        return not self.interrupted and all(r.status in done for r in self.results)

    def count(self, status: PreviewStatus) -> int:
        return sum(1 for r in self.results if r.status is status)

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.proposal.to_dict().items() if k != "previews"},
            "ok": self.ok,
            "interrupted": self.interrupted,
            "counts": {s.value: self.count(s) for s in PreviewStatus},
            "previews": [r.to_dict() for r in self.results],
        }


class Previewing(ServiceBase):
    def preview(
        self, request: PreviewRequest, *, confirm: Callable[[PreviewProposal], bool]
    ) -> tuple[PreviewProposal, PreviewReport | None]:
        """Build every preview, show it through ``confirm``, then journal and send each.
        The report is None when the person declined."""
        now = self.current_time()
        api_key = self.settings.api_key()
        endpoint = self.settings.require_endpoint()
        refuse_virtual_time_against_braze(endpoint, now, self.clock.now())
        _, desired = load_desired(request.paths, now, selection=self.selection())
        group = _test_group(desired, request.test_group)
        recipients = list(group.body.get("recipients") or ())
        chosen = _selected(desired, request.targets)
        planned = [_planned(r, group, recipients, request.with_campaign) for r in chosen]
        since = None if request.again else now - request.dedupe
        with self.open_ledger() as store:
            check_binding(store, endpoint, api_key)
            if since is not None:
                planned = [
                    dataclasses.replace(
                        p,
                        earlier=store.recent_preview(group.address, p.endpoint, p.body_hash, since),
                    )
                    for p in planned
                ]
            proposal = PreviewProposal(
                test_group=group.address,
                recipients=len(recipients),
                endpoint=endpoint,
                workspace=self.settings.workspace,
                now=now,
                dedupe=request.dedupe,
                again=request.again,
                previews=tuple(planned),
            )
            if not confirm(proposal):
                return proposal, None
            with self.braze_client(api_key, now, request.client) as client:
                sender = _Sender(store, client, group.address, now, since)
                results, interrupted = sender.send_all(proposal.previews)
        return proposal, PreviewReport(proposal, tuple(results), interrupted)


def _test_group(desired: Mapping[str, Resource], given: str) -> Resource:
    name = given.removeprefix(f"{Kind.TEST_GROUP.prefix}/")
    address = address_of(Kind.TEST_GROUP, name)
    found = desired.get(address)
    if found is not None:
        return found
    groups = sorted(a for a, r in desired.items() if r.kind is Kind.TEST_GROUP)
    close = difflib.get_close_matches(address, groups, n=1)
    raise UsageError(
        f"--to {given}: the manifests declare no {address}; nothing was sent",
        hint=(f"did you mean {close[0]}? " if close else "")
        + (
            f"declared test groups: {', '.join(groups)}"
            if groups
            else "declare the test users in a TestGroup manifest (see examples/)"
        ),
    )


def _selected(desired: Mapping[str, Resource], targets: tuple[str, ...]) -> list[Resource]:
    sendable = sorted(
        (r for r in desired.values() if r.kind in PREVIEW_KINDS), key=lambda r: r.address
    )
    unmatched = [t for t in targets if not any(planner.targeted(r, (t,)) for r in sendable)]
    if unmatched:
        raise UsageError(
            f"--target {', '.join(repr(t) for t in unmatched)} selects no "
            f"{addresses_of(PREVIEW_KINDS)} resource of the manifests; nothing was sent",
            hint="a target is an address (glob patterns allowed: 'campaign_schedule/gift-*') or "
            "a label such as team=growth; only those kinds send messages",
        )
    return [r for r in sendable if planner.targeted(r, targets)]


def _planned(
    resource: Resource, group: Resource, recipients: list[Any], with_campaign: bool
) -> PlannedPreview:
    """The preview of one resource, checked twice before anything is sent: it reaches the
    group only (``reaches_only``), and Braze's rules for its endpoint accept it."""
    path = resource.kind.facts.preview_path
    assert path is not None  # _selected keeps the kinds that have one
    built = preview_body(path, resource.body, recipients, with_campaign=with_campaign)
    if not built.reached:
        # Only /messages/send leaves users out: it takes external ids and aliases, no email.
        raise UsageError(
            f"{resource.address}: no test user of {group.address} can receive it through "
            f"{path}, which takes external ids and aliases (the group names its users by "
            "email); nothing was sent",
            hint=f"add a test user with an external_user_id or a user_alias to {group.address}",
        )
    if path == MESSAGES_SEND_PATH and not built.body.get("messages"):
        raise UsageError(
            f"{resource.address}: nothing to preview: its only message is a webhook, which "
            "would call the real endpoint; nothing was sent",
            hint="preview a resource with a message for people (email, push, SMS...)",
        )
    problems = reaches_only(built.body, recipients)
    if problems:  # a bug in preview_body: refuse loudly, never send
        raise UsageError(
            f"{resource.address}: the preview could reach someone outside {group.address} "
            f"({'; '.join(problems)}); nothing was sent",
            hint="please report this",
        )
    try:
        ENDPOINTS[path].request.model_validate(built.body)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "the body"
        hint = (first.get("ctx") or {}).get("hint")
        raise UsageError(
            f"{resource.address}: Braze would refuse its preview to {group.address} "
            f"({path}): {where}: {first['msg']}; nothing was sent",
            hint=hint or f"check {group.address} and the manifest",
        ) from None
    return PlannedPreview(
        address=resource.address,
        kind=resource.kind,
        endpoint=path,
        body=built.body,
        body_hash=content_hash(built.body),
        notes=built.notes,
    )


class _Sender:
    """Journals and sends the previews one by one: few calls, and one at a time reads best."""

    def __init__(
        self,
        store: StateStore,
        client: BrazeClient,
        group: str,
        now: datetime,
        since: datetime | None,
    ) -> None:
        self.store = store
        self.client = client
        self.group = group
        self.now = now
        self.since = since
        self.run_id = uuid.uuid4().hex[:12]

    def send_all(self, previews: Sequence[PlannedPreview]) -> tuple[list[PreviewResult], bool]:
        """Each preview in turn; after Ctrl-C (or SIGTERM) none is started."""
        results: list[PreviewResult] = []
        interrupted = False
        for planned in previews:
            if interrupted:
                results.append(PreviewResult(planned, PreviewStatus.NOT_ATTEMPTED, "interrupted"))
                continue
            try:
                results.append(self._send(planned))
            except KeyboardInterrupt:
                interrupted = True
                log.warning("preview: interrupted at %s", planned.address)
                message = "interrupted before its outcome was recorded: it may have been sent"
                results.append(PreviewResult(planned, PreviewStatus.UNCERTAIN, message))
        return results, interrupted

    def _send(self, planned: PlannedPreview) -> PreviewResult:
        started = self.store.begin_preview(
            address=planned.address,
            kind=planned.kind.value,
            test_group=self.group,
            endpoint=planned.endpoint,
            body=planned.body,
            body_hash=planned.body_hash,
            run_id=self.run_id,
            at=self.now,
            unless_since=self.since,
        )
        if isinstance(started, PreviewEntry):
            return PreviewResult(planned, PreviewStatus.SKIPPED, _skipped_words(started, self))
        log.info("preview: send address=%s path=%s", planned.address, planned.endpoint)
        try:
            response = self.client.send_now(planned.kind, planned.body)
        except KeyboardInterrupt:
            self._complete(started, Outcome.UNKNOWN, "interrupted during the call")
            raise
        except OutcomeUnknownError as exc:
            return self._uncertain(started, planned, exc.cause)
        except BrazeError as exc:
            if not exc.proves_nothing_happened:
                return self._uncertain(started, planned, exc.message)
            self._complete(started, Outcome.FAILED, exc.message)
            return PreviewResult(planned, PreviewStatus.FAILED, exc.message)
        dispatch_id = response.get_str("dispatch_id")
        self._complete(started, Outcome.SUCCEEDED, None, dispatch_id)
        return PreviewResult(
            planned, PreviewStatus.SENT, dispatch_id=dispatch_id, notices=response.notices
        )

    def _uncertain(self, preview_id: int, planned: PlannedPreview, cause: str) -> PreviewResult:
        self._complete(preview_id, Outcome.UNKNOWN, cause)
        message = (
            f"{cause}: it may have been sent; not retried (a later preview of it within the "
            "dedupe window is skipped unless --again)"
        )
        return PreviewResult(planned, PreviewStatus.UNCERTAIN, message)

    def _complete(
        self, preview_id: int, outcome: Outcome, message: str | None, dispatch_id: str | None = None
    ) -> None:
        self.store.complete_preview(
            preview_id, outcome, at=self.now, message=message, dispatch_id=dispatch_id
        )


def _skipped_words(earlier: PreviewEntry, sender: _Sender) -> str:
    when = format_utc(earlier.started_at)
    if earlier.run_id == sender.run_id:
        what = "the same body went to the group earlier in this run"
    elif earlier.outcome is Outcome.SUCCEEDED:
        what = f"the same body went to {sender.group} at {when}"
    else:
        what = f"a preview of the same body to {sender.group} at {when} may have been sent"
    dispatch = f" (dispatch_id {earlier.dispatch_id})" if earlier.dispatch_id else ""
    return f"{what}{dispatch}; --again sends it anyway"
