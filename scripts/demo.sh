#!/usr/bin/env bash
# Sets up the machine (scripts/setup.sh: .venv and what is missing), then colours the bundled real
# sketch with the repository's virtual environment into layer PNGs in out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m backend colorize examples/farm-scene.png \
  --instruction "the sky is light blue and the ground is green" \
  --instruction "the sun is orange and the clouds are light gray" \
  --instruction "the trees are green with brown trunks" \
  --instruction "the chickens are yellow" \
  --instruction "the grass is dark green" \
  --instruction "the boy has a red shirt and blue pants" \
  --out out/demo
echo "layers and result.json are in out/demo/ (preview.png shows them composed)"
