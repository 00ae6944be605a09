"""``/tasks/{id}/leaderboard``: a task split's leaderboard for people (the JSON is ``/api/tasks/{id}/leaderboard``),
and the leaderboard section of the task page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from medal_catalog.api.access import Caller
from medal_catalog.api.deps import CatalogDep
from medal_catalog.api.pages.session import Visit, visit
from medal_catalog.api.pages.templating import error_page, render
from medal_catalog.api.routes.evaluations import board
from medal_catalog.catalog import Catalog
from medal_catalog.errors import MedalError

router = APIRouter(include_in_schema=False)


def task_board(catalog: Catalog, caller: Caller, task_id: str) -> dict[str, Any] | None:
    """The task page's leaderboard section (its first hidden split), or None when it has none to show."""
    try:
        found = board(catalog, caller, task_id, None)
    except MedalError:
        return None
    return found if found.get("split") else None


@router.get("/tasks/{task_id}/leaderboard", response_class=HTMLResponse)
async def leaderboard_page(
    task_id: str,
    request: Request,
    catalog: CatalogDep,
    current: Annotated[Visit, Depends(visit)],
    split: Annotated[str | None, Query()] = None,
) -> Response:
    try:
        found = await run_in_threadpool(board, catalog, current.caller, task_id, split)
    except MedalError as err:
        return error_page(request, current, err)
    task = catalog.get("BenchmarkTask", task_id)  # board() found it visible
    title = ((task.document if task is not None else None) or {}).get("title") or task_id
    return render(request, current, "leaderboard.html", title=f"Leaderboard: {title}", task_id=task_id, board=found)
