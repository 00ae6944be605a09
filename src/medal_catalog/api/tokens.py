"""Bearer tokens for the HTTP API: how they are made, named and checked; the store keeps them (by digest).

The token itself is shown once, when made (``medal token create``); only its digest is stored, so a copy of the
database does not let anyone call the API. Tokens are random (256 bits), so an unsalted fast hash is enough.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal, TypeGuard, get_args

from medal_catalog.errors import UsageError
from medal_catalog.store.base import Store, StoredToken

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog

Role = Literal["contributor", "reviewer", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
#: Token names become the author of the versions their holder writes; no spaces, so they never collide with
#: the authors the command line writes ("medal harvest").
TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


def is_role(value: str) -> TypeGuard[Role]:
    """Whether ``value`` is one of the token roles (:data:`ROLES`)."""
    return value in ROLES


def digest(token: str) -> str:
    """The sha256 hex digest under which a token is kept."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str, role: str) -> str:
    """Make, store (hashed) and return a new token for ``name`` with ``role``; the clear token is not kept."""
    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not TOKEN_NAME.match(name):
        raise UsageError(f"token name {name!r}: use letters, digits and . _ @ - (no spaces), at most 100")
    token = "medal_" + secrets.token_urlsafe(32)
    store.put_token(digest(token), name, role, datetime.now(timezone.utc).isoformat(timespec="seconds"))
    return token


def lookup(store: Store | Catalog, token: str) -> StoredToken | None:
    """The kept token (its holder's name and role) of ``token``, or None when it is unknown or revoked."""
    return store.token_holder(digest(token))
