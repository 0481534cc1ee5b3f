"""The web form streamed, in headless Chromium against a real `gazette serve`: rows arrive one by one, a
correction saved in a row comes back from the memory in the next run, and Cancel stops the server's work."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serving import serving
from tests.web.conftest import VIEWPORTS, snap

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

# One sentence at a time, so that a few dozen sentences take long enough on the tiny model to be seen
# arriving; the memory on (the test suite turns it off elsewhere).
SETTINGS = {"max_batch_size": "1", "num_beams": "1", "memory": "on", "web_job_chars": "20000"}
SENTENCES = "".join(f"同安区第{n}次会议在厦门召开。" for n in range(1, 41))


@pytest.fixture(scope="module")
def slow_server(
    tiny_marian_dir: Path, tiny_bart_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    cache = tmp_path_factory.mktemp("stream-cache")
    with serving(tiny_marian_dir, cache, summarize_dir=tiny_bart_dir, **SETTINGS) as (base, _):
        yield base


@pytest.fixture
def stream_page(browser: Any, slow_server: str) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(f"{slow_server}/")
    yield opened
    context.close()
    assert not errors, errors


def _record_rows(page: Any) -> None:
    """Note, at every change of the results, how many rows there are and whether the answer has ended."""
    page.evaluate(
        """() => {
        window.rowCounts = [];
        new MutationObserver(() => window.rowCounts.push([
            document.querySelectorAll('#documents .row').length,
            document.querySelector('#documents .document:not(.live)') !== null,
        ])).observe(document.getElementById('documents'), {childList: true, subtree: true});
    }"""
    )


def test_rows_arrive_one_by_one_before_the_answer_ends(stream_page: Any) -> None:
    page = stream_page
    _record_rows(page)
    page.fill("#text", SENTENCES)
    page.click("#run")
    page.locator("#documents .row").first.wait_for(timeout=60_000)
    assert page.locator("#stream-progress").is_visible()
    snap(page, "streaming", "desktop")
    page.wait_for_selector("#documents .document:not(.live)", timeout=120_000)
    counts: list[list[Any]] = page.evaluate("window.rowCounts")
    before_end = {count for count, ended in counts if not ended and count > 0}
    assert len(before_end) >= 3, counts  # rows shown while the answer was still coming, at several moments
    assert page.locator("#documents .row").count() == 40


def test_a_corrected_row_comes_back_from_the_memory_in_the_next_run(stream_page: Any) -> None:
    page = stream_page
    text = "厦门市召开质量大会。会议强调质量第一。"
    page.fill("#text", text)
    page.click("#run")
    page.wait_for_selector("#documents .document:not(.live)", timeout=60_000)
    first = page.locator('#documents .row[data-segment="p1.s1"]')
    first.locator(".correct").click()
    first.locator(".translated-text").fill("Xiamen held a conference on quality.")
    first.locator(".correct").click()
    page.wait_for_selector('#documents .row[data-segment="p1.s1"] .correct:text("Saved")')
    page.click("#run")
    page.wait_for_selector("#documents .document:not(.live) .memory-person", timeout=60_000)
    again = page.locator('#documents .document:not(.live) .row[data-segment="p1.s1"]')
    assert again.locator(".translated-text").text_content() == "Xiamen held a conference on quality."
    assert again.locator(".memory-person").text_content() == "corrected"
    snap(page, "corrected-row", "desktop")


def _sentences_run(base: str) -> float:
    metrics = httpx.get(f"{base}/metrics").text
    found = re.search(r"^gazette_batch_sentences_sum ([0-9.e+]+)$", metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_cancel_stops_the_servers_work(stream_page: Any, slow_server: str) -> None:
    page = stream_page
    many = "".join(f"翔安区第{n}次工作会议在厦门召开。" for n in range(1, 301))
    page.fill("#text", many)
    page.click("#run")
    page.locator("#documents .row").first.wait_for(timeout=60_000)
    page.click("#stream-cancel")
    expected = "Cancelled"
    page.wait_for_selector(f'#run-status:has-text("{expected}")', timeout=10_000)
    time.sleep(2)  # the server sees the connection gone and withdraws the work
    settled = _sentences_run(slow_server)
    time.sleep(3)
    assert _sentences_run(slow_server) == settled  # nothing more ran
    shown = page.locator("#documents .row").count()
    assert 0 < shown < 300 and page.is_enabled("#run")
