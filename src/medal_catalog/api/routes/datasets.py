"""``/api/datasets``: the list of datasets and a dataset's series (paginated, in key order)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from medal_catalog.api.deps import CallerDep, CatalogDep
from medal_catalog.api.listing import list_entries
from medal_catalog.api.models import Page
from medal_catalog.api.render import visible

router = APIRouter(tags=["datasets"])
PageNo = Annotated[int, Query(ge=1)]
Size = Annotated[int, Query(ge=1, le=100)]


@router.get("/datasets", response_model=Page)
def list_datasets(request: Request, catalog: CatalogDep, caller: CallerDep, page: PageNo = 1,
                  size: Size = 20) -> Page:
    """The datasets the caller may find (hidden-test ones only for those who see them in full or review)."""
    return list_entries(request, catalog, caller, {"type": "ImagingDataset"}, page, size)


@router.get("/datasets/{dataset_id}/series", response_model=Page)
def list_series(dataset_id: str, request: Request, catalog: CatalogDep, caller: CallerDep, page: PageNo = 1,
                size: Size = 20) -> Page:
    """The series of a dataset; 404 when the dataset is not visible, or only in its hidden-test view."""
    _, view = visible(catalog, caller, "ImagingDataset", dataset_id)
    if view == "hidden":
        raise HTTPException(404, f"the series of hidden-test dataset {dataset_id!r} are not published")
    return list_entries(request, catalog, caller, {"type": "ImagingSeries", "dataset": dataset_id}, page, size)
