"""One HTTP mapping per domain error; backend exceptions never reach a client."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from search.errors import (
    InvalidArticleError,
    InvalidQueryError,
    ModelLoadError,
    NewsdeskError,
    StoreCorruptedError,
    StoreUnavailableError,
)

_STATUS: dict[type[NewsdeskError], int] = {
    InvalidQueryError: 422,
    InvalidArticleError: 422,
    StoreUnavailableError: 503,
    ModelLoadError: 503,
    StoreCorruptedError: 500,
}


def register_error_handlers(app: FastAPI) -> None:
    async def handle(_: Request, error: Exception) -> JSONResponse:
        status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 500)
        return JSONResponse(status_code=status, content={"detail": str(error)})

    app.add_exception_handler(NewsdeskError, handle)
