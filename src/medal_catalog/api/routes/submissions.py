"""``POST /api/submissions``: contributors send metadata (JSON or YAML); it is validated as `medal validate`
validates it, and stored with status "submitted" when it has no error."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from medal_catalog.api.access import owner_of
from medal_catalog.api.deps import CatalogDep, ContributorDep, SettingsDep
from medal_catalog.api.intake import check_metadata
from medal_catalog.api.models import SubmissionPublic

router = APIRouter(tags=["submissions"])
_YAML = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything larger than ``limit`` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body is larger than the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/submissions", response_model=SubmissionPublic, status_code=201,
             responses={413: {"description": "body too large"}, 415: {"description": "not JSON or YAML"},
                        422: {"description": "the validation report (as `medal validate --json`) in `detail`"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}, "application/yaml": {"schema": {}}}}})
async def submit(request: Request, catalog: CatalogDep, caller: ContributorDep,
                 settings: SettingsDep) -> SubmissionPublic:
    """Validate a metadata document (one entry, a list, or a MedalCatalog) and store its entries, tasks with
    status "submitted", authored by the token's name. Entries another contributor owns cannot be overwritten."""
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media not in ("application/json", *_YAML):
        raise HTTPException(415, f"send application/json or application/yaml, not {media}")
    body = await read_body(request, settings.max_body_bytes)
    report, entries = check_metadata(body, "json" if media == "application/json" else "yaml")
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
