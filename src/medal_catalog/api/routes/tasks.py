"""``/api/tasks``: the list of tasks, panel reviews and the admin's decision, each recorded as a new version."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, HTTPException, Query, Request

from medal_catalog.api.deps import AdminDep, CallerDep, CatalogDep, ReviewerDep
from medal_catalog.api.intake import check_metadata
from medal_catalog.api.listing import list_entries
from medal_catalog.api.models import DecisionCreate, Page
from medal_catalog.api.render import visible
from medal_catalog.store import Catalog

router = APIRouter(tags=["tasks"])
#: Where a task may be reviewed or decided from.
OPEN_FOR_REVIEW = ("submitted", "under_review")


@router.get("/tasks", response_model=Page)
def list_tasks(request: Request, catalog: CatalogDep, caller: CallerDep, page: Annotated[int, Query(ge=1)] = 1,
               size: Annotated[int, Query(ge=1, le=100)] = 20) -> Page:
    """The tasks the caller may see: accepted ones for everyone, plus their own, plus all for the panel."""
    return list_entries(request, catalog, caller, {"type": "BenchmarkTask"}, page, size)


def _open_task(catalog: Catalog, caller, task_id: str) -> dict[str, Any]:
    current, _ = visible(catalog, caller, "BenchmarkTask", task_id)
    task = dict(current.document or {})
    if task.get("status") not in OPEN_FOR_REVIEW:
        raise HTTPException(409, f"task {task_id!r} is {task.get('status')}, not under review")
    return task


@router.post("/tasks/{task_id}/reviews", status_code=201)
def review(task_id: str, catalog: CatalogDep, caller: ReviewerDep,
           assessment: Annotated[dict[str, Any], Body(description="A ReviewAssessment (its task is this one).")]
           ) -> dict[str, Any]:
    """Store a panel member's ReviewAssessment (validated as `medal validate` does) and move the task to
    under_review; 422 with the validation report when the assessment is invalid."""
    task = _open_task(catalog, caller, task_id)
    assessment = {**assessment, "type": "ReviewAssessment", "task": task_id}
    assessment.setdefault("id", f"{task_id}.review.{secrets.token_hex(4)}")
    report, entries = check_metadata(orjson.dumps(assessment), "json", "review")
    if not report.ok:
        raise HTTPException(422, report.to_dict())
    if catalog.get("ReviewAssessment", assessment["id"]) is not None:
        raise HTTPException(409, f"review {assessment['id']!r} exists already")
    stored = catalog.put(entries[0], author=caller.name or "?", reason=f"review of {task_id}")
    result: dict[str, Any] = {"review": stored.to_dict()}
    if task.get("status") == "submitted":
        moved = catalog.put({**task, "status": "under_review"}, author=caller.name or "?",
                            reason=f"under review: first review {assessment['id']}")
        result["task"] = moved.to_dict()
    return result


@router.post("/tasks/{task_id}/decision")
def decide(task_id: str, decision: DecisionCreate, catalog: CatalogDep, caller: AdminDep) -> dict[str, Any]:
    """Accept or reject a task under review, with the reason; recorded as the task's next version."""
    task = _open_task(catalog, caller, task_id)
    status = "accepted" if decision.decision == "accept" else "rejected"
    stored = catalog.put({**task, "status": status}, author=caller.name or "?",
                         reason=f"{status}: {decision.reason}")
    return {"task": stored.to_dict()}
