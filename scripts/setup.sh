#!/usr/bin/env bash
# Prepare a machine for roadmap-office: LibreOffice (when absent) and a virtual environment
# made from the system Python, so that both `import uno` and the PyPI dependencies work.
# Usage: scripts/setup.sh [--dev]      (run as root on Debian/Ubuntu; idempotent)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-calc-nogui libreoffice-writer-nogui)
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need_apt+=(python3-uno)
[ -e /usr/lib/libreoffice/program/pythonscript.py ] || need_apt+=(libreoffice-script-provider-python)
/usr/bin/python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need_apt+=(python3-venv)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Liberation Serif" || need_apt+=(fonts-liberation2)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing system packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need_apt[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q -e ".[dev]"
else
  .venv/bin/python -m pip install -q -e .
fi
.venv/bin/python -c "import uno, roadmap_office" || { echo "setup: uno or roadmap_office does not import" >&2; exit 1; }
