"""The one error envelope: every error answer of the API is an :class:`~medal_catalog.api.models.ErrorBody`,
whether the catalog refused the request (a :class:`~medal_catalog.errors.MedalError`), Starlette answered it
(no such route 404, wrong method 405) or FastAPI could not parse it (422), and OpenAPI documents it so."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException as StarletteHTTPException

from medal_catalog.api.models import ErrorBody
from medal_catalog.errors import MedalError

#: What FastAPI and Starlette answer themselves, besides the catalog's errors. (405 is not documented: it is the
#: answer of a path for a method it has no operation for, so no operation can say it answers it.)
_FRAMEWORK = {404: "No such route.",
              422: "Parameters or a body FastAPI could not parse: `detail` is its list of field errors."}


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
            found.setdefault(cls.http_status, []).append(cls.__doc__.strip().splitlines()[0])
    return {status: " ".join(found[status]) for status in sorted(found)}


#: The OpenAPI ``responses`` every operation gets (an operation's own entry for a status replaces this one).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in error_statuses().items()}


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


def install_handlers(app: FastAPI) -> None:
    """Answer MedalError, Starlette's and FastAPI's HTTPException and request-validation errors with ErrorBody."""

    @app.exception_handler(MedalError)
    async def medal_error(request: Request, err: MedalError) -> Response:
        return refusal(err)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(exc.status_code, exc.detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own encoding first (its errors may hold values JSON cannot): the same body as its handler's.
        return error_response(422, jsonable_encoder(exc.errors()))
