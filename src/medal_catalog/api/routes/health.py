"""``GET /api/health``: whether the store and the search index answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from medal_catalog.api.deps import CatalogDep
from medal_catalog.api.models import Health
from medal_catalog.errors import MedalError
from medal_catalog.search import SearchRequest

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The store or the search index does not answer."}},
)
def health(catalog: CatalogDep, response: Response) -> Health:
    """Store and index status; 503 when either fails (for load balancers)."""
    store: dict[str, Any] = {"ok": True}
    index: dict[str, Any] = {"ok": catalog.index is not None}
    try:
        store["entries"] = catalog.count()
        store["pending_index_updates"] = catalog.pending_count()
    except MedalError as err:
        store = {"ok": False, "error": str(err)}
    if catalog.index is not None:
        try:
            index["documents"] = catalog.index.count(SearchRequest.make())
        except MedalError as err:
            index = {"ok": False, "error": str(err)}
    else:
        index["error"] = "no search index configured"
    ok = store["ok"] and index["ok"]
    if not ok:
        response.status_code = 503
    return Health(status="ok" if ok else "degraded", store=store, index=index)
