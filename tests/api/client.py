"""Test clients that talk to the app the way a local caller does (``Host: localhost``)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

LOCAL_BASE_URL = "http://localhost"


def local_client(app: FastAPI) -> TestClient:
    """Starlette's TestClient sends ``Host: testserver``, which the default allowed hosts refuse."""
    return TestClient(app, base_url=LOCAL_BASE_URL)
