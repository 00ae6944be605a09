"""``POST /api/submissions``: contributors send metadata (JSON or YAML); it is validated as `medal validate`
validates it, and stored with status "submitted" when it has no error. A Croissant document
(``application/ld+json``) is imported as one dataset, as `medal harvest` imports a Croissant file, but without
data files: its metadata only, its files staying where they are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from medal_catalog.api.access import Caller, may_write
from medal_catalog.api.deps import CatalogDep, ContributorDep
from medal_catalog.api.models import AccessLevel, ErrorBody, SubmissionPublic
from medal_catalog.catalog import Catalog
from medal_catalog.errors import UnsupportedMediaType
from medal_catalog.schema.facts import slot_pattern

router = APIRouter(tags=["submissions"])
_YAML = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


@router.post("/submissions", response_model=SubmissionPublic, status_code=201,
             responses={413: {"model": ErrorBody, "description": "body too large"},
                        415: {"model": ErrorBody, "description": "not JSON or YAML"},
                        422: {"model": ErrorBody,
                              "description": "the validation report (as `medal validate --json`) in `detail`"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}, "application/yaml": {"schema": {}},
                 "application/ld+json": {"schema": {"type": "object"}}}}})
async def submit(request: Request, catalog: CatalogDep, caller: ContributorDep,
                 access_level: Annotated[AccessLevel | None,
                                         Query(description="For a Croissant body without medal:accessLevel "
                                                           "(default: open for an open licence)")] = None,
                 dataset: Annotated[str | None, Query(pattern=slot_pattern("id"),
                                                      description="For a Croissant body: the dataset id "
                                                                  "(default: made from its name)")] = None
                 ) -> SubmissionPublic:
    """Validate a metadata document (one entry, a list, or a MedalCatalog) and store its entries, tasks with
    status "submitted", authored by the token's name; or import a Croissant document (``application/ld+json``)
    as one dataset. Entries another contributor owns cannot be overwritten."""
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media not in ("application/json", "application/ld+json", *_YAML):
        raise UnsupportedMediaType(f"send application/json, application/ld+json or application/yaml, not {media}")
    body = await request.body()  # at most MEDAL_MAX_BODY_BYTES: the BodyLimit middleware refuses more (413)
    if media == "application/ld+json":
        return await run_in_threadpool(_store_croissant, catalog, caller, body, access_level, dataset)
    syntax = "json" if media == "application/json" else "yaml"
    # Validation and the writes block (files, SQLite): off the event loop.
    return await run_in_threadpool(_store, catalog, caller, body, syntax)


def _store(catalog: Catalog, caller: Caller, body: bytes, syntax: str) -> SubmissionPublic:
    from medal_catalog.ingestion import ingest_document

    report, results = ingest_document(catalog, body, syntax, author=caller.name or "?",
                                      may_write=lambda kind, entry_id: may_write(catalog, caller, kind, entry_id))
    return SubmissionPublic(stored=[r.to_dict() for r in results], report=report.to_dict())


def _store_croissant(catalog: Catalog, caller: Caller, body: bytes, access_level: str | None,
                     dataset_id: str | None) -> SubmissionPublic:
    from medal_catalog.ingestion import ingest_croissant_document

    result = ingest_croissant_document(
        catalog, body, author=caller.name or "?", access_level=access_level, dataset_id=dataset_id,
        may_write=lambda kind, entry_id: may_write(catalog, caller, kind, entry_id))
    return SubmissionPublic(stored=[result.stored.to_dict()], report=result.report.to_dict())
