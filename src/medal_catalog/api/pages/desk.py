"""The panel's desk (reviewers and admins): the queue of tasks open for review ranked with agreement flags, a task's
reviews and the scoring form, and the chair's decision with a reason. Every write calls the panel library
(:mod:`medal_catalog.panel`) exactly as the API's routes do; forms are CSRF-protected."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from medal_catalog.api.access import Caller
from medal_catalog.api.deps import CatalogDep, SettingsDep
from medal_catalog.api.pages.session import Visit, check_csrf, visit
from medal_catalog.api.pages.templating import error_page, render
from medal_catalog.api.render import visible
from medal_catalog.catalog import Catalog
from medal_catalog.errors import Forbidden, MedalError, Unauthorized
from medal_catalog.panel import (
    CRITERIA,
    Actor,
    decide,
    list_reviews,
    ranking,
    record_review,
    review_body_model,
    task_contamination,
)

from medal_catalog.panel.records import judged_version
from medal_catalog.schema.facts import enum_values

router = APIRouter(include_in_schema=False)
SCORES = (1, 2, 3, 4, 5)


def _panel_only(caller: Caller) -> None:
    if caller.role == "anonymous":
        raise Unauthorized("the panel's desk is for reviewers and admins: sign in with your token")
    if not caller.panel:
        raise Forbidden(f"the panel's desk is for reviewers and admins; {caller.name} is a {caller.role}")


def _error(request: Request, current: Visit, err: MedalError) -> HTMLResponse:
    return error_page(request, current, err)


@router.get("/desk", response_class=HTMLResponse)
async def desk(
    request: Request, catalog: CatalogDep, settings: SettingsDep, current: Annotated[Visit, Depends(visit)]
) -> Response:
    """The queue: tasks open for review, ranked by priority, with flags and the panel's agreement."""
    try:
        _panel_only(current.caller)
    except MedalError as err:
        return _error(request, current, err)
    shortlist = await run_in_threadpool(ranking, catalog, settings)
    return render(request, current, "desk.html", title="Panel desk", shortlist=shortlist, criteria=list(CRITERIA))


def _task_context(catalog: Catalog, caller: Caller, task_id: str) -> dict[str, Any]:
    current, view = visible(catalog, caller, "BenchmarkTask", task_id)
    reviews = list_reviews(catalog, task_id, Actor(caller.name, caller.role))
    mine = [r for r in reviews if r.get("author") == caller.name and r.get("counted")]
    # A review judges the version the task's judged content dates from (record_review's rule), which is not the
    # current version once a workflow step or an editorial edit has written a newer one.
    judges = judged_version(catalog.history("BenchmarkTask", task_id))
    return {
        "task": current.document,
        "task_version": current.version,
        "judges": judges,
        "reviews": reviews,
        "mine": mine[-1]["document"] if mine else None,
    }


def _task_page(
    request: Request,
    current: Visit,
    catalog: Catalog,
    task_id: str,
    status: int = 200,
    flash: str | None = None,
    problem: str | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    context = _task_context(catalog, current.caller, task_id)
    return render(
        request,
        current,
        "desk_task.html",
        status=status,
        title=f"Review {task_id}",
        flash=flash,
        problem=problem,
        form=form or context["mine"] or {},
        criteria=CRITERIA,
        scores=SCORES,
        recommendations=enum_values("RecommendationEnum"),
        **context,
    )


@router.get("/desk/tasks/{task_id}", response_class=HTMLResponse)
async def desk_task(
    task_id: str, request: Request, catalog: CatalogDep, current: Annotated[Visit, Depends(visit)]
) -> Response:
    """A task's reviews, the scoring form and (for admins) the decision form."""
    try:
        _panel_only(current.caller)
        done = request.query_params.get("done")
        flash = {"review": "Your review was recorded.", "decision": "The decision was recorded."}.get(done or "")
        return await run_in_threadpool(_task_page, request, current, catalog, task_id, 200, flash)
    except MedalError as err:
        return _error(request, current, err)


@router.get("/desk/tasks/{task_id}/contamination")
async def desk_contamination(
    task_id: str, request: Request, catalog: CatalogDep, current: Annotated[Visit, Depends(visit)]
) -> Response:
    """The task's contamination report for the signed-in panel (``GET /api/tasks/{id}/contamination``'s JSON,
    reached from the desk with the browser's session, which the JSON API does not read)."""
    try:
        _panel_only(current.caller)
        report = await run_in_threadpool(_contamination, catalog, current.caller, task_id)
    except MedalError as err:
        return _error(request, current, err)
    return JSONResponse(report, headers={"Cache-Control": "private, no-store"})


def _contamination(catalog: Catalog, caller: Caller, task_id: str) -> dict[str, Any]:
    visible(catalog, caller, "BenchmarkTask", task_id)
    return task_contamination(catalog, task_id)


def _field(form: FormData, name: str) -> str:
    """A text field of a form ("" when absent, or when a file was sent under its name)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _assessment(form: FormData) -> dict[str, Any]:
    """The review body from the form, validated by the same model as the API's ReviewCreate."""
    body: dict[str, Any] = {}
    for slot in CRITERIA.values():
        if _field(form, slot):
            body[slot] = _field(form, slot)
    body["recommendation"] = _field(form, "recommendation") or None
    body["comments"] = _field(form, "comments").strip() or None
    body["conflict_of_interest"] = _field(form, "conflict_of_interest") == "yes"
    body["conflict_of_interest_statement"] = _field(form, "conflict_of_interest_statement").strip() or None
    model = review_body_model()
    return model.model_validate({k: v for k, v in body.items() if v is not None}).model_dump(exclude_none=True)


def _problem(err: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in err.errors())


@router.post("/desk/tasks/{task_id}/reviews", response_class=HTMLResponse)
async def submit_review(
    task_id: str, request: Request, catalog: CatalogDep, current: Annotated[Visit, Depends(visit)]
) -> Response:
    """Record the signed-in panel member's review (the same call as ``POST /api/tasks/{id}/reviews``)."""
    form = await request.form()
    try:
        check_csrf(request, current, form.get("csrf"))
        _panel_only(current.caller)
        try:
            assessment = _assessment(form)
        except ValidationError as err:
            return await run_in_threadpool(
                _task_page, request, current, catalog, task_id, 422, None, _problem(err), dict(form)
            )
        await run_in_threadpool(
            lambda: record_review(
                catalog, task_id, assessment, Actor(current.caller.name, current.caller.role), today=date.today()
            )
        )
    except MedalError as err:
        if err.http_status in (409, 422):
            return await run_in_threadpool(
                _task_page, request, current, catalog, task_id, err.http_status, None, str(err), dict(form)
            )
        return _error(request, current, err)
    return RedirectResponse(f"/desk/tasks/{quote(task_id)}?done=review", status_code=303)


@router.post("/desk/tasks/{task_id}/decision", response_class=HTMLResponse)
async def submit_decision(
    task_id: str,
    request: Request,
    catalog: CatalogDep,
    settings: SettingsDep,
    current: Annotated[Visit, Depends(visit)],
) -> Response:
    """The chair accepts or rejects a task with a reason (the same call as ``POST /api/tasks/{id}/decision``)."""
    form = await request.form()
    try:
        check_csrf(request, current, form.get("csrf"))
        _panel_only(current.caller)
        if current.caller.role != "admin":
            raise Forbidden("decisions are taken by the panel chair (an admin token)")
        reason = _field(form, "reason").strip()
        if not reason:
            return await run_in_threadpool(
                _task_page,
                request,
                current,
                catalog,
                task_id,
                422,
                None,
                "a decision needs a reason: say why, it is recorded with the decision",
            )
        await run_in_threadpool(
            lambda: decide(
                catalog,
                task_id,
                _field(form, "decision"),
                reason,
                Actor(current.caller.name, current.caller.role),
                settings,
            )
        )
    except MedalError as err:
        if err.http_status in (409, 422):
            return await run_in_threadpool(
                _task_page, request, current, catalog, task_id, err.http_status, None, str(err)
            )
        return _error(request, current, err)
    return RedirectResponse(f"/desk/tasks/{quote(task_id)}?done=decision", status_code=303)
