"""No URL in any input is ever fetched, whatever the API and the format: a local server that records
every request it gets is named in text, markup, entities and uploads, and must hear nothing."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient

from service.settings import Settings
from tests.api.conftest import running_app


@pytest.fixture(scope="module")
def client(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        profile="tiny",
        translate_model=str(tiny_marian_dir),
        model_cache=tmp_path_factory.mktemp("cache"),
        num_beams=1,
    )
    with running_app(settings) as ready:
        yield ready


def linked_docx(url: str) -> bytes:
    document = docx.Document()
    paragraph = document.add_paragraph(f"详见{url}/docx-text。")
    part = document.part
    # An external hyperlink and an external (linked, not embedded) relationship: Word would follow them.
    part.relate_to(f"{url}/docx-link", docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    paragraph.add_run("链接")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_urls_in_every_kind_of_input_are_never_fetched(
    client: TestClient, listener: tuple[str, list[str]]
) -> None:
    url, hits = listener
    page = (
        f'<html><head><link rel="stylesheet" href="{url}/css"><script src="{url}/js"></script></head>'
        f'<body><img src="{url}/img"><iframe src="{url}/frame"></iframe><p>国务院 {url}/p 会议。</p></body></html>'
    )
    xml = f'<!DOCTYPE d [<!ENTITY x SYSTEM "{url}/entity">]><d><p>国务院&x;会议。</p></d>'
    answers = [
        client.post("/v1/translate", json={"text": f"请访问 {url}/v1 了解详情。", "source_lang": "zh"}),
        client.post("/translate", json={"q": page, "source": "zh", "target": "en", "format": "html"}),
        client.post("/v2/translate", data={"text": xml, "target_lang": "EN-GB", "tag_handling": "xml"}),
        client.post("/v2/translate", data={"text": page, "target_lang": "EN-GB", "tag_handling": "html"}),
        client.post(
            "/v1/jobs",
            data={"task": "translate", "source_lang": "zh"},
            files=[
                ("files", ("page.html", page.encode(), "text/html")),
                ("files", ("linked.docx", linked_docx(url), "application/octet-stream")),
            ],
        ),
    ]
    assert [answer.status_code for answer in answers][:2] == [200, 200]
    assert all(answer.status_code < 500 for answer in answers), [a.text for a in answers]
    job = answers[-1].json()["id"]
    deadline = time.monotonic() + 60
    while client.get(f"/v1/jobs/{job}").json()["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert client.get(f"/v1/jobs/{job}/files/linked.docx").status_code == 200
    assert hits == []
