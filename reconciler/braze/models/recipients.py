"""Who receives a message: user aliases, recipient objects and per-user personalization."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, Field, JsonValue, model_validator

from reconciler.braze.models.base import BrazeModel, braze_error, error_at, json_size

ALIAS_MAX_BYTES = 236
PROPERTIES_MAX_BYTES = 50_000
"""Braze's 50 KB cap on trigger_properties and context, read as 50,000 bytes (the stricter
reading of "KB"), measured as compact UTF-8 JSON."""

IDENTIFIERS = ("external_user_id", "user_alias", "braze_id", "email")


def check_properties_size(value: dict[str, JsonValue]) -> dict[str, JsonValue]:
    size = json_size(value)
    if size > PROPERTIES_MAX_BYTES:
        raise braze_error(
            "payload_too_large",
            f"this object is {size:,} bytes as compact JSON, over Braze's 50 KB limit",
            hint="send less personalization data, or look it up with Connected Content",
        )
    return value


PropertiesObject = Annotated[dict[str, JsonValue], AfterValidator(check_properties_size)]
"""A free-form JSON object of at most 50 KB (trigger_properties, context)."""


def check_alias_text(value: str) -> str:
    if not value:
        raise braze_error("empty_alias", "an alias name or label cannot be empty")
    size = len(value.encode("utf-8"))
    if size > ALIAS_MAX_BYTES:
        raise braze_error(
            "alias_too_long",
            f"{value[:40]!r}... is {size} bytes in UTF-8; the limit is {ALIAS_MAX_BYTES}",
            hint=f"shorten it to at most {ALIAS_MAX_BYTES} bytes",
        )
    return value


AliasText = Annotated[str, AfterValidator(check_alias_text)]


class UserAlias(BrazeModel):
    """A user identified by an alias: a name within a label (namespace)."""

    alias_name: AliasText = Field(
        description="The alias, unique within its label (at most 236 bytes)."
    )
    alias_label: AliasText = Field(
        description="The alias namespace, e.g. 'email' or 'salesforce_id' (at most 236 bytes)."
    )


def check_one_context(context: object, canvas_entry_properties: object) -> None:
    """``canvas_entry_properties`` is the old name of ``context``: one of them, not both."""
    if context is not None and canvas_entry_properties is not None:
        raise error_at(
            ("canvas_entry_properties",),
            braze_error(
                "context_conflict",
                "context and canvas_entry_properties are the same field; both are given",
                hint="keep context (canvas_entry_properties is its old name)",
            ),
            canvas_entry_properties,
        )


class RecipientFields(BrazeModel):
    """Who one recipient is and their own personalization: what a ``recipients[]`` item and a
    test user of a ``TestGroup`` (``preview``) have in common."""

    external_user_id: str | None = Field(
        default=None, description="The user's external ID (give only one identifier)."
    )
    user_alias: UserAlias | None = Field(
        default=None,
        description="The user's alias: {alias_name, alias_label} (give only one identifier).",
    )
    email: str | None = Field(
        default=None,
        description="The user's email address (give only one identifier); needs prioritization.",
    )
    prioritization: list[str] | None = Field(
        default=None,
        description=(
            "Which profile to pick when several share the email, e.g. [identified, "
            "most_recently_updated]. Required with email."
        ),
    )
    trigger_properties: PropertiesObject | None = Field(
        default=None,
        description=(
            "Per-user personalization for a campaign ({{api_trigger_properties.${key}}}); wins "
            "over the request's trigger_properties. At most 50 KB."
        ),
    )
    context: PropertiesObject | None = Field(
        default=None,
        description=(
            "Per-user personalization for a Canvas ({{context.${key}}}); wins over the request's "
            "context. At most 50 KB."
        ),
    )
    canvas_entry_properties: PropertiesObject | None = Field(
        default=None,
        description="Old name of context, still accepted. Give context or this, not both.",
    )


class Recipient(RecipientFields):
    """One user to message, identified by exactly one of external_user_id, user_alias,
    braze_id or email, with optional per-user personalization."""

    braze_id: str | None = Field(
        default=None, description="The Braze-assigned user ID (give only one identifier)."
    )
    send_to_existing_only: bool | None = Field(
        default=None,
        description=(
            "Default true: message only existing users. false creates the user first, with "
            "attributes (required then). Not allowed with user_alias."
        ),
    )
    attributes: dict[str, JsonValue] | None = Field(
        default=None,
        description="User attributes to set on the profile before sending (overwrites).",
    )

    @model_validator(mode="after")
    def _check_recipient(self) -> Self:
        given = [name for name in IDENTIFIERS if getattr(self, name) is not None]
        if not given:
            raise braze_error(
                "no_recipient_identifier",
                "a recipient needs one identifier",
                hint="give one of " + ", ".join(IDENTIFIERS),
            )
        if len(given) > 1:
            raise braze_error(
                "multiple_recipient_identifiers",
                "a recipient has more than one identifier: " + ", ".join(given),
                hint="give only one of " + ", ".join(IDENTIFIERS) + " per recipient",
            )
        if self.email is not None and self.prioritization is None:
            raise error_at(
                ("prioritization",),
                braze_error(
                    "missing",
                    "a recipient identified by email needs prioritization",
                    hint="add prioritization, e.g. [identified, most_recently_updated]",
                ),
                None,
            )
        check_one_context(self.context, self.canvas_entry_properties)
        if self.send_to_existing_only is not None and self.user_alias is not None:
            raise error_at(
                ("send_to_existing_only",),
                braze_error(
                    "send_to_existing_only_with_alias",
                    "send_to_existing_only cannot be used with user_alias",
                    hint="remove send_to_existing_only, or identify the user by external_user_id",
                ),
                self.send_to_existing_only,
            )
        if self.send_to_existing_only is False and self.attributes is None:
            raise error_at(
                ("attributes",),
                braze_error(
                    "missing",
                    "send_to_existing_only: false needs attributes (the new user's profile)",
                    hint="add attributes, or remove send_to_existing_only: false",
                ),
                None,
            )
        return self
