"""The package a CI runner installs: the wheel builds with `python -m build`, installs in a
fresh virtual environment, runs, and carries the demo workspace and the manifest schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from reconciler import __version__
from reconciler.manifest.schema import manifest_schema_text

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import importlib.metadata, importlib.resources, json, reconciler
files = importlib.resources.files("reconciler")
print(json.dumps({
    "module": reconciler.__file__,
    "demo": (files / "emulator" / "demo_workspace.yaml").is_file(),
    "schema": (files / "schemas" / "manifest.schema.json").read_text(encoding="utf-8"),
    "requires": importlib.metadata.requires("braze-reconciler"),
}))
"""


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_wheel_builds_installs_in_a_fresh_venv_and_runs(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # --no-isolation: the build backend comes from the dev environment, not from the network
    run(
        sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, REPO, cwd=REPO
    )
    (wheel,) = dist.glob("braze_reconciler-*.whl")
    assert wheel.name == f"braze_reconciler-{__version__}-py3-none-any.whl"

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=tmp_path,
    )
    # The dependencies (not this project) come from the dev environment's site-packages,
    # appended after the fresh venv's own: tests never download.
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
    ).strip()
    Path(purelib, "dev-dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "BRAZE_"))}

    version = run(venv / "bin" / "braze-reconciler", "--version", cwd=tmp_path, env=env)
    assert version == f"braze-reconciler, version {__version__}\n"
    probe = json.loads(run(python, "-c", PROBE, cwd=tmp_path, env=env))
    assert Path(probe["module"]).is_relative_to(venv), "the wheel's code runs, not the checkout"
    assert probe["demo"] is True
    committed = (REPO / "schemas" / "manifest.schema.json").read_text(encoding="utf-8")
    assert probe["schema"] == committed == manifest_schema_text()
    assert any(r.startswith("pydantic") for r in probe["requires"])
    printed = run(venv / "bin" / "braze-reconciler", "schema", "--out", "-", cwd=tmp_path, env=env)
    assert printed == committed
    # the packaged demo workspace behind --endpoint local: a plan of the examples runs
    plan = run(
        venv / "bin" / "braze-reconciler",
        "--endpoint",
        "local",
        "plan",
        REPO / "examples",
        "--now",
        "2026-11-20T09:00:00Z",
        cwd=tmp_path,
        env=env,
    )
    assert "Plan: 10 to create" in plan
