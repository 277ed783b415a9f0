"""What the OpenAPI document says about errors: every status a route can answer, with its schema.

Validation errors (422) keep FastAPI's ``HTTPValidationError`` shape; every other error is
``{"detail": "..."}``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorMessage(BaseModel):
    detail: str = Field(description="what went wrong, for a person to read")


def error_response(description: str) -> dict[str, Any]:
    return {"model": ErrorMessage, "description": description}


Responses = dict[int | str, dict[str, Any]]

# Every route: the Host check and the body cap run before any route is chosen.
EVERY_ROUTE_ERRORS: Responses = {
    400: error_response("a malformed request, or a Host header not in NEWSDESK_API__ALLOWED_HOSTS"),
    413: error_response(
        "the body is over the cap (NEWSDESK_API__MAX_BODY_BYTES; "
        "NEWSDESK_API__MAX_UPLOAD_BYTES for ingest)"
    ),
}
STORE_ERRORS: Responses = {
    503: error_response("the store (or the embedding model) is unavailable; the detail says which")
}
PAGE_ERRORS: Responses = {
    404: error_response(
        "page_token is not one this service issued for this query and these options"
    )
}
WRITE_ERRORS: Responses = {
    401: error_response("the write key is missing or wrong"),
    403: error_response("writes are disabled: NEWSDESK_API__WRITE_KEY is not set"),
}


def not_found(what: str) -> Responses:
    return {404: error_response(f"no such {what}")}
