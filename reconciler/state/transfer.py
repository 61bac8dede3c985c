"""``state export`` and its inverse: the ledger's records as one JSON-ready document.

The document holds records only (never intents, locks or the key fingerprint), so it can be
attached to a ticket or moved to another backend.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from reconciler.errors import UsageError
from reconciler.state.base import Record, StateStore

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
_TOP_LEVEL = frozenset({"format_version", "workspace", "serial", "records"})


def export_records(store: StateStore) -> dict[str, Any]:
    """``{"format_version": 1, "workspace", "serial", "records"}``, records by address."""
    serial = store.info().serial
    records = store.records()
    return {
        "format_version": FORMAT_VERSION,
        "workspace": store.workspace,
        "serial": serial,
        "records": [records[address].to_dict() for address in sorted(records)],
    }


def import_records(store: StateStore, data: Any) -> int:
    """Put every record of an export into ``store`` (others are left alone); return how many.

    The whole document is checked before anything is written, so bad input changes nothing.
    """
    records = parse_export(data)
    for record in records:
        store.put(record)
    log.info("ledger: imported %d records into workspace=%s", len(records), store.workspace)
    return len(records)


def parse_export(data: Any) -> list[Record]:
    if not isinstance(data, Mapping):
        raise UsageError("a ledger export must be a JSON object", hint=_HINT)
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise UsageError(f"a ledger export has no field(s) {', '.join(map(str, unknown))}")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise UsageError(
            f"unsupported ledger export format_version {version!r} (expected {FORMAT_VERSION})",
            hint=_HINT,
        )
    items = data.get("records")
    if not isinstance(items, list):
        raise UsageError("a ledger export needs a 'records' list", hint=_HINT)
    records: list[Record] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        address = item.get("address") if isinstance(item, Mapping) else None
        where = f"records[{index}]" + (f" ({address})" if isinstance(address, str) else "")
        try:
            record = Record.from_dict(item)
        except ValueError as exc:
            raise UsageError(f"{where}: {exc}") from None
        if record.address in seen:
            raise UsageError(f"{where}: address {record.address} appears twice")
        seen.add(record.address)
        records.append(record)
    return records


_HINT = "import a file written by: braze-reconciler state export"
