"""Seed files: the demo workspace, YAML and JSON seeds, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.emulator.workspace import SeedError, load_workspace, parse_workspace
from reconciler.errors import EXIT_INVALID


def test_the_demo_workspace_loads_from_the_package() -> None:
    workspace = load_workspace()
    assert workspace.name == "Acme Outfitters"
    assert workspace.campaign_by_id["924cd632-0dc9-4a59-a3f1-b892936fd233"].api_triggered
    assert workspace.canvas_by_id["32d91d1d-88b1-4d5f-87ed-9e1ba0189479"].paused
    assert len(workspace.dashboard_schedules) == 2
    assert workspace.api_keys == []


def test_api_keys_added_hold_every_permission() -> None:
    workspace = load_workspace().with_keys(["k1"])
    assert workspace.key_by_value["k1"].allows("messages.schedule.create")
    assert load_workspace().with_keys([]).api_keys == []


def test_a_json_seed(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "campaigns": [{"id": "c1", "api_triggered": True}],
                "api_keys": [{"key": "abc", "permissions": ["campaigns.trigger.send"]}],
            }
        ),
        encoding="utf-8",
    )
    workspace = load_workspace(seed)
    key = workspace.key_by_value["abc"]
    assert key.allows("campaigns.trigger.send")
    assert not key.allows("campaigns.trigger.schedule.create")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "campaigns:\n  - id: c1\n    variations:\n      - {id: v1, channel: pigeon}\n",
            "seed.yaml:4:27: campaigns.0.variations.0.channel: Input should be 'apple_push'",
        ),
        ("canvases:\n  - name: no id\n", "seed.yaml:2:5: canvases.0.id: Field required"),
        (
            "api_keys:\n  - key: k\n    permissions: [messages.sendd]\n",
            "api_keys.0.permissions: unknown permission 'messages.sendd' "
            "(did you mean 'messages.send'?)",
        ),
        ("timezone: Mars/Olympus\n", "timezone: 'Mars/Olympus' is not an IANA time zone"),
        (
            "campaigns: [{id: c1}, {id: c1}]\n",
            "campaigns: the id 'c1' appears twice",
        ),
        (
            "dashboard_schedules:\n  - {id: x, type: Canvas, next_send_time: '2026-12-01T09:00:00',"
            " schedule_type: local_time_zones}\n",
            "dashboard_schedules[0]: no canvas has id 'x'",
        ),
        (
            "dashboard_schedules:\n  - {id: x, type: Canvas, next_send_time: tomorrow,"
            " schedule_type: local_time_zones}\n",
            "'tomorrow' is not an ISO 8601 date-time",
        ),
        ("apps: [\n", "seed.yaml:2:1: YAML syntax error"),
        ("--- {}\n--- {}\n", "exactly one YAML document"),
    ],
)
def test_invalid_seeds_are_clear_errors(text: str, expected: str) -> None:
    with pytest.raises(SeedError) as caught:
        parse_workspace(text, "seed.yaml")
    assert expected in str(caught.value)
    assert caught.value.exit_code == EXIT_INVALID


def test_an_unreadable_seed(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read the seed file"):
        load_workspace(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(SeedError, match=r"broken.json:1:2: invalid JSON"):
        load_workspace(broken)
