"""``/id/{kind}/{id}`` and ``/id/{kind}/{id}/v{n}``: the resolvable identifiers used as ``@id``; they redirect
(303 See Other) to the API representation the Accept header asks for."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from medal_catalog.api.render import kind_of, negotiate
from medal_catalog.errors import NotFound

router = APIRouter(tags=["identifiers"])


def _redirect(request: Request, target: str) -> RedirectResponse:
    fmt = negotiate(request, request.query_params.get("format"))
    suffix = "" if fmt == "json" else f"?format={fmt}"
    return RedirectResponse(target + suffix, status_code=303, headers={"Vary": "Accept"})


@router.get("/id/{kind}/{entry_id}", include_in_schema=True)
def resolve(kind: str, entry_id: str, request: Request) -> RedirectResponse:
    """Redirect to the entry's current version."""
    kind_of(kind)
    return _redirect(request, f"/api/{kind}/{entry_id}")


@router.get("/id/{kind}/{entry_id}/v{number}")
def resolve_version(kind: str, entry_id: str, number: str, request: Request) -> RedirectResponse:
    """Redirect to one version of the entry."""
    kind_of(kind)
    if not number.isdigit():
        raise NotFound(f"v{number} is not a version number")
    return _redirect(request, f"/api/{kind}/{entry_id}/versions/{number}")
