"""Which error body an answer takes, by its path: each API family claims its own paths when it is installed,
and whatever answers before (or instead of) that family's routes (the body limit, the router's 404 and 405,
a multipart body that cannot be parsed) looks the claim up here. Unclaimed paths get the /v1 body.

A module of its own, beside the adapters, so that none of them imports another: the compatible APIs claim
their paths, and `service.api` (errors, limits) reads the claims.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# An API family's error body for a message (the code is for the /v1 body only).
ErrorBody = Callable[[str], dict[str, Any]]
_STATE = "error_bodies"


def v1_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def claim(app: Any, paths: Iterable[str], body: ErrorBody) -> None:
    """Errors on `paths` (exact, or every path under one that ends in "/") answer with `body`."""
    claims: list[tuple[str, ErrorBody]] = getattr(app.state, _STATE, [])
    claims += [(path, body) for path in paths]
    setattr(app.state, _STATE, claims)


def claimed_body(app: Any, path: str) -> ErrorBody | None:
    """The body of the family that claimed `path`, or None where none did (/v1 and the rest)."""
    state = getattr(app, "state", None)
    for claimed, body in getattr(state, _STATE, []) if state is not None else []:
        if path == claimed or (claimed.endswith("/") and path.startswith(claimed)):
            return body
    return None


def error_body(app: Any, path: str, code: str, message: str) -> dict[str, Any]:
    body = claimed_body(app, path)
    return body(message) if body is not None else v1_body(code, message)
