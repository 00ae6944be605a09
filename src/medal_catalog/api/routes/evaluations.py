"""``/api/tasks/{id}/evaluations`` and ``/api/tasks/{id}/leaderboard``: members send predictions to be scored
against a split's labels (hidden ones included), the job runs off the request thread, its result is kept, and the
leaderboard ranks the results (issue 27; docs/evaluation.md).

Nothing here returns a per-case value: results hold aggregates with their intervals, subgroups of at least
MEDAL_MIN_GROUP cases, and the leaderboard rank intervals and ties; the bootstrap replicates stay in the store."""

from __future__ import annotations

import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from medal_catalog.api.access import Caller, may_fetch_data, view_of
from medal_catalog.api.deps import CallerDep, CatalogDep, SettingsDep
from medal_catalog.api.envelope import errors
from medal_catalog.api.render import accepted, base_url, live_document, visible
from medal_catalog.api.derived import poke, ranked
from medal_catalog.catalog import Catalog
from medal_catalog.labels import declared_splits
from medal_catalog.errors import Forbidden, NotFound, TooManyRequests, Unauthorized, Unprocessable
from medal_catalog.evaluation.jobs import run_evaluation
from medal_catalog.evaluation.leaderboard import leaderboard
from medal_catalog.labels import label_dataset
from medal_catalog.store.base import StoredEvaluation

router = APIRouter(tags=["evaluations"])


def _executor(request: Request) -> ThreadPoolExecutor:
    state = request.app.state
    with state.catalog_lock:
        if getattr(state, "evaluation_jobs", None) is None:
            # One worker: grading is CPU-bound and the queue is short; requests stay responsive.
            state.evaluation_jobs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medal-evaluation")
    jobs: ThreadPoolExecutor = state.evaluation_jobs
    return jobs


def _splits(catalog: Catalog, task: dict[str, Any]) -> dict[str, bool]:
    """Each split the task declares (by name) and whether its labels are hidden."""
    return {
        str(s["name"]): bool(s.get("labels_hidden"))
        for s in declared_splits(catalog, task)
        if s.get("name") is not None
    }


def _may_fetch_labels(catalog: Catalog, caller: Caller, task: dict[str, Any] | None) -> bool:
    """Whether ``caller`` may download the data of the dataset holding the task's label table."""
    dataset_id = label_dataset(task or {})
    current = catalog.get("ImagingDataset", dataset_id) if dataset_id else None
    if current is None or current.deleted:
        return False
    view = view_of(catalog, caller, current)
    return view is not None and may_fetch_data(current.document, view)


def _public(e: StoredEvaluation, request: Request) -> dict[str, Any]:
    return {
        "id": e.id,
        "url": f"/api/evaluations/{e.id}",
        "task": e.task,
        "split": e.split,
        "submitter": e.submitter,
        "version": e.version,
        "status": e.status,
        **e.about,
        "created_at": e.created_at,
        "finished_at": e.finished_at,
        "result": e.result,
        "error": e.error,
    }


@router.post("/tasks/{task_id}/evaluations", status_code=202, responses=errors(401, 403, 404, 413, 422, 429))
async def submit_evaluation(
    task_id: str,
    request: Request,
    catalog: CatalogDep,
    caller: CallerDep,
    settings: SettingsDep,
    split: Annotated[str, Form(description="the split to score")],
    predictions: Annotated[UploadFile, File(description="the predictions file (docs/evaluation.md)")],
    model_name: Annotated[str, Form(max_length=200)] = "",
    model_version: Annotated[str, Form(max_length=100)] = "",
    code_url: Annotated[str, Form(max_length=500)] = "",
) -> JSONResponse:
    """Queue the scoring of a predictions file on a split of the task (any signed-in member who may see the
    task). Answers 202 with the evaluation's URL; poll it for the result. On a hidden split each member has
    MEDAL_EVALUATION_LIMIT evaluations per MEDAL_EVALUATION_WINDOW_DAYS days (a file refused for its own format
    does not count; one refused against the hidden reference does): one more is refused with 429. A visible split
    is scored only for callers who may fetch its labels' dataset (403 otherwise)."""
    if caller.name is None:
        raise Unauthorized("evaluations are for signed-in members: send a token")
    current, _ = await run_in_threadpool(visible, catalog, caller, "BenchmarkTask", task_id)
    task = live_document(current)
    splits = await run_in_threadpool(_splits, catalog, task)
    if split not in splits:
        raise Unprocessable(f"the task has no split {split!r}; its splits: {', '.join(map(str, splits)) or 'none'}")
    if not splits[split] and not await run_in_threadpool(_may_fetch_labels, catalog, caller, task):
        # Scores at full precision on labels one may not download would read them back (a Brier score per probe).
        raise Forbidden(
            f"split {split!r} is scored against labels of a dataset whose data you may not fetch: "
            "ask its owner for access, or score a hidden split (limited, aggregates only)"
        )
    if code_url and not code_url.startswith(("https://", "http://")):
        raise Unprocessable("code_url must be an http(s) URL")
    data = await predictions.read()
    if not data:
        raise Unprocessable("the predictions file is empty")
    about = {
        "model_name": model_name.strip() or None,
        "model_version": model_version.strip() or None,
        "code_url": code_url or None,
        "predictions_sha256": hashlib.sha256(data).hexdigest(),
    }
    hidden = splits[split]
    since = (datetime.now(timezone.utc) - timedelta(days=settings.evaluation_window_days)).isoformat(
        timespec="microseconds"
    )
    record = {"id": uuid.uuid4().hex, "task": task_id, "split": split, "submitter": caller.name, "about": about}
    stored = await run_in_threadpool(
        catalog.add_evaluation, record, settings.evaluation_limit if hidden else None, since
    )
    if stored is None:
        raise TooManyRequests(
            f"you have had {settings.evaluation_limit} evaluations of hidden split {split!r} in the last "
            f"{settings.evaluation_window_days:g} days (MEDAL_EVALUATION_LIMIT): the limit keeps hidden labels from "
            "being read back by probing; try again later"
        )
    job = _executor(request).submit(run_evaluation, catalog, stored.id, data, settings.min_group)
    job.add_done_callback(lambda _: poke(request.app.state))  # its leaderboard is ranked again off requests
    body = _public(stored, request)
    return JSONResponse(body, status_code=202, headers={"Location": body["url"]})


def _readable(catalog: Catalog, caller: Caller, evaluation_id: str) -> StoredEvaluation:
    e = catalog.get_evaluation(evaluation_id)
    if e is None or not (caller.panel or (caller.name is not None and caller.name == e.submitter)):
        raise NotFound(f"no evaluation {evaluation_id!r}")
    return e


@router.get("/evaluations/{evaluation_id}", responses=errors(404))
def get_evaluation(evaluation_id: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> dict[str, Any]:
    """An evaluation, for its submitter and the panel: its status and, once done, its result (aggregates with
    95 % intervals; never a per-case value), or why it failed."""
    return _public(_readable(catalog, caller, evaluation_id), request)


@router.get("/tasks/{task_id}/evaluations", responses=errors(404))
def list_evaluations(task_id: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> dict[str, Any]:
    """The caller's evaluations of the task (the panel's: everyone's), oldest first."""
    visible(catalog, caller, "BenchmarkTask", task_id)
    found = catalog.list_evaluations(task=task_id, submitter=None if caller.panel else caller.name or "")
    return {"evaluations": [_public(e, request) for e in found]}


def board(catalog: Catalog, caller: Caller, task_id: str, split: str | None) -> dict[str, Any]:
    """The leaderboard of a split of a task as ``caller`` may see it: every entry of an accepted task (or for the
    panel), else the caller's own entries."""
    current, _ = visible(catalog, caller, "BenchmarkTask", task_id)
    task = live_document(current)
    splits = _splits(catalog, task)
    if split is None:
        split = next((s for s, hidden in splits.items() if hidden), next(iter(splits), None))
    if split not in splits:
        raise NotFound(f"the task has no split {split!r}")
    everyone = caller.panel or task.get("status") == "accepted"
    if everyone:  # the same for every caller who sees all entries: kept in the store (api/derived.py)
        ranking = ranked(catalog, task_id, split)
    else:
        found = catalog.list_evaluations(task=task_id, split=split, status="done", with_replicates=True)
        ranking = leaderboard([e for e in found if caller.name is not None and e.submitter == caller.name])
    return {
        "task": task_id,
        "split": split,
        "hidden": splits[split],
        "splits": list(splits),
        "scope": "all entries" if everyone else "your entries",
        **ranking,
    }


@router.get(
    "/tasks/{task_id}/leaderboard",
    responses={
        **errors(404),
        200: {"content": {"application/json": {}, "application/ld+json": {"schema": {"type": "object"}}}},
    },
)
def get_leaderboard(
    task_id: str,
    request: Request,
    catalog: CatalogDep,
    caller: CallerDep,
    split: Annotated[str | None, Query(description="default: the first hidden split")] = None,
) -> Any:
    """The leaderboard of a split: entries ranked by the primary metric with its 95 % interval, each entry's
    rank interval and share of bootstrap resamples holding its rank, and whether it is tied with the next
    (paired bootstrap). Anyone sees accepted tasks' leaderboards; the panel sees all; members their own entries.
    With ``Accept: application/ld+json``: the same as a schema.org ItemList."""
    found = board(catalog, caller, task_id, split)
    wanted = accepted(request.headers.get("accept", ""))
    if wanted and wanted[0] == "application/ld+json":
        return JSONResponse(leaderboard_jsonld(found, base_url(request)), media_type="application/ld+json")
    return found


def leaderboard_jsonld(found: dict[str, Any], base: str) -> dict[str, Any]:
    """A leaderboard as schema.org JSON-LD: an ItemList of the models, each value a PropertyValue with its 95 %
    interval as minValue/maxValue."""
    task = f"{base}/id/tasks/{found['task']}"
    return {
        "@context": "https://schema.org/",
        "@type": "ItemList",
        "@id": f"{base}/api/tasks/{found['task']}/leaderboard?split={found['split']}",
        "name": f"Leaderboard of split {found['split']}",
        "about": {"@id": task},
        "itemListOrder": "https://schema.org/ItemListOrderDescending"
        if found.get("higher_is_better", True)
        else "https://schema.org/ItemListOrderAscending",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": e["rank"],
                "item": {
                    "@type": "SoftwareApplication",
                    "name": e["model_name"] or "unnamed",
                    "softwareVersion": e["model_version"],
                    "url": e["code_url"],
                    "author": {"@type": "Person", "name": e["submitter"]},
                },
                "additionalProperty": [
                    {
                        "@type": "PropertyValue",
                        "name": m["name"],
                        "propertyID": m["metric"],
                        "value": m["value"],
                        "minValue": m["ci_low"],
                        "maxValue": m["ci_high"],
                        "description": "95 % percentile bootstrap interval",
                    }
                    for m in e["metrics"]
                ],
            }
            for e in found.get("entries", [])
        ],
    }
