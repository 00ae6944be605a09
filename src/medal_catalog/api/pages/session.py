"""Who is browsing, and forms only they can post: sign-in with a token kept in a cookie, and CSRF tokens.

The sign-in cookie holds the API token itself (``HttpOnly; SameSite=Strict``, ``Secure`` over https), so the
pages apply exactly the API's access rules through :func:`~medal_catalog.api.deps.request_caller`; a bearer
header still wins over the cookie. Only the pages read the cookie: the JSON API stays header-only, so a cookie
can never make a cross-site write to it.

CSRF: every form carries ``csrf``, an HMAC (key: the catalog's own secret, :meth:`Store.secret`) of a random
per-browser cookie and of the digest of the signed-in token. A forged form lacks the value, and a value read
before signing in (or by another user) does not match after it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from medal_catalog.api.access import ANONYMOUS, Caller
from medal_catalog.api.deps import get_catalog, holder_caller, request_caller
from medal_catalog.api.render import base_url
from medal_catalog.api.tokens import digest, lookup
from medal_catalog.errors import Forbidden, StoreReadOnlyError

AnyResponse = TypeVar("AnyResponse", bound=Response)

SESSION_COOKIE = "medal_session"
CSRF_COOKIE = "medal_csrf"
_SECRET_NAME = "web-csrf-key"


@dataclass
class Visit:
    """One page request: its caller, the browser's CSRF cookie value (made now when it had none) and whether a
    stale sign-in cookie must be cleared."""

    caller: Caller
    browser: str
    new_browser: bool
    stale: bool
    key: bytes

    def csrf(self, token: str | None) -> str:
        """The CSRF value the forms of this page carry."""
        return csrf_value(self.key, self.browser, token)


def csrf_value(key: bytes, browser: str, token: str | None) -> str:
    message = f"{browser}|{digest(token) if token else ''}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def csrf_key(request: Request) -> bytes:
    """The key of the CSRF values: the catalog's own secret (the same for every worker process), read once per
    app; a read-only catalog that keeps none yet gets a key for this process only."""
    state = request.app.state
    key: bytes | None = getattr(state, "csrf_key", None)
    if key is None:
        catalog = await get_catalog(request)
        try:
            key = (await run_in_threadpool(catalog.secret, _SECRET_NAME, lambda: secrets.token_urlsafe(32))).encode()
        except StoreReadOnlyError:
            key = secrets.token_bytes(32)
        state.csrf_key = key
    return key


async def visit(request: Request) -> Visit:
    """The caller of a page (bearer header, else the sign-in cookie; a revoked token's cookie counts as signed
    out) and its CSRF state; a dependency of every page."""
    if request.headers.get("authorization") or "signature" in request.query_params:
        caller, stale = await request_caller(request), False
    else:
        caller, stale = ANONYMOUS, False
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            catalog = await get_catalog(request)
            holder = await run_in_threadpool(lookup, catalog, token)
            if holder is None:
                stale = True
            else:
                caller = holder_caller(holder)
    browser = request.cookies.get(CSRF_COOKIE) or ""
    new = len(browser) < 16
    if new:
        browser = secrets.token_urlsafe(24)
    result = Visit(caller, browser, new, stale, await csrf_key(request))
    request.state.visit = result
    return result


def session_token(request: Request) -> str | None:
    """The token of the sign-in cookie, if any (what the CSRF value is bound to)."""
    return request.cookies.get(SESSION_COOKIE)


def check_csrf(request: Request, current: Visit, sent: str | UploadFile | None, token: str | None = None) -> None:
    """Refuse (403) a form whose ``csrf`` value is missing or is not this browser's and this session's."""
    if current.new_browser or not isinstance(sent, str) or not sent:
        raise Forbidden("this form has expired or did not come from this site: reload the page and send it again")
    expected = current.csrf(token if token is not None else session_token(request))
    if not hmac.compare_digest(expected, sent):
        raise Forbidden("this form has expired or did not come from this site: reload the page and send it again")


def secure(request: Request) -> bool:
    """Whether the site is served over https (the cookies are then ``Secure``)."""
    return request.url.scheme == "https" or base_url(request).startswith("https://")


def finish(request: Request, response: AnyResponse, current: Visit) -> AnyResponse:
    """Set the browser's CSRF cookie when new and clear a stale sign-in cookie, on any page response."""
    if current.new_browser:
        response.set_cookie(
            CSRF_COOKIE, current.browser, httponly=True, samesite="strict", secure=secure(request), path="/"
        )
    if current.stale:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=secure(request))
    return response


def sign_in(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure(request), path="/")


def sign_out(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=secure(request))
