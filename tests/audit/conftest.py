"""Fixtures: the real CLI against the emulator, seeded with the demo workspace or with more
dashboard schedules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.e2e.conftest import Project, open_project

DEMO_SEED = Path(__file__).parents[2] / "reconciler" / "emulator" / "demo_workspace.yaml"
CLEARANCE = "6c0f5a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f"
DIGEST = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
SPRING = "2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182"

EXTRA_SCHEDULES: list[dict[str, Any]] = [
    # The older listing form: no zone, the company time zone as schedule type.
    {
        "id": CLEARANCE,
        "type": "Campaign",
        "name": "Year-end clearance",
        "tags": ["sale"],
        "next_send_time": "2026-12-28 10:00:00",
        "schedule_type": "America/New_York",
    },
    {
        "id": DIGEST,
        "type": "Canvas",
        "name": "Weekly digest",
        "next_send_time": "2026-12-07T00:00:00",
        "schedule_type": "intelligent_delivery",
    },
    # Beyond a 30-day horizon.
    {
        "id": SPRING,
        "type": "Campaign",
        "name": "Spring preview",
        "next_send_time": "2027-02-01T10:00:00Z",
        "schedule_type": "America/New_York",
    },
]


def write_seed(path: Path, extra: list[dict[str, Any]]) -> Path:
    """The demo workspace with more campaigns, Canvases and dashboard schedules, as JSON."""
    workspace: dict[str, Any] = YAML(typ="safe").load(DEMO_SEED.read_text(encoding="utf-8"))
    for schedule in extra:
        parent = {"id": schedule["id"], "name": schedule["name"]}
        if schedule["type"] == "Campaign":
            workspace["campaigns"].append(parent | {"variations": []})
        else:
            workspace["canvases"].append(parent)
    workspace["dashboard_schedules"].extend(extra)
    path.write_text(json.dumps(workspace, indent=2), encoding="utf-8")
    return path


def _with_manifests(projects: Iterator[Project]) -> Iterator[Project]:
    for project in projects:
        project.manifests.mkdir()
        yield project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The demo workspace: two dashboard schedules, a newsletter and a daily Canvas."""
    yield from _with_manifests(open_project(tmp_path, monkeypatch))


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The demo workspace and ``EXTRA_SCHEDULES``."""
    seed = write_seed(tmp_path / "seed.json", EXTRA_SCHEDULES)
    yield from _with_manifests(open_project(tmp_path, monkeypatch, seed=seed))
