"""The configuration file's model: the settings a section may hold, each checked.

The top level and each ``[environments.NAME]`` section hold the same settings; the top level
also holds ``environments`` and ``default_environment``. An unknown key is an error (pydantic's
``extra="forbid"``), with a did-you-mean (``load``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reconciler.braze.instances import resolve_base_url
from reconciler.braze.limits import RateLimits
from reconciler.recurrence import parse_horizon
from reconciler.rrules import RecurrenceError
from reconciler.timeutil import parse_duration

LOCAL = "local"
_WORKSPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ENVIRONMENT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
"""An environment's name is also its ledger workspace's by default."""
_STATE_SCHEMES = ("sqlite://", "postgresql://", "postgres://")

SETTINGS = (
    "paths",
    "endpoint",
    "workspace",
    "state",
    "api_key_env",
    "api_key_file",
    "freeze_window",
    "horizon",
    "destroy_threshold",
    "destroy_percent",
    "rate_limits",
    "test_group",
)
"""The settings a section may hold (besides ``vars``), in the order ``config`` shows them."""


class Section(BaseModel):
    """The settings of the top level or of one environment; None where not written."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    paths: list[str] | None = Field(
        default=None, description="Manifest files or directories, relative to the file."
    )
    endpoint: str | None = Field(
        default=None,
        description="Braze REST endpoint URL, an instance name (US-03), or 'local'.",
    )
    workspace: str | None = Field(default=None, description="The ledger workspace.")
    state: str | None = Field(
        default=None, description="The ledger: sqlite:///path.db or postgresql://user@host/db."
    )
    api_key_env: str | None = Field(
        default=None, description="The environment variable that holds the REST API key."
    )
    api_key_file: str | None = Field(
        default=None, description="A file that holds the REST API key (relative to the file)."
    )
    freeze_window: str | None = Field(
        default=None, description="Changes this close to a first send need --allow-late (15m)."
    )
    horizon: str | None = Field(
        default=None, description="How far ahead recurring sends are kept scheduled (14d)."
    )
    destroy_threshold: int | None = Field(
        default=None,
        ge=0,
        description="More deletes than this (and more than destroy_percent) need --allow-destroy.",
    )
    destroy_percent: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="...and more than this percentage of the managed resources.",
    )
    rate_limits: dict[str, int] | None = Field(
        default=None,
        description="Your workspace's raised limits: hourly, broadcast_per_minute, ... (apply).",
    )
    test_group: str | None = Field(
        default=None, description="The TestGroup previews go to without --to."
    )
    vars: dict[str, Any] = Field(
        default_factory=dict, description="Variables for manifests: campaign_id: !var NAME."
    )

    @field_validator("paths")
    @classmethod
    def _paths(cls, paths: list[str] | None) -> list[str] | None:
        if paths is not None and not paths:
            raise ValueError("give at least one manifest file or directory")
        if paths is not None and any(not p.strip() for p in paths):
            raise ValueError("a path is empty")
        return paths

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, endpoint: str | None) -> str | None:
        if endpoint is None or endpoint.strip().lower() == LOCAL:
            return endpoint
        resolve_base_url(endpoint)  # ValueError names the choices
        return endpoint

    @field_validator("workspace")
    @classmethod
    def _workspace(cls, workspace: str | None) -> str | None:
        if workspace is not None and not _WORKSPACE.match(workspace):
            raise ValueError(
                "use letters, digits, '.', '_' and '-' (at most 64 characters), starting with "
                "a letter or digit"
            )
        return workspace

    @field_validator("state")
    @classmethod
    def _state(cls, state: str | None) -> str | None:
        if state is not None and not state.startswith(_STATE_SCHEMES):
            raise ValueError(
                "use sqlite:///relative/path.db, sqlite:////absolute/path.db or "
                "postgresql://user@host/db"
            )
        return state

    @field_validator("api_key_env")
    @classmethod
    def _api_key_env(cls, name: str | None) -> str | None:
        if name is not None and not _ENV_NAME.match(name):
            raise ValueError(
                "the name of an environment variable (letters, digits and '_'), such as "
                "BRAZE_STAGING_KEY: the key itself never goes in the file"
            )
        return name

    @field_validator("freeze_window")
    @classmethod
    def _freeze_window(cls, text: str | None) -> str | None:
        if text is not None:
            parse_duration(text)  # ValueError says what is accepted
        return text

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, text: str | None) -> str | None:
        if text is not None:
            try:
                parse_horizon(text)
            except RecurrenceError as exc:
                raise ValueError(exc.message + (f" ({exc.hint})" if exc.hint else "")) from None
        return text

    @field_validator("rate_limits")
    @classmethod
    def _rate_limits(cls, limits: dict[str, int] | None) -> dict[str, int] | None:
        if limits is not None:
            RateLimits.parse(limits)  # ValueError names the known limits
        return limits

    @field_validator("vars")
    @classmethod
    def _vars(cls, variables: dict[str, Any]) -> dict[str, Any]:
        for name, value in variables.items():
            if not _NAME.match(name):
                raise ValueError(
                    f"variable name {name!r}: use letters, digits, '_' and '-', starting with a "
                    "letter or '_'"
                )
            if _has_time(value):
                raise ValueError(
                    f"variable {name!r} is a TOML date or time: quote it (manifests hold JSON "
                    "values)"
                )
        return variables

    @model_validator(mode="after")
    def _one_key_source(self) -> Section:
        if self.api_key_env is not None and self.api_key_file is not None:
            raise ValueError("give api_key_env or api_key_file, not both")
        return self


def _has_time(value: Any) -> bool:
    if isinstance(value, datetime | date | time):
        return True
    if isinstance(value, dict):
        return any(_has_time(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_time(v) for v in value)
    return False


class ConfigFile(Section):
    """The whole file (or pyproject.toml's ``[tool.braze-reconciler]`` table)."""

    environments: dict[str, Section] = Field(
        default_factory=dict, description="Named environments, each overriding any setting."
    )
    default_environment: str | None = Field(
        default=None,
        description="The environment used without --env: only one with a 'local' endpoint.",
    )

    @field_validator("environments")
    @classmethod
    def _names(cls, environments: dict[str, Section]) -> dict[str, Section]:
        for name in environments:
            if not _ENVIRONMENT.match(name):
                raise ValueError(
                    f"environment name {name!r}: use letters, digits, '_' and '-', starting "
                    "with a letter (at most 64 characters)"
                )
        return environments
