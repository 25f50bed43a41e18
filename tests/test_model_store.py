"""Assembling the packaged model: order, hash check, cache, and a clear error when parts are missing."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from briefing.backends import model_store
from briefing.backends.model_store import ModelSpec
from briefing.errors import ConfigError


def _fake_parts(root: Path, prefix: str, chunks: list[bytes]) -> None:
    """Install part packages the way the real wheels lay them out: <module>/data/partNN.bin."""
    for i, chunk in enumerate(chunks, 1):
        package = root / f"{prefix}{i}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{i:02d}.bin").write_bytes(chunk)


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModelSpec:
    chunks = [b"GGUF" + b"a" * 1000, b"b" * 1000, b"c" * 17]
    _fake_parts(tmp_path / "site", "fake_model_part", chunks)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    whole = b"".join(chunks)
    fake = ModelSpec("fake-model", "fake-model-part", "1.0", 3, len(whole), hashlib.sha256(whole).hexdigest())
    monkeypatch.setitem(model_store.MODELS, fake.name, fake)
    return fake


def test_parts_are_joined_in_order_and_verified(spec: ModelSpec, tmp_path: Path) -> None:
    path = model_store.ensure_model(spec.name)
    assert path == tmp_path / "cache" / "models" / "fake-model.gguf"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == spec.sha256
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no temp files


def test_a_verified_cache_is_not_rebuilt(spec: ModelSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    model_store.ensure_model(spec.name)
    monkeypatch.setattr(model_store, "assemble", lambda *a, **k: pytest.fail("assembled twice"))
    model_store.ensure_model(spec.name)


def test_a_changed_cache_file_is_rebuilt(spec: ModelSpec) -> None:
    path = model_store.ensure_model(spec.name)
    path.write_bytes(b"GGUF tampered")
    assert hashlib.sha256(model_store.ensure_model(spec.name).read_bytes()).hexdigest() == spec.sha256


def test_a_hash_mismatch_is_refused_and_leaves_nothing(spec: ModelSpec, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setitem(model_store.MODELS, spec.name, ModelSpec(spec.name, spec.dist_prefix, "1.0", 3, spec.size,
                                                                 "0" * 64))
    with pytest.raises(ConfigError, match="does not match its pinned sha256"):
        model_store.ensure_model(spec.name)
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_missing_parts_name_both_fixes(spec: ModelSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(model_store.MODELS, spec.name, ModelSpec(spec.name, spec.dist_prefix, "1.0", 4, 1, "0" * 64))
    with pytest.raises(ConfigError, match=r"briefing\[local\].*--base-url"):
        model_store.ensure_model(spec.name)


def test_the_pins_match_pyproject() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    extras = pyproject["project"]["optional-dependencies"]
    default = model_store.MODELS[model_store.DEFAULT_MODEL]
    assert set(default.requirements()) <= set(extras["local"])


def test_a_hub_model_is_downloaded_through_huggingface_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The download is stubbed (no hub is reachable here); the real call's arguments are checked."""
    import types

    from briefing.backends import BackendSettings, make_backend
    from briefing.backends.local import LocalBackend

    calls = []

    def hf_hub_download(repo_id: str, filename: str) -> str:
        calls.append((repo_id, filename))
        path = tmp_path / "hub" / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"GGUF" + b"\0" * 64)
        return str(path)

    monkeypatch.setitem(sys.modules, "huggingface_hub", types.SimpleNamespace(hf_hub_download=hf_hub_download))
    backend = make_backend(BackendSettings(hf_model="Qwen/Qwen2.5-3B-Instruct-GGUF/q4_k_m.gguf"))
    assert calls == [("Qwen/Qwen2.5-3B-Instruct-GGUF", "q4_k_m.gguf")]
    assert isinstance(backend, LocalBackend) and backend.model == "q4_k_m.gguf"


def test_hub_model_errors_are_configuration_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    def offline(repo_id: str, filename: str) -> str:
        raise OSError("no network")

    with pytest.raises(ConfigError, match="OWNER/REPO/FILE.gguf"):
        model_store.from_hub("just-a-name")
    monkeypatch.setitem(sys.modules, "huggingface_hub", types.SimpleNamespace(hf_hub_download=offline))
    with pytest.raises(ConfigError, match="download failed .OSError: no network"):
        model_store.from_hub("a/b/c.gguf")
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    with pytest.raises(ConfigError, match=r"pip install 'briefing\[hub\]'"):
        model_store.from_hub("a/b/c.gguf")
