"""An unmodified third-party Braze client (PyPI braze-client) talks to the emulator."""

from __future__ import annotations

import asyncio
import importlib
from types import ModuleType

import pytest

from reconciler.emulator.server import EmbeddedEmulator
from tests.contract import demo
from tests.contract.conftest import FULL_KEY


def _import_braze_client() -> ModuleType:
    """``braze.client``, imported on Python 3.11+.

    braze-client 2.3.3 (the latest) pins tenacity<6, and tenacity 5 decorates an asyncio
    helper that braze-client never uses with ``asyncio.coroutine``, removed in Python 3.11.
    The decorator is lent for the import only; the client itself runs unmodified.
    """
    lent = not hasattr(asyncio, "coroutine")
    if lent:
        setattr(asyncio, "coroutine", lambda function: function)  # noqa: B010
    try:
        return importlib.import_module("braze.client")
    finally:
        if lent:
            delattr(asyncio, "coroutine")


braze_client = _import_braze_client()


def test_campaign_trigger_schedule_create(emulator: EmbeddedEmulator) -> None:
    client = braze_client.BrazeClient(api_key=FULL_KEY, api_url=emulator.base_url)
    try:
        answer = client.campaign_trigger_schedule_create(
            campaign_id=demo.TRIGGERED_CAMPAIGN,
            schedule={"time": "2026-11-27T09:00:00", "in_local_time": True},
            broadcast=True,
        )
        assert answer["success"] is True
        assert answer["status_code"] == 201
        [schedule] = emulator.admin.schedules()
        assert schedule["schedule_id"] == answer["schedule_id"]
        assert schedule["parent_id"] == demo.TRIGGERED_CAMPAIGN
        assert schedule["body"]["broadcast"] is True

        with pytest.raises(braze_client.BrazeClientError) as caught:
            client.campaign_trigger_schedule_create(
                campaign_id="unknown", schedule={"time": "2026-11-27T09:00:00Z"}, broadcast=True
            )
        assert caught.value.args[0] == "Invalid Campaign ID"
    finally:
        client.session.close()
