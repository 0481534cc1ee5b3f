"""`gazette keys add|list|revoke` against a running `gazette serve` (its own process): a key added works
at once, is listed with what it used, and once revoked is refused from the next request on."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from service.cli import main
from tests.serving import serving

TEXT = "国务院召开会议。"


def keys(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["keys", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_keys_are_added_listed_and_revoked_on_a_running_server(
    tiny_marian_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GAZETTE_MODEL_CACHE", str(tmp_path))  # the server's GAZETTE_DB, as it finds it
    with serving(tiny_marian_dir, tmp_path) as (url, _):
        anonymous = httpx.post(f"{url}/v1/translate", json={"text": TEXT}, timeout=60)
        assert anonymous.status_code == 200  # no key anywhere yet: one tenant, anonymous

        code, key, _ = keys(capsys, "add", "acme", "--quota", "100", "--rate", "600")
        key = key.strip()
        assert code == 0 and len(key) >= 40
        assert "acme" not in key and key not in (tmp_path / "jobs.sqlite3").read_bytes().decode("latin-1")
        bearer = {"Authorization": f"Bearer {key}"}
        served = httpx.post(f"{url}/v1/translate", json={"text": TEXT}, headers=bearer, timeout=60)
        assert served.status_code == 200, served.text
        assert httpx.get(f"{url}/v1/usage", headers=bearer).json() == {
            "tenant": "acme", "characters_used": len(TEXT), "characters_reserved": 0, "character_limit": 100,
            "rate_limit": 600,
        }  # fmt: skip
        # A key exists now: the service wants one.
        assert httpx.post(f"{url}/v1/translate", json={"text": TEXT}, timeout=60).status_code == 401
        assert keys(capsys, "add", "acme")[0] == 2  # one active key a name

        code, listing, _ = keys(capsys, "list")
        header, row = listing.splitlines()
        assert header.split() == ["NAME", "QUOTA", "RATE", "USED", "CREATED", "LAST", "USED", "REVOKED"]
        assert row.split()[:4] == ["acme", "100", "600", str(len(TEXT))] and row.endswith("-")

        assert keys(capsys, "revoke", "acme")[:2] == (0, "revoked acme\n")
        refused = httpx.post(f"{url}/v1/translate", json={"text": TEXT}, headers=bearer, timeout=60)
        assert refused.status_code == 401  # the next request, without a restart
        assert keys(capsys, "revoke", "acme")[0] == 1
        assert keys(capsys, "list")[1].splitlines()[1].split()[-2:] != ["-"]
