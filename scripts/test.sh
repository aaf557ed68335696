#!/usr/bin/env bash
# Set everything up (LibreOffice, virtual environment) and run all tests, the LibreOffice
# integration tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --dev
exec .venv/bin/python -m pytest -q -m "not libreoffice or libreoffice" "$@"
