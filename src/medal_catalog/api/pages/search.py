"""``/``: the search page. Its query parameters are the API's (``/api/search``): the URL holds the whole state, so a
search can be shared, and every control is a plain link or a GET form (no JavaScript)."""

from __future__ import annotations

import difflib
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from medal_catalog.api.access import PATH_OF, search_scope
from medal_catalog.api.deps import CatalogDep
from medal_catalog.api.pages.session import Visit, visit
from medal_catalog.api.pages.templating import render
from medal_catalog.api.routes.search import hit_document
from medal_catalog.catalog import Catalog
from medal_catalog.errors import MedalError
from medal_catalog.search import Hit
from medal_catalog.search.fields import DATE_FIELDS, RANGE_FIELDS, RANGE_PARAMETERS
from medal_catalog.store import entry_key

router = APIRouter(include_in_schema=False)
#: The facets the page lists, in order (the issue's list, then the entry kind and the review status).
FACETS = (
    "type",
    "modality",
    "body_part",
    "manufacturer",
    "task_type",
    "specialty",
    "license",
    "access_level",
    "country",
    "status",
)
PAGE_SIZE = 10
#: The sort orders the page offers (any of /api/search's works in the URL): value, label.
SORTS = (
    ("relevance", "relevance"),
    ("title", "title"),
    ("-modified", "recently modified"),
    ("-subject_count", "most subjects"),
    ("-series_count", "most series"),
)
#: Page URL of each entry kind that has a landing page; other kinds link to their API representation.
PAGES = {"BenchmarkTask": "tasks", "ImagingDataset": "datasets", "ImagingSeries": "series"}


def entry_url(kind: str, entry_id: str, task: str | None = None) -> str:
    """The page of an entry: the landing page of a task or dataset, the page of a series, a review's place on its
    task's page (``task``), else its JSON."""
    if kind == "ReviewAssessment" and task:
        return f"/tasks/{task}#review-heading"
    return f"/{PAGES[kind]}/{entry_id}" if kind in PAGES else f"/api/{PATH_OF[kind]}/{entry_id}"


def _review_tasks(catalog: Catalog, hits: list[Hit]) -> dict[str, str]:
    """The task of each review among the hits (the index does not keep it)."""
    keys = [entry_key("ReviewAssessment", h.id) for h in hits if h.type == "ReviewAssessment"]
    found = catalog.get_many(keys) if keys else {}
    return {v.id: str((v.document or {}).get("task")) for v in found.values() if (v.document or {}).get("task")}


def _state(request: Request) -> tuple[str, dict[str, list[str]], dict[str, list[Any]], int, str]:
    params = request.query_params
    filters = {name: [v for v in params.getlist(name) if v] for name in FACETS if params.getlist(name)}
    ranges: dict[str, list[Any]] = {}
    for parameter, (name, end) in RANGE_PARAMETERS.items():
        if params.get(parameter):
            ranges.setdefault(name, [None, None])[end] = params[parameter]
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    return params.get("q", ""), filters, ranges, page, params.get("sort", "relevance")


#: The query parameters the page reads; any other is named in a notice (with a close match), not ignored silently.
PAGE_PARAMETERS = ("q", *FACETS, *RANGE_PARAMETERS, "sort", "page")


def unknown_parameters(request: Request) -> list[dict[str, str | None]]:
    """The query parameters the page does not read, each with a close match and the URL that uses it instead."""
    out = []
    for name in dict.fromkeys(request.query_params):
        if name in PAGE_PARAMETERS:
            continue
        close = difflib.get_close_matches(name.lower(), PAGE_PARAMETERS, n=1, cutoff=0.6)
        fixed = None
        if close:
            pairs = [(close[0] if k == name else k, v) for k, v in request.query_params.multi_items()]
            fixed = "/?" + urlencode(pairs)
        out.append({"name": name, "suggestion": close[0] if close else None, "url": fixed})
    return out


def _link(request: Request, toggle: tuple[str, str] | None = None, page: int | None = None) -> str:
    """The current search's URL with one facet value toggled (and back to the first page), or another page."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    if toggle is not None:
        pairs = [p for p in pairs if p != toggle] if toggle in pairs else [*pairs, toggle]
    if page is not None and page > 1:
        pairs.append(("page", str(page)))
    return "/?" + urlencode(pairs) if pairs else "/"


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, catalog: CatalogDep, current: Annotated[Visit, Depends(visit)]) -> Response:
    """Search box, facet lists with counts, range filters, highlighted hits and pages."""
    q, filters, ranges, page, sort = _state(request)
    error = None
    result = None
    try:
        scope = await run_in_threadpool(search_scope, catalog, current.caller)
        result = await run_in_threadpool(
            catalog.search,
            q,
            filters=filters,
            facets=FACETS,
            page=page,
            size=PAGE_SIZE,
            sort=sort,
            ranges={name: tuple(bounds) for name, bounds in ranges.items()},
            scope=scope,
        )
    except MedalError as err:
        error = str(err)
    hits: list[dict[str, Any]] = []
    facets: list[dict[str, Any]] = []
    total = 0
    if result is not None:
        total = result.total
        tasks = await run_in_threadpool(_review_tasks, catalog, result.hits)
        for hit in result.hits:
            document = hit_document(hit, current.caller)
            hits.append(
                {
                    "kind": hit.type,
                    "id": hit.id,
                    "label": hit.label or hit.id,
                    "url": entry_url(hit.type, hit.id, tasks.get(hit.id)),
                    "highlights": hit.highlights,
                    "document": document,
                }
            )
        for name in FACETS:
            chosen = set(filters.get(name, []))
            values = [
                {"value": v, "count": c, "chosen": v in chosen, "url": _link(request, toggle=(name, v))}
                for v, c in result.facets.get(name, [])
            ]
            # A chosen value that no longer counts (a typo in a shared URL) stays visible, so it can be removed.
            values += [
                {"value": v, "count": 0, "chosen": True, "url": _link(request, toggle=(name, v))}
                for v in chosen
                if v not in {x["value"] for x in values}
            ]
            if values:
                facets.append({"name": name, "values": values})
    pages = max(1, -(-total // PAGE_SIZE))
    ranges_form = [
        {
            "name": name,
            "date": name in DATE_FIELDS,
            "min": request.query_params.get(f"{name}_min", ""),
            "max": request.query_params.get(f"{name}_max", ""),
        }
        for name in RANGE_FIELDS
    ]
    hidden = [(k, v) for k, v in request.query_params.multi_items() if k in FACETS]
    kept_ranges = [(k, v) for k, v in request.query_params.multi_items() if k in RANGE_PARAMETERS and v]
    return render(
        request,
        current,
        "search.html",
        status=400 if error else 200,
        title="Search",
        q=q,
        hits=hits,
        total=total,
        facets=facets,
        page=page,
        pages=pages,
        error=error,
        sort=sort,
        ranges=ranges_form,
        hidden=hidden,
        kept_ranges=kept_ranges,
        sorts=SORTS,
        unknown=unknown_parameters(request),
        known=PAGE_PARAMETERS,
        previous_url=_link(request, page=page - 1) if page > 1 else None,
        next_url=_link(request, page=page + 1) if page < pages else None,
    )
