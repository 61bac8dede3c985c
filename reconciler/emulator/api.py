"""The Braze endpoints: validate a body with the request models, apply the workspace rules,
commit, and build the documented answer.

This module knows nothing of HTTP: ``BrazeApi.handle`` takes an endpoint and the parsed JSON
(or query) and returns an ``Answer``; ``app.py`` does authentication, limits and faults.
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from reconciler.braze.models import (
    CampaignScheduleCreateRequest,
    CampaignScheduleDeleteRequest,
    CampaignScheduleUpdateRequest,
    CampaignTriggerSendRequest,
    CanvasScheduleCreateRequest,
    CanvasScheduleDeleteRequest,
    CanvasScheduleUpdateRequest,
    CanvasTriggerSendRequest,
    Endpoint,
    MessagesSendRequest,
    ScheduleCreateRequest,
    ScheduledBroadcastsQuery,
    ScheduleDeleteRequest,
    ScheduleUpdateRequest,
    SendIdCreateRequest,
    is_broadcast,
)
from reconciler.braze.models.details import (
    CAMPAIGN_DETAILS_PATH,
    CANVAS_DETAILS_PATH,
    SEGMENTS_LIST_PATH,
    SEGMENTS_PAGE_SIZE,
    CampaignDetailsQuery,
    CanvasDetailsQuery,
    SegmentsListQuery,
)
from reconciler.braze.models.ids import INVALID_SCHEDULE
from reconciler.emulator.broadcasts import scheduled_broadcasts
from reconciler.emulator.checks import (
    BAD_REQUEST,
    Rejection,
    WorkspaceChecks,
    check_not_past,
    schedule_window,
)
from reconciler.emulator.clock import VirtualClock
from reconciler.emulator.store import Schedule, ScheduleKind, Store
from reconciler.emulator.workspace import DEFAULT_WORKSPACE, Workspace

log = logging.getLogger(__name__)
_caller: contextvars.ContextVar[str] = contextvars.ContextVar(
    "braze_workspace", default=DEFAULT_WORKSPACE
)
"""The Braze workspace of the key making the call being answered."""

SUCCESS = "success"
CreateRequest = ScheduleCreateRequest | CampaignScheduleCreateRequest | CanvasScheduleCreateRequest


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def _success(**fields: str | None) -> Answer:
    body: dict[str, Any] = {key: value for key, value in fields.items() if value is not None}
    body["message"] = SUCCESS
    return Answer(201, body)


def validation_answer(exc: ValidationError) -> Answer:
    """400 with the first error's Braze message and every error as a readable string."""
    errors = exc.errors(include_url=False)
    context = errors[0].get("ctx") or {} if errors else {}
    message = context.get("braze_message") or BAD_REQUEST
    readable = []
    for error in errors:
        where = ".".join(str(part) for part in error["loc"])
        readable.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return Answer(400, {"message": message, "errors": readable})


def _new_id() -> str:
    return str(uuid.uuid4())


def _dispatch_id() -> str:
    return uuid.uuid4().hex


def tracked_send_id(
    campaign_id: str | None, send_id: str | None, data: dict[str, Any]
) -> str | None:
    """The ``send_id`` an answer carries: the one the request named, else one generated for a
    broadcast of a campaign. Braze: "The send_id is only generated for API campaign sends
    targeting segments, connected audiences or broadcasts. When relevant, the send_id is
    included in response for the messages/send, messages/schedule, campaign/trigger/send and
    campaign/trigger/schedule endpoints"
    (https://www.braze.com/docs/api/endpoints/export/campaigns/get_send_analytics/, and
    "Responses for tracked send ids", https://www.braze.com/docs/api/errors/). A generated one
    is not a created pair: it does not count against the 100 a day of /sends/id/create."""
    if campaign_id is None:
        return None
    if send_id is not None:
        return send_id
    return uuid.uuid4().hex if is_broadcast(data) else None


class BrazeApi:
    def __init__(self, workspace: Workspace, store: Store, clock: VirtualClock) -> None:
        self.workspace = workspace
        self.store = store
        self.clock = clock
        self.checks = WorkspaceChecks(workspace, store)
        self._handlers: dict[str, Callable[[Any, dict[str, Any], datetime], Answer]] = {
            "/messages/schedule/create": self._schedule_create,
            "/messages/schedule/update": self._schedule_update,
            "/messages/schedule/delete": self._schedule_delete,
            "/campaigns/trigger/schedule/create": self._campaign_schedule_create,
            "/campaigns/trigger/schedule/update": self._trigger_schedule_update,
            "/campaigns/trigger/schedule/delete": self._trigger_schedule_delete,
            "/canvas/trigger/schedule/create": self._canvas_schedule_create,
            "/canvas/trigger/schedule/update": self._trigger_schedule_update,
            "/canvas/trigger/schedule/delete": self._trigger_schedule_delete,
            "/messages/scheduled_broadcasts": self._scheduled_broadcasts,
            "/sends/id/create": self._send_id_create,
            "/messages/send": self._messages_send,
            "/campaigns/trigger/send": self._campaign_send,
            "/canvas/trigger/send": self._canvas_send,
            CAMPAIGN_DETAILS_PATH: self._campaign_details,
            CANVAS_DETAILS_PATH: self._canvas_details,
            SEGMENTS_LIST_PATH: self._segments_list,
        }

    def handle(
        self, endpoint: Endpoint, data: Any, *, workspace: str = DEFAULT_WORKSPACE
    ) -> Answer:
        """Answer one call made with a key of ``workspace`` (the key selects it)."""
        token = _caller.set(workspace)
        try:
            return self._handle(endpoint, data)
        finally:
            _caller.reset(token)

    def _handle(self, endpoint: Endpoint, data: Any) -> Answer:
        try:
            request = endpoint.request.model_validate(data)
        except ValidationError as exc:
            return validation_answer(exc)
        try:
            return self._handlers[endpoint.path](request, data, self.clock.now())
        except ValidationError as exc:
            return validation_answer(exc)
        except Rejection as rejection:
            return Answer(
                rejection.status, {"message": rejection.message, "errors": [rejection.detail]}
            )
        except Exception:  # an emulator bug: still a JSON answer with the usual headers
            log.exception("emulator: %s failed", endpoint.path)
            return Answer(500, {"message": "Internal Server Error"})

    def _check_messages_request(self, request: ScheduleCreateRequest | MessagesSendRequest) -> None:
        """What the workspace must hold for a message whose content is in the request."""
        campaign = None
        if request.campaign_id is not None:
            campaign = self.checks.api_campaign(request.campaign_id)
        self.checks.messages(campaign, request.messages)
        self.checks.segment(request.segment_id)
        self.checks.send_id(request.campaign_id, request.send_id)

    # -- scheduled messages ------------------------------------------------------------------
    def _schedule_create(
        self, request: ScheduleCreateRequest, data: dict[str, Any], now: datetime
    ) -> Answer:
        self._check_messages_request(request)
        send_id = tracked_send_id(request.campaign_id, request.send_id, data)
        return self._create(
            "scheduled_message", request.campaign_id, request, data, None, now, send_id
        )

    def _schedule_update(
        self, request: ScheduleUpdateRequest, data: dict[str, Any], now: datetime
    ) -> Answer:
        schedule = self._live(request.schedule_id, "scheduled_message", None)
        merged = dict(schedule.body)
        for key in ("schedule", "messages"):
            if data.get(key) is not None:  # each key given replaces the old value whole
                merged[key] = data[key]
        return self._update(schedule, ScheduleCreateRequest, merged, data, now)

    def _schedule_delete(
        self, request: ScheduleDeleteRequest, data: dict[str, Any], now: datetime
    ) -> Answer:
        return self._delete(self._live(request.schedule_id, "scheduled_message", None), data, now)

    # -- trigger schedules -------------------------------------------------------------------
    def _campaign_schedule_create(
        self, request: CampaignScheduleCreateRequest, data: dict[str, Any], now: datetime
    ) -> Answer:
        self.checks.triggered_campaign(request.campaign_id)
        self.checks.send_id(request.campaign_id, request.send_id)
        send_id = tracked_send_id(request.campaign_id, request.send_id, data)
        return self._create(
            "campaign_schedule", request.campaign_id, request, data, None, now, send_id
        )

    def _canvas_schedule_create(
        self, request: CanvasScheduleCreateRequest, data: dict[str, Any], now: datetime
    ) -> Answer:
        _, notice = self.checks.triggered_canvas(request.canvas_id)
        return self._create("canvas_schedule", request.canvas_id, request, data, notice, now)

    def _trigger_schedule_update(
        self,
        request: CampaignScheduleUpdateRequest | CanvasScheduleUpdateRequest,
        data: dict[str, Any],
        now: datetime,
    ) -> Answer:
        if isinstance(request, CampaignScheduleUpdateRequest):
            schedule = self._live(request.schedule_id, "campaign_schedule", request.campaign_id)
            create_model: type[CreateRequest] = CampaignScheduleCreateRequest
        else:
            schedule = self._live(request.schedule_id, "canvas_schedule", request.canvas_id)
            create_model = CanvasScheduleCreateRequest
        # The new schedule overwrites the old one completely (braze-api.md 5.5).
        merged = {**schedule.body, "schedule": data["schedule"]}
        return self._update(schedule, create_model, merged, data, now)

    def _trigger_schedule_delete(
        self,
        request: CampaignScheduleDeleteRequest | CanvasScheduleDeleteRequest,
        data: dict[str, Any],
        now: datetime,
    ) -> Answer:
        if isinstance(request, CampaignScheduleDeleteRequest):
            schedule = self._live(request.schedule_id, "campaign_schedule", request.campaign_id)
        else:
            schedule = self._live(request.schedule_id, "canvas_schedule", request.canvas_id)
        return self._delete(schedule, data, now)

    # -- shared schedule logic ---------------------------------------------------------------
    def _create(
        self,
        kind: ScheduleKind,
        parent_id: str | None,
        request: ScheduleCreateRequest
        | CampaignScheduleCreateRequest
        | CanvasScheduleCreateRequest,
        data: dict[str, Any],
        notice: str | None,
        now: datetime,
        send_id: str | None = None,
    ) -> Answer:
        window = schedule_window(request.schedule)
        check_not_past(request.schedule, window, now)
        schedule_id, dispatch_id = _new_id(), _dispatch_id()
        self.store.create_schedule(
            schedule_id=schedule_id,
            kind=kind,
            parent_id=parent_id,
            body=data,
            dispatch_id=dispatch_id,
            window=window,
            notice=notice,
            now=now.timestamp(),
            workspace=_caller.get(),
        )
        log.debug("emulator: created %s %s", kind, schedule_id)
        answer = _success(dispatch_id=dispatch_id, schedule_id=schedule_id, send_id=send_id)
        if notice is not None:
            answer.body["notice"] = notice
        return answer

    def _live(self, schedule_id: str, kind: ScheduleKind, parent_id: str | None) -> Schedule:
        """The schedule, if it can still be changed; else ``Invalid schedule_id``."""
        schedule = self.store.get(schedule_id)
        if schedule is None or schedule.kind != kind or schedule.workspace != _caller.get():
            reason = "is unknown"  # another workspace's schedule is not even said to exist
        elif schedule.status == "deleted":
            reason = "was deleted"
        elif schedule.status == "sent":
            reason = "has already been sent"
        elif parent_id is not None and schedule.parent_id != parent_id:
            reason = f"does not belong to {parent_id!r}"
        else:
            return schedule
        raise Rejection(INVALID_SCHEDULE, f"schedule_id {schedule_id!r} {reason}")

    def _started(self, schedule: Schedule, now: datetime) -> bool:
        """A local-time (or optimal-time) schedule that has reached its earliest zone."""
        return schedule.window.mode != "utc" and now.timestamp() >= schedule.window.starts_at

    def _update(
        self,
        schedule: Schedule,
        create_model: type[CreateRequest],
        merged: dict[str, Any],
        data: dict[str, Any],
        now: datetime,
    ) -> Answer:
        if self._started(schedule, now):
            # Braze does not apply it once a zone has passed, and says success anyway.
            self.store.record(schedule.schedule_id, "update_ignored", data, now.timestamp())
            log.info("emulator: ignored an update of started schedule %s", schedule.schedule_id)
            return _success()
        request = create_model.model_validate(merged)
        if isinstance(request, ScheduleCreateRequest):
            campaign = None
            if request.campaign_id is not None:
                campaign = self.checks.api_campaign(request.campaign_id)
            self.checks.messages(campaign, request.messages)
        window = schedule_window(request.schedule)
        check_not_past(request.schedule, window, now)
        self.store.update_schedule(
            schedule.schedule_id, body=merged, window=window, call_body=data, now=now.timestamp()
        )
        return _success()

    def _delete(self, schedule: Schedule, data: dict[str, Any], now: datetime) -> Answer:
        # A started local-time schedule: the zones already reached got it, the rest are
        # cancelled (Braze: deletes during the send are best effort).
        call = "delete_partial" if self._started(schedule, now) else "delete"
        self.store.delete_schedule(
            schedule.schedule_id, call=call, call_body=data, now=now.timestamp()
        )
        return _success()

    # -- listing and send ids ----------------------------------------------------------------
    def _scheduled_broadcasts(
        self, request: ScheduledBroadcastsQuery, _data: dict[str, Any], now: datetime
    ) -> Answer:
        items = scheduled_broadcasts(self.workspace, now, request.end_time)
        return Answer(200, {"scheduled_broadcasts": items})

    # -- lookups (braze/models/details.py) ---------------------------------------------------
    def _campaign_details(
        self, request: CampaignDetailsQuery, _data: dict[str, Any], _now: datetime
    ) -> Answer:
        campaign = self.workspace.campaign_by_id.get(request.campaign_id)
        if campaign is None:
            return Answer(400, {"message": "Invalid campaign_id"})  # INFERENCE (details.py)
        messages = {v.id: v.details() for v in campaign.variations}
        channels = sorted({m["channel"] for m in messages.values()})
        body = {
            "name": campaign.name,
            "description": "",
            "archived": campaign.archived,
            "draft": campaign.draft,
            "schedule_type": campaign.schedule_type,
            "channels": channels,
            "tags": [],
            "messages": messages,
            "message": SUCCESS,
        }
        return Answer(200, body)

    def _canvas_details(
        self, request: CanvasDetailsQuery, _data: dict[str, Any], _now: datetime
    ) -> Answer:
        canvas = self.workspace.canvas_by_id.get(request.canvas_id)
        if canvas is None:
            return Answer(400, {"message": "Invalid canvas_id"})  # INFERENCE (details.py)
        steps = [
            {
                "name": step.name,
                "type": step.type,
                "id": step.id,
                "next_step_ids": [],
                "next_paths": [],
                "channels": sorted({v.details()["channel"] for v in step.messages}),
                "messages": {v.id: v.details() for v in step.messages},
            }
            for step in canvas.steps
        ]
        body = {
            "name": canvas.name,
            "description": "",
            "archived": canvas.archived,
            "draft": canvas.draft,
            "enabled": not canvas.paused,
            "schedule_type": canvas.schedule_type,
            "channels": sorted({c for step in steps for c in step["channels"]}),
            "variants": [],
            "tags": [],
            "steps": steps,
            "message": SUCCESS,
        }
        return Answer(200, body)

    def _segments_list(
        self, request: SegmentsListQuery, _data: dict[str, Any], _now: datetime
    ) -> Answer:
        listed = [s for s in self.workspace.segments if not s.archived]
        if request.sort_direction == "desc":
            listed.reverse()
        start = request.page_number * SEGMENTS_PAGE_SIZE
        page = listed[start : start + SEGMENTS_PAGE_SIZE]
        segments = [
            {"id": s.id, "name": s.name, "analytics_tracking_enabled": False, "tags": s.tags}
            for s in page
        ]
        return Answer(200, {"segments": segments, "message": SUCCESS})

    def creates_send_id(self, data: Any) -> bool:
        """Whether this /sends/id/create body, valid, creates a new send id + campaign id pair:
        only those count against the 100 a day ("Each send id - campaign id combination that
        you create will count towards your daily limit",
        https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_create_send_ids/)."""
        try:
            request = SendIdCreateRequest.model_validate(data)
            self.checks.send_id_campaign(request.campaign_id)
        except (ValidationError, Rejection):
            return False
        return request.send_id is None or not self.store.has_send_id(
            request.campaign_id, request.send_id
        )

    def _send_id_create(
        self, request: SendIdCreateRequest, _data: dict[str, Any], now: datetime
    ) -> Answer:
        self.checks.send_id_campaign(request.campaign_id)
        send_id = request.send_id or uuid.uuid4().hex
        self.store.add_send_id(request.campaign_id, send_id, now.timestamp())
        return _success(send_id=send_id)

    # -- immediate sends ---------------------------------------------------------------------
    def _messages_send(
        self, request: MessagesSendRequest, data: dict[str, Any], now: datetime
    ) -> Answer:
        self._check_messages_request(request)
        send_id = tracked_send_id(request.campaign_id, request.send_id, data)
        return self._send("/messages/send", data, send_id, None, now)

    def _campaign_send(
        self, request: CampaignTriggerSendRequest, data: dict[str, Any], now: datetime
    ) -> Answer:
        self.checks.triggered_campaign(request.campaign_id)
        self.checks.send_id(request.campaign_id, request.send_id)
        send_id = tracked_send_id(request.campaign_id, request.send_id, data)
        return self._send("/campaigns/trigger/send", data, send_id, None, now)

    def _canvas_send(
        self, request: CanvasTriggerSendRequest, data: dict[str, Any], now: datetime
    ) -> Answer:
        _, notice = self.checks.triggered_canvas(request.canvas_id)
        return self._send("/canvas/trigger/send", data, None, notice, now)

    def _send(
        self,
        path: str,
        data: dict[str, Any],
        send_id: str | None,
        notice: str | None,
        now: datetime,
    ) -> Answer:
        dispatch_id = _dispatch_id()
        self.store.record_send(path, dispatch_id, data, notice, now.timestamp())
        answer = _success(dispatch_id=dispatch_id, send_id=send_id)
        if notice is not None:
            answer.body["notice"] = notice
        return answer
