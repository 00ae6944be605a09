"""The one error envelope: every error answer of the API is an :class:`~medal_catalog.api.models.ErrorBody`,
whether the catalog refused the request (a :class:`~medal_catalog.errors.MedalError`), Starlette answered it
(no such route 404, wrong method 405) or FastAPI could not parse it (422), and OpenAPI documents it so."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from medal_catalog.api.deps import ROLE_CHECKS, get_caller, get_catalog

from medal_catalog.api.models import ErrorBody
from medal_catalog.errors import MedalError

#: What FastAPI and Starlette answer themselves, besides the catalog's errors. (405 is not documented: it is the
#: answer of a path for a method it has no operation for, so no operation can say it answers it.)
_FRAMEWORK = {
    400: "A JSON body FastAPI could not parse.",
    404: "No such route.",
    422: "Parameters or a body FastAPI could not parse: `detail` is its list of field errors.",
}


def error_statuses() -> dict[int, str]:
    """Every error status an operation may answer with an ErrorBody, in order, each described by what answers
    it: the first docstring line of each error class in :mod:`medal_catalog.errors` with that status, and the
    framework's own answers."""
    found: dict[int, list[str]] = {status: [text] for status, text in _FRAMEWORK.items()}
    pending = list(MedalError.__subclasses__())
    while pending:
        cls = pending.pop(0)
        pending += cls.__subclasses__()
        if cls.__module__ == MedalError.__module__:
            found.setdefault(cls.http_status, []).append((cls.__doc__ or cls.__name__).strip().splitlines()[0])
    return {status: " ".join(found[status]) for status in sorted(found)}


#: The OpenAPI ``responses`` of an operation, as FastAPI's route decorators take them.
Responses = dict[int | str, dict[str, Any]]

#: The OpenAPI ``responses`` of every error status (an operation's own entry for a status replaces this one).
ERROR_RESPONSES: Responses = {
    status: {"model": ErrorBody, "description": text} for status, text in error_statuses().items()
}


def errors(*statuses: int) -> Responses:
    """The OpenAPI ``responses`` of these error statuses, each an ErrorBody described as :data:`ERROR_RESPONSES`
    describes it: for a route to declare the refusals its own code raises (409, 415, 400, 406, ...)."""
    return {status: ERROR_RESPONSES[status] for status in statuses}


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def anonymous_allowed(route: APIRoute) -> bool:
    """Whether the route answers without a token (it takes the caller but requires no role)."""
    calls = list(_calls(route.dependant))
    return get_caller in calls and not any(call in ROLE_CHECKS for call in calls)


def document_errors(app: FastAPI, routers: Iterable[tuple[APIRouter, str]]) -> None:
    """Add to each operation's OpenAPI ``responses`` the error statuses its dependencies and parameters can give
    (a route's own declarations are kept): 401 and 403 where the caller is read (unknown token, bad signed link,
    a role it lacks), 404 where the path names something, 400 where a JSON body is parsed, 422 where a parameter or body is parsed, 413 where a
    body is read, 503 where the catalog is opened (store locked or read-only, index unreachable). And mark the
    bearer token optional (``security: [{}, ...]``) on the operations that answer anonymous callers too. Call it
    with each router and its prefix before including them in ``app``."""
    anonymous: list[tuple[str, set[str]]] = []
    app.state.route_methods = []
    for router, prefix in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            methods = route.methods or set()
            app.state.route_methods.append((compile_path(prefix + route.path)[0], set(methods)))
            calls = list(_calls(route.dependant))
            found: list[int] = []
            if get_caller in calls:
                found += [401, 403]
            if route.dependant.path_params:
                found.append(404)
            if route.dependant.body_params:
                found.append(400)
            if (
                route.dependant.path_params
                or route.dependant.query_params
                or route.dependant.body_params
                or ("requestBody" in (route.openapi_extra or {}))
            ):
                found.append(422)
            if methods & {"POST", "PUT", "PATCH"}:
                found.append(413)
            if get_catalog in calls:
                found.append(503)
            route.responses = {**errors(*sorted(set(found))), **route.responses}
            if anonymous_allowed(route):
                anonymous.append((prefix + route.path_format, methods))
    app.state.anonymous_operations = anonymous


class DocumentedApp(FastAPI):
    """FastAPI whose OpenAPI marks the bearer token optional (``security: [{}, ...]``) on the operations that
    :func:`document_errors` found answering anonymous callers too."""

    def openapi(self) -> dict[str, Any]:
        before = self.openapi_schema
        spec = super().openapi()  # FastAPI keeps it, and makes it anew only when the routes changed
        if spec is before:
            return spec
        anonymous: list[tuple[str, set[str]]] = getattr(self.state, "anonymous_operations", [])
        for path, methods in anonymous:
            for method in methods:
                operation = spec["paths"].get(path, {}).get(method.lower(), {})
                if operation.get("security") and {} not in operation["security"]:
                    operation["security"] = [{}, *operation["security"]]
        return spec


def error_response(status: int, detail: Any, headers: dict[str, str] | None = None) -> Response:
    """The answer for an error: ``status`` and ``headers`` with ``ErrorBody(detail)`` as JSON (no body for a
    status that allows none). ``detail`` must fit ErrorBody; what it holds is sent as it is, adding no field."""
    if not is_body_allowed_for_status_code(status):
        return Response(status_code=status, headers=headers)
    body = ErrorBody.model_validate({"detail": detail}).model_dump(mode="json", exclude_unset=True)
    return JSONResponse(body, status_code=status, headers=headers)


def refusal(err: MedalError) -> Response:
    """The answer for a catalog error: its status, detail and headers."""
    return error_response(err.http_status, err.detail, err.headers)


async def _page(request: Request, status: int, detail: Any, headers: dict[str, str] | None) -> Response | None:
    """A browser's error page instead of the envelope, when the web pages installed one (api/pages/errors.py)."""
    page_for = getattr(request.app.state, "error_page", None)
    return await page_for(request, status, detail, headers) if page_for is not None else None


def install_handlers(app: FastAPI) -> None:
    """Answer MedalError, Starlette's and FastAPI's HTTPException, request-validation errors and any other
    exception (500) with ErrorBody; browsers outside the API get the site's error page instead."""

    @app.exception_handler(MedalError)
    async def medal_error(request: Request, err: MedalError) -> Response:
        return await _page(request, err.http_status, err.detail, err.headers) or refusal(err)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette names the methods of the first route matching the path; several routes may share it.
            headers = {**(headers or {}), "Allow": ", ".join(_allowed(app, request))}
        return await _page(request, exc.status_code, exc.detail, headers) or error_response(
            exc.status_code, exc.detail, headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own encoding first (its errors may hold values JSON cannot): the same body as its handler's.
        detail = jsonable_encoder(exc.errors())
        return await _page(request, 422, detail, None) or error_response(422, detail)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        # Starlette's ServerErrorMiddleware calls this, then re-raises for the server's log; the answer names
        # nothing of the failure (it may hold a value of a file or a query).
        detail = "internal server error: the catalog logged it"
        return await _page(request, 500, detail, None) or error_response(500, detail)


def _allowed(app: FastAPI, request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path (:func:`document_errors` keeps them)."""
    methods: set[str] = set()
    for pattern, route_methods in getattr(app.state, "route_methods", ()):
        if pattern.match(request.url.path):
            methods |= route_methods
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(methods, key=lambda m: order.index(m) if m in order else len(order))
