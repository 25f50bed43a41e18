#!/usr/bin/env bash
# Re-record cassettes/ from a real llama-cpp-python server on 127.0.0.1 serving the packaged model.
# Takes several minutes: each recorded briefing is generated for real on the CPU.
# Usage: scripts/record_cassettes.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${VENV:-.venv}/bin/python
PORT=8765
MODEL=$("$PY" -c 'from briefing.backends.model_store import ensure_model; print(ensure_model())')
LOG=$(mktemp -t briefing-server.XXXXXX.log)

"$PY" -m llama_cpp.server --model "$MODEL" --model_alias qwen2.5-coder-1.5b-instruct \
  --host 127.0.0.1 --port "$PORT" --n_ctx 8192 --n_threads "$(nproc)" --seed 0 >"$LOG" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  "$PY" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/v1/models', timeout=1)" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "the server died; its log: $LOG" >&2; exit 1; }
  sleep 1
done

# Extra arguments narrow what is re-recorded, e.g. `-k injection`; cassettes not selected stay as they are.
BRIEFING_RECORD=1 "$PY" -m pytest -q tests/test_server_cassettes.py "$@"
echo "recorded: $(ls cassettes)"
