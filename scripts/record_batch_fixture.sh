#!/usr/bin/env bash
# Record tests/data/batch/: the answers a real llama-cpp-python server on 127.0.0.1 gives to the
# request files `briefing batch --emit` writes, round after round, until every item is briefed.
# tests/test_rounds.py replays them. Takes several minutes (every answer is generated on the CPU).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${VENV:-.venv}/bin/python
PORT=8766
ALIAS=qwen2.5-coder-1.5b-instruct
WORK=$(mktemp -d -t briefing-rounds.XXXXXX)
FIXTURE=tests/data/batch
# shellcheck source=scripts/local_server.sh
source scripts/local_server.sh
trap 'kill "$server" 2>/dev/null || true; rm -rf "$WORK"' EXIT

rm -f "$FIXTURE"/results-*.jsonl
# The same items and options as tests/test_rounds.py.
ARGS=("$FIXTURE/items.jsonl" -o "$WORK/out" -f json --model "$ALIAS" --structured-output json_object_schema
      --length short)
for round in 1 2 3 4 5 6; do
  rm -f "$WORK/requests.jsonl"
  collect=()
  [ "$round" -gt 1 ] && collect=(--collect "$FIXTURE/results-$((round - 1)).jsonl")
  "$PY" -m briefing batch "${ARGS[@]}" "${collect[@]}" --emit "$WORK/requests.jsonl" || true
  [ -f "$WORK/requests.jsonl" ] || break
  "$PY" scripts/answer_requests.py "$WORK/requests.jsonl" "$FIXTURE/results-$round.jsonl" \
    --base-url "http://127.0.0.1:$PORT/v1"
done
cat "$WORK/out/batch.jsonl"
echo "recorded: $(ls "$FIXTURE")"
