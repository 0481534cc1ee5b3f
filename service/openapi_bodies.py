"""The request body an OpenAPI document shows for a route that reads its own fields (the compatible APIs
take JSON, a form or the query string alike, so their routes read the request themselves and FastAPI
cannot see a body): the fields model, as JSON and as a form, and the file a multipart upload carries.

A module of its own, beside the adapters, so that neither compatible API imports the other.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def request_body(fields: type[BaseModel], *, file: str | None = None) -> dict[str, Any]:
    """`openapi_extra` for a route: `fields` as JSON and as a form; with `file`, a multipart form whose
    field of that name is the upload."""
    schema = fields.model_json_schema()
    content: dict[str, Any] = {}
    if file is None:
        content["application/json"] = {"schema": schema}
        content["application/x-www-form-urlencoded"] = {"schema": schema}
    else:
        upload = {"type": "string", "format": "binary"}
        content["multipart/form-data"] = {
            "schema": {
                **schema,
                "properties": {**schema.get("properties", {}), file: upload},
                "required": [file],
            }
        }
    return {"requestBody": {"required": True, "content": content}}
