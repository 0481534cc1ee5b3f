"""`GET /` and its assets, without a browser: what the page is rendered with, and the headers it is sent
with."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.settings import Settings
from service.web.form import STATIC, asset_versions
from tests.api.conftest import running_app


@pytest.fixture
def client(tiny_settings: Settings) -> Iterator[TestClient]:
    with running_app(tiny_settings) as ready:
        yield ready


def test_the_page_carries_the_limits_the_languages_and_the_noise_notice(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.text
    assert 'data-max-chars="100000"' in page and 'data-job-chars="5000"' in page
    assert '<option value="zh">' in page
    assert 'id="noise-notice"' in page and "random weights" in page
    assert 'id="api-key"' not in page  # no keys configured, no key field
    assert 'role="alert"' in page


def test_the_page_is_sent_with_a_policy_that_runs_only_its_own_scripts(client: TestClient) -> None:
    headers = client.get("/").headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy  # no other site may frame the page (clickjacking)
    assert headers["x-content-type-options"] == "nosniff"


def test_every_asset_the_page_names_is_served_from_the_app(client: TestClient) -> None:
    page = client.get("/").text
    named = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert {path.split("?")[0].rsplit("/", 1)[1] for path in named} == {"form.css", "form.js"}
    for path in named:
        assert client.get(path).status_code == 200
    # form.js imports its siblings by relative path: each of them is served too, and none from elsewhere.
    for script in STATIC.glob("*.js"):
        text = script.read_text(encoding="utf-8")
        for imported in re.findall(r'from "(\S+)"', text):
            assert imported.startswith("./"), imported
            assert client.get(f"/static/{imported[2:]}").status_code == 200
        assert "http://" not in text and "https://" not in text  # no CDN, no outside calls
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text  # text goes in as text


def test_asset_urls_change_with_their_content(tmp_path: Path) -> None:
    (tmp_path / "form.js").write_text("one", encoding="utf-8")
    before = asset_versions(tmp_path)
    (tmp_path / "form.js").write_text("two", encoding="utf-8")
    assert asset_versions(tmp_path)["form.js"] != before["form.js"]


def test_a_server_with_keys_asks_for_one_and_still_serves_the_page(tiny_settings: Settings) -> None:
    keyed = tiny_settings.model_copy(update={"api_keys": ["sesame"]})
    with running_app(keyed) as client:
        page = client.get("/")
        assert page.status_code == 200 and 'id="api-key"' in page.text
        assert client.post("/v1/translate", json={"text": "同安区。"}).status_code == 401


def test_the_page_is_not_part_of_the_api_description(client: TestClient) -> None:
    assert "/" not in client.get("/openapi.json").json()["paths"]


def test_the_page_marks_rows_below_the_services_own_low_confidence() -> None:
    """render.js keeps its own copy of the threshold (it has no other way to know it): the same number."""
    from service.pipeline.confidence import LOW

    script = (STATIC / "render.js").read_text(encoding="utf-8")
    found = re.search(r"const LOW_CONFIDENCE = ([0-9.]+);", script)
    assert found and float(found.group(1)) == LOW
