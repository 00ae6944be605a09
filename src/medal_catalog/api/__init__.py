"""The HTTP API: FastAPI app factory (``create_app``), access rules, tokens and one router per resource."""

from __future__ import annotations

from medal_catalog.api.app import create_app

__all__ = ["create_app"]
