"""Preview bodies: a schedule's message sent now, through Braze's immediate-send endpoints, to
a test group and nobody else.

The body is built from scratch: from the schedule's create body only the content is copied
(messages; the campaign or Canvas, its trigger properties or context), field by field from a
list; the users are the group's. Targeting is never copied, whatever the manifest says, so a
manifest that targets a segment, an audience or its own users previews to the group only.
``reaches_only`` then checks the finished body, and the endpoint's request model (the one
home of Braze's rules) checks the rest before it is sent.

Braze's pages: https://www.braze.com/docs/api/endpoints/messaging/send_messages/
(``post_send_messages``, ``post_send_triggered_campaigns``, ``post_send_triggered_canvases``).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.braze.models.requests import is_broadcast
from reconciler.kinds import CAMPAIGN_SEND_PATH, CANVAS_SEND_PATH, MESSAGES_SEND_PATH

WIDENING = ("broadcast", "segment_id", "audience")
"""Fields that send to more than the users a body lists: never in a preview."""
_LISTED = ("external_user_ids", "user_aliases", "recipients")
OUTSIDE_CHANNELS = ("webhook",)
"""Channels whose message goes to a third party's endpoint, not to the user: a preview never
sends them (Braze calls a webhook's URL once per recipient)."""

_IDENTIFIERS = ("external_user_id", "user_alias", "braze_id", "email", "phone")
_PERSONALIZATION = {
    CAMPAIGN_SEND_PATH: ("trigger_properties",),
    CANVAS_SEND_PATH: ("context", "canvas_entry_properties"),
}
"""What a test user's own personalization is called, per trigger endpoint."""
_CONTENT = {
    CAMPAIGN_SEND_PATH: ("campaign_id", "trigger_properties"),
    CANVAS_SEND_PATH: ("canvas_id", "context", "canvas_entry_properties"),
}
"""What a trigger preview copies from the schedule's body."""


@dataclasses.dataclass(frozen=True)
class PreviewBody:
    """A preview's request body, and what was left out of the schedule's body, in words."""

    body: dict[str, Any]
    notes: tuple[str, ...] = ()
    reached: int = 0
    """How many of the group's users the body lists (an endpoint may not take some)."""


def identity(recipient: Mapping[str, Any]) -> tuple[str, str] | None:
    """(identifier, value) of a test user or of a recipient object; None if it has none."""
    for key in _IDENTIFIERS:
        value = recipient.get(key)
        if isinstance(value, Mapping):
            return (key, f"{value.get('alias_label')}:{value.get('alias_name')}")
        if value is not None:
            return (key, str(value))
    return None


def preview_body(
    path: str,
    spec: Mapping[str, Any],
    group: Sequence[Mapping[str, Any]],
    *,
    with_campaign: bool = False,
) -> PreviewBody:
    """The body that sends ``spec``'s message (a schedule's create body) now through ``path``
    to the test users of ``group`` (their manifest entries), and nobody else."""
    notes = list(_left_out(spec))
    if path == MESSAGES_SEND_PATH:
        body = _messages_body(spec, group, notes, with_campaign=with_campaign)
    elif path in _CONTENT:
        body = {key: copy.deepcopy(spec[key]) for key in _CONTENT[path] if key in spec}
        body["recipients"] = [_recipient(user, _PERSONALIZATION[path]) for user in group]
    else:
        raise ValueError(f"{path} is not an immediate-send endpoint")
    if "send_id" in spec:
        notes.append("send_id left out: the preview does not count in that send's analytics")
    reached = sum(len(body.get(key) or ()) for key in _LISTED)
    return PreviewBody(body, tuple(notes), reached)


def _left_out(spec: Mapping[str, Any]) -> list[str]:
    """Words for the targeting of the schedule's body, which a preview never copies."""
    targets = []
    if spec.get("segment_id") is not None:
        targets.append(f"segment {spec['segment_id']}")
    if spec.get("audience") is not None:
        targets.append("a connected audience")
    listed = sum(len(spec[key]) for key in _LISTED if isinstance(spec.get(key), list))
    if listed:
        targets.append(f"{listed} listed user{'s' if listed != 1 else ''}")
    if spec.get("broadcast") is True and not targets:
        targets.append("everyone in the campaign's or Canvas's segment (broadcast)")
    if not targets:
        return []
    targeted = " and ".join(targets)
    return [f"the manifest targets {targeted}: the preview goes to the test group only"]


def _messages_body(
    spec: Mapping[str, Any],
    group: Sequence[Mapping[str, Any]],
    notes: list[str],
    *,
    with_campaign: bool,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    ids = [str(user["external_user_id"]) for user in group if "external_user_id" in user]
    aliases = [copy.deepcopy(user["user_alias"]) for user in group if "user_alias" in user]
    if ids:
        body["external_user_ids"] = ids
    if aliases:
        body["user_aliases"] = aliases
    by_email = len(group) - len(ids) - len(aliases)
    if by_email:
        notes.append(
            f"{by_email} test user{'s' if by_email != 1 else ''} named by email left out: "
            "/messages/send takes external ids and aliases only"
        )
    campaign_id = spec.get("campaign_id")
    tracked = with_campaign and campaign_id is not None
    if tracked:
        body["campaign_id"] = campaign_id
    elif campaign_id is not None:
        notes.append(
            f"not tracked under campaign {campaign_id} (its analytics stay clean): "
            "--with-campaign sends it with the campaign and variation ids"
        )
    messages = spec.get("messages")
    if isinstance(messages, Mapping):
        body["messages"] = {
            channel: _content(message, keep_variation=tracked)
            for channel, message in messages.items()
            if channel not in OUTSIDE_CHANNELS
        }
        if any(channel in messages for channel in OUTSIDE_CHANNELS):
            notes.append(
                "the webhook message left out: it calls its URL, not the test users' devices, "
                "so a preview would call the real endpoint once per test user"
            )
    if spec.get("recipient_subscription_state") is not None:
        body["recipient_subscription_state"] = spec["recipient_subscription_state"]
    return body


def _content(message: Any, *, keep_variation: bool) -> Any:
    if keep_variation or not isinstance(message, Mapping):
        return copy.deepcopy(message)
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "message_variation_id"}


def _recipient(user: Mapping[str, Any], personalization: tuple[str, ...]) -> dict[str, Any]:
    """A recipient object naming one test user: their identifier (and prioritization for an
    email) and their own personalization for this endpoint; never attributes, never
    ``send_to_existing_only`` (a preview creates and changes no profile)."""
    keys = ("external_user_id", "user_alias", "email", "prioritization", *personalization)
    return {key: copy.deepcopy(user[key]) for key in keys if key in user}


def listed_users(body: Mapping[str, Any]) -> list[tuple[str, str] | None]:
    """Everyone a send body lists, by identifier (None for an item that names nobody)."""
    named: list[tuple[str, str] | None] = [
        ("external_user_id", str(value)) for value in body.get("external_user_ids") or ()
    ]
    named += [identity({"user_alias": alias}) for alias in body.get("user_aliases") or ()]
    named += [
        identity(item) if isinstance(item, Mapping) else None
        for item in body.get("recipients") or ()
    ]
    return named


def reaches_only(body: Mapping[str, Any], group: Sequence[Mapping[str, Any]]) -> list[str]:
    """What in ``body`` could reach someone outside ``group``; empty when nothing can."""
    problems = [f"the body has {key}" for key in WIDENING if key in body]
    messages = body.get("messages")
    if isinstance(messages, Mapping):
        problems += [f"the body has a {c} message" for c in OUTSIDE_CHANNELS if c in messages]
    if is_broadcast(body):
        problems.append("the body lists no user: Braze would send to a whole segment")
    allowed = {identity(user) for user in group}
    outside = [who for who in listed_users(body) if who not in allowed]
    if outside:
        problems.append(f"{len(outside)} recipient(s) outside the test group")
    return problems
