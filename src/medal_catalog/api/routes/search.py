"""``GET /api/search``: full-text search with filters, ranges, facet counts and paging, limited to what the caller
may see at query level (so totals and facet counts never count hidden entries).

Its query parameters are made from the index field table (``search/fields.py``, itself from the schema's search
annotations): one filter per facet, ``<field>_min`` / ``<field>_max`` per range field, the same names as the facet
counts, the sort keys and ``medal search``'s options. A parameter it does not know is refused, not ignored.
"""

from __future__ import annotations

import difflib
import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from medal_catalog.api.access import PATH_OF, Caller, search_scope
from medal_catalog.api.deps import CallerDep, CatalogDep
from medal_catalog.api.envelope import errors
from medal_catalog.api.models import FacetCount, SearchHitPublic, SearchPage
from medal_catalog.api.params import PageNo, Size
from medal_catalog.catalog import Catalog
from medal_catalog.errors import UsageError
from medal_catalog.search import Hit
from medal_catalog.search.fields import (
    DATE_FIELDS,
    DEFAULT_FACETS,
    FACET_FIELDS,
    RANGE_PARAMETERS,
    SORT_FIELDS,
    facet_help,
)

router = APIRouter(tags=["search"])
#: Every query parameter /api/search answers to, in the order OpenAPI lists them.
PARAMETERS = ("q", *FACET_FIELDS, *RANGE_PARAMETERS, "facet", "sort", "page", "size")


async def known_parameters(request: Request) -> None:
    """Refuse (400) a query parameter the search does not define, naming it, a close match and the allowed ones:
    a misspelt filter that were ignored would answer everything. (Async: FastAPI runs a plain function in its
    thread pool, a hand-off that cost the busy server more than this check.)"""
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in PARAMETERS]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, PARAMETERS, n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise UsageError(f"unknown query parameter {', '.join(hints)}; /api/search takes {', '.join(PARAMETERS)}")


def hit_document(hit: Hit, caller: Caller) -> dict[str, Any]:
    """The index document of a hit; a hidden-test dataset's nested series (descriptions of the hidden images)
    only for admins, as its series entries are."""
    if (
        caller.role != "admin"
        and hit.type == "ImagingDataset"
        and "hidden_test" in hit.document.get("access_level", [])
    ):
        return {k: v for k, v in hit.document.items() if k != "series"}
    return hit.document


def _range_help(parameter: str) -> str:
    name, end = RANGE_PARAMETERS[parameter]
    kind = "date yyyy-mm-dd" if name in DATE_FIELDS else "number"
    return f"Keep entries with a {name.replace('_', ' ')} {'>=' if end == 0 else '<='} this ({kind}; inclusive)."


def _search(request: Request, catalog: Catalog, caller: Caller, **params: Any) -> SearchPage:
    """Hits, total, facet counts and the next page's link, among the entries the caller may see."""
    # An empty value (``facet=``, ``type=``, ``sort=``: what a form sends for a field left blank) is no value.
    params = {name: [v for v in value if v] if isinstance(value, list) else value for name, value in params.items()}
    filters = {name: params[name] for name in FACET_FIELDS if params.get(name)}
    ranges: dict[str, list[Any]] = {}
    for parameter, (name, end) in RANGE_PARAMETERS.items():
        if params.get(parameter) not in (None, ""):
            ranges.setdefault(name, [None, None])[end] = params[parameter]
    page, size = params["page"], params["size"]
    result = catalog.search(
        params["q"],
        filters=filters,
        facets=params["facet"] or DEFAULT_FACETS,
        ranges={name: tuple(bounds) for name, bounds in ranges.items()},
        sort=params["sort"] or "relevance",
        page=page,
        size=size,
        scope=search_scope(catalog, caller),
    )
    more = page * size < result.total
    return SearchPage(
        hits=[
            SearchHitPublic(
                kind=h.type,
                id=h.id,
                label=h.label,
                score=h.score,
                highlights=h.highlights,
                url=f"/api/{PATH_OF[h.type]}/{h.id}",
                document=hit_document(h, caller),
            )
            for h in result.hits
        ],
        total=result.total,
        page=page,
        size=size,
        facets={name: [FacetCount(value=v, count=c) for v, c in counts] for name, counts in result.facets.items()},
        next=str(request.url.include_query_params(page=page + 1)) if more else None,
    )


def _signature() -> inspect.Signature:
    """The endpoint's parameters, one per name in PARAMETERS (FastAPI reads them from the signature)."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    values = list[str] | None
    params = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("catalog", keyword, annotation=CatalogDep),
        inspect.Parameter("caller", keyword, annotation=CallerDep),
        inspect.Parameter(
            "q",
            keyword,
            annotation=Annotated[
                str,
                Query(description='Words (all must occur), "a phrase", OR, NOT, (groups), prefix*.', max_length=1000),
            ],
            default="",
        ),
    ]
    params += [
        inspect.Parameter(
            name,
            keyword,
            default=None,
            annotation=Annotated[
                values, Query(description=f"Keep entries whose {facet_help(name)}; repeat to allow several.")
            ],
        )
        for name in FACET_FIELDS
    ]
    params += [
        inspect.Parameter(
            name, keyword, default=None, annotation=Annotated[str | None, Query(description=_range_help(name))]
        )
        for name in RANGE_PARAMETERS
    ]
    params += [
        inspect.Parameter(
            "facet",
            keyword,
            default=None,
            annotation=Annotated[
                values,
                Query(
                    description=f"Facets to count: {', '.join(FACET_FIELDS)} (default: {', '.join(DEFAULT_FACETS)})."
                ),
            ],
        ),
        inspect.Parameter(
            "sort",
            keyword,
            default="relevance",
            annotation=Annotated[
                str, Query(description=f"relevance, or {', '.join(SORT_FIELDS)}; a leading - sorts descending.")
            ],
        ),
        inspect.Parameter("page", keyword, default=1, annotation=PageNo),
        inspect.Parameter("size", keyword, default=10, annotation=Size),
    ]
    return inspect.Signature(params, return_annotation=SearchPage)


# FastAPI reads an endpoint's parameters from inspect.signature(), which honours __signature__.
setattr(_search, "__signature__", _signature())
router.add_api_route(
    "/search",
    _search,
    methods=["GET"],
    response_model=SearchPage,
    name="search",
    responses=errors(400),
    dependencies=[Depends(known_parameters)],
    summary="Search entries",
    description=(_search.__doc__ or "") + " Unknown parameters: 400.",
)
