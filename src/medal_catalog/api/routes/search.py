"""``GET /api/search``: full-text search with filters, facet counts and paging, limited to what the caller may
see at query level (so totals and facet counts never count hidden entries)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from medal_catalog.api.access import PATH_OF, search_scope
from medal_catalog.api.deps import CallerDep, CatalogDep
from medal_catalog.api.models import FacetCount, SearchHitPublic, SearchPage
from medal_catalog.schema.facts import access_levels
from medal_catalog.search.fields import DEFAULT_FACETS

router = APIRouter(tags=["search"])
Values = Annotated[list[str] | None, Query()]


def hit_document(hit, caller) -> dict:
    """The index document of a hit; a hidden-test dataset's nested series (descriptions of the hidden images)
    only for admins, as its series entries are."""
    if (caller.role != "admin" and hit.type == "ImagingDataset"
            and "hidden_test" in hit.document.get("access_level", [])):
        return {k: v for k, v in hit.document.items() if k != "series"}
    return hit.document


@router.get("/search", response_model=SearchPage)
def search(request: Request, catalog: CatalogDep, caller: CallerDep,
           q: Annotated[str, Query(description="Words (all must occur), \"a phrase\", OR, NOT, (groups), prefix*.",
                                   max_length=1000)] = "",
           type: Values = None, modality: Values = None, body_part: Values = None, manufacturer: Values = None,
           model: Values = None, task_type: Values = None, specialty: Values = None, license: Values = None,
           access: Annotated[list[str] | None,
                             Query(description=f"Access level ({', '.join(access_levels())}).")] = None,
           country: Values = None, status: Values = None, publication_status: Values = None,
           dataset: Values = None,
           facet: Annotated[list[str] | None, Query(description="Facets to count (default: type, modality, "
                                                                 "body_part).")] = None,
           sort: str = "relevance", page: Annotated[int, Query(ge=1)] = 1,
           size: Annotated[int, Query(ge=1, le=100)] = 10) -> SearchPage:
    """Hits, total, facet counts and the next page's link, among the entries the caller may see."""
    filters = {"type": type, "modality": modality, "body_part": body_part, "manufacturer": manufacturer,
               "model": model, "task_type": task_type, "specialty": specialty, "license": license,
               "access_level": access, "country": country, "status": status,
               "publication_status": publication_status, "dataset": dataset}
    result = catalog.search(q, filters={k: v for k, v in filters.items() if v}, facets=facet or DEFAULT_FACETS,
                            sort=sort, page=page, size=size, scope=search_scope(catalog, caller))
    more = page * size < result.total
    return SearchPage(
        hits=[SearchHitPublic(kind=h.type, id=h.id, label=h.label, score=h.score, highlights=h.highlights,
                              url=f"/api/{PATH_OF[h.type]}/{h.id}", document=hit_document(h, caller))
              for h in result.hits],
        total=result.total, page=page, size=size,
        facets={name: [FacetCount(value=v, count=c) for v, c in counts] for name, counts in result.facets.items()},
        next=str(request.url.include_query_params(page=page + 1)) if more else None)
