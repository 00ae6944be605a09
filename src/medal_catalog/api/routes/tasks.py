"""``/api/tasks``: the list of tasks, a task's Croissant with its cases and published labels (the panel's routes
are in panel.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from medal_catalog.api.access import Caller, may_fetch_data, redact, require_data
from medal_catalog.api.deps import CallerDep, CatalogDep
from medal_catalog.api.envelope import errors
from medal_catalog.api.links import for_caller
from medal_catalog.api.listing import list_entries
from medal_catalog.api.models import Page
from medal_catalog.api.params import PageNo, Size
from medal_catalog.api.render import base_url, live_document, visible
from medal_catalog.catalog import Catalog
from medal_catalog.errors import Conflict, NotFound
from medal_catalog.exports.croissant import (
    CaseFiles,
    TaskImages,
    case_files,
    content_addressed,
    export_task,
    task_images,
)
from medal_catalog.labels import label_dataset

router = APIRouter(tags=["tasks"])


@router.get("/tasks", response_model=Page)
def list_tasks(request: Request, catalog: CatalogDep, caller: CallerDep, page: PageNo = 1, size: Size = 20) -> Page:
    """The tasks the caller may see: accepted ones for everyone, plus their own, plus all for the panel."""
    return list_entries(request, catalog, caller, {"type": "BenchmarkTask"}, page, size)


def _dataset_views(catalog: Catalog, caller: Caller, task: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The caller's view of each dataset the task uses (those the caller may not see are left out)."""
    views: dict[str, dict[str, Any]] = {}
    for dataset_id in task.get("datasets_used") or []:
        try:
            current, view = visible(catalog, caller, "ImagingDataset", dataset_id)
        except NotFound:
            continue
        document = redact(current.document, view)
        if document is not None:
            views[dataset_id] = document
    return views


@router.get("/tasks/{task_id}/croissant", response_class=JSONResponse, responses=errors(409))
def task_croissant(task_id: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> JSONResponse:
    """Croissant 1.1 (with RAI) of the task: its clinical question, task type, metrics and reference standard,
    and the record sets `splits`, `cases` and `labels` (hidden-test labels are never included). The cases and
    labels files load for callers who may fetch the label dataset's data."""
    current, _ = visible(catalog, caller, "BenchmarkTask", task_id)
    task = live_document(current)
    base = base_url(request)
    try:
        document, _ = export_task(
            catalog,
            task_id,
            base,
            document=task,
            datasets=_dataset_views(catalog, caller, task),
            files_url=f"{base}/api/tasks/{task_id}/",
            images=_images(catalog, caller, task, base),
        )
    except ValueError as err:
        raise Conflict(f"the label table of task {task_id!r} does not match its declaration: {err}")
    document = for_caller(request, content_addressed(document, base), base, catalog, caller)
    return JSONResponse(document, media_type="application/ld+json")


def _images(catalog: Catalog, caller: Caller, task: dict[str, Any], base: str) -> TaskImages | None:
    """The label dataset's series (and DICOM archive) as the caller may have them in the task's Croissant: its
    series unless the caller has only its hidden-test view, its DICOM files only if the caller may fetch them."""
    dataset_id = label_dataset(task)
    if dataset_id is None or not (task.get("labels") or {}).get("series_column"):
        return None
    try:
        current, view = visible(catalog, caller, "ImagingDataset", dataset_id)
    except NotFound:
        return None
    if view == "hidden":
        return None
    data = f"{base}/api/datasets/{dataset_id}/files/" if may_fetch_data(current.document, view) else None
    return task_images(catalog, dataset_id, f"{base}/api/datasets/{dataset_id}/series.jsonl", data)


@router.get("/tasks/{task_id}/cases.csv", response_class=Response, responses=errors(409))
def task_cases(task_id: str, catalog: CatalogDep, caller: CallerDep) -> Response:
    """The task's cases (id, split, inputs), for callers who may fetch the label dataset's data."""
    return Response(_case_files(catalog, caller, task_id).cases, media_type="text/csv")


@router.get("/tasks/{task_id}/labels.csv", response_class=Response, responses=errors(409))
def task_labels(task_id: str, catalog: CatalogDep, caller: CallerDep) -> Response:
    """The labels of the task's cases in splits whose labels are published; never a hidden split's."""
    return Response(_case_files(catalog, caller, task_id).labels, media_type="text/csv")


def _case_files(catalog: Catalog, caller: Caller, task_id: str) -> CaseFiles:
    current, _ = visible(catalog, caller, "BenchmarkTask", task_id)
    task = live_document(current)
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
