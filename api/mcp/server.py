"""The MCP server (official ``mcp`` SDK): ``search_news`` and ``archive_overview``.

Served over streamable HTTP at ``/mcp`` by the FastAPI app and over stdio by ``newsdesk mcp``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp_types import CallToolResult, TextContent, ToolAnnotations

from api.mcp.news import OVERVIEWS, render_text, search_news
from api.runtime import Runtime
from api.tool_schema import (
    OVERVIEW_DESCRIPTION,
    OVERVIEW_TOOL_NAME,
    TOOL_DESCRIPTION,
    TOOL_NAME,
    TOOL_TITLE,
    ArchiveOverview,
    SearchNewsArgs,
    SearchNewsResult,
    input_schema,
)
from search.errors import NewsdeskError

INSTRUCTIONS = (
    "newsdesk searches an archive of news articles. Use search_news to find passages that answer "
    "a question and quote them with their citation (outlet, title, date, URL); use "
    "archive_overview to see which outlets and dates the archive covers."
)

RuntimeGetter = Callable[[], Runtime]
_READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)


class _SearchNewsArguments(SearchNewsArgs, ArgModelBase):
    """The SDK validates tool arguments with this: the shared model, in the SDK's base class."""


def build_mcp_server(get_runtime: RuntimeGetter) -> MCPServer:
    """An MCP server answering from ``get_runtime()`` (resolved per call, after startup)."""
    server = MCPServer(
        name="newsdesk",
        version="0.1.0",
        instructions=INSTRUCTIONS,
        log_level="WARNING",  # the SDK calls logging.basicConfig with this; keep the app quiet
        tools=[_search_news_tool(get_runtime)],
    )

    async def archive_overview() -> ArchiveOverview:
        try:
            return await anyio.to_thread.run_sync(OVERVIEWS.get, get_runtime().store)
        except NewsdeskError as error:
            raise ToolError(f"the news archive is unavailable: {error}") from None

    server.add_tool(
        archive_overview,
        name=OVERVIEW_TOOL_NAME,
        title="What the news archive holds",
        description=OVERVIEW_DESCRIPTION,
        annotations=_READ_ONLY,
    )
    return server


def _search_news_tool(get_runtime: RuntimeGetter) -> Tool:
    """``search_news`` registered from ``SearchNewsArgs`` itself, not from a function signature,
    so its inputSchema is exactly the OpenAI function's parameters."""

    async def call(**arguments: Any) -> CallToolResult:
        args = SearchNewsArgs.model_validate(arguments)
        try:
            runtime = get_runtime()
            result = await runtime.searches.run(search_news, runtime, args)
        except NewsdeskError as error:
            raise ToolError(f"search failed: {error}") from None
        return CallToolResult(
            content=[TextContent(type="text", text=render_text(result))],
            structured_content=result.model_dump(mode="json"),
        )

    return Tool(
        fn=call,
        name=TOOL_NAME,
        title=TOOL_TITLE,
        description=TOOL_DESCRIPTION,
        parameters=input_schema(),
        fn_metadata=FuncMetadata(arg_model=_SearchNewsArguments, output_model=SearchNewsResult),
        is_async=True,
        annotations=_READ_ONLY,
    )


def run_stdio(runtime: Runtime) -> None:
    """Serve MCP on stdin/stdout until the client closes the stream."""
    build_mcp_server(lambda: runtime).run("stdio")
