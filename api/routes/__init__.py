"""One router per resource; all of them read JSON strictly and document their errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.json_body import StrictJSONRoute
from api.openapi import EVERY_ROUTE_ERRORS


def api_router(
    *, responses: dict[int | str, dict[str, Any]] | None = None, **kwargs: Any
) -> APIRouter:
    return APIRouter(
        route_class=StrictJSONRoute, responses={**EVERY_ROUTE_ERRORS, **(responses or {})}, **kwargs
    )
