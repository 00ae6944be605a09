"""``/series/{id}``: a series page for people (HTML by content negotiation; JSON and JSON-LD stay at
``/api/series/{id}``, to which a machine asking here is sent), and its preview images
``/series/{id}/preview.png?slice=N&size=thumbnail|view``.

The page says what the series is in words, its dataset and study, its acquisition parameters with the schema's
units, its instance count, and shows a thumbnail and the middle slice with a slider over every slice. Images come
from api/previews.py under the data's access rules; a caller who may see the series but not its data gets the
page without images and the reason (the image URL answers 401/403 without bytes).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from medal_catalog.api.access import Caller
from medal_catalog.api.deps import CatalogDep
from medal_catalog.api.pages.landing import page_format
from medal_catalog.api.pages.session import Visit, visit
from medal_catalog.api.pages.templating import error_page, render
from medal_catalog.api.pages.words import parameter_label, parameter_value, series_title
from medal_catalog.api.previews import SIZES, Previews, SeriesImages, check_access, previews_of
from medal_catalog.api.render import visible
from medal_catalog.catalog import Catalog
from medal_catalog.errors import MedalError, NotAcceptable, NotFound

router = APIRouter(include_in_schema=False)

#: The acquisition parameters the page lists, in order.
PARAMETERS = (
    "modality",
    "body_part",
    "manufacturer",
    "manufacturer_model_name",
    "magnetic_field_strength",
    "repetition_time",
    "echo_time",
    "kvp",
    "slice_thickness",
    "pixel_spacing",
    "rows",
    "columns",
    "convolution_kernel",
    "image_type",
    "transfer_syntax_uid",
    "sop_class_uid",
    "instance_count",
    "byte_size",
)


def _summary(doc: dict[str, Any]) -> str:
    """One line: instance count, matrix, field strength or kVp, vendor."""
    parts = []
    if doc.get("instance_count") is not None:
        parts.append(f"{doc['instance_count']} {'instance' if doc['instance_count'] == 1 else 'instances'}")
    if doc.get("rows") and doc.get("columns"):
        parts.append(f"{doc['rows']} × {doc['columns']} pixels")
    for slot in ("magnetic_field_strength", "kvp", "slice_thickness"):
        if doc.get(slot) is not None:
            parts.append(parameter_value(slot, doc[slot]))
    vendor = " ".join(str(doc[s]) for s in ("manufacturer", "manufacturer_model_name") if doc.get(s))
    if vendor:
        parts.append(vendor)
    return " · ".join(parts)


def _series_page(catalog: Catalog, caller: Caller, series_id: str, previews: Previews) -> dict[str, Any]:
    """Everything the page shows (404 when the series is not visible to the caller)."""
    current, view = visible(catalog, caller, "ImagingSeries", series_id)
    doc = current.document or {}
    dataset_id = str(doc.get("dataset", ""))
    dataset = None
    try:
        found, _ = visible(catalog, caller, "ImagingDataset", dataset_id)
        dataset = {
            "id": dataset_id,
            "title": (found.document or {}).get("title") or dataset_id,
            "access_level": (found.document or {}).get("access_level"),
        }
    except NotFound:
        pass
    images: SeriesImages | None = None
    no_preview = None
    try:
        _, dataset_doc = check_access(catalog, caller, series_id)
        images = previews.series(catalog, series_id, dataset_doc)
    except MedalError as err:
        no_preview = {"status": err.http_status, "message": str(err)}
    parameters = [
        (parameter_label(slot), parameter_value(slot, doc.get(slot)))
        for slot in PARAMETERS
        if parameter_value(slot, doc.get(slot))
    ]
    return {
        "doc": doc,
        "dataset": dataset,
        "images": images,
        "no_preview": no_preview,
        "parameters": parameters,
        "summary": _summary(doc),
        "heading": series_title(doc),
    }


@router.get("/series/{series_id}", response_class=HTMLResponse)
async def series_page(
    series_id: str,
    request: Request,
    catalog: CatalogDep,
    current: Annotated[Visit, Depends(visit)],
    format: Annotated[str | None, Query()] = None,
    slice: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """The series page (HTML), or a redirect to its API representation for a machine."""
    try:
        name = page_format(request, format)
    except NotAcceptable as err:
        return Response(str(err), status_code=406, media_type="text/plain")
    if name != "html":
        target = f"/api/series/{series_id}" + ("" if name == "json" else f"?format={name}")
        if name in ("rdf", "schemaorg"):
            target = f"/api/series/{series_id}?format=jsonld"
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})
    try:
        page = await run_in_threadpool(_series_page, catalog, current.caller, series_id, previews_of(request.app.state))
    except MedalError as err:
        return error_page(request, current, err)
    images = page["images"]
    chosen = slice if images is not None and slice is not None and slice < len(images.slices) else None
    return render(request, current, "series.html", title=page["heading"], series_id=series_id, chosen=chosen, **page)


@router.get("/series/{series_id}/preview.png")
async def series_preview(
    series_id: str,
    request: Request,
    catalog: CatalogDep,
    current: Annotated[Visit, Depends(visit)],
    slice: Annotated[int | None, Query(ge=0, description="0-based; the middle one by default")] = None,
    size: Annotated[str, Query(description="thumbnail or view")] = "view",
) -> Response:
    """One slice of the series as PNG, under the data's access rules (401/403/404 carry no image bytes)."""
    previews = previews_of(request.app.state)

    def work() -> bytes:
        _, dataset = check_access(catalog, current.caller, series_id)
        if size not in SIZES:
            raise NotFound(f"no preview size {size!r} (use {', '.join(SIZES)})")
        images = previews.series(catalog, series_id, dataset)
        return previews.image(catalog, images, images.middle if slice is None else slice, size)

    png = await run_in_threadpool(work)
    etag = '"' + hashlib.sha256(png).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=3600", "Vary": "Cookie, Authorization"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(png, media_type="image/png", headers=headers)
