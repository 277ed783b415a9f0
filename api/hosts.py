"""Which ``Host`` headers the service answers: one setting for the REST API, the page and MCP.

A browser page on another site can reach this server under a name it controls (DNS rebinding);
answering only the configured names stops it. Starlette's ``TrustedHostMiddleware`` checks every
request; the MCP SDK's own transport security gets the same names (and checks ``Origin`` too).
"""

from __future__ import annotations

from mcp.server.transport_security import TransportSecuritySettings
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from search.settings import ApiSettings

ANY_HOST = "*"


def host_check(settings: ApiSettings) -> Middleware:
    # Starlette compares the host without its port, so any port is allowed.
    return Middleware(
        TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts, www_redirect=False
    )


def mcp_transport_security(settings: ApiSettings) -> TransportSecuritySettings:
    hosts = settings.allowed_hosts
    if ANY_HOST in hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        # The SDK matches Host exactly, or "name:*" for any port.
        allowed_hosts=[name for host in hosts for name in (host, f"{host}:*")],
        allowed_origins=[
            f"{scheme}://{host}{port}"
            for host in hosts
            for scheme in ("http", "https")
            for port in ("", ":*")
        ],
    )
