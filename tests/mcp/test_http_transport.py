"""The MCP server at /mcp, driven by the official SDK client against a live server."""

from __future__ import annotations

import re
from typing import Any

import anyio
import httpx
from mcp import Client

from tests.conftest import MISSILE_QUESTION

SEVEN_HUNDRED_KM = re.compile(r"700\s?(km|kilometres)")
SEEDS_WITH_THE_ANSWER = {"000_7e857b61716c692e", "002_1062b9361ec377fa"}


async def _session(url: str) -> dict[str, Any]:
    async with Client(url) as client:
        tools = await client.list_tools()
        search = await client.call_tool("search_news", {"query": MISSILE_QUESTION, "top_k": 3})
        small = await client.call_tool(
            "search_news", {"query": MISSILE_QUESTION, "top_k": 5, "max_chars": 300}
        )
        invalid = await client.call_tool("search_news", {"query": "missile", "top_k": 0})
        overview = await client.call_tool("archive_overview", {})
    return {
        "tools": tools.tools,
        "search": search,
        "small": small,
        "invalid": invalid,
        "overview": overview,
    }


async def _tools(url: str) -> list[Any]:
    async with Client(url) as client:
        return (await client.list_tools()).tools


def _run(base_url: str) -> dict[str, Any]:
    return anyio.run(_session, f"{base_url}/mcp")


def test_search_news_over_streamable_http(base_url: str) -> None:
    calls = _run(base_url)
    by_name = {tool.name: tool for tool in calls["tools"]}
    assert {"search_news", "archive_overview"} <= set(by_name)
    assert by_name["search_news"].annotations.read_only_hint is True
    assert "cite" in by_name["search_news"].description

    result = calls["search"]
    assert not result.is_error
    first = result.structured_content["quotes"][0]
    assert SEVEN_HUNDRED_KM.search(first["text"])
    assert first["citation"]["title"] in SEEDS_WITH_THE_ANSWER
    assert set(first["citation"]) == {"title", "outlet", "url", "published_at", "author"}
    text = result.content[0].text
    assert SEVEN_HUNDRED_KM.search(text) and f'"{first["citation"]["title"]}"' in text

    small = calls["small"].structured_content
    assert sum(len(quote["text"]) for quote in small["quotes"]) <= 300
    assert small["truncated"] is True and small["total_chars"] <= 300

    assert calls["invalid"].is_error
    assert "top_k" in calls["invalid"].content[0].text

    overview = calls["overview"].structured_content
    assert overview["articles"] == 3 and overview["articles_without_outlet"] == 3


def test_openai_schema_matches_the_mcp_tool(base_url: str) -> None:
    openai = httpx.get(f"{base_url}/v1/tools/openai.json").json()
    assert openai["type"] == "function"
    function = openai["function"]
    assert function["name"] == "search_news" and function["description"]
    tools = {tool.name: tool for tool in anyio.run(_tools, f"{base_url}/mcp")}
    mcp_schema = tools["search_news"].input_schema
    assert function["parameters"]["type"] == "object"
    assert function["parameters"]["properties"] == mcp_schema["properties"]
    assert function["parameters"]["required"] == mcp_schema["required"] == ["query"]
    assert set(mcp_schema["properties"]) == {
        "query",
        "top_k",
        "outlet",
        "published_after",
        "published_before",
        "sort",
        "as_of",
        "page_token",
        "max_chars",
    }
    assert tools["search_news"].description == function["description"]


def test_the_openai_tool_call_endpoint_takes_the_same_arguments(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/tools/search_news", json={"query": MISSILE_QUESTION, "top_k": 2}
    )
    assert response.status_code == 200
    quotes = response.json()["quotes"]
    assert len(quotes) == 2 and SEVEN_HUNDRED_KM.search(quotes[0]["text"])
    rejected = httpx.post(f"{base_url}/v1/tools/search_news", json={"query": "x", "k": 2})
    assert rejected.status_code == 422


async def _pages(url: str) -> tuple[Any, Any]:
    async with Client(url) as client:
        first = await client.call_tool("search_news", {"query": "missile -Japan", "top_k": 1})
        token = first.structured_content["next_page_token"]
        second = await client.call_tool(
            "search_news", {"query": "missile -Japan", "top_k": 1, "page_token": token}
        )
    return first, second


def test_the_tool_pages_and_reads_the_syntax(base_url: str) -> None:
    first, second = anyio.run(_pages, f"{base_url}/mcp")
    assert not first.is_error and not second.is_error
    pages = [call.structured_content for call in (first, second)]
    assert pages[0]["syntax"]["excluded"] == ["Japan"]
    assert pages[0]["quotes"][0]["passage_id"] != pages[1]["quotes"][0]["passage_id"]
    assert not any(re.search(r"\bJapan\b", page["quotes"][0]["text"]) for page in pages)
