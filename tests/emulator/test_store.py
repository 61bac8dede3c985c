"""The SQLite store: persistence, firing, and staying fast with many schedules."""

from __future__ import annotations

import time
from pathlib import Path

from reconciler.emulator.store import Store, Window

T0 = 1_793_534_400.0


def _create(store: Store, number: int, ends_at: float) -> None:
    store.create_schedule(
        schedule_id=f"s{number}",
        kind="campaign_schedule",
        parent_id="c1",
        body={"campaign_id": "c1", "n": number},
        dispatch_id=f"d{number}",
        window=Window("utc", ends_at, ends_at),
        notice=None,
        now=T0,
    )


def test_persists_in_its_directory(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    _create(store, 1, T0 + 60)
    store.add_send_id("c1", "bf", T0)
    store.set_meta("clock_offset", "12.5")
    store.close()

    again = Store(tmp_path / "data")
    try:
        [schedule] = again.list_schedules()
        assert schedule["body"] == {"campaign_id": "c1", "n": 1}
        assert again.has_send_id("c1", "bf")
        assert again.get_meta("clock_offset") == "12.5"
        assert again.add_send_id("c1", "bf", T0) is False
    finally:
        again.close()


def test_ten_thousand_schedules_stay_fast() -> None:
    store = Store()
    try:
        started = time.perf_counter()
        for number in range(10_000):
            _create(store, number, T0 + 3600 + number)
        creating = time.perf_counter() - started

        started = time.perf_counter()
        for _ in range(1_000):
            store.fire_due(T0)  # nothing due: an index lookup, not a scan
            store.get("s9999")
        per_request = (time.perf_counter() - started) / 1_000

        assert creating < 10.0
        assert per_request < 0.005
        assert store.fire_due(T0 + 3600 + 4999) == 5000
        assert store.count_schedules() == {"scheduled": 5000, "sent": 5000}
        assert len(store.list_schedules(status="sent")) == 5000
    finally:
        store.close()
