"""``POST /api/submissions``: contributors send metadata (JSON or YAML); it is validated as `medal validate`
validates it, and stored with status "submitted" when it has no error. A Croissant document
(``application/ld+json``) is imported as one dataset, as `medal harvest` imports a Croissant file, with the same
verdict (validators/croissant.croissant_verdict): a body carries no data files, so one naming local files (missing
here) or remote ones (never fetched) is refused, as `medal validate` refuses that document alone. A bundle (``multipart/form-data``, sent by `medal
submit`) holds a submission harvested on the contributor's machine and the non-DICOM files its datasets declare;
it is stored by the same ingest (see ingestion.ingest_bundle)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from medal_catalog.api.access import Caller, check_writes
from medal_catalog.api.deps import CatalogDep, ContributorDep, SettingsDep
from medal_catalog.api.envelope import errors
from medal_catalog.api.models import AccessLevel, ErrorBody, SubmissionPublic
from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings
from medal_catalog.errors import Unprocessable, UnsupportedMediaType
from medal_catalog.ingestion import ingest_bundle, ingest_croissant_document, ingest_document
from medal_catalog.schema.facts import slot_pattern

router = APIRouter(tags=["submissions"])
_YAML = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


@router.post(
    "/submissions",
    response_model=SubmissionPublic,
    status_code=201,
    responses={
        **errors(400, 404, 409),
        413: {"model": ErrorBody, "description": "body too large"},
        415: {"model": ErrorBody, "description": "not JSON, YAML or a bundle"},
        422: {"model": ErrorBody, "description": "the validation report (as `medal validate --json`) in `detail`"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/yaml": {"schema": {}},
                "application/ld+json": {"schema": {"type": "object"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "bundle": {
                                "type": "string",
                                "format": "binary",
                                "description": "the manifest `medal submit` writes (harvesters/bundle.py)",
                            },
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                                "description": "one part per file, named <dataset id>/<declared path>",
                            },
                        },
                    }
                },
            },
        }
    },
)
async def submit(
    request: Request,
    catalog: CatalogDep,
    caller: ContributorDep,
    settings: SettingsDep,
    access_level: Annotated[
        AccessLevel | None,
        Query(description="For a Croissant body without medal:accessLevel (default: open for an open licence)"),
    ] = None,
    dataset: Annotated[
        str | None,
        Query(
            pattern=slot_pattern("id"), description="For a Croissant body: the dataset id (default: made from its name)"
        ),
    ] = None,
) -> SubmissionPublic:
    """Validate a metadata document (one entry, a list, or a MedalCatalog) and store its entries, tasks with
    status "submitted", authored by the token's name; or import a Croissant document (``application/ld+json``)
    as one dataset; or store a bundle (``multipart/form-data``) harvested by `medal submit`. Entries another
    contributor owns cannot be overwritten, nor attached to (a series to a dataset, a task to its datasets or
    label table): 404 for one the caller cannot see (as GET answers), 403 for one they see."""
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        return await _store_bundle(request, catalog, caller, settings)
    if media not in ("application/json", "application/ld+json", *_YAML):
        raise UnsupportedMediaType(
            f"send application/json, application/ld+json, application/yaml or a multipart/form-data bundle, not {media}"
        )
    body = await request.body()  # at most MEDAL_MAX_BODY_BYTES: the BodyLimit middleware refuses more (413)
    if media == "application/ld+json":
        return await run_in_threadpool(_store_croissant, catalog, caller, body, access_level, dataset)
    syntax = "json" if media == "application/json" else "yaml"
    # Validation and the writes block (files, SQLite): off the event loop.
    return await run_in_threadpool(_store, catalog, caller, body, syntax)


def _store(catalog: Catalog, caller: Caller, body: bytes, syntax: str) -> SubmissionPublic:
    report, results = ingest_document(
        catalog,
        body,
        syntax,
        author=caller.name or "?",
        check_writes=lambda entries: check_writes(catalog, caller, entries),
    )
    return SubmissionPublic(stored=[r.to_dict() for r in results], report=report.to_dict())


def _store_croissant(
    catalog: Catalog, caller: Caller, body: bytes, access_level: str | None, dataset_id: str | None
) -> SubmissionPublic:
    result = ingest_croissant_document(
        catalog,
        body,
        author=caller.name or "?",
        access_level=access_level,
        dataset_id=dataset_id,
        check_writes=lambda entries: check_writes(catalog, caller, entries),
    )
    return SubmissionPublic(stored=[result.stored.to_dict()], report=result.report.to_dict())


async def _store_bundle(request: Request, catalog: Catalog, caller: Caller, settings: Settings) -> SubmissionPublic:
    # The whole body is bounded by the BodyLimit middleware (MEDAL_MAX_BODY_BYTES); one part by the file limit.
    async with request.form(max_files=10_000, max_part_size=settings.max_file_bytes + 1) as form:
        manifest = form.get("bundle")
        if manifest is None:
            raise Unprocessable("a bundle holds a part named 'bundle' (the manifest `medal submit` writes)")
        manifest_bytes = await manifest.read() if isinstance(manifest, UploadFile) else manifest.encode()
        uploads: dict[str, bytes] = {}
        for part in form.getlist("file"):
            if not isinstance(part, UploadFile) or not part.filename:
                raise Unprocessable("each 'file' part is a file named <dataset id>/<declared path>")
            if part.filename in uploads:
                raise Unprocessable(f"{part.filename}: uploaded twice")
            uploads[part.filename] = await part.read()
    report, results, kept = await run_in_threadpool(
        ingest_bundle,
        catalog,
        manifest_bytes,
        uploads,
        author=caller.name or "?",
        max_file_bytes=settings.max_file_bytes,
        check_writes=lambda entries: check_writes(catalog, caller, entries),
    )
    return SubmissionPublic(
        stored=[r.to_dict() for r in results],
        report=report.to_dict(),
        files={ds: [f.to_dict() for f in files] for ds, files in kept.items()},
    )
