"""The chatbot plug-in: an MCP server over streamable HTTP (``/mcp``) and stdio."""

from __future__ import annotations

from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer

from api.mcp.server import build_mcp_server, run_stdio

MCP_PATH = "/mcp"

__all__ = ["MCP_PATH", "build_mcp_server", "mount_mcp", "run_stdio"]


def mount_mcp(app: FastAPI) -> MCPServer:
    """Serve MCP at ``/mcp`` on ``app``; run ``server.session_manager.run()`` in the lifespan.

    Stateless JSON mode: every POST is answered on its own, so any worker can serve any request.
    The route is added to the app's router (not mounted under ``/mcp/``) so ``/mcp`` itself
    answers, ahead of the UI's catch-all static mount at ``/``.
    """
    server = build_mcp_server(lambda: app.state.runtime)
    http_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH, stateless_http=True, json_response=True
    )
    app.router.routes.extend(http_app.routes)
    return server
