"""The write key: writes are refused unless one is configured, and compared in constant time."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, status

from api.deps import SettingsDep


def require_write_key(
    settings: SettingsDep,
    x_api_key: Annotated[str | None, Header(max_length=500)] = None,
    authorization: Annotated[str | None, Header(max_length=520)] = None,
) -> None:
    configured = settings.api.write_key
    if configured is None or not configured.get_secret_value():
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "writes are disabled: set NEWSDESK_API__WRITE_KEY to enable them",
        )
    offered = x_api_key
    if offered is None and authorization and authorization.lower().startswith("bearer "):
        offered = authorization[len("bearer ") :]
    if offered is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a write key is required (X-API-Key header or Authorization: Bearer)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(offered.encode(), configured.get_secret_value().encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "wrong write key", headers={"WWW-Authenticate": "Bearer"}
        )


WriteKeyDep = Annotated[None, Depends(require_write_key)]
