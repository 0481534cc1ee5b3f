"""The web form at `/`: a page rendered with Jinja2 and a small hand-written script over the `/v1` API."""
