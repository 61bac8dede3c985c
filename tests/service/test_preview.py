"""The preview use case through the service: Ctrl-C during a send, and the clock it stamps."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from reconciler.braze.client import BrazeClient, BrazeResponse
from reconciler.emulator.server import EmbeddedEmulator
from reconciler.errors import UsageError
from reconciler.service import ClientOptions, PreviewRequest, Service
from reconciler.service.client import braze_client
from reconciler.service.preview import PreviewStatus
from reconciler.settings import Settings
from reconciler.state import Outcome
from reconciler.state.sqlite import SqliteStore
from reconciler.timeutil import FixedClock
from tests.e2e.conftest import campaign_schedule
from tests.service.conftest import CLOCK, VIRTUAL, manifests, settings

GROUP = "kind: TestGroup\nname: qa\nspec:\n  recipients:\n    - external_user_id: qa-1\n"


def project(root: Path) -> str:
    folder = manifests(root)
    (Path(folder) / "group.yaml").write_text(GROUP, encoding="utf-8")
    (Path(folder) / "b.yaml").write_text(campaign_schedule("b"), encoding="utf-8")
    (Path(folder) / "c.yaml").write_text(
        campaign_schedule("c", extra="\n  trigger_properties: {x: 1}"), encoding="utf-8"
    )
    return folder


def request(folder: str) -> PreviewRequest:
    return PreviewRequest(paths=(folder,), test_group="qa", targets=("*",))


def test_ctrl_c_during_a_send_leaves_it_uncertain_and_starts_no_other(
    tmp_path: Path, emulator: EmbeddedEmulator
) -> None:
    calls: list[str] = []

    class Interrupted(BrazeClient):
        def send_now(self, kind: str, body: Mapping[str, Any]) -> BrazeResponse:
            calls.append(kind)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return super().send_now(kind, body)

    @contextmanager
    def client(
        settings: Settings, api_key: str, now: datetime, options: ClientOptions
    ) -> Iterator[BrazeClient]:
        with braze_client(settings, api_key, now, options) as real:
            real.__class__ = Interrupted
            yield real

    service = Service(
        settings(tmp_path, emulator.base_url), FixedClock(CLOCK), now=VIRTUAL, client_factory=client
    )
    _, report = service.preview(request(project(tmp_path)), confirm=lambda _: True)

    assert report is not None
    assert report.interrupted
    assert not report.ok
    assert [r.status for r in report.results] == [
        PreviewStatus.SENT,
        PreviewStatus.UNCERTAIN,
        PreviewStatus.NOT_ATTEMPTED,
    ]
    assert len(calls) == 2
    with SqliteStore(tmp_path / "ledger" / "state.db", "default") as store:
        journal = store.previews()
    assert [p.outcome for p in journal] == [Outcome.SUCCEEDED, Outcome.UNKNOWN]
    assert journal[1].message == "interrupted during the call"
    assert {p.started_at for p in journal} == {VIRTUAL}, "--now dates the journal"


def test_declined_sends_nothing_and_writes_nothing(
    tmp_path: Path, emulator: EmbeddedEmulator
) -> None:
    service = Service(settings(tmp_path, emulator.base_url), FixedClock(CLOCK), now=VIRTUAL)
    proposal, report = service.preview(request(project(tmp_path)), confirm=lambda _: False)
    assert report is None
    assert [p.address for p in proposal.previews] == [
        "campaign_schedule/b",
        "campaign_schedule/c",
        "scheduled_message/a",
    ]
    assert emulator.admin.sends() == []
    with SqliteStore(tmp_path / "ledger" / "state.db", "default") as store:
        assert store.previews() == []


def test_a_virtual_now_is_refused_against_braze_itself(tmp_path: Path) -> None:
    service = Service(
        settings(tmp_path, "https://rest.iad-03.braze.com"), FixedClock(CLOCK), now=VIRTUAL
    )
    with pytest.raises(UsageError, match="is Braze itself"):
        service.preview(request(project(tmp_path)), confirm=lambda _: True)
