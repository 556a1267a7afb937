#!/usr/bin/env bash
# The project's one test command: set up what is missing (scripts/setup.sh), then ruff and every test
# (real Krita included), all with the repository's virtual environment, .venv/bin/python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python
echo "lint: ruff"
"$PY" -m ruff check .
"$PY" -m pytest -q "$@"
