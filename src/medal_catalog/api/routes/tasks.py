"""``/api/tasks``: the list of tasks, a task's Croissant with its cases and published labels, panel reviews and the
admin's decision, each recorded as a new version."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response

from medal_catalog.api.deps import AdminDep, CallerDep, CatalogDep, ReviewerDep
from medal_catalog.api.listing import list_entries
from medal_catalog.api.models import DecisionCreate, Page
from medal_catalog.api.access import redact, require_data
from medal_catalog.api.render import base_url, visible
from medal_catalog.catalog import Catalog
from medal_catalog.errors import Conflict, InvalidSubmission, NotFound

router = APIRouter(tags=["tasks"])
#: Where a task may be reviewed or decided from.
OPEN_FOR_REVIEW = ("submitted", "under_review")


@router.get("/tasks", response_model=Page)
def list_tasks(request: Request, catalog: CatalogDep, caller: CallerDep, page: Annotated[int, Query(ge=1)] = 1,
               size: Annotated[int, Query(ge=1, le=100)] = 20) -> Page:
    """The tasks the caller may see: accepted ones for everyone, plus their own, plus all for the panel."""
    return list_entries(request, catalog, caller, {"type": "BenchmarkTask"}, page, size)


def _dataset_views(catalog: Catalog, caller, task: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The caller's view of each dataset the task uses (those the caller may not see are left out)."""
    views = {}
    for dataset_id in task.get("datasets_used") or []:
        try:
            current, view = visible(catalog, caller, "ImagingDataset", dataset_id)
        except NotFound:
            continue
        views[dataset_id] = redact(current.document, view)
    return views


@router.get("/tasks/{task_id}/croissant", response_class=JSONResponse)
def task_croissant(task_id: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> JSONResponse:
    """Croissant 1.1 (with RAI) of the task: its clinical question, task type, metrics and reference standard,
    and the record sets `splits`, `cases` and `labels` (hidden-test labels are never included). The cases and
    labels files load for callers who may fetch the label dataset's data."""
    from medal_catalog.exports.croissant import content_addressed, export_task

    current, _ = visible(catalog, caller, "BenchmarkTask", task_id)
    base = base_url(request)
    try:
        document, _ = export_task(catalog, task_id, base, document=current.document,
                                  datasets=_dataset_views(catalog, caller, current.document),
                                  files_url=f"{base}/api/tasks/{task_id}/")
    except ValueError as err:
        raise Conflict(f"the label table of task {task_id!r} does not match its declaration: {err}")
    from medal_catalog.api.links import for_caller

    document = for_caller(request, content_addressed(document, base), base, catalog, caller)
    return JSONResponse(document, media_type="application/ld+json")


@router.get("/tasks/{task_id}/cases.csv", response_class=Response)
def task_cases(task_id: str, catalog: CatalogDep, caller: CallerDep) -> Response:
    """The task's cases (id, split, inputs), for callers who may fetch the label dataset's data."""
    return Response(_case_files(catalog, caller, task_id).cases, media_type="text/csv")


@router.get("/tasks/{task_id}/labels.csv", response_class=Response)
def task_labels(task_id: str, catalog: CatalogDep, caller: CallerDep) -> Response:
    """The labels of the task's cases in splits whose labels are published; never a hidden split's."""
    return Response(_case_files(catalog, caller, task_id).labels, media_type="text/csv")


def _case_files(catalog: Catalog, caller, task_id: str):
    from medal_catalog.exports.croissant import case_files
    from medal_catalog.labels import label_dataset

    current, _ = visible(catalog, caller, "BenchmarkTask", task_id)
    task = current.document
    dataset_id = label_dataset(task)
    if not task.get("labels") or dataset_id is None:
        raise NotFound(f"task {task_id!r} declares no label table")
    dataset, view = visible(catalog, caller, "ImagingDataset", dataset_id)
    require_data(caller, dataset.document, view, f"the cases of task {task_id!r} (dataset {dataset_id!r})")
    try:
        files = case_files(catalog, task, dataset.document)
    except ValueError as err:
        raise Conflict(f"the label table of task {task_id!r} does not match its declaration: {err}")
    if files is None:
        raise NotFound(f"the catalog keeps no label table for task {task_id!r}")
    return files


def _open_task(catalog: Catalog, caller, task_id: str) -> dict[str, Any]:
    current, _ = visible(catalog, caller, "BenchmarkTask", task_id)
    task = dict(current.document or {})
    if task.get("status") not in OPEN_FOR_REVIEW:
        raise Conflict(f"task {task_id!r} is {task.get('status')}, not under review")
    return task


@router.post("/tasks/{task_id}/reviews", status_code=201)
def review(task_id: str, catalog: CatalogDep, caller: ReviewerDep,
           assessment: Annotated[dict[str, Any], Body(description="A ReviewAssessment (its task is this one).")]
           ) -> dict[str, Any]:
    """Store a panel member's ReviewAssessment (validated as `medal validate` does) and move the task to
    under_review; 422 with the validation report when the assessment is invalid."""
    from medal_catalog.ingestion import check_document

    task = _open_task(catalog, caller, task_id)
    assessment = {**assessment, "type": "ReviewAssessment", "task": task_id}
    assessment.setdefault("id", f"{task_id}.review.{secrets.token_hex(4)}")
    report, entries = check_document(orjson.dumps(assessment), "json", "review")
    if not report.ok:
        raise InvalidSubmission(report.to_dict())
    if catalog.get("ReviewAssessment", assessment["id"]) is not None:
        raise Conflict(f"review {assessment['id']!r} exists already")
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
