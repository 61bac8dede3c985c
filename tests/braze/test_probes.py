"""The probes doctor sends: each one learns a permission and can neither schedule nor send."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from reconciler.braze.models import ENDPOINTS
from reconciler.braze.probes import probe, request_models_refuse

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CAMPAIGN = "924cd632-0dc9-4a59-a3f1-b892936fd233"
CREATES = [path for path, endpoint in ENDPOINTS.items() if endpoint.action == "create"]
CHANGES = [path for path, endpoint in ENDPOINTS.items() if endpoint.action in ("update", "delete")]
SENDS = ["/messages/send", "/campaigns/trigger/send", "/canvas/trigger/send"]


def test_every_endpoint_is_probed_but_those_that_send_now() -> None:
    assert sorted(path for path, e in ENDPOINTS.items() if e.action == "send") == sorted(SENDS)
    assert len(CREATES) == 4
    assert len(CHANGES) == 6
    for path in SENDS:
        with pytest.raises(ValueError, match="sends messages: doctor never calls it"):
            probe(path, NOW)


@pytest.mark.parametrize("path", CREATES)
def test_a_create_probe_is_empty_and_refused_by_brazes_documented_rules(path: str) -> None:
    sent = probe(path, NOW)
    assert sent.body == {}
    assert sent.schedule_id is None
    assert request_models_refuse(sent)
    assert sent.described == "an empty body, {}"


@pytest.mark.parametrize("path", CHANGES)
def test_an_update_or_delete_probe_names_a_made_up_schedule_and_nothing_else_wrong(
    path: str,
) -> None:
    first, second = probe(path, NOW, parent_id=CAMPAIGN), probe(path, NOW, parent_id=CAMPAIGN)
    assert first.schedule_id != second.schedule_id
    assert first.schedule_id is not None
    assert uuid.UUID(first.schedule_id).version == 4
    assert first.body is not None
    assert first.body["schedule_id"] == first.schedule_id
    assert not request_models_refuse(first)  # a valid body: only the id can be refused
    if path.startswith(("/campaigns/", "/canvas/")):
        parent = "campaign_id" if path.startswith("/campaigns/") else "canvas_id"
        assert first.body[parent] == CAMPAIGN
    if path.endswith("/update"):
        assert first.body["schedule"] == {"time": "2026-12-31T08:00:00Z"}
    assert set(first.body) <= {"campaign_id", "canvas_id", "schedule_id", "schedule"}


def test_the_listing_probe_is_the_read_itself() -> None:
    sent = probe("/messages/scheduled_broadcasts", NOW)
    assert (sent.body, sent.params) == (None, {"end_time": "2026-12-02"})
    assert not request_models_refuse(sent)
    assert sent.described == "GET with end_time 2026-12-02"
