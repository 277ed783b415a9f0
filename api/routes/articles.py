"""Ingest and delete over HTTP: JSON articles or an uploaded file in any format ``index`` reads.

Every ingest is a job (see ``api.ingest``). A batch of up to ``sync_ingest_max_articles``
records is answered when written (200, the finished job); a bigger one, or any request sent with
``Prefer: respond-async``, is answered at once with 202 and the job's URL to poll.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Header, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.requests import ClientDisconnect

from api.deps import IngestDep, RuntimeDep
from api.fields import STRICT_REQUEST
from api.jobs import IngestJob
from api.json_body import is_json_media_type, parse_json
from api.openapi import STORE_ERRORS, WRITE_ERRORS, not_found
from api.routes import api_router
from api.security import WriteKeyDep
from indexer.readers import ReadResult, Rejection, read_bytes
from indexer.records import article_from_record
from search.errors import InvalidArticleError

router = api_router(
    prefix="/v1/articles", tags=["articles"], responses={**WRITE_ERRORS, **STORE_ERRORS}
)

MAX_ARTICLES_PER_REQUEST = 1000
MAX_FILENAME_CHARS = 255  # the name is repeated in every rejection it causes
RESPOND_ASYNC = "respond-async"


class JsonArticles(BaseModel):
    model_config = STRICT_REQUEST

    articles: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_ARTICLES_PER_REQUEST)


def _from_json(records: list[dict[str, Any]]) -> Iterator[ReadResult]:
    for number, record in enumerate(records, start=1):
        try:
            yield article_from_record(record)
        except InvalidArticleError as error:
            yield Rejection("request", number, str(error))


def _json_articles(body: bytes) -> list[ReadResult]:
    try:
        data = parse_json(body)
    except json.JSONDecodeError as error:
        problem = {"type": "json_invalid", "msg": "JSON decode error", "ctx": {"error": error.msg}}
        raise RequestValidationError([{**problem, "loc": ("body", error.pos)}]) from None
    try:
        records = JsonArticles.model_validate(data).articles
    except ValidationError as error:
        raise RequestValidationError(
            [{**item, "loc": ("body", *item["loc"])} for item in error.errors()]
        ) from None
    return list(_from_json(records))


async def _upload(request: Request) -> tuple[bytes, str]:
    form = await request.form()  # parsed from the body already read (and capped)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise RequestValidationError(
            [
                {
                    "type": "missing",
                    "loc": ("body", "file"),
                    "msg": "multipart field 'file' is missing",
                }
            ]
        )
    return await upload.read(), (upload.filename or "upload")[:MAX_FILENAME_CHARS]


async def _read_request(request: Request, filename: str | None, limit: int) -> list[ReadResult]:
    try:
        body = await request.body()  # over the route's cap: 413 before the rest is read
    except ClientDisconnect:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the body was cut off") from None
    content_type = request.headers.get("content-type", "")
    if not body and not content_type:  # no body at all; an empty file is a file (rejected)
        message = 'the body is missing: send {"articles": [...]} or a file'
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": message}])
    if is_json_media_type(content_type):
        return await run_in_threadpool(_json_articles, body)  # 10 MB of JSON: off the loop
    if content_type.lower().startswith("multipart/form-data"):
        data, name = await _upload(request)
    else:
        data, name = body, filename or "upload"
    return await run_in_threadpool(
        lambda: list(read_bytes(data, name, max_decompressed_bytes=limit))
    )


def _prefers_async(prefer: str | None) -> bool:
    tokens = (
        part.split("=")[0].strip().lower() for part in (prefer or "").replace(";", ",").split(",")
    )
    return RESPOND_ASYNC in tokens


_UPLOAD = {"type": "string", "format": "binary"}


@router.post(
    "",
    response_model=IngestJob,
    responses={
        202: {
            "model": IngestJob,
            "description": "accepted: the job runs on; poll its status_url (also in Location)",
        }
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": JsonArticles.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": _UPLOAD},
                        "required": ["file"],
                    }
                },
                "application/octet-stream": {"schema": _UPLOAD},
            },
        }
    },
)
async def ingest(
    request: Request,
    runtime: RuntimeDep,
    queue: IngestDep,
    _: WriteKeyDep,
    prefer: Annotated[
        str | None,
        Header(max_length=200, description="`respond-async`: answer 202 at once, with the job"),
    ] = None,
    x_filename: Annotated[
        str | None,
        Header(
            max_length=MAX_FILENAME_CHARS,
            description="the file's name, for a raw (non-multipart) upload",
        ),
    ] = None,
) -> Any:
    """Index JSON articles (`{"articles": [...]}`) or one uploaded file (JSONL, text, HTML,
    RSS/Atom, WARC) sent as multipart field `file` or as the raw body. Each record comes back as
    `indexed`, `unchanged` or `rejected` with its reason."""
    api = runtime.settings.api
    items = await _read_request(request, x_filename, api.max_decompressed_bytes)
    job_id, done = queue.submit(items)
    if _prefers_async(prefer) or len(items) > api.sync_ingest_max_articles:
        job = queue.jobs.get(job_id)
        assert job is not None
        return JSONResponse(
            job.model_dump(mode="json"),
            status_code=status.HTTP_202_ACCEPTED,
            headers={"Location": job.status_url, "Preference-Applied": RESPOND_ASYNC},
        )
    await asyncio.wrap_future(done)  # the job's own error, if any, answers (e.g. 503)
    return queue.jobs.get(job_id)


@router.delete(
    "/{article_id}", status_code=status.HTTP_204_NO_CONTENT, responses=not_found("article")
)
async def delete(
    article_id: Annotated[str, Path(max_length=200)], runtime: RuntimeDep, _: WriteKeyDep
) -> None:
    """Remove an article and its passages; the next search no longer finds them."""
    deleted = await run_in_threadpool(runtime.delete_articles, [article_id])
    if not deleted:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article {article_id!r}")
