#!/usr/bin/env bash
# Sets up what the backend, the tests and the real-Krita checks need, on a fresh Debian machine too:
#   1. Debian packages for the real-Krita tests (krita, python3-pyqt5, xvfb, xdotool, imagemagick),
#      only those missing; `sudo` when not root; LANGCOLOR_SKIP_APT=1 skips this step.
#   2. A virtual environment in .venv (in the repository) with requirements-dev.txt. The system
#      interpreter is never installed into. pip runs only when the requirements files (or the Python
#      the venv was made from) changed since the last run: a stamp in .venv records their hash.
# Safe and quick to run again. LANGCOLOR_PYTHON picks the interpreter the venv is made from (python3).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_install() {  # waits up to 10 min for another apt/dpkg run to finish
  echo "setup: installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

# 1. Debian packages for the real-Krita tests.
need_apt=()
for cmd in krita kritarunner Xvfb xdotool import; do
  command -v "$cmd" >/dev/null 2>&1 || need_apt+=("$cmd")
done
/usr/bin/python3 -c "import PyQt5" >/dev/null 2>&1 || need_apt+=(pyqt5)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: missing for the real-Krita tests: ${need_apt[*]}"
  if [ "${LANGCOLOR_SKIP_APT:-0}" = "1" ]; then
    echo "setup: LANGCOLOR_SKIP_APT=1, not installing them (the real-Krita tests skip unless CI=true)"
  else
    apt_install krita python3-pyqt5 xvfb xdotool imagemagick
  fi
fi

# 2. The virtual environment.
VENV=.venv
BASE_PYTHON=${LANGCOLOR_PYTHON:-python3}
if ! "$VENV/bin/python" -c "import sys" >/dev/null 2>&1; then
  echo "setup: creating the virtual environment $VENV (from $(command -v "$BASE_PYTHON"))"
  rm -rf "$VENV"
  if ! "$BASE_PYTHON" -m venv "$VENV" 2>/dev/null; then
    # Debian's own python3 needs python3-venv for `-m venv` (and has no pip of its own: PEP 668).
    rm -rf "$VENV"
    [ "${LANGCOLOR_SKIP_APT:-0}" = "1" ] || apt_install python3-venv
    "$BASE_PYTHON" -m venv "$VENV"
  fi
fi
PY="$VENV/bin/python"
STAMP="$VENV/.langcolor-requirements"
want=$( (cat requirements*.txt; "$PY" -c "import sys; print(sys.version)") | sha256sum | cut -d' ' -f1)
present='import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in sys.argv[1:]))'
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ] \
  || ! "$PY" -c "$present" numpy torch fastapi pytest ruff PyQt5 PyQt6 >/dev/null 2>&1; then
  echo "setup: installing Python packages into $VENV (requirements-dev.txt)"
  rm -f "$STAMP"
  "$PY" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" >"$STAMP"
else
  echo "setup: $VENV is up to date"
fi
