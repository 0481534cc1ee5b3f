"""`POST /translate_file` and `GET /download_file/{name}`: files become jobs, translations their files."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import docx
from fastapi.testclient import TestClient

from tests.api.conftest import running_app
from tests.compat.conftest import settings_for
from tests.wrappers import WatchAll

FIELDS = {"source": "zh", "target": "en"}


def translate_file(client: TestClient, name: str, data: bytes, **fields: str) -> str:
    response = client.post("/translate_file", data={**FIELDS, **fields}, files={"file": (name, data)})
    assert response.status_code == 200, response.text
    url: str = response.json()["translatedFileUrl"]
    return url


def test_a_text_file_comes_back_translated_in_its_layout(marked: TestClient) -> None:
    url = translate_file(marked, "通知.txt", "第一行。\n\n第二行。第二句。\n".encode())
    assert url.startswith("http://testserver/download_file/")
    assert unquote(url).endswith("-通知.txt")
    download = marked.get(url)
    assert download.status_code == 200, download.text
    assert download.text == "EN:第一行。\n\nEN:第二行。 EN:第二句。\n"
    assert download.headers["content-type"].startswith("text/plain")
    assert "filename*=UTF-8''%E9%80%9A%E7%9F%A5.txt" in download.headers["content-disposition"]


def test_a_docx_file_keeps_its_styles_and_tables(marked: TestClient) -> None:
    document = docx.Document()
    document.add_heading("国务院常务会议", level=1)
    document.add_paragraph("会议讨论了经济。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "左边。", "右边。"
    packed = io.BytesIO()
    document.save(packed)
    url = translate_file(marked, "report.docx", packed.getvalue(), source="auto")
    download = marked.get(url)
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    translated = docx.Document(io.BytesIO(download.content))
    assert [p.text for p in translated.paragraphs] == ["EN:State Council常务会议", "EN:会议讨论了经济。"]
    style = translated.paragraphs[0].style
    assert style is not None and style.name == "Heading 1"
    cells = [cell.text for cell in translated.tables[0].rows[0].cells]
    assert cells == ["EN:左边。", "EN:右边。"]


def test_file_errors(client: TestClient) -> None:
    def error(response: Any, status: int) -> str:
        assert response.status_code == status, response.text
        message: str = response.json()["error"]
        return message

    odt = client.post("/translate_file", data=FIELDS, files={"file": ("a.odt", b"PK")})
    assert error(odt, 400) == "Invalid request: file format not supported"
    assert (
        error(client.post("/translate_file", data=FIELDS), 400) == "Invalid request: missing file parameter"
    )
    french = client.post("/translate_file", data={**FIELDS, "target": "fr"}, files={"file": ("a.txt", b"x")})
    assert error(french, 400) == "fr is not supported"
    empty = client.post("/translate_file", data=FIELDS, files={"file": ("a.txt", b"\n \n")})
    assert error(empty, 400) == "Invalid request: the file has no text to translate"
    assert "no such file" in error(client.get("/download_file/0123abcd-a.txt"), 404)
    assert error(client.get("/download_file/nothing"), 400) == "Invalid filename"


def test_a_file_still_being_translated_is_not_found_until_it_is(
    tiny_marian_dir: Path, tmp_path: Path
) -> None:
    """The job outlasts the request's time: the URL is answered anyway, and it works once the job is done."""
    gate = threading.Event()
    settings = settings_for(tiny_marian_dir, tmp_path, request_timeout=0.5)
    with running_app(settings, wrap_backend=WatchAll(gate)) as client:
        url = translate_file(client, "slow.txt", "慢慢翻译。".encode())
        waiting = client.get(url)
        assert waiting.status_code == 404 and waiting.json() == {"error": "slow.txt: not translated yet"}
        gate.set()
        deadline = time.monotonic() + 30
        while (download := client.get(url)).status_code != 200:
            assert time.monotonic() < deadline, download.text
            time.sleep(0.05)
        assert download.text.strip()


def test_without_a_job_store_files_are_not_taken(tiny_marian_dir: Path, tmp_path: Path) -> None:
    with running_app(settings_for(tiny_marian_dir, tmp_path), run_jobs=False) as client:
        settings = client.get("/frontend/settings").json()
        assert settings["filesTranslation"] is False and settings["supportedFilesFormat"] == []
        refused = client.post("/translate_file", data=FIELDS, files={"file": ("a.txt", "你好。".encode())})
        assert refused.status_code == 403
        assert refused.json() == {"error": "Files translation are disabled on this server."}
