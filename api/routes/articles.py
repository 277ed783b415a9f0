"""Ingest and delete over HTTP: JSON articles or an uploaded file in any format ``index`` reads."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, ValidationError

from api.deps import RuntimeDep
from api.security import WriteKeyDep
from indexer.readers import ReadResult, Rejection, read_bytes
from indexer.records import article_from_record
from search.errors import InvalidArticleError

router = APIRouter(prefix="/v1/articles", tags=["articles"])

MAX_ARTICLES_PER_REQUEST = 1000


class ArticleResult(BaseModel):
    status: str = Field(description="indexed, unchanged or rejected")
    article_id: str | None = None
    reason: str | None = None


class IngestResponse(BaseModel):
    read: int
    indexed: int
    unchanged: int
    rejected: int
    results: list[ArticleResult]


class JsonArticles(BaseModel):
    articles: list[dict] = Field(min_length=1, max_length=MAX_ARTICLES_PER_REQUEST)


def _from_json(records: list[dict]) -> Iterator[ReadResult]:
    for number, record in enumerate(records, start=1):
        try:
            yield article_from_record(record)
        except InvalidArticleError as error:
            yield Rejection("request", number, str(error))


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {limit} bytes")
    return bytes(body)


@router.post(
    "",
    response_model=IngestResponse,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": JsonArticles.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            }
        }
    },
)
async def ingest(request: Request, runtime: RuntimeDep, _: WriteKeyDep) -> IngestResponse:
    """Index JSON articles (`{"articles": [...]}`) or one uploaded file (JSONL, text, HTML,
    RSS/Atom, WARC) sent as multipart field `file` or as the raw body."""
    body = await _body(request, runtime.settings.api.max_upload_bytes)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            items: Iterator[ReadResult] = _from_json(
                JsonArticles.model_validate_json(body).articles
            )
        except ValidationError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, error.errors()) from None
    elif content_type.startswith("multipart/form-data"):
        # The capped body was read already; Starlette parses the form from its cached copy.
        request._body = body
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, "multipart field 'file' is missing"
            )
        items = read_bytes(await upload.read(), upload.filename or "upload")
    else:
        items = read_bytes(body, request.headers.get("x-filename", "upload"))
    summary = await run_in_threadpool(lambda: runtime.indexer().index(items, progress=False))
    return IngestResponse(
        read=summary.read,
        indexed=summary.indexed,
        unchanged=summary.unchanged,
        rejected=summary.rejected,
        results=[
            ArticleResult(status=o.status, article_id=o.article_id, reason=o.reason)
            for o in summary.outcomes
        ],
    )


@router.delete("/{article_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete(article_id: str, runtime: RuntimeDep, _: WriteKeyDep) -> None:
    """Remove an article and its passages; the next search no longer finds them."""
    if len(article_id) > 200:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "article id too long")
    deleted = await run_in_threadpool(runtime.delete_articles, [article_id])
    if not deleted:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article {article_id!r}")
