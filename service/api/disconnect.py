"""`/v1`'s way of dropping the work of a client that hung up (`service/disconnect.py`), in its own body."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from fastapi import Request

from service import disconnect
from service.api.errors import APIError

T = TypeVar("T")


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """The result of `work`, unless the client disconnects first: then `work` is cancelled (499)."""
    try:
        return await disconnect.unless_disconnected(request, work)
    except disconnect.ClientGone as gone:
        raise APIError(499, "client_closed_request", str(gone)) from None
