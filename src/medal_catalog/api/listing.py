"""Lists of entries the caller may see, in key order, through the search index's access scope: paginated for the
API, whole for the DCAT catalog and the campaign page."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from medal_catalog.api.access import PATH_OF, Caller, View, listed, redact, search_scope, view_of
from medal_catalog.api.models import EntrySummary, Page
from medal_catalog.catalog import Catalog
from medal_catalog.store import StoredVersion


def list_entries(
    request: Request, catalog: Catalog, caller: Caller, filters: dict[str, Any], page: int, size: int
) -> Page:
    result = catalog.search("", filters=filters, sort="key", page=page, size=size, scope=search_scope(catalog, caller))
    more = page * size < result.total
    return Page(
        items=[
            EntrySummary(kind=h.type, id=h.id, label=h.label, url=f"/api/{PATH_OF[h.type]}/{h.id}") for h in result.hits
        ],
        total=result.total,
        page=page,
        size=size,
        next=str(request.url.include_query_params(page=page + 1)) if more else None,
    )


#: Entries per search page while collecting a whole list.
_PAGE = 500


def listed_documents(catalog: Catalog, caller: Caller, kind: str) -> list[dict[str, Any]]:
    """Every entry of ``kind`` the caller may find, each as the caller's view shows it. The search scope already
    leaves out what the caller may not list; an entry seen only in its hidden view is left out here too."""
    documents = (redact(version.document, view) for version, view in listed_versions(catalog, caller, kind))
    return [document for document in documents if document is not None]


def listed_versions(catalog: Catalog, caller: Caller, kind: str) -> list[tuple[StoredVersion, View]]:
    """Every entry of ``kind`` the caller may find: its current stored version and the caller's view of it (not
    yet redacted), in key order."""
    scope = search_scope(catalog, caller)
    keys: list[str] = []
    page = 1
    while True:
        result = catalog.search("", filters={"type": kind}, sort="key", page=page, size=_PAGE, scope=scope)
        keys += [h.key for h in result.hits]
        if page * _PAGE >= result.total:
            break
        page += 1
    found = catalog.get_many(keys)
    out: list[tuple[StoredVersion, View]] = []
    for key in keys:
        version = found.get(key)
        if version is None:
            continue
        view = view_of(catalog, caller, version)
        if view is not None and listed(view):
            out.append((version, view))
    return out
