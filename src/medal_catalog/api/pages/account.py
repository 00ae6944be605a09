"""Signing in and out with a token, and a contributor's own page: their submissions, each one's status and the
panel's feedback once it has decided (what ``GET /api/tasks/{id}/reviews`` gives them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from medal_catalog.api.access import Caller, owned_keys
from medal_catalog.api.deps import CatalogDep
from medal_catalog.api.pages.search import entry_url
from medal_catalog.api.pages.session import Visit, check_csrf, sign_in, sign_out, visit
from medal_catalog.api.pages.templating import error_page, render
from medal_catalog.api.tokens import lookup
from medal_catalog.catalog import Catalog
from medal_catalog.errors import MedalError, Unauthorized
from medal_catalog.panel import Actor, allowed_for, latest_decision, list_reviews

router = APIRouter(include_in_schema=False)


def _local(target: str | None) -> str:
    """Only a path of this site may be the page to return to (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/signin", response_class=HTMLResponse)
async def signin_form(request: Request, current: Annotated[Visit, Depends(visit)]) -> Response:
    return render(
        request, current, "signin.html", title="Sign in", next=_local(request.query_params.get("next")), error=None
    )


@router.post("/signin", response_class=HTMLResponse)
async def signin(request: Request, catalog: CatalogDep, current: Annotated[Visit, Depends(visit)]) -> Response:
    """Check the token, keep it in the HttpOnly, SameSite=Strict cookie and go back where the visitor was."""
    form = await request.form()
    target = _local(str(form.get("next") or "/"))
    try:
        check_csrf(request, current, form.get("csrf"))
    except MedalError as err:
        return error_page(request, current, err)
    token = str(form.get("token") or "").strip()
    holder = await run_in_threadpool(lookup, catalog, token) if token else None
    if holder is None:
        return render(
            request,
            current,
            "signin.html",
            status=401,
            title="Sign in",
            next=target,
            error="This token is unknown or revoked. Check that you pasted all of it, or ask an admin "
            "for a new one (medal token create).",
        )
    response = RedirectResponse(target, status_code=303)
    sign_in(request, response, token)
    return response


@router.post("/signout")
async def signout(request: Request, current: Annotated[Visit, Depends(visit)]) -> Response:
    form = await request.form()
    try:
        check_csrf(request, current, form.get("csrf"))
    except MedalError as err:
        return error_page(request, current, err)
    response = RedirectResponse("/", status_code=303)
    sign_out(request, response)
    return response


def _submissions(catalog: Catalog, caller: Caller) -> list[dict[str, Any]]:
    """A row per entry ``caller`` wrote first: what it is, where it stands, and the panel's feedback on a task."""
    out = []
    keys = owned_keys(catalog, caller.name or "")
    found = catalog.get_many(keys)
    for key in sorted(found):
        version = found[key]
        document = version.document or {}
        row: dict[str, Any] = {
            "kind": version.kind,
            "id": version.id,
            "title": document.get("title") or version.id,
            "url": entry_url(version.kind, version.id),
            "version": version.version,
            "recorded_at": version.recorded_at,
            "status": document.get("status"),
            "access_level": document.get("access_level"),
            "feedback": None,
            "note": None,
            "next": [],
            "decision": None,
        }
        if version.kind == "BenchmarkTask":
            actor = Actor(caller.name, caller.role)
            row["next"] = allowed_for(catalog, version.id, document.get("status"), actor)
            try:
                row["feedback"] = list_reviews(catalog, version.id, actor)
                row["decision"] = latest_decision(catalog, version.id)
            except MedalError as err:
                row["note"] = str(err)
        out.append(row)
    return out


@router.get("/mine", response_class=HTMLResponse)
async def mine(request: Request, catalog: CatalogDep, current: Annotated[Visit, Depends(visit)]) -> Response:
    """The signed-in contributor's submissions, status and the panel's feedback."""
    if current.caller.role == "anonymous":
        return error_page(request, current, Unauthorized("sign in with your token to see your submissions"))
    rows = await run_in_threadpool(_submissions, catalog, current.caller)
    return render(request, current, "mine.html", title="My submissions", rows=rows)
