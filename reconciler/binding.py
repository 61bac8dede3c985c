"""Which Braze a ledger workspace belongs to: its endpoint and the fingerprint of its key.

One Braze REST endpoint serves many workspaces and the API key selects the workspace. A
ledger used with another workspace's key would find none of its schedules ("unknown
schedule") and create a second copy of each while the first ones still send, so:

- another endpoint is refused (exit 3);
- another key is refused (exit 3) until the person says the key was rotated
  (``state rebind-key``), which is journaled at ``@workspace``;
- a second ledger workspace bound to the same endpoint and key (two ledgers creating the
  same schedules) is refused unless ``--allow-shared-key`` says it is intended.
"""

from __future__ import annotations

import logging

from reconciler.errors import EndpointMismatchError, KeyMismatchError, UsageError
from reconciler.state.base import StateStore, WorkspaceInfo, process_holder
from reconciler.state.fingerprint import fingerprint, matches, new_salt

log = logging.getLogger(__name__)

NEW_LEDGER_WARNING = (
    "this ledger is new: if schedules were applied from another ledger, restore it first "
    "(`braze-reconciler state import-json EXPORT`), or this apply creates them a second time"
)
REBIND_COMMAND = "braze-reconciler state rebind-key"


def check_binding(
    store: StateStore, endpoint: str, api_key: str | None, *, read_only: bool = False
) -> list[str]:
    """Refuse another endpoint or another key (exit 3). Returns warnings: a new ledger.

    ``read_only`` (audit, which never writes): another key is a warning, since a read-only
    key of the same Braze workspace is a sound choice for a job that only lists broadcasts.
    """
    info = store.info()
    if info.endpoint is not None and info.endpoint != endpoint:
        raise EndpointMismatchError(
            f"the ledger workspace {store.workspace!r} ({store.url}) belongs to "
            f"{info.endpoint}, not {endpoint}; nothing was planned",
            hint=(
                "a ledger used against another Braze would show no changes and create nothing: "
                "use --workspace or --state for each environment"
            ),
        )
    if info.endpoint is None:
        # serial 0: never written, not even by `state import-json` (a restored ledger)
        return [NEW_LEDGER_WARNING] if info.serial == 0 else []
    if api_key is not None and not _same_key(info, api_key):
        if read_only:
            return [
                "the API key is not the one this ledger was applied with: fine for a "
                "read-only key of the same Braze workspace; with another workspace's key, "
                "this lists that workspace's broadcasts"
            ]
        raise KeyMismatchError(
            f"the API key is not the one the ledger workspace {store.workspace!r} "
            f"({store.url}) was applied with; nothing was planned",
            hint=(
                "the key selects the Braze workspace: with another workspace's key, Braze knows "
                "none of this ledger's schedules and they would be created twice. If the key "
                f"was rotated (same Braze workspace), run `{REBIND_COMMAND}` with the new key"
            ),
        )
    return []


def _same_key(info: WorkspaceInfo, api_key: str) -> bool:
    if info.key_salt is None or info.key_fingerprint is None:
        return True  # bound before fingerprints were kept: nothing to compare with
    return matches(api_key, info.key_salt, info.key_fingerprint)


def sharing_workspaces(store: StateStore, endpoint: str, api_key: str) -> list[str]:
    """Other workspaces of this ledger database bound to ``endpoint`` with ``api_key``."""
    return [
        other.name
        for other in store.workspaces()
        if other.name != store.workspace
        and other.endpoint == endpoint
        and other.key_salt is not None
        and other.key_fingerprint is not None
        and matches(api_key, other.key_salt, other.key_fingerprint)
    ]


def refuse_shared_key(store: StateStore, endpoint: str, api_key: str) -> None:
    """Before the first binding of a workspace (or a rebinding) without --allow-shared-key."""
    shared = sharing_workspaces(store, endpoint, api_key)
    if shared:
        names = ", ".join(repr(name) for name in shared)
        raise KeyMismatchError(
            f"the ledger workspace {names} of {store.url} is already bound to {endpoint} with "
            f"this API key; binding {store.workspace!r} too would let two ledgers create the "
            "same schedules (each once per ledger); nothing was applied",
            hint=(
                "use the existing workspace (--workspace), or pass --allow-shared-key if two "
                "ledger workspaces of one Braze workspace are intended (distinct resources)"
            ),
        )


def shared_key_warning(store: StateStore, endpoint: str, api_key: str | None) -> list[str]:
    """What ``plan`` says of a workspace that ``apply`` would refuse to bind."""
    if api_key is None or store.info().endpoint is not None:
        return []
    shared = sharing_workspaces(store, endpoint, api_key)
    if not shared:
        return []
    return [
        f"the ledger workspace {', '.join(map(repr, shared))} is already bound to {endpoint} "
        "with this API key: apply refuses to bind this one too unless --allow-shared-key"
    ]


def bind(store: StateStore, endpoint: str, api_key: str, *, allow_shared_key: bool) -> None:
    """At the first apply (``check_binding`` and ``refuse_shared_key`` passed): bind the
    workspace to the endpoint and the key's fingerprint."""
    info = store.info()
    if info.endpoint == endpoint and _same_key(info, api_key) and info.key_fingerprint:
        return
    salt = new_salt()
    store.bind(
        endpoint,
        salt,
        fingerprint(api_key, salt),
        note=f"bound to {endpoint} by {process_holder()}"
        + (" (--allow-shared-key)" if allow_shared_key else ""),
    )


def rebind_key(store: StateStore, endpoint: str, api_key: str, *, allow_shared_key: bool) -> bool:
    """``state rebind-key``: the key was rotated; False when it already matches."""
    info = store.info()
    if info.endpoint is None:
        raise UsageError(
            f"the ledger workspace {store.workspace!r} ({store.url}) was never applied: "
            "there is no key to rebind",
            hint="the first apply binds it",
        )
    check_binding(store, endpoint, None)  # the endpoint must match: keys are per endpoint
    if _same_key(info, api_key) and info.key_fingerprint:
        return False
    if not allow_shared_key:
        refuse_shared_key(store, endpoint, api_key)
    salt = new_salt()
    store.bind(
        endpoint,
        salt,
        fingerprint(api_key, salt),
        note=f"API key rebound (rotated) by {process_holder()}",
    )
    log.warning("ledger: workspace %s rebound to a new API key", store.workspace)
    return True
