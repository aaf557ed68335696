#!/usr/bin/env bash
# Set everything up and run the main job on the built-in demo district.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/roadmap-office demo "${1:-roadmap-demo}"
