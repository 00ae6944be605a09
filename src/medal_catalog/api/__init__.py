"""The HTTP API: FastAPI app factory (``create_app``), access rules, tokens and one router per resource."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy: the command line imports api.tokens (the token rules) at start, and must not pay for FastAPI then.
    if name == "create_app":
        from medal_catalog.api.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
