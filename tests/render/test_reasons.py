"""Every reason and note code has words, and the words need nothing but the code's data."""

from __future__ import annotations

import pytest

from reconciler.kinds import Kind
from reconciler.plan.model import Action, Change
from reconciler.plan.reasons import NoteCode, Reason, ReasonCode
from reconciler.render.reasons import note_words, reason_words
from tests.plan.helpers import NOW


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_reason_code_has_words(code: ReasonCode) -> None:
    reason = Reason(code=code, field="segment_id", time="2026-12-05T10:00", address="a/b")
    words = reason_words(reason)
    assert words
    assert "None" not in words
    assert words != code.value


@pytest.mark.parametrize("code", list(NoteCode))
def test_every_note_code_has_words(code: NoteCode) -> None:
    change = Change(
        address="scheduled_message/a",
        kind=Kind.SCHEDULED_MESSAGE,
        action=Action.DELETE,
        send_at=NOW,
        notes=(code,),
    )
    words = note_words(code, change)
    assert words
    assert words != code.value


def test_a_field_braze_cannot_update_is_named_in_a_reviewers_words() -> None:
    assert reason_words(Reason(code=ReasonCode.FIXED_FIELD_CHANGED, field="segment_id")) == (
        "segment changed (Braze cannot update it)"
    )
    assert reason_words(Reason(code=ReasonCode.FIXED_FIELD_CHANGED, field="new_field")) == (
        "new field changed (Braze cannot update it)"
    )
