"""The jobs API end to end: the real app, the tiny model, jobs stored in SQLite and run at bulk priority."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from html import escape
from typing import Any

import docx
import lxml.html
import pytest
from fastapi.testclient import TestClient

from service.settings import Settings
from tests.api.conftest import running_app

SENTENCES = [f"同安区第{n}次会议在厦门召开。" for n in range(12)]


@pytest.fixture
def jobs_client(tiny_settings: Settings) -> Iterator[TestClient]:
    settings = tiny_settings.model_copy(update={"max_job_items": 50, "max_jobs_queued": 3})
    with running_app(settings) as client:
        yield client


def wait_for(client: TestClient, job_id: str, states: tuple[str, ...] = ("done", "failed")) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in states:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def results(client: TestClient, job_id: str, after: str | None = None) -> list[dict[str, Any]]:
    response = client.get(f"/v1/jobs/{job_id}/results", params={"after": after} if after else None)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def paragraphs(record: dict[str, Any]) -> list[str]:
    """A record's English, paragraph by paragraph."""
    found: dict[int, list[str]] = {}
    for segment in record["segments"]:
        found.setdefault(segment["paragraph"], []).append(segment["translation"])
    return [" ".join(found[number]) for number in sorted(found)]


def test_a_json_job_is_stored_run_and_its_results_match_translate(jobs_client: TestClient) -> None:
    items = [{"id": f"a{n}", "text": text} for n, text in enumerate(SENTENCES[:4])] + [{"text": SENTENCES[4]}]
    response = jobs_client.post("/v1/jobs", json={"task": "translate", "items": items, "source_lang": "zh"})
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["items"]["total"] == 5 and job["state"] in ("queued", "running", "done")
    done = wait_for(jobs_client, job["id"])
    assert (done["state"], done["items"]["done"], done["items"]["failed"]) == ("done", 5, 0)
    assert done["seconds"] > 0 and done["started"] and done["finished"]
    lines = results(jobs_client, job["id"])
    assert [line["id"] for line in lines] == ["a0", "a1", "a2", "a3", "4"]
    direct = jobs_client.post("/v1/translate", json={"text": SENTENCES[2], "source_lang": "zh"}).json()
    document = direct["documents"][0]
    assert lines[2]["translation"] == document["translation"]
    assert lines[2]["segments"] == document["segments"]
    assert all(0 <= segment["confidence"] <= 1 for segment in lines[2]["segments"])  # kept in the record
    assert [line["id"] for line in results(jobs_client, job["id"], after="a2")] == ["a3", "4"]


def test_summarize_and_both_carry_bullets(jobs_client: TestClient) -> None:
    text = "\n".join(SENTENCES[:6])
    for task in ("summarize", "both"):
        job = jobs_client.post(
            "/v1/jobs", json={"task": task, "items": [{"text": text}], "bullets": 2}
        ).json()
        assert wait_for(jobs_client, job["id"])["state"] == "done"
        [line] = results(jobs_client, job["id"])
        assert line["error"] is None and isinstance(line["bullets"], list)
        assert (line["translation"] is None) == (task == "summarize")


def test_an_idempotency_key_returns_the_same_job(jobs_client: TestClient) -> None:
    body = {"items": [{"text": SENTENCES[0]}]}
    first = jobs_client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "abc"})
    again = jobs_client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "abc"})
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = jobs_client.post(
        "/v1/jobs", json={"items": [{"text": "别的"}]}, headers={"Idempotency-Key": "abc"}
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"items": [{"text": "一"}] * 51}, 413, "payload_too_large"),
        ({"items": []}, 422, "invalid_request"),
        ({"items": [{"text": "一", "id": "x"}, {"text": "二", "id": "x"}]}, 422, "invalid_request"),
        ({"items": [{"text": "一"}], "task": "poem"}, 422, "invalid_request"),
    ],
)
def test_bad_or_too_large_submissions_get_the_one_error_body(
    jobs_client: TestClient, body: dict[str, Any], status: int, code: str
) -> None:
    response = jobs_client.post("/v1/jobs", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_other_media_types_unknown_jobs_and_unready_files_are_refused(jobs_client: TestClient) -> None:
    assert (
        jobs_client.post("/v1/jobs", content=b"x", headers={"content-type": "text/plain"}).status_code == 415
    )
    missing = jobs_client.get("/v1/jobs/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert jobs_client.delete("/v1/jobs/nope").status_code == 404
    assert jobs_client.get("/v1/jobs/nope/results").status_code == 404
    upload = {"files": ("a.odt", b"PK", "application/vnd.oasis.opendocument.text")}
    assert jobs_client.post("/v1/jobs", files=upload).json()["error"]["code"] == "unsupported_media_type"


def test_jobs_are_listed_newest_first_in_pages(jobs_client: TestClient) -> None:
    made = [jobs_client.post("/v1/jobs", json={"items": [{"text": t}]}).json()["id"] for t in SENTENCES[:3]]
    page = jobs_client.get("/v1/jobs", params={"limit": 2}).json()
    assert [job["id"] for job in page["jobs"]] == made[::-1][:2]
    rest = jobs_client.get("/v1/jobs", params={"limit": 2, "before": page["next_before"]}).json()
    assert [job["id"] for job in rest["jobs"]] == made[:1]


def test_cancel_marks_what_has_not_run(jobs_client: TestClient) -> None:
    items = [{"text": "\n".join(SENTENCES)} for _ in range(40)]
    job = jobs_client.post("/v1/jobs", json={"items": items}).json()
    wait_for(jobs_client, job["id"], ("running",))
    cancelled = jobs_client.delete(f"/v1/jobs/{job['id']}").json()
    assert cancelled["state"] == "cancelled"
    # The runner takes jobs in order: one submitted now is done only once the cancelled one's items in
    # flight are, so by then the runner has done all it will ever do of it.
    later = jobs_client.post("/v1/jobs", json={"items": [{"text": SENTENCES[0]}]}).json()
    wait_for(jobs_client, later["id"])
    after = jobs_client.get(f"/v1/jobs/{job['id']}").json()
    assert after["state"] == "cancelled"
    counts = after["items"]
    assert counts["done"] + counts["failed"] + counts["cancelled"] == 40
    # At most the items in flight at the cancel (GAZETTE_JOB_CONCURRENCY) were finished after it.
    finished_at_cancel = cancelled["items"]["done"] + cancelled["items"]["failed"]
    assert counts["done"] + counts["failed"] - finished_at_cancel <= Settings().job_concurrency
    assert counts["cancelled"] >= 40 - finished_at_cancel - Settings().job_concurrency


def test_uploaded_files_come_back_translated_in_their_own_format(jobs_client: TestClient) -> None:
    page = "<html lang='zh'><body><h1>同安区会议</h1><p>会议在<b>厦门</b>召开。</p><script>var a='同安';</script></body></html>"
    document = docx.Document()
    document.add_heading("同安区会议", level=1)
    document.add_paragraph(SENTENCES[0])
    table = document.add_table(rows=2, cols=2)
    for n, cell in enumerate(table._cells):
        cell.text = SENTENCES[n + 1]
    packed = io.BytesIO()
    document.save(packed)
    files = [
        ("files", ("notes.txt", "\n".join(SENTENCES[:3]).encode(), "text/plain")),
        ("files", ("page.html", page.encode(), "text/html")),
        ("files", ("report.docx", packed.getvalue(), "application/octet-stream")),
        ("files", ("more.jsonl", b'{"id": "j1", "text": "\\u4e00"}\n', "application/json")),
    ]
    submitted = jobs_client.post("/v1/jobs", files=files, data={"task": "translate", "source_lang": "zh"})
    assert submitted.status_code == 202, submitted.text
    job = submitted.json()
    assert sorted(job["files"]) == ["notes.txt", "page.html", "report.docx"]
    assert wait_for(jobs_client, job["id"])["items"] == {"total": 4, "done": 4, "failed": 0, "cancelled": 0}
    lines = {line["id"]: line for line in results(jobs_client, job["id"])}
    assert list(lines) == ["notes.txt", "page.html", "report.docx", "j1"]
    english = {name: paragraphs(lines[name]) for name in ("notes.txt", "page.html", "report.docx")}
    text = jobs_client.get(f"/v1/jobs/{job['id']}/files/notes.txt")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert text.text.splitlines() == english["notes.txt"]
    html = jobs_client.get(f"/v1/jobs/{job['id']}/files/page.html").text
    assert "<b>" in html and "var a='同安';" in html and 'lang="en"' in html
    # A sentence across inline markup is one line (issue 27): the heading and the paragraph; the page's
    # text holds each line's English whole, whatever tags were put back inside it.
    page_text = " ".join(lxml.html.fromstring(html).text_content().split())
    assert len(english["page.html"]) == 2 and all(
        " ".join(part.split()) in page_text for part in english["page.html"]
    )
    translated = docx.Document(io.BytesIO(jobs_client.get(f"/v1/jobs/{job['id']}/files/report.docx").content))
    assert len(translated.tables) == 1 and len(translated.tables[0].rows) == 2
    style = translated.paragraphs[0].style
    assert style is not None and style.name == "Heading 1"
    assert translated.paragraphs[0].text == english["report.docx"][0]
    assert translated.tables[0].cell(1, 1).text == english["report.docx"][-1]
    assert jobs_client.get(f"/v1/jobs/{job['id']}/files/other.txt").status_code == 404


def test_too_many_jobs_at_once_is_429(jobs_client: TestClient) -> None:
    slow = {"items": [{"text": "\n".join(SENTENCES)} for _ in range(40)]}
    codes = [jobs_client.post("/v1/jobs", json=slow).status_code for _ in range(4)]
    assert codes[:3] == [202, 202, 202]
    assert codes[3] == 429


def test_a_person_is_answered_within_a_batch_or_two_while_a_job_runs(jobs_client: TestClient) -> None:
    """The engine's interactive bound: bulk work delays an interactive item by at most the batch already
    running, so one sentence sent mid-job waits for that batch and its own, not for the job."""
    engine = jobs_client.app.state.gazette.engine  # type: ignore[attr-defined]
    batches: list[float] = []
    engine.on_batch(lambda items, tokens, seconds: batches.append(seconds))
    job = jobs_client.post("/v1/jobs", json={"items": [{"text": "\n".join(SENTENCES)}] * 40}).json()
    wait_for(jobs_client, job["id"], ("running",))
    while len(batches) < 3:
        time.sleep(0.01)
    started = time.monotonic()
    response = jobs_client.post("/v1/translate", json={"text": "区长周桂良参加会议。", "source_lang": "zh"})
    latency = time.monotonic() - started
    assert response.status_code == 200
    assert jobs_client.get(f"/v1/jobs/{job['id']}").json()["state"] == "running", "the job outlived it"
    longest = max(batches)
    print(f"one sentence mid-job: {latency:.2f} s; longest batch {longest:.2f} s of {len(batches)}")
    assert latency <= 2 * longest + 1.0, (latency, longest)
    jobs_client.delete(f"/v1/jobs/{job['id']}")


def test_a_bad_glossary_field_or_repeated_ids_across_files_are_422(jobs_client: TestClient) -> None:
    upload = [("files", ("a.txt", "第一句。".encode(), "text/plain"))]
    bad = jobs_client.post("/v1/jobs", files=upload, data={"glossary": "{not json"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    twice = [
        ("files", ("x.jsonl", b'{"id": "a", "text": "\\u4e00"}\n', "application/json")),
        ("files", ("y.jsonl", b'{"id": "a", "text": "\\u4e8c"}\n', "application/json")),
    ]
    repeated = jobs_client.post("/v1/jobs", files=twice)
    assert repeated.status_code == 422 and "unique" in repeated.json()["error"]["message"]


def test_the_seed_as_docx_with_a_table_and_as_html_comes_back_in_its_own_format(
    jobs_client: TestClient, seed_text: str
) -> None:
    lines = [line.strip() for line in seed_text.splitlines() if line.strip()]
    document = docx.Document()
    document.add_heading(lines[0], level=1)
    for line in lines[1:-2]:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = lines[-2], lines[-1]
    packed = io.BytesIO()
    document.save(packed)
    page = "<!DOCTYPE html><html lang='zh'><body>" + "".join(f"<p>{escape(line)}</p>" for line in lines)
    files = [
        ("files", ("seed.docx", packed.getvalue(), "application/octet-stream")),
        ("files", ("seed.html", (page + "</body></html>").encode(), "text/html")),
    ]
    job = jobs_client.post("/v1/jobs", files=files, data={"source_lang": "zh"}).json()
    assert wait_for(jobs_client, job["id"])["items"]["done"] == 2
    english = {line["id"]: paragraphs(line) for line in results(jobs_client, job["id"])}
    assert len(english["seed.docx"]) == len(english["seed.html"]) == len(lines) == 14

    translated = docx.Document(io.BytesIO(jobs_client.get(f"/v1/jobs/{job['id']}/files/seed.docx").content))
    style = translated.paragraphs[0].style
    assert style is not None and style.name == "Heading 1"
    assert [p.text for p in translated.paragraphs] == english["seed.docx"][:-2]
    assert [cell.text for cell in translated.tables[0].rows[0].cells] == english["seed.docx"][-2:]

    html = jobs_client.get(f"/v1/jobs/{job['id']}/files/seed.html").text
    assert html.count("<p>") == 14 and 'lang="en"' in html
    assert all(f"<p>{escape(part, quote=False)}</p>" in html for part in english["seed.html"])


def test_deleting_a_finished_job_deletes_it_and_its_files(jobs_client: TestClient) -> None:
    upload = {"files": ("notice.txt", SENTENCES[0].encode())}
    job_id = jobs_client.post("/v1/jobs", data={"task": "translate"}, files=upload).json()["id"]
    wait_for(jobs_client, job_id)
    deleted = jobs_client.delete(f"/v1/jobs/{job_id}")
    assert deleted.status_code == 204 and deleted.content == b""
    for path in ("", "/results", "/files/notice.txt"):
        assert jobs_client.get(f"/v1/jobs/{job_id}{path}").status_code == 404
    assert jobs_client.delete(f"/v1/jobs/{job_id}").status_code == 404
    assert job_id not in {job["id"] for job in jobs_client.get("/v1/jobs").json()["jobs"]}
