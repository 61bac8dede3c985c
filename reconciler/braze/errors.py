"""What can go wrong talking to Braze, and what each failure proves about the call's effect.

The tree::

    BrazeError                          (a ReconcilerError, exit code 1)
    ├── BrazeApiError                   Braze answered with an error status
    │   ├── BadRequestError             400: fatal, nothing sent (message names the cause)
    │   ├── UnauthorizedError           401: invalid key, wrong instance, quoted key
    │   ├── ForbiddenError              403: "Access Denied" (key lacks the permission) or plan
    │   ├── NotFoundError               404: invalid URL
    │   ├── PayloadTooLargeError        413
    │   ├── RateLimitedError            429: over a rate limit; ``reset_in`` says for how long
    │   └── ServerError                 5xx: fatal; 500, 502 and 503 prove nothing was sent
    │       └── GatewayTimeoutError     504: the backend may have finished the call
    ├── CallCancelledError              not sent: the run was stopped first
    ├── LookupSkippedError              not sent: a lookup would wait too long for room
    ├── TransportError                  no (complete) answer
    │   ├── ConnectFailedError          never connected: the request was not sent
    │   └── NoAnswerError               sent, then a timeout or a dropped connection
    └── OutcomeUnknownError             a mutating call whose effect cannot be known

``proves_nothing_happened`` is the one question the retry policy asks of an error: only then
may a create be sent again, since Braze's create has no idempotency key.
"""

from __future__ import annotations

from datetime import datetime

from reconciler.errors import ReconcilerError


class BrazeError(ReconcilerError):
    proves_nothing_happened: bool = False

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)


class BrazeApiError(BrazeError):
    """Braze answered ``status``; ``message`` is Braze's own text (``message`` or ``error``)."""

    proves_nothing_happened = True

    def __init__(
        self,
        status: int,
        message: str,
        *,
        path: str,
        errors: list[str] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(f"Braze answered {status} to {path}: {message}", hint=hint)
        self.status = status
        self.braze_message = message
        self.path = path
        self.errors = errors or []
        self.after_unknown = False
        """True when an earlier attempt of the same call had an unknown outcome."""
        self.server_date: datetime | None = None
        """The answer's ``Date`` header: Braze's clock when it answered."""


class BadRequestError(BrazeApiError):
    pass


class UnauthorizedError(BrazeApiError):
    pass


class ForbiddenError(BrazeApiError):
    pass


class NotFoundError(BrazeApiError):
    pass


class PayloadTooLargeError(BrazeApiError):
    pass


class RateLimitedError(BrazeApiError):
    def __init__(self, status: int, message: str, *, path: str, reset_in: float | None) -> None:
        super().__init__(status, message, path=path)
        self.reset_in = reset_in


class ServerError(BrazeApiError):
    pass


class GatewayTimeoutError(ServerError):
    proves_nothing_happened = False


class TransportError(BrazeError):
    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class ConnectFailedError(TransportError):
    proves_nothing_happened = True


class NoAnswerError(TransportError):
    pass


class CallCancelledError(BrazeError):
    """The call was not sent: the run was stopped (Ctrl-C) before it went out."""

    proves_nothing_happened = True

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} was not sent: the run was stopped")
        self.path = path


class NotSentError(BrazeError):
    """The call failed before it went out (the pacer broke): nothing happened in Braze."""

    proves_nothing_happened = True

    def __init__(self, path: str, cause: str) -> None:
        super().__init__(f"{path} was not sent: {cause}")
        self.path = path


class LookupSkippedError(BrazeError):
    """A read-only lookup was not sent: it would have waited too long for rate-limit room."""

    proves_nothing_happened = True

    def __init__(self, path: str, cause: str) -> None:
        super().__init__(f"{path} was not sent: {cause}")
        self.path = path
        self.cause = cause


class OutcomeUnknownError(BrazeError):
    """The call may or may not have taken effect (``cause`` says why)."""

    def __init__(self, path: str, cause: str) -> None:
        super().__init__(
            f"outcome of {path} is unknown: {cause}",
            hint="the schedule may exist in Braze; the ledger marks it uncertain",
        )
        self.path = path
        self.cause = cause


_BY_STATUS: dict[int, type[BrazeApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    504: GatewayTimeoutError,
}

_HINTS = {
    401: "check the API key and that the endpoint is your workspace's instance",
    403: "the API key needs the permission for this endpoint (Settings > APIs and Identifiers)",
    404: "check the endpoint URL",
    413: "the request body is over Braze's size limit",
}


def error_for_status(
    status: int, message: str, *, path: str, errors: list[str] | None = None
) -> BrazeApiError:
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else BadRequestError
    return cls(status, message, path=path, errors=errors, hint=_HINTS.get(status))
