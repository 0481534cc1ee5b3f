from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_environment_variables_with_the_gazette_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAZETTE_PROFILE", "tiny")
    monkeypatch.setenv("GAZETTE_MAX_CHARS", "123")
    monkeypatch.setenv("GAZETTE_API_KEYS", "a, b,")
    monkeypatch.setenv("GAZETTE_MODEL_CACHE", "/tmp/x")
    settings = Settings()
    assert (settings.profile, settings.max_chars, settings.api_keys) == ("tiny", 123, ["a", "b"])
    assert settings.model_cache == Path("/tmp/x")


def test_defaults_follow_the_spec() -> None:
    settings = Settings()
    assert (settings.profile, settings.max_chars, settings.max_items, settings.api_keys) == (
        "auto",
        100000,
        64,
        [],
    )


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAZETTE_PROFILE", "gpt")
    with pytest.raises(ValidationError):
        Settings()


def test_data_dir_setting_wins(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).eval_data() == tmp_path


def test_character_quota_is_unset_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().character_quota is None
    monkeypatch.setenv("GAZETTE_CHARACTER_QUOTA", "500000")
    assert Settings().character_quota == 500_000
    monkeypatch.setenv("GAZETTE_CHARACTER_QUOTA", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_a_database_url_other_than_postgresql_is_a_clear_error_not_a_relative_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GAZETTE_DB", "mysql://gazette@localhost/gazette")
    with pytest.raises(ValidationError, match="a SQLite file's path or a postgresql:// URL, not a mysql://"):
        Settings()
    assert list(tmp_path.iterdir()) == []


def test_gazette_db_takes_a_postgresql_url_or_a_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GAZETTE_DB", "postgresql://gazette@localhost/gazette")
    assert Settings().jobs_db() == "postgresql://gazette@localhost/gazette"
    monkeypatch.setenv("GAZETTE_DB", "data/gazette.sqlite3")
    assert Settings().jobs_db() == "data/gazette.sqlite3"
    assert list(tmp_path.iterdir()) == []  # nothing is made by reading the settings
