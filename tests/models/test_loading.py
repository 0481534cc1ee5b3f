from __future__ import annotations

import time
from pathlib import Path

import pytest

from service.models.backend import ModelUnavailable
from service.models.loading import hub_reachable, resolve_pretrained


def test_a_local_directory_resolves_to_itself(tmp_path: Path) -> None:
    resolved = resolve_pretrained(str(tmp_path), tmp_path / "cache", 1.0)
    assert (resolved.location, resolved.source) == (str(tmp_path), "local")


def test_the_closed_hub_is_unreachable_within_the_timeout() -> None:
    started = time.monotonic()
    assert hub_reachable(2.0) is False
    assert time.monotonic() - started < 3


def test_offline_mode_counts_as_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub_reachable(1.0) is False


def test_a_cached_snapshot_is_used_without_the_hub(tmp_path: Path) -> None:
    # The layout huggingface_hub writes: models--org--name/{refs/main, snapshots/<commit>/...}
    repo = tmp_path / "cache" / "hub" / "models--org--name"
    snapshot = repo / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    resolved = resolve_pretrained("org/name", tmp_path / "cache", 1.0)
    assert resolved.source == "cache"
    assert Path(resolved.location) == snapshot


def test_unknown_hub_id_offline_names_the_remedy(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="qwen-pypi"):
        resolve_pretrained("org/missing", tmp_path, 2.0)
    assert time.monotonic() - started < 5
