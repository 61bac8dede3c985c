"""The project's configuration file (``braze-reconciler.toml``) and its environments.

- ``model``: the settings a file may hold, checked with pydantic (unknown keys refused);
- ``positions``: where each key is written (``tomllib`` gives no positions);
- ``load``: finding and reading the file, refusing a key written in it;
- ``resolve``: each setting's value and where it came from (flag > environment variable >
  environment section > top level > default).
"""

from __future__ import annotations

from reconciler.config.load import FILE_NAME, LoadedConfig, find_config, load_config
from reconciler.config.resolve import (
    API_KEY_ENV,
    CONFIG_VARIABLE,
    ENV_VARIABLE,
    Given,
    Resolution,
    resolve,
)

__all__ = [
    "API_KEY_ENV",
    "CONFIG_VARIABLE",
    "ENV_VARIABLE",
    "FILE_NAME",
    "Given",
    "LoadedConfig",
    "Resolution",
    "find_config",
    "load_config",
    "resolve",
]
