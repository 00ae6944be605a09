"""``/api/{kind}/{id}``, its versions and one version: any entry kind (tasks, datasets, series, reviews), with
content negotiation, ETag and Last-Modified."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from medal_catalog.api.access import small_cells
from medal_catalog.api.deps import CallerDep, CatalogDep, get_settings_of
from medal_catalog.api.envelope import Responses, errors
from medal_catalog.api.models import EntryPublic, VersionList, VersionSummary
from medal_catalog.api.params import Format, VersionNo
from medal_catalog.api.render import entry_public, kind_of, respond, visible
from medal_catalog.catalog import Catalog
from medal_catalog.contamination.overlap import dataset_counts
from medal_catalog.errors import NotFound

router = APIRouter(tags=["entries"])
_RESPONSES: Responses = {
    200: {"content": {"application/ld+json": {}, "text/turtle": {}}},
    304: {"description": "unchanged"},
    **errors(406),
}


# Entry reads are coroutines: one primary-key lookup in SQLite takes less time than handing the request to a
# worker thread and back, so it runs on the event loop.
@router.get("/{kind}/{entry_id}", response_model=EntryPublic, responses=_RESPONSES)
async def get_entry(
    kind: str, entry_id: str, request: Request, catalog: CatalogDep, caller: CallerDep, format: Format = None
) -> Response:
    """The current version of an entry, as the caller may see it."""
    current, view = visible(catalog, caller, kind_of(kind), entry_id)
    entry = entry_public(current, view, caller, view == "full")
    if current.kind == "ImagingDataset":
        entry.document = small_cells(entry.document, caller, get_settings_of(request).small_cell_threshold)
        entry.contamination = _contamination(catalog, entry_id)
    return respond(request, entry, current, format)


def _contamination(catalog: Catalog, dataset_id: str) -> dict[str, Any] | None:
    """The dataset's contamination counts (contamination/overlap.py), never naming another dataset."""

    def access_of(other: str) -> str | None:
        found = catalog.get("ImagingDataset", other)
        return (found.document or {}).get("access_level") if found is not None else None

    return dataset_counts(catalog, dataset_id, access_of)


@router.get("/{kind}/{entry_id}/versions", response_model=VersionList)
def list_versions(kind: str, entry_id: str, catalog: CatalogDep, caller: CallerDep) -> VersionList:
    """Every version of an entry, oldest first (who and why only for the panel and the owner)."""
    _, view = visible(catalog, caller, kind_of(kind), entry_id)
    internal = caller.panel or view == "full"
    return VersionList(
        kind=kind,
        id=entry_id,
        versions=[
            VersionSummary(
                version=v.version,
                recorded_at=v.recorded_at,
                deleted=v.deleted,
                author=v.author if internal else None,
                reason=v.reason if internal else None,
                url=f"/api/{kind}/{entry_id}/versions/{v.version}",
            )
            for v in catalog.history(kind_of(kind), entry_id)
        ],
    )


@router.get("/{kind}/{entry_id}/versions/{number}", response_model=EntryPublic, responses=_RESPONSES)
async def get_version(
    kind: str,
    entry_id: str,
    number: VersionNo,
    request: Request,
    catalog: CatalogDep,
    caller: CallerDep,
    format: Format = None,
) -> Response:
    """One numbered version, seen through the caller's view of the entry as it is now."""
    _, view = visible(catalog, caller, kind_of(kind), entry_id)
    version = catalog.get(kind_of(kind), entry_id, number)
    if version is None:
        raise NotFound(f"{entry_id!r} has no version {number}")
    entry = entry_public(version, view, caller, view == "full")
    if version.kind == "ImagingDataset":
        entry.document = small_cells(entry.document, caller, get_settings_of(request).small_cell_threshold)
    return respond(request, entry, version, format)
