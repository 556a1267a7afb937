#!/usr/bin/env bash
# Installs what the backend, the tests and the real-Krita checks need on a fresh Debian machine.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
for cmd in krita kritarunner Xvfb xdotool import; do
  command -v "$cmd" >/dev/null 2>&1 || need_apt+=("$cmd")
done
/usr/bin/python3 -c "import PyQt5" >/dev/null 2>&1 || need_apt+=(pyqt5)
if [ ${#need_apt[@]} -gt 0 ] && [ "${LANGCOLOR_SKIP_APT:-0}" != "1" ]; then
  echo "setup: installing Debian packages (missing: ${need_apt[*]})"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq krita python3-pyqt5 xvfb xdotool imagemagick >/dev/null
fi
echo "setup: installing Python packages"
python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt
