"""Request bodies, one model per endpoint, and the endpoint table the client and emulator share.

Targeting rules (braze-api.md 4.4): a request either lists its users (``recipients``, or
``external_user_ids`` / ``user_aliases``) or is a broadcast (``broadcast: true``) to a segment
or connected audience; never both. ``/messages/*`` broadcasts name their segment or audience;
trigger broadcasts may rely on the campaign's or Canvas's own segment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    Field,
    JsonValue,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from reconciler.braze.models.audience import ConnectedAudience
from reconciler.braze.models.base import BrazeModel, Choice, braze_error, error_at
from reconciler.braze.models.ids import CampaignId, CanvasId, SegmentId
from reconciler.braze.models.messaging import Attachment, ScheduleMessages, SendMessages
from reconciler.braze.models.recipients import (
    PropertiesObject,
    Recipient,
    UserAlias,
    check_one_context,
)
from reconciler.braze.models.responses import BrazeResponse, ScheduledBroadcastsResponse
from reconciler.braze.models.schedule import IsoDateOrTime, ScheduleObject
from reconciler.canonical import content_hash

MAX_RECIPIENTS = 50
SEND_ID_MAX_LENGTH = 64
TOO_MANY_RECIPIENTS = "The max number of external_ids and aliases per request was exceeded"


def check_send_id(value: str) -> str:
    if not value or not value.isascii() or len(value) > SEND_ID_MAX_LENGTH:
        raise braze_error(
            "invalid_send_id",
            f"send_id {value!r} must be 1 to {SEND_ID_MAX_LENGTH} ASCII characters",
            hint="use ASCII letters, digits and punctuation only, at most 64 characters",
        )
    return value


SendId = Annotated[str, AfterValidator(check_send_id)]
_SEND_ID_SCHEMA: dict[str, JsonValue] = {"minLength": 1, "maxLength": SEND_ID_MAX_LENGTH}


def _too_many(count: int, what: str) -> PydanticCustomError:
    return braze_error(
        "too_many_recipients",
        f"{count} {what}; Braze takes at most {MAX_RECIPIENTS} per request",
        braze_message=TOO_MANY_RECIPIENTS,
        hint="split them over several requests, or target a segment or connected audience",
    )


def _raise_all(errors: list[InitErrorDetails]) -> None:
    if errors:
        raise ValidationError.from_exception_data("BrazeModel", errors)


_SEND_ID_HELP = "A send id created with /sends/id/create: ASCII, at most 64 characters."
_AUDIENCE_HELP = (
    "A connected audience: filters on custom attributes, subscription state and last app use, "
    "combined with AND / OR."
)
_BROADCAST_HELP = (
    "true to send to everyone in the segment or audience. Must be true when no users are "
    "listed, and cannot be true with a user list."
)
_SCHEDULE_HELP = "When to send: {time, in_local_time, at_optimal_time}."
_TRIGGER_PROPERTIES_HELP = (
    "Personalization for every user ({{api_trigger_properties.${key}}}); at most 50 KB."
)
_CONTEXT_HELP = "Personalization for every user ({{context.${key}}}); at most 50 KB."
_CANVAS_ENTRY_HELP = "Old name of context, still accepted. Give context or this, not both."
_RECIPIENTS_HELP = (
    "Users to message, at most 50, each with optional per-user personalization; only those in "
    "the campaign's or Canvas's segment receive it."
)


def _broadcast_with_users(field: str) -> Exception:
    return error_at(
        ("broadcast",),
        braze_error(
            "broadcast_with_recipients",
            f"broadcast is true, but the request also lists users in {field}",
            hint=f"remove {field} to send to the whole audience, or remove broadcast",
        ),
        True,
    )


def _broadcast_required(broadcast: bool | None, target: str) -> Exception:
    return error_at(
        ("broadcast",),
        braze_error(
            "broadcast_required",
            f"no users are listed, so sending to the {target} is a broadcast",
            hint="set broadcast: true, or list the users",
        ),
        broadcast,
    )


class _MessagesRequest(BrazeModel):
    """The targeting and tracking fields of /messages/send and /messages/schedule/create."""

    broadcast: bool | None = Field(default=None, description=_BROADCAST_HELP)
    external_user_ids: list[str] | None = Field(
        default=None,
        description="External ids of the users to message (at most 50 with user_aliases).",
        json_schema_extra={"maxItems": MAX_RECIPIENTS},
    )
    user_aliases: list[UserAlias] | None = Field(
        default=None,
        description="Aliases of the users to message (at most 50 with external_user_ids).",
        json_schema_extra={"maxItems": MAX_RECIPIENTS},
    )
    segment_id: SegmentId | None = Field(
        default=None, description="A segment to send to (with listed users: only those in it)."
    )
    audience: ConnectedAudience | None = Field(default=None, description=_AUDIENCE_HELP)
    campaign_id: CampaignId | None = Field(
        default=None,
        description=(
            "An API campaign to track the send under; every message then needs its "
            "message_variation_id."
        ),
    )
    send_id: SendId | None = Field(
        default=None, description=_SEND_ID_HELP, json_schema_extra=_SEND_ID_SCHEMA
    )
    recipient_subscription_state: (
        Annotated[Literal["opted_in", "subscribed", "all"], Choice()] | None
    ) = Field(
        default=None,
        description=(
            "Who may receive it: opted_in, subscribed (default: subscribed or opted in) or all "
            "(including unsubscribed; for transactional email)."
        ),
    )

    def _messages(self) -> ScheduleMessages | None:
        messages = getattr(self, "messages", None)
        return messages if isinstance(messages, ScheduleMessages) else None

    @model_validator(mode="after")
    def _check_targeting(self) -> Self:
        ids, aliases = self.external_user_ids, self.user_aliases
        listed = len(ids or ()) + len(aliases or ())
        if listed > MAX_RECIPIENTS:
            field = "user_aliases" if aliases else "external_user_ids"
            raise error_at(
                (field,), _too_many(listed, "external ids and aliases"), getattr(self, field)
            )
        if listed == 0 and self.segment_id is None and self.audience is None:
            raise braze_error(
                "no_recipients",
                "the request targets nobody",
                braze_message="No Recipients",
                hint="give external_user_ids, user_aliases, segment_id or audience",
            )
        if self.broadcast is True and (ids is not None or aliases is not None):
            raise _broadcast_with_users("external_user_ids" if ids is not None else "user_aliases")
        if listed == 0 and self.broadcast is not True:
            target = "segment" if self.segment_id is not None else "audience"
            raise _broadcast_required(self.broadcast, target)
        messages = self._messages()
        if messages is None:
            raise error_at(
                ("messages",),
                braze_error(
                    "no_message",
                    "the request has no messages",
                    braze_message="No message to send",
                    hint="add messages with at least one messaging object",
                ),
                None,
            )
        if self.campaign_id is not None:
            _raise_all(
                [
                    {
                        "type": braze_error(
                            "message_variation_required",
                            f"campaign_id is given, so {name} needs message_variation_id",
                            braze_message="Message Variant Unspecified",
                            hint="copy the variation id from the API campaign, or drop campaign_id",
                        ),
                        "loc": ("messages", name, "message_variation_id"),
                        "input": None,
                    }
                    for name, message in messages.objects().items()
                    if message.message_variation_id is None
                ]
            )
        return self


class ScheduleCreateRequest(_MessagesRequest):
    """POST /messages/schedule/create: schedule a message whose content is in the request."""

    override_messaging_limits: bool | None = Field(
        default=None, description="Ignore frequency capping for campaigns (default false)."
    )
    schedule: ScheduleObject = Field(description=_SCHEDULE_HELP)
    messages: ScheduleMessages | None = Field(
        default=None, description="The content: one messaging object per channel."
    )


class MessagesSendRequest(_MessagesRequest):
    """POST /messages/send: send a message now."""

    override_frequency_capping: bool | None = Field(
        default=None, description="Ignore frequency capping (default false)."
    )
    messages: SendMessages | None = Field(
        default=None, description="The content: one messaging object per channel."
    )


class ScheduleUpdateRequest(BrazeModel):
    """POST /messages/schedule/update: change the time and/or content (each replaced whole)."""

    schedule_id: str = Field(description="The schedule_id that the create returned.")
    schedule: ScheduleObject | None = Field(
        default=None, description="The new schedule; replaces the old one entirely."
    )
    messages: ScheduleMessages | None = Field(
        default=None, description="The new messaging objects; send them complete."
    )

    @model_validator(mode="after")
    def _something_to_update(self) -> Self:
        if self.schedule is None and self.messages is None:
            raise braze_error(
                "nothing_to_update",
                "an update needs schedule or messages",
                hint="give schedule, messages or both",
            )
        return self


class ScheduleDeleteRequest(BrazeModel):
    """POST /messages/schedule/delete: cancel a scheduled message before it is sent."""

    schedule_id: str = Field(description="The schedule_id that the create returned.")


class _TriggerRequest(BrazeModel):
    """The targeting fields of the API-triggered campaign and Canvas endpoints."""

    recipients: list[Recipient] | None = Field(
        default=None,
        description=_RECIPIENTS_HELP,
        json_schema_extra={"maxItems": MAX_RECIPIENTS},
    )
    audience: ConnectedAudience | None = Field(default=None, description=_AUDIENCE_HELP)
    broadcast: bool | None = Field(default=None, description=_BROADCAST_HELP)

    @field_validator("recipients")
    @classmethod
    def _at_most_50(cls, recipients: list[Recipient] | None) -> list[Recipient] | None:
        if recipients is not None and len(recipients) > MAX_RECIPIENTS:
            raise _too_many(len(recipients), "recipients")
        return recipients

    @model_validator(mode="after")
    def _check_targeting(self) -> Self:
        if self.broadcast is True and self.recipients is not None:
            raise _broadcast_with_users("recipients")
        if not self.recipients and self.broadcast is not True:
            if self.audience is not None:
                raise _broadcast_required(self.broadcast, "audience")
            raise braze_error(
                "no_recipients",
                "the request targets nobody",
                braze_message="No Recipients",
                hint=(
                    "give recipients, or set broadcast: true to send to the whole segment "
                    "(narrowed by audience if given)"
                ),
            )
        return self


class _CanvasContext(BrazeModel):
    """context and its old name canvas_entry_properties: one or the other."""

    context: PropertiesObject | None = Field(default=None, description=_CONTEXT_HELP)
    canvas_entry_properties: PropertiesObject | None = Field(
        default=None, description=_CANVAS_ENTRY_HELP
    )

    @model_validator(mode="after")
    def _one_context(self) -> Self:
        check_one_context(self.context, self.canvas_entry_properties)
        return self


class CampaignScheduleCreateRequest(_TriggerRequest):
    """POST /campaigns/trigger/schedule/create: schedule a send of an API-triggered campaign."""

    campaign_id: CampaignId = Field(description="The API-triggered campaign.")
    send_id: SendId | None = Field(
        default=None, description=_SEND_ID_HELP, json_schema_extra=_SEND_ID_SCHEMA
    )
    trigger_properties: PropertiesObject | None = Field(
        default=None, description=_TRIGGER_PROPERTIES_HELP
    )
    schedule: ScheduleObject = Field(description=_SCHEDULE_HELP)


class CampaignScheduleUpdateRequest(BrazeModel):
    """POST /campaigns/trigger/schedule/update: move a scheduled campaign send."""

    campaign_id: str = Field(description="The campaign the schedule belongs to.")
    schedule_id: str = Field(description="The schedule_id that the create returned.")
    schedule: ScheduleObject = Field(
        description="The new schedule; replaces the old one entirely (send every flag)."
    )


class CampaignScheduleDeleteRequest(BrazeModel):
    """POST /campaigns/trigger/schedule/delete: cancel a scheduled campaign send."""

    campaign_id: str = Field(description="The campaign the schedule belongs to.")
    schedule_id: str = Field(description="The schedule_id that the create returned.")


class CanvasScheduleCreateRequest(_TriggerRequest, _CanvasContext):
    """POST /canvas/trigger/schedule/create: schedule an entry into an API-triggered Canvas."""

    canvas_id: CanvasId = Field(description="The Canvas with API-triggered entry.")
    schedule: ScheduleObject = Field(description=_SCHEDULE_HELP)


class CanvasScheduleUpdateRequest(BrazeModel):
    """POST /canvas/trigger/schedule/update: move a scheduled Canvas entry."""

    canvas_id: str = Field(description="The Canvas the schedule belongs to.")
    schedule_id: str = Field(description="The schedule_id that the create returned.")
    schedule: ScheduleObject = Field(
        description="The new schedule; replaces the old one entirely (send every flag)."
    )


class CanvasScheduleDeleteRequest(BrazeModel):
    """POST /canvas/trigger/schedule/delete: cancel a scheduled Canvas entry."""

    canvas_id: str = Field(description="The Canvas the schedule belongs to.")
    schedule_id: str = Field(description="The schedule_id that the create returned.")


class SendIdCreateRequest(BrazeModel):
    """POST /sends/id/create: a send id to group a campaign's sends in analytics (100/day)."""

    campaign_id: CampaignId = Field(description="The campaign the send id is for.")
    send_id: SendId | None = Field(
        default=None,
        description="The send id: ASCII, at most 64 characters.",
        json_schema_extra=_SEND_ID_SCHEMA,
    )


class CampaignTriggerSendRequest(_TriggerRequest):
    """POST /campaigns/trigger/send: send an API-triggered campaign now."""

    campaign_id: CampaignId = Field(description="The API-triggered campaign.")
    send_id: SendId | None = Field(
        default=None, description=_SEND_ID_HELP, json_schema_extra=_SEND_ID_SCHEMA
    )
    trigger_properties: PropertiesObject | None = Field(
        default=None, description=_TRIGGER_PROPERTIES_HELP
    )
    attachments: list[Attachment] | None = Field(
        default=None, description="Files for the campaign's email, at most 2 MB each."
    )

    @model_validator(mode="after")
    def _attachments_not_broadcast(self) -> Self:
        if self.attachments is not None and self.broadcast is True:
            raise error_at(
                ("attachments",),
                braze_error(
                    "attachments_with_broadcast",
                    "attachments cannot be sent with broadcast: true",
                    hint="list the recipients, or drop the attachments",
                ),
                self.attachments,
            )
        return self


class CanvasTriggerSendRequest(_TriggerRequest, _CanvasContext):
    """POST /canvas/trigger/send: enter users into an API-triggered Canvas now."""

    canvas_id: CanvasId = Field(description="The Canvas with API-triggered entry.")


class ScheduledBroadcastsQuery(BrazeModel):
    """GET /messages/scheduled_broadcasts: its query parameters."""

    end_time: IsoDateOrTime = Field(
        description="List broadcasts due until this time (ISO 8601; read as midnight UTC)."
    )


# The endpoint table.

Action = Literal["create", "update", "delete", "send", "list", "lookup"]


@dataclass(frozen=True)
class Endpoint:
    """One Braze endpoint: its body model, answer model, key permission and kind of call."""

    method: Literal["GET", "POST"]
    path: str
    request: type[BrazeModel]
    response: type[BrazeResponse]
    permission: str
    action: Action
    broadcast_limited: bool = False
    """Broadcast calls also count against 250/min and 10/min per unique audience."""


ENDPOINTS: dict[str, Endpoint] = {
    endpoint.path: endpoint
    for endpoint in (
        Endpoint("POST", "/messages/send", MessagesSendRequest, BrazeResponse,
                 "messages.send", "send", broadcast_limited=True),
        Endpoint("POST", "/messages/schedule/create", ScheduleCreateRequest, BrazeResponse,
                 "messages.schedule.create", "create"),
        Endpoint("POST", "/messages/schedule/update", ScheduleUpdateRequest, BrazeResponse,
                 "messages.schedule.update", "update"),
        Endpoint("POST", "/messages/schedule/delete", ScheduleDeleteRequest, BrazeResponse,
                 "messages.schedule.delete", "delete"),
        Endpoint("GET", "/messages/scheduled_broadcasts", ScheduledBroadcastsQuery,
                 ScheduledBroadcastsResponse, "messages.schedule_broadcasts", "list"),
        Endpoint("POST", "/campaigns/trigger/send", CampaignTriggerSendRequest, BrazeResponse,
                 "campaigns.trigger.send", "send", broadcast_limited=True),
        Endpoint("POST", "/campaigns/trigger/schedule/create", CampaignScheduleCreateRequest,
                 BrazeResponse, "campaigns.trigger.schedule.create", "create",
                 broadcast_limited=True),
        Endpoint("POST", "/campaigns/trigger/schedule/update", CampaignScheduleUpdateRequest,
                 BrazeResponse, "campaigns.trigger.schedule.update", "update"),
        Endpoint("POST", "/campaigns/trigger/schedule/delete", CampaignScheduleDeleteRequest,
                 BrazeResponse, "campaigns.trigger.schedule.delete", "delete"),
        Endpoint("POST", "/canvas/trigger/send", CanvasTriggerSendRequest, BrazeResponse,
                 "canvas.trigger.send", "send", broadcast_limited=True),
        Endpoint("POST", "/canvas/trigger/schedule/create", CanvasScheduleCreateRequest,
                 BrazeResponse, "canvas.trigger.schedule.create", "create",
                 broadcast_limited=True),
        Endpoint("POST", "/canvas/trigger/schedule/update", CanvasScheduleUpdateRequest,
                 BrazeResponse, "canvas.trigger.schedule.update", "update"),
        Endpoint("POST", "/canvas/trigger/schedule/delete", CanvasScheduleDeleteRequest,
                 BrazeResponse, "canvas.trigger.schedule.delete", "delete"),
        Endpoint("POST", "/sends/id/create", SendIdCreateRequest, BrazeResponse,
                 "sends.id.create", "create"),
    )
}  # fmt: skip

_LISTED_USERS = ("recipients", "external_user_ids", "user_aliases")
_AUDIENCE_KEYS = ("campaign_id", "canvas_id", "segment_id", "audience")


def is_broadcast(body: Mapping[str, Any]) -> bool:
    """A call that targets a segment or audience rather than listed users."""
    return body.get("broadcast") is True or not any(body.get(key) for key in _LISTED_USERS)


def unique_audience_key(path: str, body: Any) -> str | None:
    """The "unique audience" of a broadcast call to one of the five broadcast-limited
    endpoints (10 calls per minute each): campaign or Canvas id, segment and connected
    audience. None for a call that lists its users, or for another endpoint."""
    endpoint = ENDPOINTS.get(path)
    if endpoint is None or not endpoint.broadcast_limited or not isinstance(body, Mapping):
        return None
    if not is_broadcast(body):
        return None
    return content_hash({key: body[key] for key in _AUDIENCE_KEYS if body.get(key) is not None})
