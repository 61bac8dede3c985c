"""state export / import: exact round trips, and clear refusals of bad documents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.errors import EXIT_INVALID, UsageError
from reconciler.state import Record, RecordStatus, StateStore
from reconciler.state.transfer import export_records, import_records
from tests.state.conftest import OpenLedger
from tests.state.helpers import full_record


def test_export_lists_records_by_address(store: StateStore) -> None:
    store.bind("https://rest.iad-01.braze.com", "salt", "scrypt:secret-looking")
    store.put(full_record("b"))
    store.put(full_record("a"))

    exported = export_records(store)

    assert exported == {
        "format_version": 1,
        "workspace": "default",
        "serial": 3,
        "records": [full_record("a").to_dict(), full_record("b").to_dict()],
    }
    assert "scrypt:" not in json.dumps(exported)


def test_export_then_import_is_exact(open_ledger: OpenLedger) -> None:
    source, target = open_ledger("staging"), open_ledger("copy")
    records = [
        full_record("a"),
        full_record("b", status=RecordStatus.UNCERTAIN, unknown_outcome="update", protect=False),
        Record("c", "SendId", RecordStatus.ACTIVE),
    ]
    for record in records:
        source.put(record)
    document = json.loads(json.dumps(export_records(source)))

    assert import_records(target, document) == 3

    assert target.records() == source.records()
    assert export_records(target)["records"] == document["records"]


def test_import_keeps_records_it_does_not_mention(store: StateStore) -> None:
    store.put(full_record("kept"))

    import_records(store, {"format_version": 1, "records": [full_record("new").to_dict()]})

    assert list(store.records()) == ["kept", "new"]


def _document(**changes: Any) -> dict[str, Any]:
    return {"format_version": 1, "records": [full_record("a").to_dict()]} | changes


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a ledger export must be a JSON object"),
        (_document(format_version=2), "unsupported ledger export format_version 2 (expected 1)"),
        (
            {"records": []},
            "unsupported ledger export format_version None (expected 1)",
        ),
        (_document(records={}), "a ledger export needs a 'records' list"),
        (_document(api_key="k"), "a ledger export has no field(s) api_key"),
        (_document(records=["x"]), "records[0]: a record must be an object, not str"),
        (
            _document(records=[full_record("a").to_dict() | {"status": "lost"}]),
            "records[0] (a): status: 'lost' is not one of active, adopted, uncertain, fired, "
            "vanished",
        ),
        (
            _document(records=[full_record("a").to_dict(), full_record("a").to_dict()]),
            "records[1] (a): address a appears twice",
        ),
    ],
)
def test_import_refuses_bad_documents_before_writing(
    store: StateStore, data: Any, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        import_records(store, data)

    assert caught.value.message == message
    assert caught.value.exit_code == EXIT_INVALID
    assert store.records() == {}
    assert store.info().serial == 0
