"""The web form driven as a person uses it, in headless Chromium against a real `gazette serve`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docx
import pytest

from service.pipeline.confidence import LOW
from tests.web.conftest import MAX_CHARS, snap

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.eval_data


def run_and_wait(page: Any) -> None:
    page.press("#text", "Control+Enter")  # the keyboard path; the button is tested elsewhere
    # The final render (a streamed run shows a live document first, rows added as they come).
    page.wait_for_selector("#result:not([hidden]) .document:not(.live)", timeout=120_000)


def downloaded_json(page: Any) -> Any:
    with page.expect_download() as download:
        page.click("#download-json")
    return json.loads(Path(download.value.path()).read_text(encoding="utf-8"))


def test_seed_translated_and_summarized_as_aligned_rows(page: Any, viewport: str, seed_text: str) -> None:
    page.fill("#text", seed_text)
    page.check('input[name="task"][value="both"]')
    run_and_wait(page)
    snap(page, "seed-result", viewport)

    answer = downloaded_json(page)["documents"][0]
    rows = page.locator(".row[data-segment]")
    assert rows.count() == 32
    assert [rows.nth(i).get_attribute("data-segment") for i in range(32)] == [
        segment["id"] for segment in answer["segments"]
    ]
    first = answer["segments"][0]
    assert page.text_content('.row[data-segment="p1.s1"] .as-received') == first["source"]
    assert page.text_content('.row[data-segment="p1.s1"] .translated-text') == first["translation"]
    paragraphs = {segment["paragraph"] for segment in answer["segments"]}
    assert page.locator(".paragraph").count() == len(paragraphs)
    assert "task=both" in page.url

    # Each row shows its own warnings, code and message.
    on_rows = [w for w in answer["warnings"] if w.get("segment")]
    assert on_rows, "the tiny model's noise always draws warnings"
    shown = page.locator(".row-warnings .warning")
    assert shown.count() == len(on_rows)
    warned = on_rows[0]
    row_text = page.text_content(f'.row[data-segment="{warned["segment"]}"] .row-warnings')
    assert warned["code"] in row_text and warned["message"] in row_text

    # Bullets with their origin and one chip each carrying every cited segment.
    bullets = page.locator(".bullet")
    assert bullets.count() == len(answer["bullets"]) > 0
    for index, bullet in enumerate(answer["bullets"]):
        item = bullets.nth(index)
        assert item.locator(".bullet-text").text_content() == bullet["text"]
        assert item.locator(".chip").get_attribute("data-cites") == " ".join(bullet["sources"])
        assert item.locator(".origin").get_attribute("data-origin") == bullet["origin"]
    assert "Source language zh, confidence" in page.text_content(".doc-meta")


def test_a_citation_chip_highlights_and_scrolls_to_its_rows(page: Any, viewport: str, seed_text: str) -> None:
    page.fill("#text", seed_text)
    page.check('input[name="task"][value="both"]')
    run_and_wait(page)
    chip = page.locator(".bullets .chip").last
    cited = chip.get_attribute("data-cites").split(" ")
    chip.click()
    expect(page.locator(".row.cited").first).to_be_focused()
    highlighted = page.locator(".row.cited")
    assert [highlighted.nth(i).get_attribute("data-segment") for i in range(highlighted.count())] == cited
    # The first cited row is brought into view (after a smooth scroll).
    expect(page.locator(f'.row[data-segment="{cited[0]}"]')).to_be_in_viewport()
    snap(page, "citation", viewport)


def test_rows_side_by_side_on_a_desktop_and_stacked_on_a_phone(page: Any, viewport: str) -> None:
    page.fill("#text", "廈門同安區質(zhì)量強區大會召開。區長周桂良出席會議。")
    page.click("#run")
    page.wait_for_selector(".row[data-segment]")
    # Both boxes read at one instant: the page may still be scrolling to the result.
    source, translation = page.locator(".row").first.evaluate(
        """row => ['.source', '.translation'].map(part => {
               const box = row.querySelector(part).getBoundingClientRect();
               return {x: box.x, y: box.y, width: box.width, height: box.height}; })"""
    )
    if viewport == "desktop":
        assert translation["x"] > source["x"] + source["width"] - 1
        assert abs(translation["y"] - source["y"]) < 1
    else:
        assert translation["y"] >= source["y"] + source["height"] - 1
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_oversized_paste_shows_the_413_beside_the_input_and_keeps_it(page: Any, viewport: str) -> None:
    too_long = "同安区召开质量强区大会。" * (MAX_CHARS // 12 + 1)
    page.fill("#text", too_long)
    assert "too long" in page.text_content("#counter")
    page.click("#run")
    alert = page.locator('[role="alert"]')
    alert.locator("p").wait_for()
    assert "Too large" in alert.text_content() and str(MAX_CHARS) in alert.text_content()
    assert page.input_value("#text") == too_long
    assert page.locator("#result").is_hidden()
    snap(page, "too-large", viewport)


def _seed_docx(seed_text: str, path: Path) -> int:
    document = docx.Document()
    lines = [line for line in seed_text.splitlines() if line.strip()]
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return len(lines)


def test_a_docx_upload_runs_as_a_job_to_its_download(
    page: Any, viewport: str, seed_text: str, tmp_path: Path
) -> None:
    paragraphs = _seed_docx(seed_text, tmp_path / "seed.docx")
    page.set_input_files("#files", str(tmp_path / "seed.docx"))
    page.click("#run")
    page.locator("#job").wait_for()
    assert page.locator("#job-progress").is_visible()
    snap(page, "job-running", viewport)
    page.locator(".file-download").wait_for(timeout=120_000)
    assert page.eval_on_selector("#job-progress", "bar => bar.value") == 1
    assert page.text_content("#job-status").startswith("done: 1 of 1 items done")
    assert page.locator("#job-cancel").is_hidden()
    assert "job=" in page.url
    assert page.locator(".row[data-segment]").count() == 32
    snap(page, "job-done", viewport)

    with page.expect_download() as download:
        page.click(".file-download")
    assert download.value.suggested_filename == "seed.docx"
    english = docx.Document(download.value.path())
    assert len([p for p in english.paragraphs if p.text.strip()]) == paragraphs

    page.reload()  # the address alone brings the finished job back
    page.locator(".row[data-segment]").first.wait_for()
    assert page.locator(".row[data-segment]").count() == 32


ERRORS = {
    429: ("overloaded", "the queue is full", {"Retry-After": "7"}, "Try again in 7 s"),
    503: ("not_ready", "models are still loading", {"Retry-After": "5"}, "The models are not ready"),
    504: ("timeout", "no answer in 300 s", {}, "stopped waiting"),
    422: ("invalid_request", "source_lang: bad code", {}, "refused"),
}


@pytest.mark.parametrize("status", list(ERRORS))
def test_server_errors_appear_inline_and_the_text_stays(page: Any, viewport: str, status: int) -> None:
    code, message, headers, advice = ERRORS[status]
    body = json.dumps({"error": {"code": code, "message": message}})
    page.route(
        "**/v1/translate",
        lambda route: route.fulfill(
            status=status, body=body, headers=headers, content_type="application/json"
        ),
    )
    page.fill("#text", "同安区召开质量强区大会。")
    page.click("#run")
    alert = page.locator('[role="alert"] p')
    alert.wait_for()
    assert message in alert.text_content() and advice in alert.text_content()
    assert page.input_value("#text") == "同安区召开质量强区大会。"
    assert page.is_enabled("#run")
    if status == 429:
        snap(page, "busy", viewport)


def test_low_confidence_rows_are_marked_with_a_title_saying_why(page: Any, viewport: str) -> None:
    page.fill("#text", "厦门市同安区委副书记参加会议。\n质量强区大会召开。高技术产业增加值增长24.5%。")
    run_and_wait(page)
    answer = downloaded_json(page)["documents"][0]
    marked = 0
    for segment in answer["segments"]:
        row = page.locator(f'.row[data-segment="{segment["id"]}"]')
        confidence = segment["confidence"]
        assert 0.0 <= confidence <= 1.0
        assert float(row.get_attribute("data-confidence")) == pytest.approx(confidence)
        low = confidence < LOW
        assert ("low-confidence" in row.get_attribute("class").split()) == low
        assert row.locator(".confidence-low").count() == (1 if low else 0)
        if low:
            marked += 1
            title = row.locator(".confidence-low").get_attribute("title")
            assert title.startswith(f"Low confidence ({confidence:.2f} of 1)")
            own = [w["code"] for w in answer["warnings"] if w.get("segment") == segment["id"]]
            assert all(code in title for code in own)
    assert marked, "the tiny model's noise is never confident"
