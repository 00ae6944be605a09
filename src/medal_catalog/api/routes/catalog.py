"""``GET /api/catalog``: a DCAT catalog (dcat:Catalog, dcat:dataset) of the datasets the caller may find, as
JSON-LD or Turtle; the datasets use the generated context's DCAT / DCTERMS / PROV terms, reshaped by
:func:`~medal_catalog.exports.dcat.to_dcat` so that the catalog conforms to the DCAT-AP 3.0 SHACL shapes (mandatory
and range; tests/api/test_dcat.py).

It lists exactly what the caller's search would (the same access scope), each dataset in the caller's view of
it, so a hidden-test dataset never appears for those who get its reduced view and data locations of non-open
datasets never appear for anyone but their owner and admins.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from medal_catalog.api.access import Caller, small_cells
from medal_catalog.api.envelope import errors
from medal_catalog.api.listing import listed_documents
from medal_catalog.api.deps import CallerDep, CatalogDep, get_settings_of
from medal_catalog.api.params import Format
from medal_catalog.exports.dcat import THEME_SCHEME, access_rights, to_dcat
from medal_catalog.exports.healthdcat import HealthContext, catalog_legislation, to_healthdcat
from medal_catalog.exports.jsonld import context, to_jsonld, to_turtle
from medal_catalog.api.render import MEDIA, base_url, negotiate
from medal_catalog.catalog import Catalog

router = APIRouter(tags=["catalog"])
_DESCRIPTION = (
    "Medical imaging datasets of the MEDAL benchmark catalog: those the caller may find, each as the caller may see it."
)
_ENGLISH = "http://publications.europa.eu/resource/authority/language/ENG"


def _datasets(catalog: Catalog, caller: Caller, threshold: int) -> list[dict[str, Any]]:
    # Demographic counts under the small-cell threshold are left out for anonymous callers (api/access.small_cells).
    return [
        small_cells(d, caller, threshold, drop=True) or {} for d in listed_documents(catalog, caller, "ImagingDataset")
    ]


@router.get("/catalog", responses={200: {"content": {"application/ld+json": {}, "text/turtle": {}}}, **errors(406)})
async def dcat_catalog(
    request: Request,
    catalog: CatalogDep,
    caller: CallerDep,
    format: Format = None,
    profile: Annotated[
        Literal["dcat-ap", "healthdcat-ap"],
        Query(
            description="dcat-ap (DCAT-AP 3.0), or healthdcat-ap (HealthDCAT-AP release 8, the EU "
            "health data catalogues' profile)"
        ),
    ] = "dcat-ap",
) -> Response:
    """The DCAT catalog (JSON-LD by default, Turtle on request) of the datasets the caller may find."""
    name = negotiate(request, format)
    base = base_url(request)
    documents = await run_in_threadpool(_datasets, catalog, caller, get_settings_of(request).small_cell_threshold)
    health = HealthContext.of(get_settings_of(request), base) if profile == "healthdcat-ap" else None
    datasets = []
    for document in documents:
        linked = to_jsonld(document, base)
        linked.pop("@context")
        node = to_dcat(linked)
        if health is not None:
            level = document.get("access_level")
            if level in access_rights():
                node["dcterms:accessRights"] = {"@id": access_rights()[level]}
            node = to_healthdcat(node, document, health)
        datasets.append(node)
    body = {
        "@context": {**context(), "@base": f"{base}/id/datasets/"},
        "@id": f"{base}/api/catalog",
        "@type": ["dcat:Catalog"],
        "dcterms:title": "MEDAL catalog",
        "dcterms:description": _DESCRIPTION,
        "dcterms:publisher": {"@type": "foaf:Agent", "foaf:name": "MEDAL"},
        "foaf:homepage": {"@id": f"{base}/", "@type": "foaf:Document"},
        "dcterms:language": {"@id": _ENGLISH, "@type": "dcterms:LinguisticSystem"},
        "dcat:themeTaxonomy": THEME_SCHEME,
        "dcat:dataset": datasets,
    }
    if health is not None:
        body.update(catalog_legislation())
    if name == "ttl":
        return Response(
            to_turtle(body), media_type=MEDIA["ttl"] + "; charset=utf-8", headers={"Vary": "Accept, Authorization"}
        )
    return Response(orjson.dumps(body), media_type=MEDIA["jsonld"], headers={"Vary": "Accept, Authorization"})
