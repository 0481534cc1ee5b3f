"""`GET /` and its assets: the page is rendered here; everything it does afterwards goes through the same
public `/v1` API any other client uses (translate, summarize, jobs), so the form has no private routes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from service.gazette import Gazette
from service.settings import Settings

_HERE = Path(__file__).parent
STATIC = _HERE / "static"

# Only the app's own files run or style the page; text from users and models can never become markup
# that runs, even if some path were to insert it as HTML by mistake.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def asset_versions(folder: Path = STATIC) -> dict[str, str]:
    """A short content hash per asset: URLs change when the file does, so browsers may cache them."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def page_context(settings: Settings, engine: Gazette, keys_required: bool) -> dict[str, Any]:
    """What the page is rendered with: limits, whether keys are needed, the profile and the languages."""
    active = engine.profile
    profile = active.profile.name if active else settings.profile
    noise = profile == "tiny" or any(info.random_weights for info in engine.loaded())
    return {
        "max_chars": settings.max_chars,
        "job_chars": min(settings.web_job_chars, settings.max_chars),
        "keys_required": keys_required,
        "profile": profile,
        "noise": noise,
        "languages": [(language.code, language.name) for language in engine.languages()],
    }


def install_web_form(app: FastAPI, settings: Settings, engine: Gazette) -> None:
    templates = Jinja2Templates(directory=_HERE / "templates")  # autoescaping on for .html
    versions = asset_versions()

    def asset(name: str) -> str:
        return f"/static/{name}?v={versions[name]}"

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def web_form(request: Request) -> HTMLResponse:
        keys = await engine.access.keys_required()
        context = page_context(settings, engine, keys) | {"asset": asset}
        response = templates.TemplateResponse(request, "form.html", context)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
