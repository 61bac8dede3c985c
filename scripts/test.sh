#!/usr/bin/env bash
# Install everything the tests need and run the whole suite: PostgreSQL (installed and started
# if absent), a virtual environment with the project and its dev tools, then scripts/check.sh
# (ruff, mypy --strict, pytest with warnings as errors and branch coverage).
set -euo pipefail
cd "$(dirname "$0")/.."

export BRAZE_RECONCILER_TEST_POSTGRES="${BRAZE_RECONCILER_TEST_POSTGRES:-$(scripts/ensure-postgres.sh)}"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

PYTHON=.venv/bin/python exec scripts/check.sh "$@"
