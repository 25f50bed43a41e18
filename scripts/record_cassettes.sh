#!/usr/bin/env bash
# Re-record cassettes/ from a real llama-cpp-python server on 127.0.0.1 serving the packaged model.
# Takes several minutes: each recorded briefing is generated for real on the CPU.
# Usage: scripts/record_cassettes.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${VENV:-.venv}/bin/python
PORT=8765
ALIAS=qwen2.5-coder-1.5b-instruct
# shellcheck source=scripts/local_server.sh
source scripts/local_server.sh

# Extra arguments narrow what is re-recorded, e.g. `-k injection`; cassettes not selected stay as they are.
BRIEFING_RECORD=1 "$PY" -m pytest -q tests/test_server_cassettes.py "$@"
echo "recorded: $(ls cassettes)"
