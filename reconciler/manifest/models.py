"""Manifest models, one per kind. ``spec`` is checked by the Braze request models."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, ModelWrapValidatorHandler, field_validator, model_validator

from reconciler.braze.models import (
    CampaignScheduleCreateRequest,
    CanvasScheduleCreateRequest,
    ScheduleCreateRequest,
    SendIdCreateRequest,
)
from reconciler.braze.models.base import BrazeModel, braze_error, error_at
from reconciler.braze.models.ids import CampaignId, CanvasId
from reconciler.braze.models.recipients import RecipientFields, check_one_context
from reconciler.braze.models.requests import MAX_RECIPIENTS, TOO_MANY_RECIPIENTS
from reconciler.braze.previews import identity
from reconciler.kinds import Kind
from reconciler.manifest.recurring import SPEC_STAND_IN, RecurrenceBlock
from reconciler.manifest.resource import NAME_PATTERN, is_valid_name
from reconciler.timeutil import parse_iso

_NAME_HELP = (
    "Unique per kind; lowercase letters, digits, '.', '_' and '-', starting with a letter or "
    "digit, at most 128 characters. The address is kind/name in snake case."
)


_OURS = ConfigDict(extra="forbid")
"""Our own fields (kind, name, protect...), unlike Braze's, refuse an unknown one (merged with
``BrazeModel``'s configuration)."""


class ManifestBase(BrazeModel):
    model_config = _OURS

    name: str = Field(description=_NAME_HELP, json_schema_extra={"pattern": NAME_PATTERN})
    description: str | None = Field(default=None, description="Free text for reviewers.")
    protect: bool = Field(
        default=False,
        description="Refuse to delete or replace this resource (remove the flag first).",
    )
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Key/value labels; select resources with --target label=value.",
    )
    renamed_from: str | None = Field(
        default=None,
        description=(
            "The name this resource had before (same kind): the plan moves its ledger record "
            "to the new name instead of deleting and re-creating the schedule."
        ),
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    environments: list[str] | None = Field(
        default=None,
        min_length=1,
        description=(
            "Only these environments of braze-reconciler.toml declare this resource "
            "(environments: [production]); elsewhere it is not declared. Every one when absent."
        ),
    )

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        if not is_valid_name(name):
            suggestion = "-".join(
                "".join(c if c.isalnum() or c in "._-" else " " for c in name.lower()).split()
            )
            raise braze_error(
                "invalid_name",
                f"name {name!r} is not a valid resource name",
                hint=(
                    "use lowercase letters, digits, '.', '_' and '-', starting with a letter or"
                    " digit, at most 128 characters"
                    + (f", e.g. {suggestion!r}" if suggestion and is_valid_name(suggestion) else "")
                ),
            )
        return name

    @field_validator("renamed_from")
    @classmethod
    def _check_renamed_from(cls, name: str | None) -> str | None:
        if name is not None and not is_valid_name(name):
            _, slash, tail = name.rpartition("/")
            example = tail if slash and is_valid_name(tail) else "black-friday-push"
            raise braze_error(
                "invalid_name",
                f"renamed_from {name!r} is not a resource name",
                hint=f"give the old name alone, without the kind, e.g. {example!r}",
            )
        return name


class ScheduleManifest(ManifestBase):
    """A manifest that makes a schedule in Braze: once (``spec.schedule``), or recurring."""

    recurrence: RecurrenceBlock | None = Field(
        default=None,
        description=(
            "Instead of spec.schedule: send on every occurrence of a rule, each its own "
            "one-shot schedule in Braze."
        ),
    )

    @model_validator(mode="wrap")
    @classmethod
    def _recurring_spec(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """With a recurrence, each occurrence writes its own schedule: the spec has none, and
        is checked with a stand-in one (then marked as not given)."""
        spec = data.get("spec") if isinstance(data, dict) else None
        if not (isinstance(data, dict) and data.get("recurrence") is not None):
            return handler(data)
        if isinstance(spec, dict) and "schedule" in spec:
            raise error_at(
                ("spec", "schedule"),
                braze_error(
                    "schedule_with_recurrence",
                    "spec.schedule is given with a recurrence",
                    hint="remove spec.schedule: each occurrence's schedule comes from the "
                    "recurrence (its start's time of day, time_zone or in_local_time)",
                ),
                spec["schedule"],
            )
        if not isinstance(spec, dict):
            return handler(data)
        manifest = handler({**data, "spec": {**spec, "schedule": SPEC_STAND_IN}})
        manifest.spec.model_fields_set.discard("schedule")  # type: ignore[attr-defined]
        if manifest.renamed_from is not None:
            raise error_at(
                ("renamed_from",),
                braze_error(
                    "renamed_from_recurrence",
                    "renamed_from cannot move the occurrences of a recurrence",
                    hint="remove renamed_from: the old name's future occurrences are then "
                    "deleted and the new name's created (or keep the old name)",
                ),
                manifest.renamed_from,
            )
        return manifest


class ScheduledMessageManifest(ScheduleManifest):
    """A message scheduled with ``/messages/schedule/create``; content is in ``spec.messages``."""

    kind: Literal["ScheduledMessage"] = Field(description="ScheduledMessage")
    spec: ScheduleCreateRequest = Field(
        description="The body of POST /messages/schedule/create, field for field."
    )


class CampaignScheduleManifest(ScheduleManifest):
    """A scheduled send of an API-triggered campaign (``/campaigns/trigger/schedule/create``)."""

    kind: Literal["CampaignSchedule"] = Field(description="CampaignSchedule")
    spec: CampaignScheduleCreateRequest = Field(
        description="The body of POST /campaigns/trigger/schedule/create, field for field."
    )


class CanvasScheduleManifest(ScheduleManifest):
    """A scheduled entry into an API-triggered Canvas (``/canvas/trigger/schedule/create``)."""

    kind: Literal["CanvasSchedule"] = Field(description="CanvasSchedule")
    spec: CanvasScheduleCreateRequest = Field(
        description="The body of POST /canvas/trigger/schedule/create, field for field."
    )


class SendIdManifest(ManifestBase):
    """A send identifier created with ``/sends/id/create`` (100 per day per workspace)."""

    kind: Literal["SendId"] = Field(description="SendId")
    spec: SendIdCreateRequest = Field(description="The body of POST /sends/id/create.")

    @model_validator(mode="after")
    def _send_id_required(self) -> SendIdManifest:
        if self.spec.send_id is None:
            raise error_at(
                ("spec", "send_id"),
                braze_error(
                    "send_id_required",
                    "a SendId manifest needs spec.send_id",
                    hint="name the send id explicitly, so that schedules can refer to it",
                ),
                None,
            )
        return self


class DashboardExpectationSpec(BrazeModel):
    """A broadcast scheduled in the Braze dashboard that the audit expects to see."""

    model_config = _OURS

    campaign_id: CampaignId | None = Field(
        default=None, description="The campaign's API identifier (give this or canvas_id)."
    )
    canvas_id: CanvasId | None = Field(
        default=None, description="The Canvas's API identifier (give this or campaign_id)."
    )
    name: str | None = Field(
        default=None, description="The campaign or Canvas name in the dashboard (informative)."
    )
    next_send_time: str | None = Field(
        default=None,
        description=(
            "Expected next send time, ISO 8601, as GET /messages/scheduled_broadcasts reports "
            "it (with or without a zone)."
        ),
    )
    schedule_type: str | None = Field(
        default=None,
        description=(
            "Expected schedule type: local_time_zones, intelligent_delivery, or the company "
            "time zone name."
        ),
    )

    @field_validator("next_send_time")
    @classmethod
    def _check_time(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_iso(value)
            except ValueError as exc:
                raise braze_error("invalid_time", str(exc)) from None
        return value

    @model_validator(mode="after")
    def _one_id(self) -> DashboardExpectationSpec:
        if (self.campaign_id is None) == (self.canvas_id is None):
            raise braze_error(
                "dashboard_id_required",
                "give exactly one of campaign_id and canvas_id",
                hint="copy the id from the campaign or Canvas page in the dashboard",
            )
        return self

    @property
    def broadcast_id(self) -> str:
        return self.campaign_id or self.canvas_id or ""

    @property
    def broadcast_type(self) -> str:
        return "Campaign" if self.campaign_id else "Canvas"


class DashboardScheduleManifest(ManifestBase):
    """An expected dashboard-scheduled broadcast: read-only, checked by ``audit``."""

    kind: Literal["DashboardSchedule"] = Field(description="DashboardSchedule")
    spec: DashboardExpectationSpec = Field(description="What the audit expects to see live.")


GROUP_IDENTIFIERS = ("external_user_id", "user_alias", "email")


class GroupRecipient(RecipientFields):
    """One test user: who ``preview`` sends to, with the personalization its previews use
    (``trigger_properties`` in campaign previews, ``context`` in Canvas ones). Named by
    external id, alias or email; /messages/send takes no email."""

    model_config = _OURS

    @model_validator(mode="after")
    def _one_identifier(self) -> GroupRecipient:
        given = [name for name in GROUP_IDENTIFIERS if getattr(self, name) is not None]
        if len(given) != 1:
            raise braze_error(
                "no_recipient_identifier" if not given else "multiple_recipient_identifiers",
                "a test user needs one identifier"
                if not given
                else "a test user has more than one identifier: " + ", ".join(given),
                hint="give exactly one of " + ", ".join(GROUP_IDENTIFIERS),
            )
        if (self.email is None) != (self.prioritization is None):
            raise error_at(
                ("prioritization",),
                braze_error(
                    "missing" if self.email is not None else "prioritization_without_email",
                    "a test user identified by email needs prioritization"
                    if self.email is not None
                    else "prioritization is for a test user identified by email",
                    hint="add prioritization, e.g. [identified, most_recently_updated]"
                    if self.email is not None
                    else "remove prioritization",
                ),
                self.prioritization,
            )
        check_one_context(self.context, self.canvas_entry_properties)
        return self


class TestGroupSpec(BrazeModel):
    """The test users of a team: what ``preview --to`` sends to, and nobody else."""

    __test__ = False  # not a pytest test class
    model_config = _OURS

    recipients: list[GroupRecipient] = Field(
        description=(
            f"The test users, 1 to {MAX_RECIPIENTS} (Braze's limit per call), each with one of "
            "external_user_id, user_alias or email."
        ),
        json_schema_extra={"minItems": 1, "maxItems": MAX_RECIPIENTS},
    )

    @field_validator("recipients")
    @classmethod
    def _size(cls, recipients: list[GroupRecipient]) -> list[GroupRecipient]:
        if not recipients:
            raise braze_error(
                "no_recipients",
                "a test group needs at least one recipient",
                hint="list the test users under recipients, e.g. - external_user_id: qa-1",
            )
        if len(recipients) > MAX_RECIPIENTS:
            raise braze_error(
                "too_many_recipients",
                f"{len(recipients)} recipients; a preview reaches at most {MAX_RECIPIENTS} "
                "users per call",
                braze_message=TOO_MANY_RECIPIENTS,
                hint=f"split the group into groups of at most {MAX_RECIPIENTS}",
            )
        seen: dict[tuple[str, str] | None, int] = {}
        for index, recipient in enumerate(recipients):
            first = seen.setdefault(identity(recipient.model_dump(exclude_none=True)), index)
            if first != index:
                raise error_at(
                    (index,),
                    braze_error(
                        "duplicate_recipient",
                        f"this test user is listed twice (as recipient {first + 1} too): "
                        "each preview would reach them twice",
                        hint="remove one of them",
                    ),
                    None,
                )
        return recipients


class TestGroupManifest(ManifestBase):
    """Test users that ``preview`` sends to: never applied, never a plan change."""

    __test__ = False  # not a pytest test class
    kind: Literal["TestGroup"] = Field(description="TestGroup")
    spec: TestGroupSpec = Field(description="The test users previews are sent to.")


MANIFEST_MODELS: dict[Kind, type[ManifestBase]] = {
    Kind.SCHEDULED_MESSAGE: ScheduledMessageManifest,
    Kind.CAMPAIGN_SCHEDULE: CampaignScheduleManifest,
    Kind.CANVAS_SCHEDULE: CanvasScheduleManifest,
    Kind.SEND_ID: SendIdManifest,
    Kind.DASHBOARD_SCHEDULE: DashboardScheduleManifest,
    Kind.TEST_GROUP: TestGroupManifest,
}
"""One manifest model per kind (a test checks that every ``Kind`` has one)."""

AnyManifest = Annotated[
    ScheduledMessageManifest
    | CampaignScheduleManifest
    | CanvasScheduleManifest
    | SendIdManifest
    | DashboardScheduleManifest
    | TestGroupManifest,
    Field(discriminator="kind"),
]


def spec_schedule(manifest: ManifestBase) -> Any:
    """The ``spec.schedule`` object of a one-shot schedule kind, else None (a recurring
    manifest's spec has none: each occurrence has its own)."""
    if getattr(manifest, "recurrence", None) is not None:
        return None
    spec = getattr(manifest, "spec", None)
    return getattr(spec, "schedule", None)
