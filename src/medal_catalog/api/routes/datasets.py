"""``/api/datasets``: the list of datasets, a dataset's series (paginated, in key order), and its Croissant."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from medal_catalog.api.access import Caller, View, may_fetch_data, redact, require_data
from medal_catalog.api.deps import CallerDep, CatalogDep
from medal_catalog.api.links import for_caller
from medal_catalog.api.listing import list_entries
from medal_catalog.api.models import Page
from medal_catalog.api.params import PageNo, Size
from medal_catalog.api.render import base_url, live_document, visible
from medal_catalog.catalog import Catalog
from medal_catalog.croissant.source import one_file_zip
from medal_catalog.errors import NotFound
from medal_catalog.exports.croissant import content_addressed, dataset_series, export_dataset
from medal_catalog.labels import label_table_paths

router = APIRouter(tags=["datasets"])


@router.get("/datasets", response_model=Page)
def list_datasets(request: Request, catalog: CatalogDep, caller: CallerDep, page: PageNo = 1, size: Size = 20) -> Page:
    """The datasets the caller may find (hidden-test ones only for those who see them in full or review)."""
    return list_entries(request, catalog, caller, {"type": "ImagingDataset"}, page, size)


@router.get("/datasets/{dataset_id}/series", response_model=Page)
def list_series(
    dataset_id: str, request: Request, catalog: CatalogDep, caller: CallerDep, page: PageNo = 1, size: Size = 20
) -> Page:
    """The series of a dataset; 404 when the dataset is not visible, or only in its hidden-test view."""
    _, view = visible(catalog, caller, "ImagingDataset", dataset_id)
    if view == "hidden":
        raise NotFound(f"the series of hidden-test dataset {dataset_id!r} are not published")
    return list_entries(request, catalog, caller, {"type": "ImagingSeries", "dataset": dataset_id}, page, size)


def _croissant(request: Request, catalog: Catalog, caller: Caller, dataset_id: str) -> tuple[dict[str, Any], bytes]:
    """The caller's view of a dataset as Croissant, and the series manifest it points at (empty for a
    hidden-test view: its series are not published); the DICOM archive only for callers who may fetch it."""
    current, view = visible(catalog, caller, "ImagingDataset", dataset_id)
    series = [] if view == "hidden" else dataset_series(catalog, dataset_id)
    base = base_url(request)
    files_url = f"{base}/api/datasets/{dataset_id}/files/" if may_fetch_data(current.document, view) else None
    return export_dataset(
        catalog,
        dataset_id,
        base,
        manifest_url=f"{base}/api/datasets/{dataset_id}/series.jsonl",
        document=redact(current.document, view),
        series=series,
        files_url=files_url,
    )


@router.get("/datasets/{dataset_id}/croissant", response_class=JSONResponse)
def dataset_croissant(dataset_id: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> JSONResponse:
    """Croissant 1.1 (with RAI) of the dataset as the caller may see it; its `series` record set loads with
    `mlcroissant.Dataset(jsonld=<this URL>).records("series")`."""
    document, _ = _croissant(request, catalog, caller, dataset_id)
    base = base_url(request)
    document = for_caller(request, content_addressed(document, base), base, catalog, caller)
    return JSONResponse(document, media_type="application/ld+json")


@router.get("/datasets/{dataset_id}/series.jsonl")
def dataset_series_manifest(dataset_id: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> Response:
    """The series manifest the Croissant points at: one JSON line per series the caller may see."""
    _, manifest = _croissant(request, catalog, caller, dataset_id)
    return Response(manifest, media_type="application/jsonlines")


@router.get("/datasets/{dataset_id}/files")
def dataset_files(dataset_id: str, catalog: CatalogDep, caller: CallerDep) -> list[dict[str, Any]]:
    """The files the catalog keeps with a dataset and serves to this caller (path, sha256, size, media type)."""
    document, _ = _data_view(catalog, caller, dataset_id)
    withheld = label_table_paths(catalog, dataset_id, document)
    return [f.to_dict() for f in catalog.list_files("ImagingDataset", dataset_id) if f.path not in withheld]


@router.get("/datasets/{dataset_id}/files/{path:path}")
def dataset_file(dataset_id: str, path: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> Response:
    """One file the catalog keeps with a dataset (an imported open dataset's data, its original Croissant): for
    open-access datasets, their owners and admins. A task's label table is served only through the task."""
    document, _ = _data_view(catalog, caller, dataset_id)
    if path in label_table_paths(catalog, dataset_id, document):
        raise NotFound(f"{path!r} is a task's label table: see the task's Croissant for its cases and published labels")
    stored = catalog.get_file("ImagingDataset", dataset_id, path)
    if stored is None or stored.data is None:
        raise NotFound(f"the catalog keeps no file {path!r} for dataset {dataset_id!r}")
    zipped = request.query_params.get("as") == "zip"  # the file in a zip at its path (croissant/source.py)
    etag = f'"{stored.sha256}{"-zip" if zipped else ""}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    if zipped:
        return Response(one_file_zip(path, stored.data), media_type="application/zip", headers={"ETag": etag})
    return Response(stored.data, media_type=stored.media_type, headers={"ETag": etag})


def _data_view(catalog: Catalog, caller: Caller, dataset_id: str) -> tuple[dict[str, Any], View]:
    """The dataset's document and the caller's view of it, when the caller may fetch its data (else 401/403/404)."""
    current, view = visible(catalog, caller, "ImagingDataset", dataset_id)
    require_data(caller, current.document, view, f"the data of dataset {dataset_id!r}")
    return live_document(current), view
