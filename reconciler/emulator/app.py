"""The emulator's ASGI application: Braze's HTTP surface around ``BrazeApi``.

A Braze API call takes at least ``--latency`` from its arrival to its answer (the emulator's
own work included, as a server that answers in that time would). It goes through, in order:
firing of due schedules;
404 for an unknown path (405 for a known path with the wrong method); 413 for a body over
4,000,000 bytes; 401 ``Unauthorized`` for a missing or unknown key (the key is never
echoed), 403 ``Access Denied`` for a key without the endpoint's permission; 400 for a body
that is not JSON (Braze's documented ``{"error": ...}`` shape); the rate limits (429); the
fault rules; then the endpoint itself. Every answer carries ``x-ratelimit-*`` headers and a
``Date`` in virtual time. Paths under ``/_emulator/`` go to the admin API.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Message, Receive, Scope, Send

from reconciler.braze.models import ENDPOINTS, Endpoint, unique_audience_key
from reconciler.braze.models.details import LOOKUP_ENDPOINTS
from reconciler.emulator.admin import ADMIN_PREFIX, admin_router
from reconciler.emulator.api import Answer
from reconciler.emulator.faults import DEFAULT_TIMEOUT_DELAY, FaultRule
from reconciler.emulator.limits import RateState
from reconciler.emulator.protocol import CONNECTION_KEY, ConnectionControl, wait_for_disconnect
from reconciler.emulator.runtime import Emulator
from reconciler.emulator.workspace import ApiKey
from reconciler.kinds import SEND_IDS_PATH

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 4_000_000
"""Braze's "4 MB", read as 4,000,000 bytes (the stricter reading)."""
MALFORMED_JSON = (
    "\nProblem:\n  message body does not match declared format\nResolution:\n  when specifying "
    "application/json as content-type, you must pass valid application/json in the request's "
    "'body' "
)
_STOP_POLL = 0.05
"""How often a delayed answer checks whether the server is stopping (seconds)."""
_FAULT_MESSAGES = {
    "500": "Internal Server Error",
    "503": "Service Unavailable",
    "504": "Gateway Timeout",
}


class _ClientGone(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class EmulatorApp:
    """ASGI entry point. ``Emulator`` holds the state; this class only speaks HTTP."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._admin = admin_router(emulator)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan is off; websockets are not served
        path: str = scope["path"]
        if path == ADMIN_PREFIX.rstrip("/") or path.startswith(ADMIN_PREFIX):
            await self._admin(scope, receive, self._with_headers(send, path))
            return
        try:
            await self._api_call(scope, receive, send)
        except _ClientGone:
            self.emulator.stats.count(path, "hung_up")

    # -- answers ----------------------------------------------------------------------------
    def _with_headers(self, send: Send, path: str) -> Send:
        """Add the virtual Date and the rate-limit headers to an admin answer."""

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = self.emulator.limiter.peek(path, self.emulator.clock.timestamp())
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"date"]
                message = {**message, "headers": headers + self._headers(state)}
            await send(message)

        return wrapped

    def _headers(self, state: RateState) -> list[tuple[bytes, bytes]]:
        date = email.utils.formatdate(self.emulator.clock.timestamp(), usegmt=True)
        pairs = [("date", date), *state.headers()]
        return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs]

    async def _answer(
        self,
        send: Send,
        path: str,
        answer: Answer,
        state: RateState,
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        payload = json.dumps(answer.body, separators=(",", ":")).encode("utf-8")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode("latin-1")),
            *self._headers(state),
            *(extra or []),
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        self.emulator.stats.count(path, str(answer.status))
        log.debug("emulator: %s -> %s", path, answer.status)

    # -- the pipeline -----------------------------------------------------------------------
    async def _api_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        emulator = self.emulator
        path: str = scope["path"]
        if emulator.latency > 0:
            send = _not_before(asyncio.get_running_loop().time() + emulator.latency, send)
        emulator.fire_due()
        body = await self._read_body(receive)
        now = emulator.clock.timestamp()
        peek = emulator.limiter.peek(path, now)
        endpoint = ENDPOINTS.get(path) or LOOKUP_ENDPOINTS.get(path)
        if endpoint is None:
            await self._answer(send, path, Answer(404, {"message": "Not Found"}), peek)
            return
        if scope["method"] != endpoint.method:
            allow = [(b"allow", endpoint.method.encode("latin-1"))]
            await self._answer(
                send, path, Answer(405, {"message": "Method Not Allowed"}), peek, allow
            )
            return
        if body is None:
            await self._answer(
                send, path, Answer(413, {"message": "Request Entity Too Large"}), peek
            )
            return
        caller = self._authorize(scope, endpoint)
        if isinstance(caller, Answer):
            await self._answer(send, path, caller, peek)
            return
        workspace = caller.workspace
        try:
            data = self._parse(scope, endpoint, body)
        except ValueError:
            await self._answer(send, path, Answer(400, {"error": MALFORMED_JSON}), peek)
            return
        # The send id bucket counts created pairs, not calls.
        counted = path != SEND_IDS_PATH or emulator.api.creates_send_id(data)
        decision = emulator.limiter.take(
            path, unique_audience_key(path, data), now, counted=counted
        )
        if not decision.allowed:
            await self._answer(send, path, Answer(429, {"message": "Rate Limited"}), decision.state)
            return
        fault = emulator.faults.pick(path)
        if fault is None:
            answer = emulator.api.handle(endpoint, data, workspace=workspace)
            await self._answer(send, path, answer, decision.state)
        else:
            await self._faulted(
                fault, scope, receive, send, endpoint, data, decision.state, workspace
            )

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None when it is over the limit (read to the end all the same,
        so that the caller, still sending, gets the 413 rather than a broken pipe)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size <= MAX_BODY_BYTES:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks) if size <= MAX_BODY_BYTES else None

    def _authorize(self, scope: Scope, endpoint: Endpoint) -> Answer | ApiKey:
        """The refusal, or the caller's key (which selects the Braze workspace)."""
        header = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1")
        scheme, _, key = header.partition(" ")
        api_key = self.emulator.workspace.key_by_value.get(key.strip())
        if scheme.lower() != "bearer" or api_key is None:
            return Answer(401, {"message": "Unauthorized"})
        if not api_key.allows(endpoint.permission):
            return Answer(403, {"message": "Access Denied"})
        return api_key

    def _parse(self, scope: Scope, endpoint: Endpoint, body: bytes) -> Any:
        if endpoint.method == "GET":
            query = scope["query_string"].decode("latin-1")
            return dict(parse_qsl(query, keep_blank_values=True))
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)

    async def _faulted(
        self,
        fault: FaultRule,
        scope: Scope,
        receive: Receive,
        send: Send,
        endpoint: Endpoint,
        data: Any,
        state: RateState,
        workspace: str,
    ) -> None:
        emulator = self.emulator
        path = endpoint.path
        log.info("emulator: fault %s on %s", fault.fault, path)
        kind = fault.fault
        if kind in ("500", "503"):
            await self._answer(
                send, path, Answer(int(kind), {"message": _FAULT_MESSAGES[kind]}), state
            )
        elif kind == "answer":
            assert fault.status is not None
            body: dict[str, Any] = {"message": fault.message}
            if fault.errors is not None:
                body["errors"] = list(fault.errors)
            await self._answer(send, path, Answer(fault.status, body), state)
        elif kind == "429":
            now = emulator.clock.timestamp()
            reset = state.reset if fault.delay is None else int(now + fault.delay + 0.999)
            limited = RateState(state.limit, 0, reset)
            await self._answer(send, path, Answer(429, {"message": "Rate Limited"}), limited)
        elif kind == "504":
            emulator.api.handle(endpoint, data, workspace=workspace)
            await self._answer(send, path, Answer(504, {"message": _FAULT_MESSAGES["504"]}), state)
        elif kind in ("reset", "drop_after_commit"):
            if kind == "drop_after_commit":
                emulator.api.handle(endpoint, data, workspace=workspace)
            await self._hang_up(scope, receive, send, reset=kind == "reset")
            emulator.stats.count(path, "reset" if kind == "reset" else "dropped")
        else:  # timeout
            answer = (
                emulator.api.handle(endpoint, data, workspace=workspace) if fault.commit else None
            )
            delay = fault.delay if fault.delay is not None else DEFAULT_TIMEOUT_DELAY
            ended = await self._wait(delay, receive)
            if ended == "hung_up":
                emulator.stats.count(path, "hung_up")
                return
            if ended == "stopping":  # the server is going away: so is the answer
                await self._hang_up(scope, receive, send, reset=False)
                emulator.stats.count(path, "dropped")
                return
            if answer is None:
                answer = Answer(504, {"message": _FAULT_MESSAGES["504"]})
            await self._answer(send, path, answer, state)

    async def _hang_up(self, scope: Scope, receive: Receive, send: Send, *, reset: bool) -> None:
        control = scope.get("extensions", {}).get(CONNECTION_KEY)
        if isinstance(control, ConnectionControl):
            control.reset() if reset else control.close()
            await wait_for_disconnect(receive)
            return
        # Another ASGI server: start an answer and stop, the closest ASGI can come.
        await send({"type": "http.response.start", "status": 500, "headers": []})
        raise ConnectionAbortedError("emulated connection drop")

    async def _wait(self, seconds: float, receive: Receive) -> str:
        """Wait ``seconds``, unless the caller hangs up or the server stops first: returns
        ``elapsed``, ``hung_up`` or ``stopping``."""
        deadline = asyncio.get_running_loop().time() + seconds
        waiter = asyncio.ensure_future(wait_for_disconnect(receive))
        try:
            while not self.emulator.stopping.is_set():
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    return "elapsed"
                done, _ = await asyncio.wait({waiter}, timeout=min(left, _STOP_POLL))
                if done:
                    return "hung_up"
            return "stopping"
        finally:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter


def _not_before(deadline: float, send: Send) -> Send:
    """``send`` that starts the answer no earlier than ``deadline`` (``--latency``): the call
    takes that long, the emulator's own work included, like a server that answers in 20 ms."""

    async def delayed(message: Message) -> None:
        if message["type"] == "http.response.start":
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining > 0:
                await asyncio.sleep(remaining)
        await send(message)

    return delayed
