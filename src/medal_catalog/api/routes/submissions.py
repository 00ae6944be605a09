"""``POST /api/submissions``: contributors send metadata (JSON or YAML); it is validated as `medal validate`
validates it, and stored with status "submitted" when it has no error."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from medal_catalog.api.access import Caller, owner_of
from medal_catalog.api.deps import CatalogDep, ContributorDep
from medal_catalog.api.intake import check_metadata
from medal_catalog.api.models import SubmissionPublic
from medal_catalog.store import Catalog

router = APIRouter(tags=["submissions"])
_YAML = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


@router.post("/submissions", response_model=SubmissionPublic, status_code=201,
             responses={413: {"description": "body too large"}, 415: {"description": "not JSON or YAML"},
                        422: {"description": "the validation report (as `medal validate --json`) in `detail`"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}, "application/yaml": {"schema": {}}}}})
async def submit(request: Request, catalog: CatalogDep, caller: ContributorDep) -> SubmissionPublic:
    """Validate a metadata document (one entry, a list, or a MedalCatalog) and store its entries, tasks with
    status "submitted", authored by the token's name. Entries another contributor owns cannot be overwritten."""
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media not in ("application/json", *_YAML):
        raise HTTPException(415, f"send application/json or application/yaml, not {media}")
    body = await request.body()  # at most MEDAL_MAX_BODY_BYTES: the BodyLimit middleware refuses more (413)
    syntax = "json" if media == "application/json" else "yaml"
    # Validation and the writes block (files, SQLite): off the event loop.
    return await run_in_threadpool(_store, catalog, caller, body, syntax)


def _store(catalog: Catalog, caller: Caller, body: bytes, syntax: str) -> SubmissionPublic:
    report, entries = check_metadata(body, syntax)
    if not report.ok:
        raise HTTPException(422, report.to_dict())
    if not entries:
        raise HTTPException(422, "the document holds no catalog entry")
    for entry in entries:
        if entry["type"] == "ReviewAssessment":
            raise HTTPException(403, "reviews are sent to POST /api/tasks/{id}/reviews by the panel")
        owner = owner_of(catalog, entry["type"], entry["id"])
        if owner is not None and owner != caller.name and caller.role != "admin":
            raise HTTPException(403, f"{entry['type']} {entry['id']!r} belongs to another contributor")
        if entry["type"] == "BenchmarkTask":
            entry["status"] = "submitted"  # only the panel moves a task on
    results = catalog.put_many(entries, author=caller.name or "?", reason="submission through the API")
    return SubmissionPublic(stored=[r.to_dict() for r in results], report=report.to_dict())
