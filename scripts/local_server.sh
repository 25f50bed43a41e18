# Sourced by the recording scripts: start a llama-cpp-python server with the packaged model on
# 127.0.0.1:$PORT (alias $ALIAS) and wait until it answers; it is stopped when the script exits.
# Needs PY, PORT and ALIAS; sets MODEL, LOG and server (its pid).
MODEL=$("$PY" -c 'from briefing.backends.model_store import ensure_model; print(ensure_model())')
LOG=$(mktemp -t briefing-server.XXXXXX.log)

"$PY" -m llama_cpp.server --model "$MODEL" --model_alias "$ALIAS" \
  --host 127.0.0.1 --port "$PORT" --n_ctx 8192 --n_threads "$(nproc)" --seed 0 >"$LOG" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  "$PY" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/v1/models', timeout=1)" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "the server died; its log: $LOG" >&2; exit 1; }
  sleep 1
done
