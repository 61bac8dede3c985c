"""The answers doctor records in the ledger, as apply reads them: by endpoint, by path."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from reconciler.braze.gone import GoneAnswer
from reconciler.service.ledger import GONE_ANSWERS, record_gone_answers, recorded_gone_answers
from reconciler.state.sqlite import SqliteStore

BRAZE = "https://rest.iad-01.braze.com"
DELETE, UPDATE = "/messages/schedule/delete", "/messages/schedule/update"
BARE = GoneAnswer(400, "Bad Request", (), DELETE)
WORDS = GoneAnswer(404, "Schedule {schedule_id} not found", (), UPDATE)


def test_answers_are_replaced_by_path_and_kept_for_their_endpoint(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "state.db", "default") as store:
        assert recorded_gone_answers(store, BRAZE) == ()
        assert record_gone_answers(store, BRAZE, {DELETE: BARE, UPDATE: WORDS}, note="n") == (
            BARE,
            WORDS,
        )
        # Asked again about the delete alone: Braze now answers success (nothing to record).
        assert record_gone_answers(store, BRAZE, {DELETE: None}, note="n") == (WORDS,)
        assert recorded_gone_answers(store, BRAZE) == (WORDS,)
        # Another endpoint's answers say nothing of this one; recording there drops them.
        assert recorded_gone_answers(store, "local") == ()
        assert record_gone_answers(store, "local", {DELETE: BARE}, note="n") == (BARE,)
        assert recorded_gone_answers(store, BRAZE) == ()


def test_a_value_edited_by_hand_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with SqliteStore(tmp_path / "state.db", "default") as store:
        store.set_metadata(GONE_ANSWERS, {"endpoint": BRAZE, "answers": [{"x": 1}]}, note="n")
        with caplog.at_level(logging.WARNING, logger="reconciler.service.ledger"):
            assert recorded_gone_answers(store, BRAZE) == ()
    assert "gone_answers is ignored (not a recorded answer: {'x': 1})" in caplog.text
    assert "run `braze-reconciler doctor`" in caplog.text
