#!/usr/bin/env bash
# Prepare a machine for roadmap-office: LibreOffice (the full Calc and Writer with the Russian
# interface) and a virtual environment made from the system Python, so that both `import uno`
# and the PyPI dependencies work. With --dev also what the tests need: a virtual screen and a
# keyboard driver (the real-window tests), the Dovecot IMAP server (the mail tests start it
# with their own temporary config; the system's service is left disabled) and openssl (their certificates).
# Usage: scripts/setup.sh [--dev]      (run as root on Debian/Ubuntu; idempotent)
set -euo pipefail
cd "$(dirname "$0")/.."

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

need_apt=()
# the full packages (not -nogui): Calc opens windows; they replace -nogui ones already present
for package in libreoffice-calc libreoffice-writer libreoffice-l10n-ru hyphen-ru; do
  installed "$package" || need_apt+=("$package")
done
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need_apt+=(python3-uno)
[ -e /usr/lib/libreoffice/program/pythonscript.py ] || need_apt+=(libreoffice-script-provider-python)
/usr/bin/python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need_apt+=(python3-venv)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Liberation Serif" || need_apt+=(fonts-liberation2)
if [ "${1:-}" = "--dev" ]; then
  command -v Xvfb >/dev/null 2>&1 || need_apt+=(xvfb)
  command -v xdotool >/dev/null 2>&1 || need_apt+=(xdotool)
  installed dovecot-imapd || need_apt+=(dovecot-imapd)
  command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)  # the mail tests' throwaway certificates
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing system packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need_apt[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
.venv/bin/python -m pip install -q --upgrade pip "setuptools>=77" wheel  # the build backend pyproject.toml names
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q -e ".[dev]"
else
  .venv/bin/python -m pip install -q -e .
fi
.venv/bin/python -c "import uno, roadmap_office" || { echo "setup: uno or roadmap_office does not import" >&2; exit 1; }
