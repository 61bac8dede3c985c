"""Safety gates: changes the plan refuses to make, each with a reason a person can act on.

- ``protected``: delete or replace of a resource with ``protect: true`` (in the manifest or
  the ledger): remove the flag in an applied change first.
- ``destroy_threshold``: more than 10 deletes that are also more than 25 % of the managed
  resources, or deletes of every managed resource whatever their number, without
  ``--allow-destroy``.
- ``frozen``: a change inside the freeze window before the first send, without
  ``--allow-late`` (Braze applies such changes best effort).
- ``sending``: a local-time or optimal-time schedule that has started in some zone: Braze
  ignores updates then, so no update or replace is attempted, even with ``--allow-late``. A
  delete is the exception with ``--allow-late``: an emergency stop, in which Braze cancels
  the zones not reached yet (best effort).
- ``past``: a create, or a move, to a send time that has passed.
- ``uncertain``: an earlier create's outcome is unknown: a person must settle it first.
- ``resend``: a create for an address whose earlier schedule has already sent (a manifest
  edited after its send, or a move that arrived too late), without ``--allow-resend``: the
  message would go out twice.
- ``vanished``: Braze answered "unknown schedule" to an update or delete of this record, or
  an answer that may mean so (braze/gone.py): a person must find out why (deleted outside,
  another workspace's key, a corrupted id) and settle it, since a create could make a second
  schedule while the first still sends.

Gates are evaluated again at apply time (time moves on between plan and apply): ``apply
--plan`` plans again at that time and applies the fresh plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from reconciler.plan.model import (
    REFERENCE_SEPARATOR,
    Action,
    BlockCode,
    Blocked,
    Change,
    PlanOptions,
)
from reconciler.sendtime import Lifecycle, first_send
from reconciler.state.base import RecordStatus
from reconciler.timeutil import format_duration

DESTROY_MIN = 10
DESTROY_FRACTION = 0.25


def apply_gates(
    changes: Iterable[Change],
    *,
    managed: int,
    now: datetime,
    options: PlanOptions,
    kept: int,
) -> list[Change]:
    """``kept``: how many of the ``managed`` resources the manifests still declare."""
    gated = [_gate(change, now, options) for change in changes]
    deletes = [c for c in gated if c.action is Action.DELETE and c.blocked is None]
    reason = (
        None if options.allow_destroy else _destroy_reason(len(deletes), managed, kept, options)
    )
    if reason is not None:
        blocked = _block(BlockCode.DESTROY_THRESHOLD, reason)
        gated = [
            c.evolve(blocked=blocked) if c.action is Action.DELETE and c.blocked is None else c
            for c in gated
        ]
    return gated


def _destroy_reason(deletes: int, managed: int, kept: int, options: PlanOptions) -> str | None:
    # Emptying a workspace is what a wrong path or an emptied checkout looks like, so it needs
    # --allow-destroy even for one resource; below that, only large deletes do. "Every" counts
    # what the manifests still declare, not what is deleted: a protected or a sending resource
    # that is blocked, or a send id that is only forgotten, does not make the rest less gone.
    if deletes and kept <= 0:
        return (
            f"the plan deletes every managed resource of the workspace ({deletes} of "
            f"{managed}): pass --allow-destroy if that is intended"
        )
    least = DESTROY_MIN if options.destroy_threshold is None else options.destroy_threshold
    fraction = (
        DESTROY_FRACTION if options.destroy_percent is None else options.destroy_percent / 100
    )
    if deletes > least and deletes > fraction * managed:
        return (
            f"the plan deletes {deletes} of {managed} managed resources (more than "
            f"{least} and more than {fraction:.0%}): pass --allow-destroy if "
            "that is intended"
        )
    return None


def _gate(change: Change, now: datetime, options: PlanOptions) -> Change:
    blocked = _blocked(change, now, options)
    return change.evolve(blocked=blocked) if blocked is not None else change


def _blocked(change: Change, now: datetime, options: PlanOptions) -> Blocked | None:
    action = change.action
    if action in (Action.NOOP, Action.FORGET):
        return None
    # A renamed record is still at its old address until the change is applied.
    recorded_at = change.moved_from or change.address
    if change.recorded_status is RecordStatus.UNCERTAIN and action in (
        Action.CREATE,
        Action.DELETE,
    ):
        return _block(
            BlockCode.UNCERTAIN,
            "an earlier create's outcome is unknown, so Braze may already hold this schedule: "
            f"find out, then run `braze-reconciler state resolve {recorded_at} --schedule-id "
            "ID` (it exists) or `--absent` (it does not)",
        )
    if change.recorded_status is RecordStatus.VANISHED and not change.replace_requested:
        return _block(
            BlockCode.VANISHED,
            f"Braze did not know schedule {change.schedule_id} at the last apply (or its "
            f"answer may have meant so: `braze-reconciler state show {recorded_at}` has it); "
            + vanished_hint(change.address),
        )
    # A replace starts with the delete again, which settles the unknown one either way.
    if change.recorded_unknown == "delete" and action not in (Action.DELETE, Action.REPLACE):
        return _block(
            BlockCode.UNCERTAIN,
            "the last delete's outcome is unknown, so Braze may no longer hold this schedule: "
            f"find out, then run `braze-reconciler state resolve {recorded_at} --schedule-id "
            f"{change.schedule_id}` (it is still there) or `--absent` (it was deleted), or "
            f"repeat the delete and create it again with `apply --replace {change.address}`",
        )
    if action is Action.CREATE and change.previous_send and not options.allow_resend:
        return _block(
            BlockCode.RESEND,
            f"this resource's schedule already sent ({change.previous_send}); creating the "
            "edited one sends the message again: pass --allow-resend if that is intended, or "
            "give the new send its own name",
        )
    if action in (Action.DELETE, Action.REPLACE) and (change.protect or change.recorded_protect):
        return _block(
            BlockCode.PROTECTED,
            f"protect: true refuses {action.value}: remove the flag in an applied change first",
        )
    if not change.requests:
        return None  # ledger only
    life = change.lifecycle
    if life is Lifecycle.SENDING:
        if action is Action.DELETE:
            if options.allow_late:
                return None  # the emergency stop: the planner's note says what it does
            return _block(
                BlockCode.SENDING,
                "the schedule is sending (its time has passed in some zones): pass "
                "--allow-late to delete it anyway, an emergency stop in which Braze cancels "
                "the zones not reached yet (best effort)",
            )
        return _block(
            BlockCode.SENDING,
            "the schedule is sending (its time has passed in some zones): Braze ignores "
            "changes now, so none is attempted; to stop it, remove its manifest and apply "
            "with --allow-late (an emergency stop)",
        )
    if life is Lifecycle.SENT:
        what = "create it" if action is Action.CREATE else "move it there"
        return _block(
            BlockCode.PAST,
            f"the send time {change.schedule_time} has passed: cannot {what}; change the time "
            "or remove the manifest",
        )
    if life is Lifecycle.FROZEN and not options.allow_late:
        send_at = _nearest_send(change, now)
        window = format_duration(timedelta(seconds=options.freeze_window_seconds))
        return _block(
            BlockCode.FROZEN,
            f"first send in {format_duration(send_at - now)}, inside the {window} freeze window:"
            " pass --allow-late to change it anyway (Braze applies late changes best effort)",
        )
    return None


def reference_block(problems: list[str]) -> Blocked:
    """``reference``: the Braze objects the manifest names fail a check (``plan.references``),
    so Braze would refuse the change or send something other than meant."""
    return _block(BlockCode.REFERENCE, REFERENCE_SEPARATOR.join(problems))


def _block(code: BlockCode, reason: str) -> Blocked:
    return Blocked(code=code, reason=reason)


def vanished_hint(address: str) -> str:
    """How to settle a vanished record (the applier says it too, when it happens)."""
    return (
        "find out why (deleted in the dashboard? another workspace's API key? a wrong id?), "
        f"then run `braze-reconciler state resolve {address} --absent` (it is gone: the next "
        "plan creates it again) or `--schedule-id ID` (you found it under that id), or create "
        "it again at once with "
        f"`braze-reconciler apply --replace {address}`"
    )


def _nearest_send(change: Change, now: datetime) -> datetime:
    """The first send, of the schedule left or the one made, that is still ahead."""
    firsts = (
        first_send(change.before_schedule_mode, change.before_schedule_time),
        first_send(change.schedule_mode, change.schedule_time),
    )
    ahead = [first for first in firsts if first is not None and first >= now]
    return min(ahead) if ahead else now
