"""The emulator's own texts: where Braze's docs give no answer, the emulator answers in words of
its own (``Invalid schedule_id``, ``Invalid Canvas ID``, ...). They are listed, and nothing
outside the emulator reads one: the client decides on what an answer says (braze/gone.py), or
on its status, never on one of these texts alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reconciler.braze.errors import error_for_status
from reconciler.braze.gone import GoneVerdict, gone_verdict
from reconciler.emulator.checks import OWN_MESSAGES

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"
# The emulator answers them; the request models give them as the emulator's answer to a
# malformed identifier (braze_message), the same words as for an unknown one.
HOMES = (PACKAGE / "emulator", PACKAGE / "braze" / "models")


def _constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_no_module_outside_the_emulator_and_the_models_holds_one_of_its_own_texts() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_constants(path) & OWN_MESSAGES)
        for path in PACKAGE.rglob("*.py")
        if not any(path.is_relative_to(home) for home in HOMES)
    }
    assert {path: texts for path, texts in offenders.items() if texts} == {}


@pytest.mark.parametrize("text", sorted(OWN_MESSAGES))
@pytest.mark.parametrize("path", ["/messages/schedule/update", "/canvas/trigger/schedule/delete"])
def test_an_own_text_decides_nothing_its_words_would_not(text: str, path: str) -> None:
    """Each text is read for what it says: only the one that names the schedule id as invalid
    says gone, as any wording that says so would."""
    verdict = gone_verdict(error_for_status(400, text, path=path), "0b2c5d1e")
    assert verdict is (GoneVerdict.GONE if "schedule_id" in text else GoneVerdict.OTHER)
    paraphrase = error_for_status(400, "Bad Request", path=path, errors=["unknown schedule"])
    if verdict is GoneVerdict.GONE:
        assert gone_verdict(paraphrase, "0b2c5d1e") is GoneVerdict.GONE
