#!/usr/bin/env python3
"""Answer a batch request file (OpenAI Batch JSONL, as `briefing batch --emit` writes) one line at a
time against an OpenAI-compatible server that has no batch endpoint (llama.cpp's server,
llama-cpp-python's, Ollama), and write the results in the OpenAI Batch API's output format, which
`briefing batch --collect` reads.

    python scripts/answer_requests.py requests.jsonl results.jsonl --base-url http://127.0.0.1:8000/v1

Standard library only. A request the server fails is written as an error line (its status and
message), and the next line is asked.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path


def answer(line: dict, base_url: str, timeout: float) -> dict:
    """One result line for one request line."""
    url = base_url.rstrip("/").removesuffix("/v1") + line["url"]
    data = json.dumps(line["body"]).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=line.get("method", "POST"),
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8", "replace")
        try:
            body = json.loads(text)
        except ValueError:
            body = {"error": {"message": text[:500]}}
    error = None if status == 200 else {"code": str(status), "message": json.dumps(body)[:500]}
    return {"id": f"batch_req_{line['custom_id']}", "custom_id": line["custom_id"],
            "response": {"status_code": status, "request_id": "", "body": body}, "error": error}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requests", type=Path)
    parser.add_argument("results", type=Path)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000/v1")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    lines = [json.loads(raw) for raw in args.requests.read_text(encoding="utf-8").splitlines() if raw.strip()]
    results = []
    for n, line in enumerate(lines, 1):
        try:
            results.append(answer(line, args.base_url, args.timeout))
        except (OSError, urllib.error.URLError) as e:
            print(f"answer_requests: cannot reach {args.base_url}: {e}", file=sys.stderr)
            return 1
        print(f"answer_requests: [{n}/{len(lines)}] {line['custom_id']}: {results[-1]['response']['status_code']}",
              file=sys.stderr)
    tmp = args.results.with_name(args.results.name + ".part")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
    tmp.replace(args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
