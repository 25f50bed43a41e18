"""Recorded HTTP for the tests: readable JSON cassettes, body matching, scrubbed headers, loopback only.

Cassettes are recorded from a real `python -m llama_cpp.server` on 127.0.0.1 by
`make cassettes` (scripts/record_cassettes.sh), never written by hand.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
RECORDING = os.environ.get("BRIEFING_RECORD") == "1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Everything that identifies a person, an account or a session; only the bare exchange is kept.
DROP_REQUEST_HEADERS = ("authorization", "cookie", "openai-organization", "openai-project", "user-agent")
KEEP_RESPONSE_HEADERS = ("content-type",)


class ReadableJsonSerializer:
    """Stores JSON bodies as JSON (not escaped strings) so a reviewer can read every cassette."""

    @staticmethod
    def serialize(cassette: dict[str, Any]) -> str:
        for interaction in cassette["interactions"]:
            _body_to_json(interaction["request"], "body")
            _body_to_json(interaction["response"]["body"], "string")
        return json.dumps(cassette, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        cassette: dict[str, Any] = json.loads(text)
        for interaction in cassette["interactions"]:
            _body_from_json(interaction["request"], "body")
            _body_from_json(interaction["response"]["body"], "string")
        return cassette


def _body_to_json(holder: dict[str, Any], key: str) -> None:
    raw = holder.get(key)
    if isinstance(raw, bytes | str):
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        try:
            holder[key] = {"json": json.loads(text)}
        except ValueError:
            holder[key] = {"text": text}


def _body_from_json(holder: dict[str, Any], key: str) -> None:
    stored = holder.get(key)
    if isinstance(stored, dict) and "json" in stored:
        holder[key] = json.dumps(stored["json"], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    elif isinstance(stored, dict) and "text" in stored:
        holder[key] = stored["text"].encode("utf-8")


def json_body_matcher(r1: Any, r2: Any) -> None:
    """Bodies must be the same JSON value: a changed prompt can never replay a stale answer."""
    b1, b2 = _parsed(r1.body), _parsed(r2.body)
    if b1 != b2:
        raise AssertionError("request bodies differ")


def _parsed(body: Any) -> Any:
    if body in (None, b"", ""):
        return None
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    try:
        return json.loads(text)
    except ValueError:
        return text


def _scrub_request(request: Any) -> Any:
    host = urlsplit(request.uri).hostname
    if host not in LOOPBACK:
        raise RuntimeError(f"refusing to record traffic to {host}: cassettes come from a loopback server only")
    for name in list(request.headers):
        if name.lower() in DROP_REQUEST_HEADERS or name.lower().startswith(("openai-", "x-stainless")):
            del request.headers[name]
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    response["headers"] = {k: v for k, v in headers.items() if k.lower() in KEEP_RESPONSE_HEADERS}
    return response


@contextmanager
def cassette(name: str) -> Iterator[Any]:
    """Replay `cassettes/<name>.json` strictly (or record it with BRIEFING_RECORD=1).

    Replay never touches the network; every recorded interaction must be used, once.
    """
    import vcr

    path = CASSETTES / f"{name}.json"
    if RECORDING:
        path.unlink(missing_ok=True)
    elif not path.exists():
        raise AssertionError(f"missing cassette {path}: record it with `make cassettes`")
    recorder = vcr.VCR(
        record_mode="all" if RECORDING else "none",
        match_on=["method", "scheme", "host", "port", "path", "query", "json_body"],
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )
    recorder.register_serializer("readable_json", ReadableJsonSerializer)
    recorder.register_matcher("json_body", json_body_matcher)
    with recorder.use_cassette(str(path), serializer="readable_json", allow_playback_repeats=False) as tape:
        yield tape
        if not RECORDING:
            assert tape.all_played, f"{path.name}: {len(tape.data) - tape.play_count} recorded interaction(s) unplayed"
