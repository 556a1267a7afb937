#!/usr/bin/env bash
# The project's one test command: set up what is missing, lint, run every test (real Krita included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "lint: ruff"
python3 -m ruff check .
python3 -m pytest -q "$@"
