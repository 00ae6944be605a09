"""Paginated lists of entries the caller may see, in key order, through the search index's access scope."""

from __future__ import annotations

from fastapi import Request

from medal_catalog.api.access import PATH_OF, Caller, search_scope
from medal_catalog.api.models import EntrySummary, Page
from medal_catalog.catalog import Catalog


def list_entries(request: Request, catalog: Catalog, caller: Caller, filters: dict, page: int, size: int) -> Page:
    result = catalog.search("", filters=filters, sort="key", page=page, size=size,
                            scope=search_scope(catalog, caller))
    more = page * size < result.total
    return Page(items=[EntrySummary(kind=h.type, id=h.id, label=h.label, url=f"/api/{PATH_OF[h.type]}/{h.id}")
                       for h in result.hits],
                total=result.total, page=page, size=size,
                next=str(request.url.include_query_params(page=page + 1)) if more else None)
