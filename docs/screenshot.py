"""The README's screenshots of the web form: the seed pasted into a real `gazette serve`, translated and
summarized ("both"), timed as the page shows it.

    .venv/bin/python docs/screenshot.py [--profile qwen-pypi] [--out docs]

Needs Debian's chromium and a pulled model (`gazette models pull qwen-pypi`); takes about 4 minutes on
qwen-pypi with 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

SEED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "seed" / "seed.zh-Hant-noisy.txt"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    while server.poll() is None:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit("gazette serve exited before it was ready")


def _shoot(base: str, out: Path) -> dict[str, object]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1600}, accept_downloads=True)
        page.goto(f"{base}/")
        page.fill("#text", SEED.read_text(encoding="utf-8"))
        page.check('input[name="task"][value="both"]')
        page.click("#run")
        page.wait_for_selector("#result:not([hidden]) .document", timeout=900_000)
        status = page.text_content("#run-status") or ""
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "web-form.png"))
        page.set_viewport_size({"width": 1280, "height": 900})
        page.locator(".bullets .chip").nth(1).click()
        page.wait_for_timeout(1500)  # the smooth scroll to the cited row
        page.screenshot(path=str(out / "web-form-citation.png"))
        with page.expect_download() as download:
            page.click("#download-json")
        answer = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        browser.close()
    document = answer["documents"][0]
    return {"page": status, "seconds": document["seconds"], "tokens": document["generated_tokens"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="qwen-pypi")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "GAZETTE_PROFILE": args.profile, "GAZETTE_DB": f"{scratch}/jobs.sqlite3"}
        command = [sys.executable, "-m", "service", "serve", "--port", str(args.port)]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_ready(base, server)
            print(json.dumps(_shoot(base, args.out)))
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
