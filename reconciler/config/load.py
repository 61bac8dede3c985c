"""Find the configuration file, read it with ``tomllib`` and check it.

``braze-reconciler.toml`` is looked for in the working directory and each parent up to the
repository's root (the first directory holding ``.git``); a ``pyproject.toml`` with a
``[tool.braze-reconciler]`` table counts too. ``--config FILE`` names one instead. Every problem
is a ``UsageError`` (exit 3) at file:line, with a hint.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.config.model import ConfigFile, Section
from reconciler.config.positions import Key, key_lines, line_of
from reconciler.errors import UsageError

FILE_NAME = "braze-reconciler.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "braze-reconciler")

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
"""A Braze REST API key's shape (so are campaign ids: only where a key could go is it refused)."""
_KEY_NAME = re.compile(r"(?i)(^|[_-])(api[_-]?key|rest[_-]?key|secret|token|password)$")
_API_KEY_NAME = re.compile(r"(?i)api[_-]?key$")
_KEY_HINT = (
    "a key in a committed file is a leaked key: name the environment variable that holds it "
    '(api_key_env = "BRAZE_STAGING_KEY") or a file outside the repository (api_key_file)'
)


@dataclasses.dataclass(frozen=True)
class LoadedConfig:
    path: Path
    model: ConfigFile
    lines: dict[Key, int]
    prefix: Key = ()
    """Where the settings are in the file: ``("tool", "braze-reconciler")`` in pyproject.toml."""

    @property
    def directory(self) -> Path:
        return self.path.parent

    def where(self, *path: str) -> str:
        """``braze-reconciler.toml:12``: where a setting is written (the file alone if unknown)."""
        line = line_of(self.lines, (*self.prefix, *path))
        return f"{self.path.name}:{line}" if line else self.path.name

    def section(self, environment: str | None) -> Section | None:
        return self.model.environments.get(environment) if environment else None

    def variables(self, environment: str | None) -> dict[str, Any]:
        """The top level's ``vars``, overridden by the environment's."""
        values = dict(self.model.vars)
        section = self.section(environment)
        if section is not None:
            values.update(section.vars)
        return values


def find_config(start: Path) -> Path | None:
    """The configuration that applies in ``start``: the nearest ``braze-reconciler.toml``, or a
    ``pyproject.toml`` with a ``[tool.braze-reconciler]`` table, up to the repository's root."""
    for directory in (start, *start.parents):
        candidate = directory / FILE_NAME
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


def _has_table(pyproject: Path) -> bool:
    """Whether it holds our table; a file that cannot be parsed but names it counts (reading
    it then reports the error at its line, rather than skipping the settings silently)."""
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False  # not ours to judge: it has no readable table of ours
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return PYPROJECT_TABLE[1] in text
    return isinstance(data.get("tool"), dict) and PYPROJECT_TABLE[1] in data["tool"]


def load_config(path: Path) -> LoadedConfig:
    """Read and check ``path`` (a braze-reconciler.toml, or a pyproject.toml with our table)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"configuration file {path} does not exist",
            hint=f"check --config (or BRAZE_RECONCILER_CONFIG); `braze-reconciler init` writes "
            f"a {FILE_NAME}",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise UsageError(f"cannot read the configuration file {path}: {reason}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_in(str(exc))
        where = f"{path}:{line}" if line else str(path)
        message = str(exc).split(" (at ")[0]
        hint = 'strings are quoted (endpoint = "local"), lists are [..], tables are [name]'
        if text.startswith("\ufeff"):
            hint = "the file starts with a byte order mark (BOM), which TOML does not allow: "
            hint += "save it as UTF-8 without BOM"
        raise UsageError(f"{where}: invalid TOML: {message}", hint=hint) from None
    prefix: Key = ()
    if path.name == PYPROJECT:
        prefix = PYPROJECT_TABLE
        tool = data.get("tool", {})
        table = tool.get(PYPROJECT_TABLE[1]) if isinstance(tool, dict) else None
        if not isinstance(table, dict):
            raise UsageError(
                f"{path} has no [tool.braze-reconciler] table",
                hint=f"add one, or keep the settings in a {FILE_NAME}",
            )
        data = table
    lines = key_lines(text)
    loaded = LoadedConfig(path, ConfigFile(), lines, prefix)
    _refuse_keys(loaded, data, ())
    _refuse_non_finite(loaded, data, ())
    try:
        model = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise _problem(loaded, exc) from None
    loaded = dataclasses.replace(loaded, model=model)
    _check_default(loaded)
    _check_ledgers(loaded)
    return loaded


def _check_ledgers(loaded: LoadedConfig) -> None:
    """Two environments never share a ledger workspace: planning one would delete the other's
    schedules (its manifests are not declared there)."""
    model = loaded.model
    seen: dict[tuple[str, str], str] = {}
    for name, section in model.environments.items():
        state = section.state if section.state is not None else model.state
        endpoint = section.endpoint if section.endpoint is not None else model.endpoint
        if state is None:  # the default ledger: kept apart for the local emulator
            local = (endpoint or "").strip().lower() == "local"
            state = "default:local" if local else "default"
        workspace = section.workspace if section.workspace is not None else model.workspace
        key = (state, workspace if workspace is not None else name)
        other = seen.setdefault(key, name)
        if other == name:
            continue
        if section.workspace is not None:
            where = loaded.where("environments", name, "workspace")
        elif model.workspace is not None:
            where = loaded.where("workspace")
        else:
            where = loaded.where("environments", name)
        raise UsageError(
            f"{where}: environments {other} and {name} share one ledger (state "
            f"{'default' if state.startswith('default') else state}, workspace {key[1]}): "
            f"planning one would delete the other's resources",
            hint="give each environment its own workspace (or drop the top-level workspace, so "
            "each defaults to its name) or its own state",
        )


def _line_in(message: str) -> int | None:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None


def _refuse_keys(loaded: LoadedConfig, table: dict[str, Any], path: Key) -> None:
    """No API key in the file: not under a key's name, nor a key-shaped value where one goes."""
    for name, value in table.items():
        here = (*path, name)
        in_vars = "vars" in path
        named_key = bool(_KEY_NAME.search(name))
        if named_key and (not in_vars or _API_KEY_NAME.search(name) or _looks_like_key(value)):
            raise UsageError(
                f"{loaded.where(*here)}: {_dotted(here)}: an API key does not belong in the "
                "configuration file",
                hint=_KEY_HINT,
            )
        if isinstance(value, dict):
            _refuse_keys(loaded, value, here)
        elif not in_vars and _looks_like_key(value):
            raise UsageError(
                f"{loaded.where(*here)}: {_dotted(here)} looks like a Braze API key",
                hint=_KEY_HINT,
            )
        elif name == "state" and isinstance(value, str) and _has_password(value):
            raise UsageError(
                f"{loaded.where(*here)}: {_dotted(here)} carries a password",
                hint="leave it out of the URL: libpq reads PGPASSWORD or ~/.pgpass; or set the "
                "whole URL in BRAZE_RECONCILER_STATE",
            )


def _refuse_non_finite(loaded: LoadedConfig, value: Any, path: Key) -> None:
    """No nan or inf: manifests hold JSON values, which have neither."""
    if isinstance(value, float) and not math.isfinite(value):
        raise UsageError(
            f"{loaded.where(*path)}: {_dotted(path)} is {value}, not a finite number",
            hint="JSON has no nan or inf: write a number, or quote it as a string",
        )
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for name, item in items:
        key = (*path, name) if isinstance(name, str) else path
        _refuse_non_finite(loaded, item, key)


def _looks_like_key(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_UUID.search(value))
    if isinstance(value, list):
        return any(_looks_like_key(item) for item in value)
    return False


def _has_password(url: str) -> bool:
    netloc = url.split("://", 1)[-1].split("/", 1)[0]
    userinfo = netloc.rpartition("@")[0]
    return ":" in userinfo or bool(re.search(r"(?i)[?&](ssl)?password=", url))


def _dotted(path: Key) -> str:
    return ".".join(str(part) for part in path)


def _problem(loaded: LoadedConfig, exc: ValidationError) -> UsageError:
    """The first error of the file, at its line, with a did-you-mean for an unknown key."""
    messages = []
    hint = None
    for error in exc.errors():
        loc = tuple(str(part) for part in error["loc"] if not str(part).startswith("function-"))
        loc = tuple(part for part in loc if part not in ("function-after[_one_key_source()]",))
        kind = error["type"]
        if kind == "extra_forbidden":
            known = _known_keys(loc)
            guess = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
            text = f"unknown setting {loc[-1]!r}"
            hint = (
                f"did you mean {guess[0]!r}?"
                if guess
                else "settings: " + ", ".join(k for k in known if k != "environments")
            )
        else:
            text = str(error["msg"]).removeprefix("Value error, ")
        place = loc
        if text.endswith("not both"):  # a whole section's rule: at its api_key_file
            place = (*loc, "api_key_file")
        named = re.match(r"environment name '([^']*)'", text)
        if named is not None and loc == ("environments",):
            place = (*loc, named.group(1))
        where = loaded.where(*place) if place else loaded.path.name
        field = _dotted(loc)
        messages.append(f"{where}: {field + ': ' if field else ''}{text}")
    count = len(messages)
    head = messages[0]
    if count > 1:
        head += f" (and {count - 1} more: " + "; ".join(messages[1:4]) + ")"
    return UsageError(f"{head}", hint=hint or "see `braze-reconciler config --help` and README.md")


def _known_keys(loc: Key) -> list[str]:
    section = list(Section.model_fields)
    if len(loc) >= 3 and loc[0] == "environments":
        return section
    return [*section, "environments", "default_environment"]


def _check_default(loaded: LoadedConfig) -> None:
    model = loaded.model
    name = model.default_environment
    if name is None:
        return
    section = model.environments.get(name)
    if section is None:
        raise UsageError(
            f"{loaded.where('default_environment')}: default_environment {name!r} is not an "
            "environment of the file",
            hint=_names_hint(list(model.environments), name),
        )
    endpoint = section.endpoint if section.endpoint is not None else model.endpoint
    if (endpoint or "").strip().lower() != "local":
        raise UsageError(
            f"{loaded.where('default_environment')}: default_environment may only name an "
            "environment whose endpoint is 'local'",
            hint="a real workspace is never picked without --env (or BRAZE_RECONCILER_ENV)",
        )


def _names_hint(names: list[str], wrong: str) -> str:
    guess = difflib.get_close_matches(wrong, names, n=1, cutoff=0.6)
    listed = ", ".join(names) if names else "none"
    return (f"did you mean {guess[0]!r}? " if guess else "") + f"environments: {listed}"
