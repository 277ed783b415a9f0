"""The chatbot plug-in: an MCP server over streamable HTTP (``/mcp``) and stdio."""

from __future__ import annotations

from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer

from api.hosts import mcp_transport_security
from api.mcp.server import build_mcp_server, run_stdio
from search.settings import ApiSettings

MCP_PATH = "/mcp"

__all__ = ["MCP_PATH", "build_mcp_server", "mount_mcp", "run_stdio"]


def mount_mcp(app: FastAPI, settings: ApiSettings) -> MCPServer:
    """Serve MCP at ``/mcp`` on ``app``; run ``server.session_manager.run()`` in the lifespan.

    Stateless JSON mode: every POST is answered on its own, so any worker can serve any request.
    The route is added to the app's router (not mounted under ``/mcp/``) so ``/mcp`` itself
    answers, ahead of the UI's catch-all static mount at ``/``. The SDK checks Host (and Origin)
    against ``NEWSDESK_API__ALLOWED_HOSTS``, like the rest of the app, and caps bodies at
    ``NEWSDESK_API__MAX_BODY_BYTES``.
    """
    server = build_mcp_server(lambda: app.state.runtime)
    http_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        transport_security=mcp_transport_security(settings),
        max_request_body_size=settings.max_body_bytes,
    )
    app.router.routes.extend(http_app.routes)
    return server
