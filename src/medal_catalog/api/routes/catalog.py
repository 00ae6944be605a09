"""``GET /api/catalog``: a DCAT catalog (dcat:Catalog, dcat:dataset) of the datasets the caller may find, as
JSON-LD or Turtle; the datasets use the generated context's DCAT / DCTERMS / PROV terms, reshaped by
:func:`~medal_catalog.exports.dcat.to_dcat` so that the catalog conforms to the DCAT-AP 3.0 SHACL shapes (mandatory
and range; tests/api/test_dcat.py).

It lists exactly what the caller's search would (the same access scope), each dataset in the caller's view of
it, so a hidden-test dataset never appears for those who get its reduced view and data locations of non-open
datasets never appear for anyone but their owner and admins.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from medal_catalog.api.envelope import errors
from medal_catalog.api.listing import listed_documents
from medal_catalog.api.deps import CallerDep, CatalogDep
from medal_catalog.api.params import Format
from medal_catalog.exports.dcat import THEME_SCHEME, to_dcat
from medal_catalog.exports.jsonld import context, to_jsonld, to_turtle
from medal_catalog.api.render import MEDIA, base_url, negotiate

router = APIRouter(tags=["catalog"])
_DESCRIPTION = ("Medical imaging datasets of the MEDAL benchmark catalog: those the caller may find, each as the "
                "caller may see it.")
_ENGLISH = "http://publications.europa.eu/resource/authority/language/ENG"


def _datasets(catalog, caller) -> list[dict]:
    return listed_documents(catalog, caller, "ImagingDataset")


@router.get("/catalog", responses={200: {"content": {"application/ld+json": {}, "text/turtle": {}}}, **errors(406)})
async def dcat_catalog(request: Request, catalog: CatalogDep, caller: CallerDep,
                       format: Format = None) -> Response:
    """The DCAT catalog (JSON-LD by default, Turtle on request) of the datasets the caller may find."""
    name = negotiate(request, format)
    base = base_url(request)
    documents = await run_in_threadpool(_datasets, catalog, caller)
    datasets = []
    for document in documents:
        linked = to_jsonld(document, base)
        linked.pop("@context")
        datasets.append(to_dcat(linked))
    body = {"@context": {**context(), "@base": f"{base}/id/datasets/"}, "@id": f"{base}/api/catalog",
            "@type": ["dcat:Catalog"], "dcterms:title": "MEDAL catalog", "dcterms:description": _DESCRIPTION,
            "dcterms:publisher": {"@type": "foaf:Agent", "foaf:name": "MEDAL"},
            "foaf:homepage": {"@id": f"{base}/", "@type": "foaf:Document"},
            "dcterms:language": {"@id": _ENGLISH, "@type": "dcterms:LinguisticSystem"},
            "dcat:themeTaxonomy": THEME_SCHEME, "dcat:dataset": datasets}
    if name == "ttl":
        return Response(to_turtle(body), media_type=MEDIA["ttl"] + "; charset=utf-8",
                        headers={"Vary": "Accept, Authorization"})
    return Response(orjson.dumps(body), media_type=MEDIA["jsonld"], headers={"Vary": "Accept, Authorization"})
