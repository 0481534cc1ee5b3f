"""The form's inputs in a real browser: markup in text and glossary stays text, the glossary editor,
labels and the keyboard, the tiny profile's notice, state in the URL, cancelling a job."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import VIEWPORTS, snap

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

IMG = "<img src=x onerror=window.__owned=1>"
SCRIPT = "<script>window.__owned=2</script>"


def add_glossary_row(page: Any, term: str, rendering: str) -> None:
    if not page.locator("#glossary-editor").evaluate("d => d.open"):
        page.click("#glossary-editor summary")
    page.click("#glossary-add")
    page.locator("#glossary-rows tr").last.locator("input").nth(0).fill(term)
    page.locator("#glossary-rows tr").last.locator("input").nth(1).fill(rendering)
    page.locator("#glossary-rows tr").last.locator("input").nth(1).dispatch_event("change")


def _run_markup(page: Any) -> None:
    add_glossary_row(page, "同安区", SCRIPT + IMG)
    add_glossary_row(page, IMG, "Tong'an " + SCRIPT)
    page.fill("#text", f"同安区{IMG}召开大会。{SCRIPT}区长出席会议。")
    page.check('input[name="task"][value="both"]')
    page.click("#run")
    page.locator(".row[data-segment]").first.wait_for(timeout=60_000)
    page.wait_for_timeout(300)  # time for an injected onerror to have fired, were there one

    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1  # the page's own form.js
    assert page.evaluate("window.__owned") is None
    sources = " ".join(page.locator(".row .as-received").all_text_contents())
    assert IMG in sources and SCRIPT in sources  # shown as the characters they are
    report = page.text_content(".glossary-report")
    assert IMG in report and SCRIPT in report


def test_markup_in_text_and_glossary_never_becomes_elements(
    page: Any, viewport: str, browser: Any, web_server: str
) -> None:
    _run_markup(page)
    snap(page, "markup-as-text", viewport)
    # Again with the page's Content-Security-Policy switched off: the rendering itself is safe, not
    # only the policy that would stop an injected script from running.
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
    try:
        unprotected = context.new_page()
        unprotected.goto(f"{web_server}/")
        _run_markup(unprotected)
    finally:
        context.close()


def test_the_glossary_is_pasted_as_tsv_kept_in_the_browser_and_sent(page: Any) -> None:
    page.click("#glossary-editor summary")
    page.fill("#glossary-tsv", "同安区\tTong'an District\n区长\tDistrict Mayor\nno tab here\n")
    page.click("#glossary-import")
    assert page.text_content("#glossary-count") == "2 terms"
    page.reload()
    assert page.text_content("#glossary-count") == "2 terms"  # kept in the browser's storage

    page.fill("#text", "同安区召开大会。区长出席会议。")
    page.click("#run")
    page.locator(".glossary-report").wait_for()
    terms = page.locator(".glossary-report tbody tr td:first-child").all_text_contents()
    assert sorted(terms) == ["区长", "同安区"]
    assert "District Mayor" in page.text_content(".glossary-report")
    assert set(page.locator(".glossary-report .term-origin").all_text_contents()) == {"request"}
    missed = page.locator(".glossary-report tr.not-applied").count()
    summary = page.locator(".glossary-report summary")
    assert summary.text_content() == f"Glossary: 2 terms found, {missed} not applied"
    summary.click()  # unfolds; its chips point at rows like the bullets' do
    page.locator(".glossary-report .chip", has_text="p1.s2").click()
    expect(page.locator(".row.cited")).to_have_attribute("data-segment", "p1.s2")


def test_every_control_has_a_label_and_the_page_works_by_keyboard(page: Any) -> None:
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')].filter(c =>
              !(c.labels && c.labels.length) && !c.getAttribute('aria-label') &&
              !(c.tagName === 'BUTTON' && c.textContent.trim())).map(c => c.outerHTML)"""
    )
    assert unlabelled == []
    page.focus("#text")
    page.keyboard.type("同安区召开大会。")
    page.keyboard.press("Tab")  # out of the text area, on to the file picker: the text keeps no tab
    assert page.input_value("#text") == "同安区召开大会。"
    page.focus("#run")
    page.keyboard.press("Enter")
    page.locator(".row[data-segment]").first.wait_for()
    assert page.locator(".row[data-segment]").count() == 1


def test_the_tiny_profile_says_its_output_is_noise(page: Any) -> None:
    assert "random weights" in page.text_content("#noise-notice")
    expect(page.locator("#model-line")).to_contain_text("ctranslate2")


def test_task_and_language_are_kept_in_the_address(page: Any, web_server: str) -> None:
    page.check('input[name="task"][value="summarize"]')
    page.select_option("#source-lang", "zh")
    assert page.url.endswith("?task=summarize&lang=zh")
    page.goto(f"{web_server}/?task=both&lang=zh")
    assert page.is_checked('input[name="task"][value="both"]')
    assert page.input_value("#source-lang") == "zh"


def test_a_running_job_survives_a_reload_and_is_cancelled_from_its_panel(
    page: Any, viewport: str, seed_text: str, tmp_path: Path
) -> None:
    uploads = []
    for number in range(40):
        path = tmp_path / f"report-{number:02}.txt"
        path.write_text(seed_text, encoding="utf-8")
        uploads.append(str(path))
    page.set_input_files("#files", uploads)
    page.click("#run")
    page.locator("#job").wait_for()
    job_id = page.text_content("#job-id")
    # The panel scrolls into view smoothly; a click while it moves can land beside the button (seen once
    # in a full run on the phone viewport): with reduced motion, as a user may ask, it jumps there.
    page.emulate_media(reduced_motion="reduce")
    page.reload()  # a running job is picked up again from the address
    expect(page.locator("#job-id")).to_have_text(job_id)
    expect(page.locator("#job-status")).to_have_text(re.compile("^(queued|running)"))
    page.locator("#job-cancel").click()
    expect(page.locator("#job-status")).to_have_text(re.compile("^cancelled"), timeout=60_000)
    status = page.text_content("#job-status")
    assert "cancelled" in status.split(":", 1)[1]  # items counted as cancelled, not only the state
    page.locator("#result").wait_for()
    finished = page.locator(".document").count()
    assert finished < 40  # cancelled items have no results
    if finished == 0:
        assert page.text_content(".no-results") == "No item finished."
    snap(page, "job-cancelled", viewport)


CONTRAST = """() => {
  const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = rgb => 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
  const parse = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const background = node => {
    for (; node; node = node.parentElement) {
      const rgba = parse(getComputedStyle(node).backgroundColor);
      if (rgba.length === 3 || (rgba.length === 4 && rgba[3] > 0)) return rgba;
    }
    return [255, 255, 255];
  };
  const selectors = ['.tagline', '.hint', '.counter', '.notice', '.doc-meta', '.segment-id', '.warning',
    '.origin', '.chip', 'button', 'button.primary', '.row.cited .segment-id', 'label', '.translated-text'];
  return selectors.flatMap(selector => [...document.querySelectorAll(selector)].slice(0, 3).map(node => {
    const [a, b] = [luminance(parse(getComputedStyle(node).color)), luminance(background(node))];
    return [selector, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  }));
}"""


def test_text_meets_the_wcag_aa_contrast_ratio(page: Any, seed_text: str) -> None:
    page.fill("#text", seed_text)
    page.check('input[name="task"][value="both"]')
    page.click("#run")
    page.locator(".bullets .chip").first.click()
    page.locator(".row.cited").first.wait_for()
    ratios = page.evaluate(CONTRAST)
    checked = {selector for selector, _ in ratios}
    assert {".warning", ".chip", ".segment-id", ".row.cited .segment-id", "button.primary"} <= checked
    assert [(selector, round(ratio, 2)) for selector, ratio in ratios if ratio < 4.5] == []
