"""/v1/memory: a person's correction wins for their tenant, is kept from other tenants, and comes back as TMX."""

from __future__ import annotations

from pathlib import Path

from service.key_store import KeyStore
from service.memory.tmx import read_tmx
from service.settings import Settings
from tests.api.conftest import running_app

SENTENCE = "同安区第2次会议在厦门召开。"


def test_a_correction_wins_for_its_tenant_only_and_is_exported(
    tiny_settings: Settings, tmp_path: Path
) -> None:
    settings = tiny_settings.model_copy(update={"memory": True, "db": tmp_path / "gazette.sqlite3"})
    keys = KeyStore(settings.jobs_db())
    alice, bob = keys.add("alice"), keys.add("bob")
    keys.close()
    as_alice, as_bob = {"x-api-key": alice}, {"x-api-key": bob}
    with running_app(settings) as client:
        made = client.post("/v1/translate", json={"text": SENTENCE}, headers=as_alice).json()
        model_english = made["documents"][0]["translation"]
        saved = client.put(
            "/v1/memory",
            json={"source": SENTENCE, "translation": "Tong'an held its second meeting in Xiamen."},
            headers=as_alice,
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["origin"] == "person"
        mine = client.post("/v1/translate", json={"text": SENTENCE}, headers=as_alice).json()["documents"][0]
        theirs = client.post("/v1/translate", json={"text": SENTENCE}, headers=as_bob).json()["documents"][0]
        exported = client.get("/v1/memory.tmx", headers=as_alice)
        bob_exported = client.get("/v1/memory.tmx", headers=as_bob)
    [segment] = mine["segments"]
    assert segment["translation"] == "Tong'an held its second meeting in Xiamen."
    assert (segment["memory"], segment["memory_origin"]) == (True, "person")
    assert segment["confidence"] == 1.0  # a person's entry is trusted
    assert 0 <= made["documents"][0]["segments"][0]["confidence"] < 1  # the model's is its own
    assert theirs["translation"] == model_english and not theirs["segments"][0]["memory"]
    assert exported.headers["content-type"].startswith("application/x-tmx+xml")
    entries = read_tmx(exported.content, "alice")
    assert ("Tong'an held its second meeting in Xiamen.") in [entry.translation for entry in entries]
    assert "Tong'an held its second" not in bob_exported.text


def test_a_correction_is_refused_when_the_memory_is_off(tiny_settings: Settings) -> None:
    with running_app(tiny_settings.model_copy(update={"memory": False})) as client:
        refused = client.put("/v1/memory", json={"source": SENTENCE, "translation": "x"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "memory_off"
