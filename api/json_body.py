"""Request bodies read as strict JSON: UTF-8, no NaN or Infinity, bounded nesting.

FastAPI reads a body with ``json.loads``, which takes NaN/Infinity and answers a non-UTF-8 or
too-deeply nested body with a 400 that names nothing. Here every way a body can fail to be JSON
is a ``json.JSONDecodeError``, which FastAPI reports as a 422 ``json_invalid`` at ``("body",
position)``; ``StrictJSONRoute`` reads every JSON route's body this way and answers a body sent
under another media type with 415.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response, params, status
from fastapi.routing import APIRoute

from api.openapi import error_response

JSON_MEDIA_TYPE = "application/json"


def _not_json(reason: str, text: str = "", position: int = 0) -> json.JSONDecodeError:
    return json.JSONDecodeError(reason, text, position)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def parse_json(body: bytes) -> Any:
    """The body as JSON, or a ``json.JSONDecodeError`` saying where and why it is not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _not_json(f"not UTF-8 (byte {error.start})", position=error.start) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _not_json("nested too deeply") from None
    except ValueError as error:  # NaN/Infinity, or an integer over Python's 4300 digits
        raise _not_json(str(error).split(";")[0]) from None


def is_json_media_type(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == JSON_MEDIA_TYPE or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length != "0")


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


UNSUPPORTED_MEDIA_TYPE = f"send the body as {JSON_MEDIA_TYPE} (Content-Type: {JSON_MEDIA_TYPE})"


class StrictJSONRoute(APIRoute):
    """An API route whose JSON body is read by ``parse_json``; other media types get 415."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self._takes_json():
            self.responses.setdefault(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                error_response("the body is not sent as application/json"),
            )

    def _takes_json(self) -> bool:
        return self.body_field is not None and not isinstance(
            self.body_field.field_info, params.Form
        )

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        takes_json = self._takes_json()

        async def strict_handler(request: Request) -> Response:
            content_type = request.headers.get("content-type")
            if takes_json and _has_body(request) and not is_json_media_type(content_type):
                raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_MEDIA_TYPE)
            return await handle(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
