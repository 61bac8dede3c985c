"""The Braze REST client: the one choke point between the tool and Braze.

Every call goes through ``BrazeClient.call``, which paces it (``ratelimit.Pacer``), sends it
with ``Authorization: Bearer``, maps the status to a typed error (``braze.errors``), reads the
rate-limit headers, and retries it only as far as the answer proves it safe:

- ``update``, ``delete`` and reads are idempotent: retried on 5xx, 429, timeouts and dropped
  connections, with capped exponential backoff and full jitter;
- ``create`` and immediate sends have no idempotency key: retried only after a connect
  failure, a 429, or a 500/502/503 (Braze documents those as fatal, nothing sent). A timeout
  after sending, a dropped connection or a 504 raise ``OutcomeUnknownError``.

The network seam is the injected ``httpx`` transport or client (tests run the real client
against the emulator on loopback). The API key is sent in a header and never logged.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import httpx

from reconciler import __version__
from reconciler.braze.errors import (
    BrazeApiError,
    BrazeError,
    CallCancelledError,
    ConnectFailedError,
    LookupSkippedError,
    NoAnswerError,
    NotSentError,
    OutcomeUnknownError,
    RateLimitedError,
    TransportError,
    error_for_status,
)
from reconciler.braze.models.details import (
    CAMPAIGN_DETAILS_PATH,
    CANVAS_DETAILS_PATH,
    SEGMENTS_LIST_PATH,
)
from reconciler.braze.ratelimit import (
    Pacer,
    PacingStopped,
    PacingTooLong,
    RateLimitInfo,
    http_date,
    parse_headers,
)
from reconciler.kinds import (
    CAMPAIGN_SEND_PATH,
    CANVAS_SEND_PATH,
    MESSAGES_SEND_PATH,
    SEND_IDS_PATH,
    facts,
)
from reconciler.secrets import redact

log = logging.getLogger(__name__)


class CallKind(StrEnum):
    READ = "read"
    CREATE = "create"
    """Creates something that sends messages: no idempotency key, never repeated blindly."""
    REGISTER = "register"
    """Creates an identifier that sends nothing (a send id): safe to repeat."""
    UPDATE = "update"
    DELETE = "delete"
    SEND = "send"


IDEMPOTENT = frozenset({CallKind.READ, CallKind.REGISTER, CallKind.UPDATE, CallKind.DELETE})


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclasses.dataclass(frozen=True)
class LookupBudget:
    """What a read-only lookup of the reference checks may cost (issue 13 follow-up): a plan
    never waits long for one. Past ``max_wait`` seconds of waiting for rate-limit room, or
    after ``max_attempts`` timeouts of ``timeout`` seconds, the lookup is skipped (a warning
    says so) and the bucket's room is left to apply's calls."""

    max_wait: float = 10.0
    timeout: float = 6.0
    max_attempts: int = 2


@dataclasses.dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 30.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(self.read, connect=self.connect, pool=self.read)


@dataclasses.dataclass(frozen=True)
class BrazeResponse:
    """A successful answer (any 2xx)."""

    status: int
    path: str
    body: Mapping[str, Any]
    rate_limit: RateLimitInfo
    attempts: int = 1
    after_unknown: bool = False
    """An earlier attempt of this call had an unknown outcome (it may have taken effect)."""
    server_date: datetime | None = None
    """The answer's ``Date`` header: Braze's clock when it answered (whole seconds)."""

    @property
    def message(self) -> str:
        return str(self.body.get("message", ""))

    @property
    def queued(self) -> bool:
        """202 ``queued``: accepted during maintenance, not processed yet."""
        return self.status == 202 or self.message == "queued"

    @property
    def notices(self) -> tuple[str, ...]:
        """Non-fatal ``errors`` and ``notice`` texts: recorded and shown, never dropped."""
        found: list[str] = []
        errors = self.body.get("errors")
        if isinstance(errors, list):
            found.extend(e if isinstance(e, str) else json.dumps(e, sort_keys=True) for e in errors)
        notice = self.body.get("notice")
        if isinstance(notice, str) and notice:
            found.append(notice)
        if self.queued:
            found.append("Braze queued the call (maintenance): it is not processed yet")
        return tuple(found)

    def get_str(self, key: str) -> str | None:
        value = self.body.get(key)
        return value if isinstance(value, str) and value else None


class BrazeClient:
    """Typed access to the Braze endpoints this tool uses (see braze-api.md section 5)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        pacer: Pacer | None = None,
        max_connections: int = 16,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        audience_key: Callable[[str, Mapping[str, Any]], str | None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"braze-reconciler/{__version__}",
        }
        self._http = http_client or httpx.Client(
            transport=transport,
            timeout=(timeouts or Timeouts()).httpx(),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                # Shorter than common servers' keep-alive, so a connection the server is
                # closing is not reused: that race looks like a dropped answer.
                keepalive_expiry=2.0,
            ),
        )
        self.retry = retry or RetryPolicy()
        self.pacer = pacer or Pacer()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._audience_key = audience_key
        self.stop = stop
        """Set (Ctrl-C): calls waiting for rate-limit room are not sent."""
        self.calls = 0
        """HTTP requests sent (attempts), for reports and benchmarks."""
        self.rate_limited = 0
        """429 answers seen."""
        self.lookups = 0
        self.lookup_budget = LookupBudget()
        """How long a read-only lookup may wait, for room or an answer (``LookupBudget``)."""
        self._count_lock = threading.Lock()
        """Lookups made (``campaign_details``, ``canvas_details``, ``segments_page``)."""

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BrazeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the choke point ---------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        kind: CallKind,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        budget: LookupBudget | None = None,
    ) -> BrazeResponse:
        """One call, paced and retried (see the module). With ``budget`` (the read-only
        lookups), it never waits for rate-limit room longer than ``budget.max_wait``
        (``LookupSkippedError``), has a shorter timeout and fewer attempts."""
        audience = self._audience_key(path, body) if self._audience_key and body else None
        unknown_before = False
        attempt = 0
        while True:
            attempt += 1
            try:
                ticket = self.pacer.acquire(
                    path, audience, self.stop, budget.max_wait if budget is not None else None
                )
            except PacingTooLong as exc:
                raise LookupSkippedError(
                    path,
                    f"Braze's rate limit ({exc.buckets}) would make it wait {exc.wait:.0f} s, "
                    f"more than the {budget.max_wait if budget else 0:.0f} s a lookup may wait "
                    "(the room is left to apply's calls)",
                ) from None
            except PacingStopped:
                if unknown_before:  # an earlier attempt may have taken effect
                    raise NoAnswerError(
                        "stopped before retrying a call whose outcome is unknown", path=path
                    ) from None
                raise CallCancelledError(path) from None
            except Exception as exc:  # a bug before the call went out: never "unknown"
                if unknown_before:
                    raise
                log.debug("pacing %s failed", path, exc_info=True)
                raise NotSentError(path, f"{type(exc).__name__}: {exc}") from exc
            try:
                response = self._send(method, path, body, params, budget)
            except TransportError as exc:
                self.pacer.release(ticket, None)
                if not exc.proves_nothing_happened:
                    if kind not in IDEMPOTENT:
                        raise OutcomeUnknownError(path, str(exc)) from exc
                    unknown_before = True
                if attempt >= self._attempts(budget):
                    raise
                self._backoff(attempt, path, str(exc))
                continue
            info = parse_headers(response.headers, self.pacer.wall())
            self.pacer.release(ticket, info)
            if 200 <= response.status_code < 300:
                return BrazeResponse(
                    response.status_code,
                    path,
                    _json_body(response),
                    info,
                    attempt,
                    unknown_before,
                    _server_date(response),
                )
            error = self._error(response, path, info)
            error.after_unknown = unknown_before
            if not error.proves_nothing_happened:
                # A 504: the backend may have finished the call, so a retry answered "unknown
                # schedule" (braze/gone.py) may mean that this attempt deleted it.
                unknown_before = True
            if isinstance(error, RateLimitedError):
                self.rate_limited += 1
                self.pacer.rate_limited(ticket, error.reset_in)
                if attempt >= self._attempts(budget):
                    raise error
                continue
            retryable = error.status >= 500 and (
                kind in IDEMPOTENT or error.proves_nothing_happened
            )
            if not retryable:
                if not error.proves_nothing_happened and kind not in IDEMPOTENT:
                    raise OutcomeUnknownError(path, str(error)) from error
                raise error
            if attempt >= self._attempts(budget):
                if not error.proves_nothing_happened and kind not in IDEMPOTENT:
                    raise OutcomeUnknownError(path, str(error)) from error
                raise error
            self._backoff(attempt, path, f"{error.status} {error.braze_message}")

    def _attempts(self, budget: LookupBudget | None) -> int:
        if budget is None:
            return self.retry.max_attempts
        return min(self.retry.max_attempts, budget.max_attempts)

    def _backoff(self, attempt: int, path: str, reason: str) -> None:
        delay = self.retry.backoff(attempt, self._rng)
        log.info("braze: %s failed (%s); retrying in %.2fs", path, redact(reason), delay)
        self._sleep(delay)

    def _send(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
        budget: LookupBudget | None = None,
    ) -> httpx.Response:
        url = self.base_url + path
        extra: dict[str, Any] = {}
        if budget is not None:
            extra["timeout"] = httpx.Timeout(budget.timeout, connect=budget.timeout)
        content = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        self.calls += 1
        try:
            response = self._http.request(
                method, url, content=content, params=params, headers=self._headers, **extra
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ConnectFailedError(
                f"could not connect to {self.base_url}: {_reason(exc)}", path=path
            ) from None
        except httpx.TimeoutException as exc:
            raise NoAnswerError(
                f"no answer from Braze within the timeout ({type(exc).__name__})", path=path
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise NoAnswerError(
                f"the connection closed without a complete answer: {_reason(exc)}", path=path
            ) from None
        except httpx.HTTPError as exc:
            raise NoAnswerError(f"HTTP error: {_reason(exc)}", path=path) from None
        log.debug("braze: %s %s -> %s", method, path, response.status_code)
        return response

    def _error(self, response: httpx.Response, path: str, info: RateLimitInfo) -> BrazeApiError:
        body = _json_body(response)
        message = body.get("message") or body.get("error")
        if not isinstance(message, str) or not message:
            message = response.reason_phrase or f"HTTP {response.status_code}"
            text = response.text.strip()
            if text and not body:
                message = f"{message}: {text[:200]}"
        errors = body.get("errors")
        error_list = [redact(str(e)) for e in errors] if isinstance(errors, list) else None
        message = redact(message.strip())
        error: BrazeApiError
        if response.status_code == 429:
            error = RateLimitedError(429, message, path=path, reset_in=info.reset_in)
        else:
            error = error_for_status(response.status_code, message, path=path, errors=error_list)
        error.server_date = _server_date(response)
        return error

    # -- endpoints ---------------------------------------------------------------------------
    def create_schedule(self, kind: str, body: Mapping[str, Any]) -> BrazeResponse:
        """Create a schedule; the answer must carry a ``schedule_id``, else it is unknown."""
        path = facts(kind).path("create")
        response = self.call("POST", path, CallKind.CREATE, body)
        if response.get_str("schedule_id") is None:
            raise OutcomeUnknownError(
                path, f"Braze answered {response.status} {response.message!r} without a schedule_id"
            )
        return response

    def update_schedule(self, kind: str, body: Mapping[str, Any]) -> BrazeResponse:
        return self.call("POST", facts(kind).path("update"), CallKind.UPDATE, body)

    def delete_schedule(self, kind: str, body: Mapping[str, Any]) -> BrazeResponse:
        return self.call("POST", facts(kind).path("delete"), CallKind.DELETE, body)

    def create_send_id(self, body: Mapping[str, Any]) -> BrazeResponse:
        return self.call("POST", SEND_IDS_PATH, CallKind.REGISTER, body)

    def scheduled_broadcasts(self, end_time: str) -> list[dict[str, Any]]:
        response = self.call(
            "GET", "/messages/scheduled_broadcasts", CallKind.READ, params={"end_time": end_time}
        )
        items = response.body.get("scheduled_broadcasts")
        if not isinstance(items, list):
            raise BrazeError("Braze's scheduled_broadcasts answer has no scheduled_broadcasts list")
        return [item for item in items if isinstance(item, dict)]

    # -- lookups (read-only: the reference checks, braze/models/details.py) -----------------
    def campaign_details(self, campaign_id: str) -> dict[str, Any]:
        """GET /campaigns/details: the answer's body (``BrazeApiError`` 400/404: unknown id)."""
        return dict(self._lookup(CAMPAIGN_DETAILS_PATH, {"campaign_id": campaign_id}).body)

    def canvas_details(self, canvas_id: str) -> dict[str, Any]:
        """GET /canvas/details: the answer's body."""
        return dict(self._lookup(CANVAS_DETAILS_PATH, {"canvas_id": canvas_id}).body)

    def segments_page(self, page: int) -> list[dict[str, Any]]:
        """GET /segments/list?page=N: one page of up to 100 segments (archived ones are not
        listed)."""
        response = self._lookup(SEGMENTS_LIST_PATH, {"page": str(page)})
        items = response.body.get("segments")
        if not isinstance(items, list):
            raise BrazeError("Braze's segments/list answer has no segments list")
        return [item for item in items if isinstance(item, dict)]

    def _lookup(self, path: str, params: Mapping[str, str]) -> BrazeResponse:
        with self._count_lock:
            self.lookups += 1
        return self.call("GET", path, CallKind.READ, params=params, budget=self.lookup_budget)

    def send_messages(self, body: Mapping[str, Any]) -> BrazeResponse:
        return self.call("POST", MESSAGES_SEND_PATH, CallKind.SEND, body)

    def trigger_campaign(self, body: Mapping[str, Any]) -> BrazeResponse:
        return self.call("POST", CAMPAIGN_SEND_PATH, CallKind.SEND, body)

    def trigger_canvas(self, body: Mapping[str, Any]) -> BrazeResponse:
        return self.call("POST", CANVAS_SEND_PATH, CallKind.SEND, body)

    def send_now(self, kind: str, body: Mapping[str, Any]) -> BrazeResponse:
        """Send a kind's message now through its immediate-send endpoint (``preview``).
        Like a create, never repeated after an answer that does not prove nothing was sent."""
        path = facts(kind).preview_path
        if path is None:
            raise ValueError(f"a {kind} has no immediate-send endpoint")
        return self.call("POST", path, CallKind.SEND, body)


def _server_date(response: httpx.Response) -> datetime | None:
    seconds = http_date(response.headers.get("date"))
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return redact(text)
