"""A data directory keeps schedules, their history, send ids and the clock across restarts."""

from __future__ import annotations

from pathlib import Path

from reconciler.braze.client import BrazeClient
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from tests.contract import demo
from tests.contract.conftest import FAST_RETRY, FULL_KEY, START, campaign_body


def test_schedules_and_send_ids_survive_a_restart(seed_file: Path, tmp_path: Path) -> None:
    config = EmulatorConfig(seed=seed_file, data_dir=tmp_path / "emulator", clock=START)
    with EmbeddedEmulator(config) as first:
        client = BrazeClient(first.base_url, FULL_KEY, retry=FAST_RETRY)
        with client:
            client.create_send_id({"campaign_id": demo.TRIGGERED_CAMPAIGN, "send_id": "bf"})
            created = client.create_schedule("CampaignSchedule", campaign_body(send_id="bf"))
            fired = client.create_schedule(
                "CampaignSchedule", campaign_body(schedule={"time": "2026-11-01T13:00:00Z"})
            )
        first.admin.advance(3600)
        before = first.admin.schedules()
        offset = first.admin.clock()["offset_seconds"]

    resumed = EmulatorConfig(seed=seed_file, data_dir=tmp_path / "emulator", resume_clock=True)
    with EmbeddedEmulator(resumed) as second:
        assert second.admin.schedules() == before
        assert [s["send_id"] for s in second.admin.send_ids()] == ["bf"]
        assert abs(second.admin.clock()["offset_seconds"] - offset) < 0.01
        statuses = {s["schedule_id"]: s["status"] for s in before}
        assert statuses == {
            created.body["schedule_id"]: "scheduled",
            fired.body["schedule_id"]: "sent",
        }

        client = BrazeClient(second.base_url, FULL_KEY, retry=FAST_RETRY)
        with client:
            client.update_schedule(
                "CampaignSchedule",
                {
                    "campaign_id": demo.TRIGGERED_CAMPAIGN,
                    "schedule_id": created.body["schedule_id"],
                    "schedule": {"time": "2026-11-28T09:00:00Z"},
                },
            )
            # The send id created before the restart is still known.
            client.create_schedule("CampaignSchedule", campaign_body(send_id="bf"))
        history = second.admin.schedule(created.body["schedule_id"])["history"]
        assert [entry["call"] for entry in history] == ["create", "update"]


def test_without_resume_the_clock_starts_afresh(seed_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "emulator"
    with EmbeddedEmulator(EmulatorConfig(seed=seed_file, data_dir=data, clock=START)):
        pass
    with EmbeddedEmulator(EmulatorConfig(seed=seed_file, data_dir=data)) as again:
        assert again.admin.clock()["offset_seconds"] == 0.0
