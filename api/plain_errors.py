"""Errors answered below the routes in plain text become ``{"detail": ...}`` like every other.

Starlette's Host check and body cap, and the MCP SDK's transport checks, answer 4xx in
``text/plain``; a client (or the OpenAPI document) should not have to know which layer refused.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import MESSAGE_CHARS, excerpt

_KEPT_BYTES = 4096


class PlainErrorsAsJSON:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        text = bytearray()

        async def send_json_errors(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                content_type = Headers(raw=message["headers"]).get("content-type", "")
                if message["status"] >= 400 and content_type.startswith("text/plain"):
                    held = message
                    return
            elif held is not None and message["type"] == "http.response.body":
                text.extend(message.get("body", b"")[: _KEPT_BYTES - len(text)])
                if message.get("more_body", False):
                    return
                detail = excerpt(text.decode("utf-8", "replace").strip(), MESSAGE_CHARS)
                body = json.dumps({"detail": detail}).encode()
                headers = MutableHeaders(raw=list(held["headers"]))
                headers["content-type"] = "application/json"
                headers["content-length"] = str(len(body))
                await send({**held, "headers": headers.raw})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_json_errors)
