"""Probes: the calls ``doctor`` makes to learn what a key may do and how Braze answers an update
or a delete of a schedule it does not know, without ever scheduling or sending anything.

What an answer proves. "Each call to the API must include a key with access to the endpoint
hit"; permissions "limit exactly which calls an API Key can authenticate"
(https://www.braze.com/docs/api/api_key/, https://www.braze.com/docs/api/basics/). The errors
page (https://www.braze.com/docs/api/errors/) answers ``401 Unauthorized`` for an invalid key
(also a key of another instance, or a quoted one) and ``403 Access Denied`` when "the REST API
key you are using does not have sufficient permissions". The permission is thus part of
authenticating the call, which comes before Braze reads what the call asks; **INFERENCE**: no
page states the order in so many words. So:

- 401: the key is not valid here; 403: the key is valid, without this permission;
- any other answer (a 400 refusing the body, a 404 about the schedule, a success): the
  permission check passed. The emulator checks in that order too (``emulator/app.py``).

The probe of each call (``Endpoint.action``), and why none can schedule or send:

- ``list``: the real ``GET /messages/scheduled_broadcasts``, with ``end_time`` the next day: a
  read.
- ``update`` and ``delete``: a ``schedule_id`` made up for the probe, a random (version 4) UUID,
  so no schedule has it: Braze generates schedule ids, and two random UUIDs are the same with a
  chance of 2^-122. The parent id is a campaign or Canvas of the manifests, so that the answer
  is about the schedule alone; an update moves the schedule to a time 30 days ahead (a valid
  body: the only thing Braze can refuse is the id). An update or a delete acts on the schedule
  it names and on nothing else, and none has that id. Braze's answer is its answer to an
  unknown schedule: what the gone decision needs (``gone.probe_answer``).
- ``create`` (the three schedule creates and ``/sends/id/create``): an empty object, ``{}``.
  Braze documents as required ``schedule`` on every schedule create and ``campaign_id`` /
  ``canvas_id`` on the trigger creates and on send ids; ``/messages/schedule/create`` without
  ``messages`` has nothing to send ("No message to send") and without an audience no one to
  send it to ("No Recipients"). So the body lacks what to send, to whom and when: even a Braze
  that skipped one check could not schedule anything from it. A send id schedules nothing
  anyway (it groups a campaign's analytics), and without a campaign none is created, so none
  of the 100 a day is spent. A time in the past was not chosen: the schedule object page
  (https://www.braze.com/docs/api/objects_filters/schedule_object/) documents an error only
  for a local time past in every zone; a past UTC time may well be accepted, and sent at once.
  ``request_models_refuse`` checks that the request models refuse every create probe.
- ``send`` (``/messages/send``, ``/campaigns/trigger/send``, ``/canvas/trigger/send``): never
  probed; the tool does not use them, so ``probe`` refuses to build one.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from reconciler.braze.client import BrazeClient, BrazeResponse, CallKind
from reconciler.braze.models.requests import ENDPOINTS, Endpoint
from reconciler.timeutil import format_utc

UPDATE_AHEAD = timedelta(days=30)
"""How far ahead an update probe moves its (made-up) schedule."""
_CALL_KIND = {
    "list": CallKind.READ,
    "create": CallKind.CREATE,  # never repeated blindly, though the body cannot create
    "update": CallKind.UPDATE,
    "delete": CallKind.DELETE,
}


@dataclasses.dataclass(frozen=True)
class Probe:
    """One call that learns an endpoint's permission (and, for an update or a delete, Braze's
    answer to an unknown schedule) and has no effect."""

    endpoint: Endpoint
    body: Mapping[str, Any] | None = None
    params: Mapping[str, str] | None = None
    schedule_id: str | None = None
    """The made-up schedule id of an update or delete probe."""

    @property
    def described(self) -> str:
        """What was sent, in a few words, for the report."""
        if self.endpoint.action == "list":
            return f"GET with end_time {(self.params or {}).get('end_time')}"
        if self.schedule_id is not None:
            return f"a made-up schedule_id ({self.schedule_id})"
        return "an empty body, {}"


def probe(
    path: str, now: datetime, *, parent_id: str | None = None, schedule_id: str | None = None
) -> Probe:
    """The probe of ``path`` as of ``now``; ``parent_id`` is the campaign or Canvas id of an
    update or delete probe of a trigger schedule (a made-up one when None); ``schedule_id``
    replaces the random one (tests)."""
    endpoint = ENDPOINTS[path]
    if endpoint.action == "list":
        return Probe(endpoint, params={"end_time": (now + timedelta(days=1)).strftime("%Y-%m-%d")})
    if endpoint.action == "create":
        return Probe(endpoint, body={})
    if endpoint.action not in ("update", "delete"):
        raise ValueError(f"{path} sends messages: doctor never calls it")
    made_up = schedule_id or str(uuid.uuid4())
    body: dict[str, Any] = {}
    parent_key = _parent_key(endpoint)
    if parent_key is not None:
        body[parent_key] = parent_id or str(uuid.uuid4())
    body["schedule_id"] = made_up
    if endpoint.action == "update":
        body["schedule"] = {"time": format_utc(now + UPDATE_AHEAD)}
    return Probe(endpoint, body=body, schedule_id=made_up)


def _parent_key(endpoint: Endpoint) -> str | None:
    """The parent id field an update or delete body of this endpoint requires."""
    fields = endpoint.request.model_fields
    return next((key for key in ("campaign_id", "canvas_id") if key in fields), None)


def send_probe(client: BrazeClient, sent: Probe) -> BrazeResponse:
    """Make the probe's call through the client (paced, and answers mapped to errors)."""
    endpoint = sent.endpoint
    return client.call(
        endpoint.method, endpoint.path, _CALL_KIND[endpoint.action], sent.body, sent.params
    )


def request_models_refuse(sent: Probe) -> bool:
    """Whether the request models (Braze's documented rules) refuse the probe's body."""
    try:
        sent.endpoint.request.model_validate(sent.body if sent.body is not None else sent.params)
    except ValidationError:
        return True
    return False
