"""Which family's error body a path takes (`service.error_bodies`)."""

from __future__ import annotations

from types import SimpleNamespace

from service.error_bodies import claim, claimed_body, error_body


def test_claimed_paths_take_their_familys_body_and_the_rest_the_v1_body() -> None:
    app = SimpleNamespace(state=SimpleNamespace())
    claim(app, ("/translate", "/download_file/"), lambda message: {"error": message})
    claim(app, ("/v2/",), lambda message: {"message": message})
    assert error_body(app, "/translate", "not_found", "gone") == {"error": "gone"}
    assert error_body(app, "/download_file/a-b.txt", "not_found", "gone") == {"error": "gone"}
    assert error_body(app, "/v2/glossaries/x", "not_found", "gone") == {"message": "gone"}
    # Exact paths are exact: /translate claims neither /translate_file nor /translate/x.
    assert claimed_body(app, "/translate/x") is None and claimed_body(app, "/translate_file") is None
    unclaimed = {"error": {"code": "not_found", "message": "gone"}}
    assert error_body(app, "/v1/jobs/x", "not_found", "gone") == unclaimed
    assert error_body(None, "/v2/x", "not_found", "gone") == unclaimed  # an ASGI scope without an app
