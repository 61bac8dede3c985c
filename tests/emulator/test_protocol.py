"""The uvicorn the emulator's h11 protocol was written against.

``reconciler/emulator/protocol.py`` subclasses uvicorn's internal ``H11Protocol``: ASGI cannot
close a connection without an answer, and uvicorn offers no public way to reach the
connection's transport. An internal class can change in any release, so ``pyproject.toml``
pins uvicorn to the versions checked, and these tests fail, saying what to do, when the
installed uvicorn leaves that range or drops what the subclass uses. The behaviour itself (a
dropped connection is seen as FIN, a reset as RST) is tested in ``tests/contract/test_faults.py``.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from uvicorn.protocols.http.h11_impl import H11Protocol

ROOT = Path(__file__).parents[2]
WHAT_TO_DO = (
    "reconciler/emulator/protocol.py subclasses uvicorn's internal H11Protocol: check that "
    "H11Protocol.__init__ still sets self.app, that each request still calls self.app, and "
    "that connection_made still keeps self.transport, then move the uvicorn pin in "
    "pyproject.toml (and docs/decisions.md says why it is pinned)"
)


def pinned_uvicorn() -> Requirement:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (requirement,) = [
        Requirement(line) for line in project["dependencies"] if Requirement(line).name == "uvicorn"
    ]
    return requirement


def test_the_installed_uvicorn_is_in_the_pinned_range() -> None:
    specifier = pinned_uvicorn().specifier
    assert any(spec.operator == "<" for spec in specifier), (
        f"uvicorn{specifier} has no upper bound: {WHAT_TO_DO}"
    )
    installed = importlib.metadata.version("uvicorn")
    assert specifier.contains(installed, prereleases=True), (
        f"uvicorn {installed} is outside uvicorn{specifier}: {WHAT_TO_DO}"
    )


def test_h11_protocol_still_has_what_the_subclass_uses() -> None:
    # EmulatorProtocol wraps self.app after H11Protocol.__init__ sets it; each request must
    # then call self.app (not a copy taken earlier), and ConnectionControl closes or resets
    # the transport that connection_made keeps.
    assert "self.app = config.loaded_app" in inspect.getsource(H11Protocol.__init__), WHAT_TO_DO
    assert "app = self.app" in inspect.getsource(H11Protocol.handle_events), WHAT_TO_DO
    made = inspect.getsource(H11Protocol.connection_made)
    assert "self.transport = transport" in made, WHAT_TO_DO
