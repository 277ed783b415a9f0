"""One HTTP mapping per domain error, and one rendering of every client error.

An error body always renders as JSON: no raw bytes, no NaN, no lone surrogate, and never more than
a short excerpt of what the client sent (a 20 MB field comes back as 80 characters).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from search.errors import (
    InvalidArticleError,
    InvalidQueryError,
    ModelLoadError,
    NewsdeskError,
    StoreCorruptedError,
    StoreUnavailableError,
    UnknownPageError,
)

EXCERPT_CHARS = 80
MESSAGE_CHARS = 500
MAX_REPORTED_ERRORS = 20

_STATUS: dict[type[NewsdeskError], int] = {
    InvalidQueryError: 422,
    # The token names a page; one this service never issued for this query is not found.
    UnknownPageError: 404,
    InvalidArticleError: 422,
    StoreUnavailableError: 503,
    ModelLoadError: 503,
    StoreCorruptedError: 500,
}


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of ``text``, lone surrogates written as ``\\udxxx``."""
    head = text[: limit + 1].encode("utf-8", "backslashreplace").decode("utf-8")
    return head if len(text) <= limit else head[:limit] + "…"


def _scalar(value: object) -> object:
    """A JSON-safe stand-in for an input value; ``...`` for one not worth echoing."""
    if value is None or isinstance(value, bool | str | bytes | bytearray | int | float):
        if isinstance(value, str):
            return excerpt(value)
        if isinstance(value, bytes | bytearray):
            return excerpt(bytes(value[: EXCERPT_CHARS * 4]).decode("utf-8", "replace"))
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 63:
            return "(a very large integer)"
        return value
    return ...  # objects and arrays: the client has them; echoing them only costs bandwidth


def _context(ctx: Mapping[str, Any]) -> dict[str, object]:
    rendered: dict[str, object] = {}
    for key, value in list(ctx.items())[:10]:
        safe = _scalar(value)
        rendered[excerpt(str(key))] = excerpt(str(value)) if safe is ... else safe
    return rendered


def client_error(error: Mapping[str, Any]) -> dict[str, object]:
    """One pydantic/FastAPI error as FastAPI's ``ValidationError`` schema, safe to render."""
    rendered: dict[str, object] = {
        "type": excerpt(str(error.get("type", "invalid"))),
        "loc": [
            part if isinstance(part, int) else excerpt(str(part)) for part in error.get("loc", ())
        ],
        "msg": excerpt(str(error.get("msg", "invalid")), MESSAGE_CHARS),
    }
    if "input" in error and (value := _scalar(error["input"])) is not ...:
        rendered["input"] = value
    if isinstance(error.get("ctx"), Mapping):
        rendered["ctx"] = _context(error["ctx"])
    return rendered


def validation_errors(errors: list[Any]) -> list[dict[str, object]]:
    rendered = [client_error(error) for error in errors[:MAX_REPORTED_ERRORS]]
    if len(errors) > MAX_REPORTED_ERRORS:
        more = len(errors) - MAX_REPORTED_ERRORS
        rendered.append({"type": "too_many_errors", "loc": [], "msg": f"and {more} more"})
    return rendered


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


_STATIC_METHODS = "GET, HEAD"


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's);
    a path no route serves is a static file (the page, the docs' assets)."""
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
            if not isinstance(route, Mount)
        )
    ]
    return ", ".join(allowed) if allowed else _STATIC_METHODS


def _http_error(request: Request, error: HTTPException) -> Response:
    headers = dict(error.headers or {})
    if error.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        headers = {"Allow": _allowed_methods(request)}
        if request.method == "OPTIONS":  # RFC 9110: OPTIONS answers with what the path allows
            return Response(status_code=status.HTTP_204_NO_CONTENT, headers=headers)
    if error.status_code in (status.HTTP_204_NO_CONTENT, status.HTTP_304_NOT_MODIFIED):
        return Response(status_code=error.status_code, headers=headers)
    detail = error.detail if isinstance(error.detail, str) else str(error.detail)
    return JSONResponse(
        {"detail": excerpt(detail, MESSAGE_CHARS)}, status_code=error.status_code, headers=headers
    )


def register_error_handlers(app: FastAPI) -> None:
    async def domain(_: Request, error: Exception) -> JSONResponse:
        code = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 500)
        return JSONResponse(
            status_code=code, content={"detail": excerpt(str(error), MESSAGE_CHARS)}
        )

    async def invalid(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content={"detail": validation_errors(list(error.errors()))},
        )

    async def http(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return _http_error(request, error)

    app.add_exception_handler(NewsdeskError, domain)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http)
