"""Bearer tokens for the HTTP API, kept hashed (sha256) in a table next to the store's own tables.

The token itself is shown once, when made (``medal token create``); only its digest is stored, so a copy of the
database does not let anyone call the API. Tokens are random (256 bits), so an unsalted fast hash is enough.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.engine import Engine

from medal_catalog.errors import UsageError
from medal_catalog.store.base import Store

Role = Literal["contributor", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("contributor", "reviewer", "admin")
#: Token names become the author of the versions their holder writes; no spaces, so they never collide with
#: the authors the command line writes ("medal harvest").
TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")

metadata = MetaData()
api_tokens = Table(
    "api_tokens", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", String(40), nullable=False),
)


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid token belongs to."""

    name: str
    role: Role


def _engine(store: Store) -> Engine:
    engine = getattr(store, "engine", None)
    if engine is None:
        raise UsageError(f"{store.url} keeps no tokens: the API needs a SQL store")
    return engine


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ensure_table(store: Store) -> None:
    """Create the token table if it is missing (idempotent)."""
    metadata.create_all(_engine(store))


def create_token(store: Store, name: str, role: str) -> str:
    """Make, store (hashed) and return a new token for ``name`` with ``role``; the clear token is not kept."""
    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not TOKEN_NAME.match(name):
        raise UsageError(f"token name {name!r}: use letters, digits and . _ @ - (no spaces), at most 100")
    token = "medal_" + secrets.token_urlsafe(32)
    ensure_table(store)
    with _engine(store).begin() as conn:
        conn.execute(insert(api_tokens).values(sha256=digest(token), name=name, role=role,
                                               created_at=datetime.now(timezone.utc).isoformat(timespec="seconds")))
    return token


def lookup(store: Store, token: str) -> TokenHolder | None:
    """The holder of ``token``, or None when it is unknown."""
    with _engine(store).connect() as conn:
        row = conn.execute(select(api_tokens.c.name, api_tokens.c.role)
                           .where(api_tokens.c.sha256 == digest(token))).first()
    return TokenHolder(row.name, row.role) if row is not None else None
