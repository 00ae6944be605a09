"""Signed links: short-lived URLs that carry their caller, so that stock mlcroissant (which fetches a Croissant
and its files with bare requests) loads what that caller may fetch, with nothing in its environment.

A link is the path plus ``caller``, ``token``, ``expires`` and ``signature`` query parameters; the signature is an
HMAC-SHA256 of the path, the caller (role and name), the token it was made with (the start of its digest, which
reveals nothing of the token) and the expiry, as object stores pre-sign downloads. A link answers only while
that token is active: revoking a token revokes every link made with it at once, not one TTL later. Other query
parameters (the ``sha256`` content address) are not signed: they do not change what is served. A Croissant fetched
through a signed link has every catalog file URL signed for the same caller and expiry, and since the caller is
part of each URL, two callers' downloads never share a cache key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request

from medal_catalog.api.access import ANONYMOUS, Caller
from medal_catalog.config import Settings
from medal_catalog.errors import Forbidden
from medal_catalog.store.base import Store

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog

#: The query parameters of a signed link.
LINK_PARAMETERS = ("caller", "token", "expires", "signature")
#: Hex digits of a token's sha256 digest a link carries (64 bits: enough to tell a catalog's tokens apart).
TOKEN_ID_LENGTH = 16
_SECRET_NAME = "link-signing-key"


def signing_key(settings: Settings, store: Store | Catalog) -> bytes:
    """The key links are signed with: MEDAL_LINK_SECRET, else the catalog's own (made and kept on first use)."""
    if settings.link_secret:
        return settings.link_secret.encode("utf-8")
    return store.secret(_SECRET_NAME, lambda: secrets.token_urlsafe(32)).encode("utf-8")


def _signature(key: bytes, path: str, caller: str, token: str, expires: int) -> str:
    # From /api/ on: a MEDAL_BASE_URL with a path prefix (behind a proxy) signs what the app itself sees.
    path = path[path.find("/api/") :] if "/api/" in path else path
    message = "\n".join((path, caller, token, str(expires))).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(key: bytes, url: str, caller: Caller, expires: int) -> str:
    """``url`` with the signature that lets ``caller`` fetch its path until ``expires`` (Unix seconds)."""
    parts = urlsplit(url)
    who, token = f"{caller.role}:{caller.name}", caller.token or ""
    query = urlencode(
        {
            "caller": who,
            "token": token,
            "expires": expires,
            "signature": _signature(key, parts.path, who, token, expires),
        }
    )
    return parts._replace(query=f"{parts.query}&{query}" if parts.query else query).geturl()


def expiry(settings: Settings) -> int:
    """The expiry (Unix seconds) of a link made now."""
    return int(time.time()) + settings.link_ttl


def verify(key: bytes, path: str, params: Mapping[str, str]) -> tuple[Caller, int]:
    """The caller a signed link stands for and its expiry; 403 when it was tampered with or has expired."""
    who, token, expires, signature = (params.get(name, "") for name in LINK_PARAMETERS)
    try:
        when = int(expires)
    except ValueError:
        raise Forbidden("this signed link is malformed (expires): ask for a new one") from None
    if not hmac.compare_digest(_signature(key, path, who, token, when), signature):
        raise Forbidden("this link's signature does not match its path, caller, token and expiry: ask for a new one")
    if when < time.time():
        raise Forbidden("this signed link has expired: ask for a new one (GET .../croissant-link)")
    role, _, name = who.partition(":")
    if role == "anonymous":
        return ANONYMOUS, when
    return Caller(role=role, name=name or None, token=token or None), when  # type: ignore[arg-type]


def token_id(digest: str) -> str:
    """What a link carries of a token: the start of its digest."""
    return digest[:TOKEN_ID_LENGTH]


def check_active(store: Store | Catalog, caller: Caller) -> None:
    """Refuse (403) a link whose token has been revoked since it was made, or that names no token."""
    if caller.role == "anonymous":
        return
    if caller.token:
        for held in store.list_tokens():
            if token_id(held.digest) == caller.token and held.name == caller.name and held.role == caller.role:
                return
    raise Forbidden(
        "the token this link was made with has been revoked: its links no longer answer (ask its holder for a new link)"
    )


def sign_files(document: dict[str, Any], base: str, key: bytes, caller: Caller, expires: int) -> dict[str, Any]:
    """The Croissant document with every file URL the catalog at ``base`` serves signed for ``caller``."""
    prefix = base.rstrip("/") + "/api/"
    for node in document.get("distribution") or []:
        url = node.get("contentUrl")
        if isinstance(url, str) and url.startswith(prefix) and "signature=" not in url:
            node["contentUrl"] = sign(key, url, caller, expires)
    return document


def for_caller(
    request: Request, document: dict[str, Any], base: str, catalog: Catalog, caller: Caller
) -> dict[str, Any]:
    """A Croissant export as ``caller`` gets it: a token holder's (or a signed link's) file URLs are signed for
    them, with the expiry of the link they came with, so that mlcroissant needs no credentials to follow them."""
    if caller.role == "anonymous":
        return document
    settings: Settings = request.app.state.settings  # the app's (api/deps.get_settings_of, which imports this)
    expires = getattr(request.state, "link_expires", None) or expiry(settings)
    return sign_files(document, base, signing_key(settings, catalog), caller, expires)
