"""Fault injection: make Braze API calls fail, by endpoint and probability.

Rules (``POST /_emulator/faults`` or ``--faults FILE``)::

    {"rules": [{"endpoint": "/messages/schedule/create", "fault": "drop_after_commit",
                "probability": 0.5, "count": 3}],
     "seed": 42}

``endpoint`` is a path or a glob (``*`` for every Braze endpoint, ``/canvas/*``). For each
call the rules are tried in order: a rule whose ``count`` is used up is skipped; otherwise
one random number is drawn and the rule fires when it is below ``probability`` (default 1).
The first rule that fires applies. With ``seed`` the draws, hence the faults, are the same
from run to run (given the same calls in the same order).

Faults (what the caller sees / whether the call takes effect):

- ``500``, ``503``: that status with ``{"message": "Internal Server Error"}`` or
  ``{"message": "Service Unavailable"}``; nothing committed.
- ``429``: ``{"message": "Rate Limited"}``, remaining 0, reset in ``delay`` seconds (default:
  the end of the call's rate-limit window); nothing committed.
- ``504``: the call is committed, then answered 504 ``{"message": "Gateway Timeout"}`` (the
  backend finished, the gateway gave up).
- ``timeout``: the answer is delayed by ``delay`` seconds (default 35, past the usual client
  timeout). With ``commit`` (default true) the call takes effect before the delay and the
  real answer follows it; with ``commit: false`` nothing is committed and a 504 follows it.
  A caller that hangs up ends the wait.
- ``reset``: the connection is reset (TCP RST) without an answer; nothing committed.
- ``drop_after_commit``: the call takes effect, then the connection is closed without an
  answer: the case that makes a create's outcome unknown.
- ``answer``: the error answer ``status`` with ``{"message": message, "errors": errors}``;
  nothing committed. An answer Braze may give in words the emulator does not use (its own
  texts, such as ``Invalid schedule_id``, are not Braze's): tests try the client with them.

Faults apply after authentication, the JSON check and the rate limits: a call refused for
those reasons is refused normally, and a faulted call has spent its rate-limit allowance.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FaultKind = Literal["500", "503", "504", "429", "timeout", "reset", "drop_after_commit", "answer"]
DEFAULT_TIMEOUT_DELAY = 35.0
_ANSWER_ONLY = frozenset({"status", "message", "errors"})


class FaultRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: str = Field(default="*", description="A Braze API path, or a glob such as '*'.")
    fault: FaultKind
    probability: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    count: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Fire at most this many times (default: no limit)."
    )
    delay: Annotated[float, Field(ge=0.0)] | None = Field(
        default=None,
        description="timeout: seconds before the answer (35); 429: seconds until the reset.",
    )
    commit: bool = Field(
        default=True, description="timeout only: take effect before the delay (default true)."
    )
    status: Annotated[int, Field(ge=400, le=599)] | None = Field(
        default=None, description="answer only: the error status to answer."
    )
    message: str | None = Field(default=None, description="answer only: the body's message.")
    errors: list[str] | None = Field(default=None, description="answer only: the body's errors.")

    @model_validator(mode="after")
    def _answer_fields(self) -> FaultRule:
        answering = self.fault == "answer"
        if answering != (self.status is not None and self.message is not None):
            raise ValueError("status and message are given with the answer fault, and only then")
        if not answering and self.errors is not None:
            raise ValueError("errors is given with the answer fault only")
        return self

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.endpoint)


class FaultConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[FaultRule] = Field(default_factory=list)
    seed: int | None = None


class FaultInjector:
    """Picks the fault of each call; thread-safe, deterministic with a seed."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        """Replace the rules (and restart the random sequence and the fired counts)."""
        with self._lock:
            self._config = config
            self._rng = random.Random(config.seed)
            self._fired = [0] * len(config.rules)

    def pick(self, path: str) -> FaultRule | None:
        with self._lock:
            for index, rule in enumerate(self._config.rules):
                if not rule.matches(path):
                    continue
                if rule.count is not None and self._fired[index] >= rule.count:
                    continue
                if self._rng.random() < rule.probability:
                    self._fired[index] += 1
                    return rule
            return None

    def describe(self) -> dict[str, Any]:
        """The rules, each with how many times it fired."""
        with self._lock:
            return {
                "rules": [
                    {
                        **rule.model_dump(exclude=set(_ANSWER_ONLY - rule.model_fields_set)),
                        "fired": fired,
                    }
                    for rule, fired in zip(self._config.rules, self._fired, strict=True)
                ],
                "seed": self._config.seed,
            }
