"""The planner: desired x recorded x now -> Plan. Pure: no I/O, the clock is a parameter.

For each address it decides one action:

- create: desired, not recorded (or recorded only as a fired tombstone of another body);
- update: the bodies differ only where Braze's update endpoint can express it (schedule and
  messages for scheduled messages; schedule alone for campaign and Canvas schedules), or only
  the ledger's own fields (protect, labels) changed;
- replace: anything else changed, or ``--replace`` asked for it (delete, then create);
- delete: recorded, no longer desired;
- forget: the schedule has fired (no API call; the ledger keeps a tombstone);
- rename: a resource declared ``renamed_from`` an old name whose record moves to it, nothing
  else changed (no API call; see ``plan.moves``); with other changes, the update or replace
  carries ``moved_from`` instead;
- noop: nothing to do.

Equality is decided by the canonical body hash; field diffs are computed only for changes.
Safety gates (``plan.safety``) then mark changes blocked.

An occurrence of a recurring manifest (``KIND/NAME@KEY``) is planned like any resource, with
what makes a nightly apply of a rolling window safe (docs/decisions.md, "Recurring sends"):
one never scheduled that is already frozen, sending or sent is a *missed* occurrence (a plan
warning, not a blocked create); one recorded beyond the loader's window that the rule still
declares (``declares``) is planned as desired, never deleted; and one that is sending (or
frozen, without ``--allow-late``) is kept as it is, with a note, whatever the rule now says.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from reconciler.kinds import Kind, facts
from reconciler.manifest.resource import Resource, split_occurrence
from reconciler.plan.diff import changed_fields, field_changes
from reconciler.plan.model import Action, Call, Change, Plan, PlanOptions, Request
from reconciler.plan.moves import as_moved, ignored_renames, renames
from reconciler.plan.reasons import NoteCode, Reason, ReasonCode
from reconciler.plan.references import Problem, ProblemWords, References, problems
from reconciler.plan.rule_edits import extra_sends
from reconciler.plan.safety import apply_gates, reference_block
from reconciler.plan.texts import MessageSource, with_texts
from reconciler.sendtime import LATENESS, Lifecycle, ScheduleMode, first_send, lifecycle
from reconciler.state.base import Record, RecordStatus
from reconciler.timeutil import format_duration, format_utc

Declares = Callable[[str], Resource | None]
"""What the recurring manifests declare under an occurrence's address (``KIND/NAME@KEY``),
whatever the horizon; None when none declares it (``LoadResult.declares``)."""


def plan(
    desired: Mapping[str, Resource],
    recorded: Mapping[str, Record],
    now: datetime,
    options: PlanOptions | None = None,
    declares: Declares | None = None,
    *,
    messages: MessageSource | None = None,
    references: References | None = None,
    problem_words: ProblemWords | None = None,
    sample_attributes: Mapping[str, Any] | None = None,
) -> Plan:
    """Compare every address; return the changes sorted by address.

    ``messages`` gives the messages of the campaigns and Canvases that schedules name, for
    what recipients will read (``plan.texts``); a ScheduledMessage carries its own. With
    ``references`` (what the lookups found), a change whose manifest fails a reference check
    is blocked and its warnings are the plan's; ``problem_words`` says each problem for
    people. ``sample_attributes`` fill user attributes in the texts recipients will read."""
    options = options or PlanOptions()
    freeze = timedelta(seconds=options.freeze_window_seconds)
    wanted = {a: r for a, r in desired.items() if r.kind.facts.applied}
    moves = renames(wanted, recorded)
    # A moved record is planned under its new address only: never a delete of the old name.
    addresses = sorted((set(wanted) | set(recorded)) - set(moves.values()))
    changes: list[Change] = []
    warnings: list[str] = []
    beyond: set[str] = set()  # recorded occurrences the rules declare past the window
    for address in addresses:
        resource = wanted.get(address)
        old = moves.get(address)
        record = recorded.get(old if old is not None else address)
        requested = address in options.replace
        if (
            options.targets
            and not requested
            and not _targeted(address, resource, record, options.targets)
        ):
            continue
        if _rule_of(address) is not None:
            if resource is None and record is not None and declares is not None:
                resource = declares(address)
                if resource is not None:
                    beyond.add(address)
            change = _occurrence(address, resource, record, now, freeze, options, warnings)
        else:
            change = plan_address(address, resource, record, now, freeze)
        if requested and change is not None and resource is not None and record is not None:
            change = _requested_replace(change, resource, record, now, freeze)
        if change is not None and old is not None and record is not None:
            change = as_moved(change, old, record)
        if change is not None:
            changes.append(change)
    managed = sum(1 for r in recorded.values() if r.status is not RecordStatus.FIRED)
    declared = set(wanted) | set(moves.values()) | beyond
    # A rule still declared keeps its workspace from being emptied, even when an edit moves
    # all its occurrences to other days (their deletes and creates are reviewed as such).
    rules = {r.rule_address for r in wanted.values() if r.rule_address is not None}
    kept = sum(
        1
        for a, r in recorded.items()
        if r.status is not RecordStatus.FIRED and (a in declared or _rule_of(a) in rules)
    )
    gated = with_texts(
        apply_gates(changes, managed=managed, now=now, options=options, kept=kept),
        messages,
        sample_attributes,
    )
    if references is not None:
        gated = _checked(gated, wanted, references, problem_words or _code_words, warnings)
    warnings += extra_sends(gated, wanted, recorded, now)
    return Plan(
        changes=tuple(gated),
        now=now,
        options=options,
        managed=managed,
        warnings=(*ignored_renames(wanted, recorded, moves), *warnings),
        lookups=references.lookups if references is not None else None,
    )


_CHECKED = frozenset({Action.CREATE, Action.UPDATE, Action.REPLACE})
LIVE_WARNING = "the live schedule (no change) may send a blank, or nothing"
"""A problem found for a schedule already applied and unchanged (docs/decisions.md,
"Reference checks of live schedules")."""


def _checked(
    changes: list[Change],
    wanted: Mapping[str, Resource],
    references: References,
    words: ProblemWords,
    warnings: list[str],
) -> list[Change]:
    """Block each change that sends a body whose references fail a check; warn once for each
    warning (a recurring rule's occurrences share theirs)."""
    out: list[Change] = []
    seen: set[str] = set()
    for change in changes:
        resource = wanted.get(change.address)
        if resource is not None and change.action is Action.NOOP:
            # A live schedule, unchanged: what it names may have changed in Braze since it
            # was applied. Nothing to block, but never a silent "No changes".
            for problem in problems(resource, references):
                text = f"{change.rule or change.address}: {LIVE_WARNING}: {words(problem)}"
                if text not in seen:
                    seen.add(text)
                    warnings.append(text)
            out.append(change)
            continue
        if resource is None or change.action not in _CHECKED or not change.requests:
            out.append(change)
            continue
        found = problems(resource, references)
        errors = [p for p in found if p.is_error]
        for problem in found:
            if not problem.is_error:
                text = f"{change.rule or change.address}: {words(problem)}"
                if text not in seen:
                    seen.add(text)
                    warnings.append(text)
        if errors and change.blocked is None:
            change = change.evolve(blocked=reference_block([words(p) for p in errors]))
        out.append(change)
    return out


def _code_words(problem: Problem) -> str:
    return f"{problem.location}: {problem.object_kind} {problem.object_id}: {problem.code}"


def _rule_of(address: str) -> str | None:
    """``campaign_schedule/weekly`` for ``campaign_schedule/weekly@2026-12-07``; None for an
    address that is no occurrence."""
    prefix, _, name = address.partition("/")
    base, key = split_occurrence(name)
    return f"{prefix}/{base}" if key is not None else None


_LATE = frozenset({Lifecycle.FROZEN, Lifecycle.SENDING, Lifecycle.SENT})


def _occurrence(
    address: str,
    resource: Resource | None,
    record: Record | None,
    now: datetime,
    freeze: timedelta,
    options: PlanOptions,
    warnings: list[str],
) -> Change | None:
    """An occurrence of a recurring manifest: planned as any resource, but never a blocked
    create of one that was missed, and never a change to one that has started sending."""
    fired = record is not None and record.status is RecordStatus.FIRED
    live = record is not None and not fired and record.status not in _UNSETTLED
    if live and record is not None and _record_lifecycle(record, now, freeze) is Lifecycle.SENT:
        sent = _because(ReasonCode.SENT, time=record.schedule_time)
        return _with_rule(_forget(address, record, resource, sent, now), address, resource)
    change = plan_address(address, resource, record, now, freeze)
    if change is None:
        return None
    if fired and change.action is not Action.NOOP:
        # Its date has sent; the rule now says another time that day: not sent again.
        warnings.append(
            f"{address}: sent at {record.schedule_time if record else '?'}; the rule's new "
            "time that day is not sent again"
        )
        return None
    if record is None and change.action is Action.CREATE:
        late = change.lifecycle
        if late in _LATE and not (late is Lifecycle.FROZEN and options.allow_late):
            warnings.append(_missed(change, now, options))
            return None
    if live and record is not None and change.requests:
        late = change.lifecycle
        if late is Lifecycle.SENT and change.action is not Action.DELETE:
            # The record has not sent (see above): the rule's new time that day has passed.
            change = _kept(address, record, now, freeze, NoteCode.OCCURRENCE_KEPT_PAST)
        elif late is Lifecycle.SENDING and not (
            change.action is Action.DELETE and options.allow_late
        ):
            change = _kept(address, record, now, freeze, NoteCode.OCCURRENCE_KEPT_SENDING)
        elif (
            late is Lifecycle.FROZEN
            and change.action is not Action.DELETE  # blocked as late by the gates
            and not options.allow_late
        ):
            change = _kept(address, record, now, freeze, NoteCode.OCCURRENCE_KEPT_FROZEN)
    return _with_rule(change, address, resource)


def _missed(change: Change, now: datetime, options: PlanOptions) -> str:
    send_at = change.send_at or now
    if change.lifecycle is Lifecycle.FROZEN:
        window = format_duration(timedelta(seconds=options.freeze_window_seconds))
        why = (
            f"its first send is in {format_duration(send_at - now)}, inside the {window} freeze "
            "window (apply --allow-late creates it anyway)"
        )
    elif change.lifecycle is Lifecycle.SENDING:
        why = f"it is sending since {format_utc(send_at)}"
    else:
        why = f"its send time {change.schedule_time} has passed"
    return f"{change.address}: missed occurrence, never scheduled: {why}"


def _kept(address: str, record: Record, now: datetime, freeze: timedelta, note: NoteCode) -> Change:
    """No change to an occurrence under way: what Braze holds is what it sends."""
    return _record_change(address, record, Action.NOOP, now, freeze, ()).with_notes(note)


def _with_rule(change: Change, address: str, resource: Resource | None) -> Change:
    info = resource.recurrence if resource is not None else None
    rule = resource.rule_address if resource is not None else None
    return change.evolve(
        rule=rule or _rule_of(address), rule_summary=info.summary if info else None
    )


def _targeted(
    address: str, resource: Resource | None, record: Record | None, targets: tuple[str, ...]
) -> bool:
    return any(_matches(target, address, resource, record) for target in targets)


def targeted(resource: Resource, targets: tuple[str, ...]) -> bool:
    """Whether a ``--target`` selects this desired resource (``preview`` selects as ``plan``)."""
    return _targeted(resource.address, resource, None, targets)


def _matches(target: str, address: str, resource: Resource | None, record: Record | None) -> bool:
    if "=" in target:
        key, _, value = target.partition("=")
        labels: Mapping[str, str] = (
            resource.labels if resource is not None else (record.labels if record else {})
        )
        return labels.get(key) == value
    if fnmatch.fnmatchcase(address, target):
        return True
    # A rule's address selects its occurrences (``--target campaign_schedule/weekly``).
    rule = _rule_of(address)
    return rule is not None and fnmatch.fnmatchcase(rule, target)


def unmatched_targets(
    desired: Mapping[str, Resource], recorded: Mapping[str, Record], targets: tuple[str, ...]
) -> list[str]:
    """The ``--target`` values that select no address of the manifests or the ledger: a typo
    there would otherwise read as "no changes"."""
    addresses = targetable(desired, recorded)
    return [
        target
        for target in targets
        if not any(_matches(target, a, desired.get(a), recorded.get(a)) for a in addresses)
    ]


def targetable(desired: Mapping[str, Resource], recorded: Mapping[str, Record]) -> list[str]:
    """The addresses a plan looks at, sorted: applied kinds of the manifests, and the ledger."""
    return sorted({a for a, r in desired.items() if r.kind.facts.applied} | set(recorded))


def plan_address(
    address: str,
    resource: Resource | None,
    record: Record | None,
    now: datetime,
    freeze: timedelta,
) -> Change | None:
    if record is None or record.status is RecordStatus.FIRED:
        if resource is None:
            return None
        if record is not None and record.body_hash == resource.body_hash:
            return _change(
                resource, record, Action.NOOP, now, freeze, _because(ReasonCode.SENT_KEPT)
            )
        if record is None:
            return _create(resource, record, now, freeze, _because(ReasonCode.NOT_RECORDED))
        return _resend(resource, record, now, freeze)
    if record.status in _UNSETTLED:
        return _unsettled(address, resource, record, now, freeze)
    record_life = _record_lifecycle(record, now, freeze)
    if record_life is Lifecycle.SENT:
        if (
            resource is not None
            and resource.body_hash != record.body_hash
            and _resource_lifecycle(resource, now, freeze) is Lifecycle.PENDING
        ):
            return _resend(resource, record, now, freeze)
        sent = _because(ReasonCode.SENT, time=record.schedule_time)
        return _forget(address, record, resource, sent, now)
    if resource is None:
        if not facts(record.kind).deletable:
            return _forget(address, record, None, _because(ReasonCode.SEND_ID_NOT_DECLARED), now)
        return _delete(address, record, now, freeze)
    return _compare(resource, record, now, freeze)


def _compare(resource: Resource, record: Record, now: datetime, freeze: timedelta) -> Change:
    if record.status is RecordStatus.ADOPTED:
        return _adopted(resource, record, now, freeze)
    if record.unknown_outcome == "delete":
        # Braze may no longer hold it: nothing is sent until a person has found out (the
        # safety gates block this change), then it stays or is created again.
        reasons = _because(ReasonCode.DELETE_UNKNOWN)
        return _change(resource, record, Action.CREATE, now, freeze, reasons)
    if (
        record.unknown_outcome == "update"
        and resource.kind.facts.updatable
        and record.body_hash == resource.body_hash
    ):
        # Braze may hold the lost update's body rather than this one: send it again. (Any
        # other difference is compared as usual: an update sends it anyway, a replace
        # deletes what Braze holds.)
        reasons = _because(ReasonCode.UPDATE_UNKNOWN)
        change = _change(resource, record, Action.UPDATE, now, freeze, reasons)
        return change.evolve(requests=(_update_request(resource, record),))
    if record.body_hash == resource.body_hash:
        meta = _meta_changes(resource, record)
        if meta:
            return _change(resource, record, Action.UPDATE, now, freeze, tuple(meta)).with_notes(
                NoteCode.LEDGER_ONLY
            )
        return _change(resource, record, Action.NOOP, now, freeze)
    before = record.body or {}
    after = resource.body
    changed = changed_fields(before, after)
    updatable = resource.kind.facts.updatable
    fixed = [f for f in changed if f not in updatable]
    if "messages" in updatable and "messages" in changed and "messages" not in after:
        fixed.append("messages")
    if resource.kind.facts.created_once:
        return _create(resource, record, now, freeze, _because(ReasonCode.SEND_ID_CHANGED))
    if fixed:
        reasons = tuple(_replace_reason(field, after) for field in sorted(set(fixed)))
        change = _change(resource, record, Action.REPLACE, now, freeze, reasons)
        requests: tuple[Request, ...] = (_delete_request(record), _create_request(resource))
    else:
        reasons = tuple(Reason(code=ReasonCode.FIELD_CHANGED, field=field) for field in changed)
        change = _change(resource, record, Action.UPDATE, now, freeze, reasons)
        requests = (_update_request(resource, record),)
    return change.evolve(field_changes=field_changes(before, after), requests=requests)


def _requested_replace(
    change: Change, resource: Resource, record: Record, now: datetime, freeze: timedelta
) -> Change:
    """``--replace``: delete the recorded schedule and create the manifest's, whatever the
    bodies. Only a live record is replaced: one that has sent is forgotten as usual, and an
    uncertain create must be resolved first (``replace_check`` says so)."""
    if (
        not resource.kind.facts.has_schedule
        or change.action not in _REPLACEABLE
        or record.status not in _REPLACEABLE_STATUSES
    ):
        return change
    earlier = change.reasons if change.action is not Action.NOOP else ()
    reasons = (*_because(ReasonCode.REPLACE_REQUESTED), *earlier)
    replaced = _change(resource, record, Action.REPLACE, now, freeze, reasons)
    return replaced.evolve(
        field_changes=field_changes(record.body or {}, resource.body),
        requests=(_delete_request(record), _create_request(resource)),
        replace_requested=True,
    )


_REPLACEABLE = frozenset({Action.NOOP, Action.UPDATE, Action.REPLACE, Action.CREATE})
_REPLACEABLE_STATUSES = frozenset(
    {RecordStatus.ACTIVE, RecordStatus.ADOPTED, RecordStatus.VANISHED}
)


def _adopted(resource: Resource, record: Record, now: datetime, freeze: timedelta) -> Change:
    reasons = _because(ReasonCode.ADOPTED)
    if resource.kind.facts.created_once:
        return _change(resource, record, Action.UPDATE, now, freeze, reasons).with_notes(
            NoteCode.SEND_ID_LEDGER_ONLY
        )
    change = _change(resource, record, Action.UPDATE, now, freeze, reasons)
    return change.evolve(requests=(_update_request(resource, record),)).with_notes(
        NoteCode.ADOPTED_UPDATE
    )


_UNSETTLED: dict[RecordStatus, tuple[ReasonCode, ReasonCode]] = {
    # status: (the reason, the reason once its send time has passed)
    RecordStatus.UNCERTAIN: (ReasonCode.UNCERTAIN, ReasonCode.UNCERTAIN_SENT),
    RecordStatus.VANISHED: (ReasonCode.VANISHED, ReasonCode.VANISHED_SENT),
}
"""Records a person must settle first (``state resolve``): the safety gates block them."""


def _unsettled(
    address: str,
    resource: Resource | None,
    record: Record,
    now: datetime,
    freeze: timedelta,
) -> Change:
    """A change without requests (the safety gates block it), or forgotten once its send
    time has passed."""
    reason, once_sent = _UNSETTLED[record.status]
    if _record_lifecycle(record, now, freeze) is Lifecycle.SENT:
        return _forget(address, record, resource, _because(once_sent), now)
    if resource is not None:
        return _change(resource, record, Action.CREATE, now, freeze, _because(reason))
    return _record_change(address, record, Action.DELETE, now, freeze, _because(reason))


def _create(
    resource: Resource,
    record: Record | None,
    now: datetime,
    freeze: timedelta,
    reasons: tuple[Reason, ...],
) -> Change:
    change = _change(resource, record, Action.CREATE, now, freeze, reasons)
    return change.evolve(requests=(_create_request(resource),))


def _resend(resource: Resource, record: Record, now: datetime, freeze: timedelta) -> Change:
    """A create over a schedule of this address that has already sent: it sends again."""
    reasons = _because(ReasonCode.RESEND, time=record.schedule_time)
    change = _create(resource, record, now, freeze, reasons)
    return change.evolve(previous_send=record.schedule_time)


def _delete(address: str, record: Record, now: datetime, freeze: timedelta) -> Change:
    reasons = _because(ReasonCode.NOT_DECLARED)
    change = _record_change(address, record, Action.DELETE, now, freeze, reasons)
    change = change.evolve(requests=(_delete_request(record),))
    if change.lifecycle is Lifecycle.SENDING and change.send_at is not None:
        change = change.with_notes(NoteCode.EMERGENCY_STOP)
    return change


def _forget(
    address: str,
    record: Record,
    resource: Resource | None,
    reasons: tuple[Reason, ...],
    now: datetime,
) -> Change:
    change = _record_change(address, record, Action.FORGET, now, timedelta(0), reasons)
    if resource is not None:
        change = change.evolve(after=resource.body, after_hash=resource.body_hash)
    return change


def _change(
    resource: Resource,
    record: Record | None,
    action: Action,
    now: datetime,
    freeze: timedelta,
    reasons: tuple[Reason, ...] = (),
) -> Change:
    life = _resource_lifecycle(resource, now, freeze)
    if (
        record is not None
        and record.status is not RecordStatus.FIRED
        and action is not Action.CREATE
    ):
        record_life = _record_lifecycle(record, now, freeze)
        life = _later(record_life, life)
    before_mode = _mode(record.schedule_mode) if record else None
    before_time = record.schedule_time if record else None
    # Built without validation: the planner gives the right types (see plan.model).
    return Change.model_construct(
        address=resource.address,
        kind=Kind(resource.kind),
        action=action,
        before=record.body if record and record.status is not RecordStatus.FIRED else None,
        after=resource.body,
        reasons=reasons,
        schedule_id=record.schedule_id if record else None,
        parent_id=resource.parent_id or (record.parent_id if record else None),
        schedule_time=resource.schedule_time,
        schedule_mode=_mode(resource.schedule_mode),
        before_schedule_time=before_time if action is not Action.CREATE else None,
        before_schedule_mode=before_mode if action is not Action.CREATE else None,
        send_at=first_send(resource.schedule_mode, resource.schedule_time),
        lifecycle=life,
        protect=resource.protect,
        recorded_protect=bool(
            record and record.status is not RecordStatus.FIRED and record.protect
        ),
        labels=dict(resource.labels),
        source=str(resource.source),
        after_hash=resource.body_hash,
        recorded_status=record.status if record else None,
        recorded_unknown=_call(record.unknown_outcome) if record else None,
        variables=dict(resource.variables) or None,
    )


def _record_change(
    address: str,
    record: Record,
    action: Action,
    now: datetime,
    freeze: timedelta,
    reasons: tuple[Reason, ...],
) -> Change:
    life = _record_lifecycle(record, now, freeze)
    return Change.model_construct(
        address=address,
        kind=Kind(record.kind),
        action=action,
        before=record.body,
        after=None,
        reasons=reasons,
        schedule_id=record.schedule_id,
        parent_id=record.parent_id,
        before_schedule_time=record.schedule_time,
        before_schedule_mode=_mode(record.schedule_mode),
        send_at=first_send(record.schedule_mode, record.schedule_time),
        lifecycle=life,
        protect=record.protect,
        recorded_protect=record.protect,
        labels=dict(record.labels),
        recorded_status=record.status,
    )


def _later(a: Lifecycle | None, b: Lifecycle | None) -> Lifecycle | None:
    """The more advanced of two lifecycles (a change is as late as its latest schedule)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if LATENESS.index(a) >= LATENESS.index(b) else b


def _resource_lifecycle(resource: Resource, now: datetime, freeze: timedelta) -> Lifecycle | None:
    if resource.schedule_mode is None or resource.schedule_time is None:
        return None
    return lifecycle(resource.schedule_mode, resource.schedule_time, now, freeze)


def _record_lifecycle(record: Record, now: datetime, freeze: timedelta) -> Lifecycle | None:
    if record.schedule_mode is None or record.schedule_time is None:
        return None
    return lifecycle(record.schedule_mode, record.schedule_time, now, freeze)


def _because(code: ReasonCode, *, time: str | None = None) -> tuple[Reason, ...]:
    """A change's one reason (``time``: of the schedule that has sent, for those about it)."""
    return (Reason(code=code, time=time),)


def _mode(mode: str | None) -> ScheduleMode | None:
    # One of the three: sendtime.schedule_mode made it, for the manifests and the ledger.
    return cast("ScheduleMode | None", mode)


def _call(unknown_outcome: str | None) -> Call | None:
    return Call(unknown_outcome) if unknown_outcome else None


def _meta_changes(resource: Resource, record: Record) -> list[Reason]:
    codes: list[ReasonCode] = []
    if resource.protect != record.protect:
        codes.append(ReasonCode.PROTECT_SET if resource.protect else ReasonCode.PROTECT_REMOVED)
    if dict(resource.labels) != dict(record.labels):
        codes.append(ReasonCode.LABELS_CHANGED)
    return [Reason(code=code) for code in codes]


def _replace_reason(field: str, after: Mapping[str, Any]) -> Reason:
    if field == "messages" and "messages" not in after:
        return Reason(code=ReasonCode.MESSAGES_REMOVED)
    return Reason(code=ReasonCode.FIXED_FIELD_CHANGED, field=field)


def _request(call: Call, kind: str, body: Mapping[str, Any]) -> Request:
    return Request.model_construct(call=call, path=facts(kind).path(call), body=body)


def _create_request(resource: Resource) -> Request:
    return _request(Call.CREATE, resource.kind, resource.body)


def _update_request(resource: Resource, record: Record) -> Request:
    """The update body: the complete schedule (and messages), since Braze replaces them."""
    body: dict[str, Any] = {}
    kind = resource.kind.facts
    if kind.parent_key is not None:
        body[kind.parent_key] = record.parent_id or resource.body.get(kind.parent_key)
    body["schedule_id"] = record.schedule_id
    body["schedule"] = resource.body["schedule"]
    if "messages" in kind.updatable and "messages" in resource.body:
        body["messages"] = resource.body["messages"]
    return _request(Call.UPDATE, resource.kind, body)


def _delete_request(record: Record) -> Request:
    body: dict[str, Any] = {}
    kind = facts(record.kind)
    if kind.parent_key is not None:
        body[kind.parent_key] = record.parent_id
    body["schedule_id"] = record.schedule_id
    return _request(Call.DELETE, record.kind, body)
