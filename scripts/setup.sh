#!/usr/bin/env bash
# Create .venv and install briefing with the embedded model and the test tools.
# Idempotent: a second run with an unchanged pyproject.toml does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-local,test}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
stamp="$VENV/.briefing-setup-$(echo "$EXTRAS" | tr ',' '-')"

if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then
  exit 0
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "setup: Python 3.11 or newer is needed (found $("$PYTHON" --version))" >&2; exit 1; }
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"

# llama-cpp-python compiles llama.cpp (about 4 minutes, once; pip caches the wheel).
# Its default build targets this CPU's every feature and segfaults on some machines: build portable.
echo "setup: installing briefing[$EXTRAS] into $VENV (the first time compiles llama.cpp, ~4 min)" >&2
CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" "$VENV/bin/pip" install --quiet --disable-pip-version-check \
  -e ".[$EXTRAS]"
touch "$stamp"
