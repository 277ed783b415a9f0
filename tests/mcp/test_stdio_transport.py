"""``newsdesk mcp`` over stdio, launched and driven by the official SDK client."""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from search.settings import Settings
from tests.conftest import MISSILE_QUESTION, REPO

SEVEN_HUNDRED_KM = re.compile(r"700\s?(km|kilometres)")


async def _session(server: StdioServerParameters) -> tuple[list[str], Any]:
    async with Client(server) as client:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        result = await client.call_tool("search_news", {"query": MISSILE_QUESTION, "top_k": 2})
    return tools, result


def test_search_news_over_stdio(seeded_settings: Settings) -> None:
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "api.cli", "mcp"],
        cwd=REPO,
        env={
            **{key: value for key, value in os.environ.items() if key.startswith("NEWSDESK_")},
            "NEWSDESK_DATA_DIR": str(seeded_settings.data_dir),
            "HF_HUB_OFFLINE": "1",
            "HAYSTACK_TELEMETRY_ENABLED": "False",
        },
    )
    tools, result = anyio.run(_session, server)
    assert {"search_news", "archive_overview"} <= set(tools)
    assert not result.is_error
    first = result.structured_content["quotes"][0]
    assert SEVEN_HUNDRED_KM.search(first["text"])
    assert first["citation"]["title"] in result.content[0].text
