#!/usr/bin/env bash
# The project's one quality gate: lint, format check, strict typing, and the whole test
# suite with warnings as errors and branch coverage. CI runs this through scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
echo "== ruff lint"
"$PY" -m ruff check .
echo "== ruff format --check"
"$PY" -m ruff format --check .
echo "== mypy --strict"
"$PY" -m mypy
echo "== pytest"
"$PY" -m pytest --cov --cov-report=term "$@"
