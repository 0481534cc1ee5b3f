"""The web form in a real browser: Debian's Chromium driven by Playwright, against `gazette serve` on the
tiny models. Skipped, with the reason, where no Chromium (or no Playwright) can be had."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serving import serving

CHROMIUM = Path(os.environ.get("GAZETTE_CHROMIUM", "/usr/bin/chromium"))
# Where screenshots of each state go, for people to look at after a run (CI keeps the folder).
ARTIFACTS = (
    Path(os.environ.get("GAZETTE_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")) / "web"
)
# As the workplace's own probe runs it: no sandbox as root, and none of the background connections
# this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
MAX_CHARS = 5000
JOB_CHARS = 4800  # the seed (4,406 characters as scraped) runs directly; a longer paste as a job


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not CHROMIUM.exists():
        missing = f"no Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does so when it can)"
        if os.environ.get("CI") == "true":  # under CI a skipped browser test would pass the run untested
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def web_server(
    tiny_marian_dir: Path, tiny_bart_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    cache = tmp_path_factory.mktemp("web-cache")
    settings = {
        "max_chars": str(MAX_CHARS),
        "web_job_chars": str(JOB_CHARS),
        "num_beams": "1",
        "max_segment_tokens": "64",
    }
    with serving(tiny_marian_dir, cache, summarize_dir=tiny_bart_dir, **settings) as (base, _):
        yield base


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(viewport: str, browser: Any, web_server: str) -> Iterator[Any]:
    """A fresh page (its own storage) at the form, at desktop and at phone width; it fails the test on
    any script error or dialog."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("dialog", lambda dialog: errors.append(f"a dialog opened: {dialog.message}"))
    opened.goto(f"{web_server}/")
    yield opened
    context.close()
    assert not errors, errors


def snap(page: Any, state: str, viewport: str) -> None:
    """A screenshot of this state, named for it and the viewport, under test-artifacts/web/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{state}-{viewport}.png"), full_page=False)
