"""Errors that end a command, each carrying its documented exit code.

The tree (exit code in brackets)::

    ReconcilerError [1]                  anything the tool anticipated but cannot go on with
    ├── UsageError [3]                   bad arguments, options or environment
    ├── ManifestError [3]                invalid manifests (carries every diagnostic of the run)
    ├── EndpointMismatchError [3]        the ledger belongs to another Braze endpoint
    ├── KeyMismatchError [3]             the ledger was applied with another key (workspace)
    ├── UnsafePlanError [4]              a safety gate blocked one or more changes
    ├── SavedPlanError [5]               a saved plan is stale, expired, edited, or not reproduced
    ├── LedgerLockedError [6]            another writer holds the workspace lock
    ├── LedgerError [1]                  the state store failed or holds something unexpected
    │   ├── LedgerUnreadableError [3]    the ledger file is empty, unreadable or not a ledger
    │   └── LedgerConnectionLostError [1] the database connection died (PostgreSQL)
    └── BrazeError [1]                   see reconciler.braze.errors for its subtree

Exit codes 2 (changes present, drift) and 7 (apply finished with failed, uncertain or not
attempted changes: its report says which) are results, not errors, and have no class here.
Exit code 1 is also what an unexpected exception (a bug) gives; the CLI logs it without the
API key. Exit code 141 says the output was closed before the end (``| head``).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_CHANGES = 2
EXIT_INVALID = 3
EXIT_BLOCKED = 4
EXIT_STALE_PLAN = 5
EXIT_LOCKED = 6
EXIT_APPLY_INCOMPLETE = 7
EXIT_OUTPUT_CLOSED = 141
"""The reader of the output closed it (``| head``): 128 + SIGPIPE, as a shell reports a
command the signal ended. Not a failure of the command's work."""


class ReconcilerError(Exception):
    """Base of every error the tool raises on purpose."""

    exit_code: int = EXIT_UNEXPECTED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class UsageError(ReconcilerError):
    exit_code = EXIT_INVALID


class ManifestError(ReconcilerError):
    """Manifests failed validation; ``diagnostics`` holds every problem found."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str, diagnostics: list[object]) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


class EndpointMismatchError(ReconcilerError):
    exit_code = EXIT_INVALID


class KeyMismatchError(ReconcilerError):
    exit_code = EXIT_INVALID


class UnsafePlanError(ReconcilerError):
    exit_code = EXIT_BLOCKED


class SavedPlanError(ReconcilerError):
    exit_code = EXIT_STALE_PLAN


class LedgerLockedError(ReconcilerError):
    exit_code = EXIT_LOCKED


class LedgerError(ReconcilerError):
    exit_code = EXIT_UNEXPECTED


class LedgerUnreadableError(LedgerError):
    """Never read as a fresh start: that would create every schedule a second time."""

    exit_code = EXIT_INVALID


class LedgerConnectionLostError(LedgerError):
    """The connection died during a transaction; ``may_have_committed`` when it died during
    the commit itself (then the write may or may not be in the ledger)."""

    def __init__(self, message: str, *, may_have_committed: bool) -> None:
        super().__init__(message)
        self.may_have_committed = may_have_committed
