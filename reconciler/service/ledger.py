"""Opening the ledger, reading it for a plan, locking it for an edit, and the answers ``doctor``
recorded there."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from reconciler.braze.gone import GoneAnswer
from reconciler.errors import UsageError
from reconciler.settings import Settings
from reconciler.state import open_store
from reconciler.state.base import Intent, LockInfo, Record, StateStore, process_holder
from reconciler.state.interrupted import interrupted_record
from reconciler.timeutil import Clock

log = logging.getLogger(__name__)

StoreFactory = Callable[[Settings, Clock], StateStore]
"""Opens the ledger ``settings`` name, its times stamped by the clock (tests pass their own)."""


def open_ledger(settings: Settings, clock: Clock) -> StateStore:
    """The service's default ``StoreFactory``: ``--state`` and ``--workspace``."""
    store = open_store(
        settings.state_url, settings.workspace, default_dir=settings.state_dir(), clock=clock
    )
    store.on_lock_wait = settings.on_lock_wait
    return store


@dataclasses.dataclass(frozen=True)
class LedgerView:
    """What a plan reads of the ledger, each piece once."""

    serial: int
    records: dict[str, Record]
    """With calls left open by a dead run overlaid: creates as uncertain."""
    lock: LockInfo | None
    interrupted: tuple[Intent, ...]
    """Intents without an outcome: calls of a dead run, or of the apply holding the lock."""


def read_ledger(store: StateStore) -> LedgerView:
    """Read the serial first: a write between the reads then makes the plan stale (exit 5 at
    apply), never a plan that pairs old records with a newer serial.

    ``plan`` does not write, so it cannot close a dead run's intents; it shows what ``apply``
    will find after ``recover_interrupted``, by the same rule (``state.interrupted``). A lock
    row proves nothing about them (its holder may have been killed, or its calls may land any
    moment), so open intents are shown as uncertain whatever the lock says: never as a create
    to make again.
    """
    serial = store.info().serial
    records = store.records()
    lock = store.current_lock()
    interrupted = tuple(store.intents(open_only=True))
    now = store.clock.now()
    for intent in interrupted:
        overlaid = interrupted_record(intent, records.get(intent.address), now)
        if overlaid is not None:
            records[intent.address] = overlaid
    return LedgerView(serial, records, lock, interrupted)


@contextmanager
def edit(
    open_ledger: Callable[[], StateStore],
    operation: str,
    lock_timeout: float,
    *,
    recover: bool = False,
) -> Iterator[StateStore]:
    """The ledger under the workspace lock, for one edit a person asks for; ``recover`` first
    closes the calls a dead run left open (so the edit sees what they became)."""
    with (
        open_ledger() as store,
        store.locked(operation, process_holder(), timeout=lock_timeout),
    ):
        if recover:
            store.recover_interrupted()
        yield store


def recorded(store: StateStore, address: str, hint: str | None = None) -> Record:
    """The record at ``address``; UsageError (exit 3) when the ledger has none."""
    record = store.get(address)
    if record is None:
        raise UsageError(f"{address} is not in the ledger", hint=hint)
    return record


GONE_ANSWERS = "gone_answers"
"""The metadata ``doctor`` writes: ``{"endpoint": ..., "answers": [GoneAnswer.to_dict()]}``,
Braze's answers to an update or a delete of a schedule id it cannot know, one per path."""


def recorded_gone_answers(store: StateStore, endpoint: str) -> tuple[GoneAnswer, ...]:
    """What ``doctor`` recorded as ``endpoint``'s answers to an unknown schedule (none when it
    never ran against that endpoint); a value that is not what doctor writes is ignored, with
    a warning: the gone decision then reads the answers' words alone."""
    value = store.metadata(GONE_ANSWERS)
    if value is None:
        return ()
    try:
        if not isinstance(value, Mapping) or not isinstance(value.get("answers"), list):
            raise ValueError(f"not what doctor records: {value!r}")
        answers = tuple(GoneAnswer.from_dict(item) for item in value["answers"])
    except ValueError as exc:
        log.warning("ledger: %s is ignored (%s); run `braze-reconciler doctor`", GONE_ANSWERS, exc)
        return ()
    return answers if value.get("endpoint") == endpoint else ()


def record_gone_answers(
    store: StateStore, endpoint: str, learnt: Mapping[str, GoneAnswer | None], *, note: str
) -> tuple[GoneAnswer, ...]:
    """Record what ``doctor`` learnt, by path: an answer replaces the one recorded for its
    path; None (Braze answered, but nothing the gone decision may use: a success, or words
    about something else) removes it. Paths not asked keep theirs; answers recorded for
    another endpoint are dropped. Returns what is recorded now."""
    kept = {answer.path: answer for answer in recorded_gone_answers(store, endpoint)}
    for path, answer in learnt.items():
        kept.pop(path, None)
        if answer is not None:
            kept[path] = answer
    answers = tuple(kept[path] for path in sorted(kept, key=str))
    value = {"endpoint": endpoint, "answers": [answer.to_dict() for answer in answers]}
    store.set_metadata(GONE_ANSWERS, value, note=note)
    return answers
