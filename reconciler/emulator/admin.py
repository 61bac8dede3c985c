"""The admin API under ``/_emulator/``: inspect and steer the emulator (no authentication; the
server binds loopback by default).

=======  ==========================  ======================================================
GET      /_emulator/schedules        every schedule with status, body and call history;
                                     filters: ?schedule_id= &kind= &parent_id= &status=
GET      /_emulator/send_ids         send ids created with /sends/id/create
GET      /_emulator/sends            immediate sends (/messages/send, trigger sends)
GET      /_emulator/clock            {"now", "offset_seconds"}
POST     /_emulator/clock            {"set": ISO 8601 with offset} or {"advance": seconds}
GET      /_emulator/faults           the fault rules and how many times each fired
POST     /_emulator/faults           replace the rules: {"rules": [...], "seed": int}
POST     /_emulator/reset            drop schedules, send ids, sends, counters, faults
GET      /_emulator/stats            answers per path and status, 429 count
=======  ==========================  ======================================================
"""

from __future__ import annotations

import json
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send

from reconciler.emulator.faults import FaultConfig
from reconciler.emulator.runtime import Emulator
from reconciler.timeutil import parse_instant

ADMIN_PREFIX = "/_emulator/"
SCHEDULE_FILTERS = ("schedule_id", "kind", "parent_id", "status")


class ClockChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    set: str | None = None
    advance: float | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.set is None) == (self.advance is None):
            raise ValueError('give exactly one of "set" (ISO 8601 with offset) or "advance"')
        if self.set is not None:
            parse_instant(self.set)
        return self


def _bad_request(errors: list[str]) -> JSONResponse:
    return JSONResponse({"message": "Bad Request", "errors": errors}, status_code=400)


async def _json(request: Request) -> Any:
    body = await request.body()
    return json.loads(body) if body.strip() else {}


def _validation_errors(exc: ValidationError) -> list[str]:
    found = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        found.append(f"{where}: {message}" if where else message)
    return found


def admin_router(emulator: Emulator) -> Router:
    async def schedules(request: Request) -> Response:
        emulator.fire_due()
        filters = {k: v for k, v in request.query_params.items() if k in SCHEDULE_FILTERS}
        unknown = sorted(set(request.query_params) - set(SCHEDULE_FILTERS))
        if unknown:
            return _bad_request(
                [f"unknown filter {unknown[0]!r}; use {', '.join(SCHEDULE_FILTERS)}"]
            )
        return JSONResponse({"schedules": emulator.store.list_schedules(**filters)})

    async def send_ids(_request: Request) -> Response:
        return JSONResponse({"send_ids": emulator.store.list_send_ids()})

    async def sends(_request: Request) -> Response:
        return JSONResponse({"sends": emulator.store.list_sends()})

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            try:
                change = ClockChange.model_validate(await _json(request))
            except ValueError as exc:
                errors = _validation_errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
                return _bad_request(errors)
            if change.set is not None:
                emulator.set_clock(parse_instant(change.set))
            elif change.advance is not None:
                emulator.advance_clock(change.advance)
        return JSONResponse(emulator.clock_state())

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                config = FaultConfig.model_validate(await _json(request))
            except ValueError as exc:
                errors = _validation_errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
                return _bad_request(errors)
            emulator.faults.configure(config)
        return JSONResponse(emulator.faults.describe())

    async def reset(_request: Request) -> Response:
        emulator.reset()
        return JSONResponse({"message": "success"})

    async def stats(_request: Request) -> Response:
        snapshot = emulator.stats.snapshot()
        snapshot["schedules"] = emulator.store.count_schedules()
        return JSONResponse(snapshot)

    async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse({"message": "Not Found"}, status_code=404)
        await response(scope, receive, send)

    prefix = ADMIN_PREFIX.rstrip("/")
    return Router(
        routes=[
            Route(prefix + "/schedules", schedules, methods=["GET"]),
            Route(prefix + "/send_ids", send_ids, methods=["GET"]),
            Route(prefix + "/sends", sends, methods=["GET"]),
            Route(prefix + "/clock", clock, methods=["GET", "POST"]),
            Route(prefix + "/faults", faults, methods=["GET", "POST"]),
            Route(prefix + "/reset", reset, methods=["POST"]),
            Route(prefix + "/stats", stats, methods=["GET"]),
        ],
        default=not_found,
    )
