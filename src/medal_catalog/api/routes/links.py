"""``GET /api/tasks/{id}/croissant-link`` and ``/api/datasets/{id}/croissant-link``: a signed, short-lived URL of
the entry's Croissant for the calling token's holder, which stock mlcroissant loads (files included) with no
credentials in its environment."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from medal_catalog.api.access import Caller
from medal_catalog.api.deps import CallerDep, CatalogDep, get_settings_of
from medal_catalog.api.links import expiry, sign, signing_key
from medal_catalog.api.render import base_url, visible
from medal_catalog.catalog import Catalog
from medal_catalog.errors import Unauthorized

router = APIRouter(tags=["croissant"])


class LinkPublic(BaseModel):
    """A signed link and whom and until when it serves."""

    url: str = Field(description="The Croissant URL to give mlcroissant: Dataset(jsonld=url).")
    caller: str = Field(description="The token holder the link acts for.")
    expires: datetime = Field(description="After this, the link and every file link in its export answer 403.")


def _link(request: Request, catalog: Catalog, caller: Caller, kind: str, path: str, entry_id: str) -> LinkPublic:
    if caller.role == "anonymous":
        raise Unauthorized(
            "a signed link acts for a token holder: send your token to get one (the public Croissant needs no link)"
        )
    visible(catalog, caller, kind, entry_id)
    settings = get_settings_of(request)
    expires = getattr(request.state, "link_expires", None) or expiry(settings)
    url = sign(signing_key(settings, catalog), f"{base_url(request)}/api/{path}/{entry_id}/croissant", caller, expires)
    return LinkPublic(
        url=url, caller=caller.name or caller.role, expires=datetime.fromtimestamp(expires, tz=timezone.utc)
    )


@router.get("/tasks/{task_id}/croissant-link", response_model=LinkPublic)
def task_link(task_id: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> LinkPublic:
    """A signed link to the task's Croissant for the caller: its cases and labels load as the caller may fetch
    them, without credentials (401 without a token; 404 when the task is not visible)."""
    return _link(request, catalog, caller, "BenchmarkTask", "tasks", task_id)


@router.get("/datasets/{dataset_id}/croissant-link", response_model=LinkPublic)
def dataset_link(dataset_id: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> LinkPublic:
    """A signed link to the dataset's Croissant for the caller (401 without a token; 404 when not visible)."""
    return _link(request, catalog, caller, "ImagingDataset", "datasets", dataset_id)
