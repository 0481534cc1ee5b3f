"""Fixtures of the eval tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import eval.runner


@pytest.fixture
def prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A prompts/ folder of one template, where the runner looks for the model's templates."""
    folder = tmp_path / "prompts"
    (folder / "fam").mkdir(parents=True)
    (folder / "fam" / "translate.v1.toml").write_text('system = "Translate."\n', encoding="utf-8")
    monkeypatch.setattr(eval.runner, "default_prompts_dir", lambda: folder)
    return folder
