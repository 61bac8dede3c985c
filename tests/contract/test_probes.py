"""doctor's probes against the emulator: the key is checked before the body (as Braze does), a
probe's answer says whether the permission passed, nothing is ever scheduled or sent, and every
answer carries the emulator's clock in its ``Date``."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from reconciler.braze.errors import BadRequestError, ForbiddenError, UnauthorizedError
from reconciler.braze.models import ENDPOINTS
from reconciler.braze.probes import probe, send_probe
from reconciler.emulator.server import EmbeddedEmulator
from tests.contract import demo
from tests.contract.conftest import LISTING_KEY, START, MakeClient

PROBED = [path for path, endpoint in ENDPOINTS.items() if endpoint.action != "send"]
PARENTS = {"/campaigns/": demo.TRIGGERED_CAMPAIGN, "/canvas/": demo.CANVAS}


def parent_of(path: str) -> str | None:
    return next((parent for prefix, parent in PARENTS.items() if path.startswith(prefix)), None)


@pytest.mark.parametrize("path", PROBED)
def test_a_key_with_every_permission_passes_and_nothing_happens(
    path: str, emulator: EmbeddedEmulator, make_client: MakeClient
) -> None:
    sent = probe(path, START, parent_id=parent_of(path))
    if sent.endpoint.action == "list":
        assert send_probe(make_client(), sent).status == 200
    else:
        with pytest.raises(BadRequestError) as caught:
            send_probe(make_client(), sent)
        if sent.schedule_id is not None:
            assert caught.value.braze_message == "Invalid schedule_id"
            assert caught.value.errors == [f"schedule_id '{sent.schedule_id}' is unknown"]
    assert emulator.admin.schedules() == []
    assert emulator.admin.send_ids() == []
    assert emulator.admin.sends() == []


@pytest.mark.parametrize("path", [p for p in PROBED if p != "/messages/scheduled_broadcasts"])
def test_the_permission_is_checked_before_the_body(
    path: str, emulator: EmbeddedEmulator, make_client: MakeClient
) -> None:
    method = ENDPOINTS[path].method
    for content in (b"{}", b'{"broadcast": true,', b"[]"):  # empty, not JSON, not an object
        refused = httpx.request(
            method,
            emulator.base_url + path,
            content=content,
            headers={"Authorization": f"Bearer {LISTING_KEY}"},
        )
        assert (refused.status_code, refused.json()) == (403, {"message": "Access Denied"})
        unknown = httpx.request(
            method, emulator.base_url + path, content=content, headers={"Authorization": "x"}
        )
        assert (unknown.status_code, unknown.json()) == (401, {"message": "Unauthorized"})
    with pytest.raises(ForbiddenError):
        send_probe(make_client(LISTING_KEY), probe(path, START, parent_id=parent_of(path)))
    with pytest.raises(UnauthorizedError):
        send_probe(make_client("no-such-key"), probe(path, START))


def test_every_answer_dates_itself_by_the_emulators_clock(
    emulator: EmbeddedEmulator, make_client: MakeClient
) -> None:
    listing = send_probe(make_client(), probe("/messages/scheduled_broadcasts", START))
    assert listing.server_date is not None
    assert timedelta(0) <= listing.server_date - START.replace(microsecond=0) < timedelta(10)
    with pytest.raises(UnauthorizedError) as caught:
        send_probe(make_client("no-such-key"), probe("/messages/schedule/delete", START))
    assert caught.value.server_date is not None
    assert abs(caught.value.server_date - listing.server_date) < timedelta(seconds=10)
