"""The API's dependencies as ``Annotated`` aliases: settings, the open catalog, the caller and role checks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from medal_catalog.api.access import ANONYMOUS, Caller
from medal_catalog.api.links import check_active, signing_key, token_id, verify
from medal_catalog.api.tokens import is_role, lookup
from medal_catalog.config import Settings
from medal_catalog.catalog import Catalog
from medal_catalog.errors import Forbidden, Unauthorized
from medal_catalog.store.base import StoredToken


def get_settings_of(request: Request) -> Settings:
    """The settings of the app serving ``request``: those create_app() was given."""
    settings: Settings = request.app.state.settings
    return settings


async def get_app_settings(request: Request) -> Settings:
    """The app's settings as a dependency (override this one in a test to change them for one app)."""
    return get_settings_of(request)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


# The dependencies are coroutines with as few sub-dependencies as possible: FastAPI runs a plain function
# dependency in a worker thread and resolves each node separately, and on an entry GET those costs exceeded the
# work itself. The catalog therefore reads the settings create_app() was given (app.state.settings) directly.
async def get_catalog(request: Request) -> Catalog:
    """The app's catalog, opened on first use with the app's settings and closed when the app stops."""
    state = request.app.state
    if state.catalog is None:
        with state.catalog_lock:
            if state.catalog is None:
                state.catalog = Catalog.open(settings=state.settings)
    catalog: Catalog = state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]

_bearer = HTTPBearer(auto_error=False, description="A token made by `medal token create`.")


async def get_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    """The caller: anonymous without a token, the token's holder with a valid one; 401 for an unknown token.

    The token comes as a bearer token, or as the password of HTTP Basic authentication (any user name): that is
    what data loaders such as mlcroissant send (CROISSANT_BASIC_AUTH_USERNAME/PASSWORD, or ~/.netrc)."""
    if "signature" in request.query_params:
        return await _signed_caller(request)
    token = credentials.credentials if credentials is not None else _basic_password(request)
    if token is None:
        return ANONYMOUS
    catalog = await get_catalog(request)
    holder = await run_in_threadpool(lookup, catalog, token)
    if holder is None:
        raise Unauthorized("unknown or revoked token")
    return holder_caller(holder)


def holder_caller(holder: StoredToken) -> Caller:
    """The caller a valid token's holder is; 401 for a role this catalog does not know (a row written by hand,
    or by a newer version with more roles)."""
    if not is_role(holder.role):
        raise Unauthorized(f"the token's role {holder.role!r} is not one this catalog knows")
    return Caller(role=holder.role, name=holder.name, token=token_id(holder.digest))


async def _signed_caller(request: Request) -> Caller:
    """The caller a signed link stands for (403 when tampered with or expired); its expiry is kept for the
    links the answer itself signs."""
    catalog = await get_catalog(request)
    key = await run_in_threadpool(signing_key, request.app.state.settings, catalog)
    caller, expires = verify(key, request.url.path, request.query_params)
    await run_in_threadpool(check_active, catalog, caller)  # a revoked token's links stop at once
    request.state.link_expires = expires
    return caller


def _basic_password(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        _, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("malformed Basic credentials") from None
    return password if sep and password else None


CallerDep = Annotated[Caller, Depends(get_caller)]


#: The dependencies :func:`require` made and the roles each needs: how the OpenAPI generator tells a route that
#: needs a token (envelope.py).
ROLE_CHECKS: dict[Callable[..., Any], tuple[str, ...]] = {}


def require(*roles: str) -> Callable[[Caller], Coroutine[Any, Any, Caller]]:
    """A dependency that lets through only callers with one of ``roles`` (401 without a token, 403 otherwise)."""

    async def check(caller: CallerDep) -> Caller:
        if caller.role == "anonymous":
            raise Unauthorized(f"this needs a token with role {' or '.join(roles)}")
        if caller.role not in roles:
            raise Forbidden(f"role {caller.role} may not do this; it needs {' or '.join(roles)}")
        return caller

    ROLE_CHECKS[check] = roles
    return check


ContributorDep = Annotated[Caller, Depends(require("contributor", "admin"))]
ReviewerDep = Annotated[Caller, Depends(require("reviewer", "admin"))]
AdminDep = Annotated[Caller, Depends(require("admin"))]


async def request_caller(request: Request) -> Caller:
    """The caller of ``request`` exactly as :func:`get_caller` sees it, for code outside FastAPI's dependency
    injection (the web pages, which also accept a sign-in cookie)."""
    return await get_caller(request, await _bearer(request))
