"""The write key: writes are refused unless one is configured, and compared in constant time.

Declared as two OpenAPI security schemes, either of which is enough: ``X-API-Key: KEY`` or
``Authorization: Bearer KEY``.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SettingsDep

_api_key = APIKeyHeader(
    name="X-API-Key", scheme_name="ApiKey", description="the write key", auto_error=False
)
_bearer = HTTPBearer(scheme_name="Bearer", description="the write key", auto_error=False)


def require_write_key(
    settings: SettingsDep,
    api_key: Annotated[str | None, Depends(_api_key)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    configured = settings.api.write_key
    if configured is None or not configured.get_secret_value():
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "writes are disabled: set NEWSDESK_API__WRITE_KEY to enable them",
        )
    offered = api_key if api_key is not None else (bearer.credentials if bearer else None)
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
