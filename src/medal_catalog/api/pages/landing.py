"""``/tasks/{id}`` and ``/datasets/{id}``: landing pages for people and for machines.

One URL, several representations (content negotiation, or ``?format=``): HTML for browsers; the entry's
JSON-LD (a dataset reshaped as DCAT-AP, with dct:identifier, dct:issued, dct:creator, dct:publisher and its
access-rights IRI), Turtle or RDF/XML of the same graph; schema.org JSON-LD (``?format=schemaorg``, also embedded
in the page). FAIR Signposting level 1 rides on every representation as ``Link`` headers, on the page as
``<link>`` elements, and as a linkset document at ``{page}/linkset``. Visibility is the API's: the same
:func:`~medal_catalog.api.render.visible` call and the same redaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from medal_catalog.api.access import Caller, View, may_fetch_data, redact, search_scope, small_cells
from medal_catalog.api.deps import CatalogDep, get_settings_of
from medal_catalog.api.pages.leaderboard import task_board
from medal_catalog.api.pages.reader import page_parts
from medal_catalog.api.pages.session import Visit, visit
from medal_catalog.api.pages.templating import error_page, render
from medal_catalog.api.render import accepted, base_url, visible
from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings
from medal_catalog.errors import MedalError, NotAcceptable, NotFound
from medal_catalog.exports import datacite
from medal_catalog.exports.croissant import case_files
from medal_catalog.exports.dcat import OPENAPI, access_rights, download_distributions, to_dcat
from medal_catalog.exports.healthdcat import HealthContext, to_healthdcat
from medal_catalog.exports.jsonld import identifier, to_jsonld
from medal_catalog.exports.pid import Pid, pid_of
from medal_catalog.exports.schemaorg import PROFILES, dataset_jsonld, license_url, task_jsonld
from medal_catalog.labels import label_dataset, label_table_paths
from medal_catalog.panel import Actor, list_reviews
from medal_catalog.store import entry_key

router = APIRouter(include_in_schema=False)
KIND_OF_PAGE = {"tasks": "BenchmarkTask", "datasets": "ImagingDataset"}
#: Representations of a landing page URL: ``?format=`` name -> media type.
PAGE_MEDIA = {
    "html": "text/html",
    "jsonld": "application/ld+json",
    "ttl": "text/turtle",
    "rdf": "application/rdf+xml",
    "schemaorg": "application/ld+json",
    "json": "application/json",
    "datacite": datacite.JSON_MEDIA,
    "datacite-xml": datacite.XML_MEDIA,
}
_ALIASES = {
    "turtle": "ttl",
    "json-ld": "jsonld",
    "xml": "rdf",
    "rdfxml": "rdf",
    "dcat": "jsonld",
    "datacite-json": "datacite",
    "datacitexml": "datacite-xml",
}
#: Media types -> representation; ``application/xml`` is DataCite XML (what F-UJI and DataCite's own content
#: negotiation mean by it), RDF/XML is asked for by its own type.
_BY_MEDIA = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/ld+json": "jsonld",
    "text/turtle": "ttl",
    "application/rdf+xml": "rdf",
    "application/json": "json",
    "text/n3": "ttl",
    "application/x-turtle": "ttl",
    datacite.JSON_MEDIA: "datacite",
    datacite.XML_MEDIA: "datacite-xml",
    "application/xml": "datacite-xml",
    "text/xml": "datacite-xml",
}
#: The ``?profile=`` that asks for a dataset as HealthDCAT-AP (release 8) rather than DCAT-AP.
HEALTHDCAT = "healthdcat-ap"


#: What a FAIR Signposting ``type`` link says a landing page is.
TYPES = ("https://schema.org/Dataset", "https://schema.org/AboutPage")


def page_format(request: Request, fmt: str | None) -> str:
    """The representation asked for: ``?format=`` first, else the Accept header by quality; HTML by default
    (``*/*``, no header); 406 naming the offered types otherwise."""
    if fmt:
        name = _ALIASES.get(fmt.lower(), fmt.lower())
        if name not in PAGE_MEDIA:
            raise NotAcceptable(f"format {fmt!r} is not offered: use {', '.join(PAGE_MEDIA)}")
        return name
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return "html"
    for media in accepted(accept):
        if media in _BY_MEDIA:
            return _BY_MEDIA[media]
        if media in ("*/*", "text/*"):
            return "html"
        if media == "application/*":
            return "jsonld"
    raise NotAcceptable(f"none of {accept!r} is offered here: use {', '.join(sorted(set(_BY_MEDIA)))}")


def _files(catalog: Catalog, dataset_id: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    """The files the catalog keeps and serves with a dataset (a task's label table only through the task)."""
    withheld = label_table_paths(catalog, dataset_id, document)
    return [f.to_dict() for f in catalog.list_files("ImagingDataset", dataset_id) if f.path not in withheld]


def dataset_downloads(catalog: Catalog, base: str, document: dict[str, Any], view: View) -> list[dict[str, Any]]:
    """What a caller with ``view`` can download of a dataset: its data files when they may fetch them, and its
    series manifest unless in the hidden-test view (each: name, url, media_type, size)."""
    dataset_id = document["id"]
    out: list[dict[str, Any]] = []
    if view != "hidden":
        out.append(
            {
                "name": "series manifest (JSON Lines, one line per series)",
                "url": f"{base}/api/datasets/{dataset_id}/series.jsonl",
                "media_type": "application/jsonlines",
            }
        )
    # The data files last: an assessor (F-UJI) checks the size and type of the last distribution it is given.
    if may_fetch_data(document, view):
        out += [
            {
                "name": f["path"],
                "url": f"{base}/api/datasets/{dataset_id}/files/{f['path']}",
                "media_type": f.get("media_type"),
                "size": f.get("byte_size"),
            }
            for f in _files(catalog, dataset_id, document)
        ]
    return out


def task_downloads(catalog: Catalog, caller: Caller, base: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    """The task's files this caller can fetch: its cases and published labels when they may fetch the label
    dataset's data."""
    dataset_id = label_dataset(document)
    if dataset_id is None or not document.get("labels"):
        return []
    try:
        dataset, view = visible(catalog, caller, "ImagingDataset", dataset_id)
    except NotFound:
        return []
    if not may_fetch_data(dataset.document, view):
        return []
    try:
        files = case_files(catalog, document, dataset.document)
    except ValueError:
        return []  # a label table that does not match its declaration: the task's Croissant says why
    if files is None:
        return []
    task_id = document["id"]
    return [
        {
            "name": "cases.csv",
            "url": f"{base}/api/tasks/{task_id}/cases.csv",
            "media_type": "text/csv",
            "size": len(files.cases),
        },
        {
            "name": "labels.csv (published splits only)",
            "url": f"{base}/api/tasks/{task_id}/labels.csv",
            "media_type": "text/csv",
            "size": len(files.labels),
        },
    ]


def loading(catalog: Catalog, caller: Caller, document: dict[str, Any]) -> dict[str, Any]:
    """How this caller loads a task's records with mlcroissant, for its page's snippet: ``open`` (the plain URL
    works without credentials), ``signed`` (the caller may fetch the data, but only with a token: a signed link),
    or ``denied`` (the data are not the caller's to fetch: what access is needed and whom to ask); ``dataset``,
    ``level``, ``dua_url``, ``conditions`` and ``contact`` say which data and on what terms."""
    dataset_id = label_dataset(document)
    if dataset_id is None or not document.get("labels"):
        return {"mode": "open"}  # no label table: every record set is inline
    found = catalog.get("ImagingDataset", dataset_id)
    data = (found.document if found is not None else None) or {}
    level = data.get("access_level")
    if level == "open":
        return {"mode": "open"}
    try:
        dataset, view = visible(catalog, caller, "ImagingDataset", dataset_id)
        fetch = may_fetch_data(dataset.document, view)
    except NotFound:
        fetch = False
    licence = data.get("license") or {}
    submitter = document.get("submitter") or {}
    contact = ", ".join(str(submitter[k]) for k in ("name", "email") if submitter.get(k)) or None
    return {
        "mode": "signed" if fetch and caller.role != "anonymous" else "denied",
        "dataset": dataset_id,
        "level": level,
        "dua_url": licence.get("dua_url") or licence.get("url"),
        "conditions": data.get("data_use_conditions"),
        "contact": contact,
    }


def _used_by(catalog: Catalog, caller: Caller, dataset_id: str) -> list[str]:
    """The tasks using a dataset that the caller may see (through the same search scope as the API)."""
    result = catalog.search(
        "",
        filters={"type": "BenchmarkTask", "dataset": dataset_id},
        sort="key",
        size=100,
        scope=search_scope(catalog, caller),
    )
    return [h.id for h in result.hits]


class Landing:
    """Everything one landing page (and its machine representations) shows, for one caller."""

    def __init__(
        self,
        request: Request | None,
        catalog: Catalog,
        caller: Caller,
        path: str,
        entry_id: str,
        *,
        base: str | None = None,
        pid_base: str | None = None,
        settings: Settings | None = None,
    ):
        self.kind = KIND_OF_PAGE[path]
        self.path = path
        self.current, self.view = visible(catalog, caller, self.kind, entry_id)
        if request is not None:
            base = base if base is not None else base_url(request)
            settings = settings or get_settings_of(request)
        if base is None or settings is None:
            raise TypeError("a Landing is made for a request, or with both base and settings")
        self.base = base
        self.settings = settings
        self.pid_base = pid_base if pid_base is not None else self.settings.pid_base
        self.document = (
            small_cells(redact(self.current.document, self.view), caller, self.settings.small_cell_threshold) or {}
        )
        self.id = entry_id
        self.page = f"{self.base}/{path}/{entry_id}"
        #: The catalog's own resolvable identifier, and the entry's persistent identifier (which may be the same).
        self.catalog_id = identifier(self.base, self.kind, entry_id)
        self.persistent = pid_of(self.pid_base, self.base, self.kind, self.document, entry_id)
        self.pid = self.persistent.url
        self.history = catalog.history(self.kind, entry_id)
        self.issued = self.history[0].recorded_at if self.history else None
        self.caller = caller
        if self.kind == "ImagingDataset":
            self.related = _used_by(catalog, caller, entry_id)
            self.downloads = dataset_downloads(catalog, self.base, self.document, self.view)
            self.schemaorg = dataset_jsonld(
                self.document, self.base, issued=self.issued, tasks=self.related, downloads=self.downloads
            )
            self.croissant = f"{self.base}/api/datasets/{entry_id}/croissant"
            self.loading = {"mode": "open"}  # a dataset's series load for everyone who sees it
        else:
            self.related = [d for d in self.document.get("datasets_used") or [] if _sees(catalog, caller, d)]
            self.downloads = task_downloads(catalog, caller, self.base, self.document)
            self.schemaorg = task_jsonld(
                self.document, self.base, issued=self.issued, datasets=self.related, downloads=self.downloads
            )
            self.croissant = f"{self.base}/api/tasks/{entry_id}/croissant"
            self.loading = loading(catalog, caller, self.current.document or {})
        self.schemaorg["potentialAction"] = api_action(self.base, path, entry_id)
        if self.persistent.scheme not in ("DOI", "URL"):
            self.schemaorg["identifier"].insert(0, self.persistent.to_schemaorg())
            self.schemaorg["sameAs"] = [self.pid, self.catalog_id]
        self.catalog = catalog

    def related_pids(self) -> list[Pid]:
        """The PIDs of the related entries the caller may see (tasks of a dataset, datasets of a task)."""
        kind = "BenchmarkTask" if self.kind == "ImagingDataset" else "ImagingDataset"
        found = self.catalog.get_many(entry_key(kind, i) for i in self.related) if self.related else {}
        documents = {v.id: v.document for v in found.values()}
        return [pid_of(self.pid_base, self.base, kind, documents.get(i), i) for i in self.related]

    def datacite(self, version: int | None = None) -> dict[str, Any]:
        """The entry as DataCite JSON (schema 4.6); with ``version``, that recorded version of it (identified by its
        versioned identifier, ``IsVersionOf`` the entry's PID), seen through the caller's view of the entry now."""
        context = datacite.Context(
            base=self.base,
            pid=self.persistent,
            catalog_id=self.catalog_id,
            page=self.page,
            issued=self.issued,
            related=self.related_pids(),
            downloads=self.downloads,
            croissant=self.croissant,
            small_cell=self.settings.small_cell_threshold,
        )
        if version is None:
            return datacite.to_datacite(self.document, context)
        stored = self.catalog.get(self.kind, self.id, version)
        if stored is None or stored.document is None:
            raise NotFound(f"{self.id!r} has no version {version} with a document")
        document = redact(stored.document, self.view) or {}
        if stored.document.get("access_level") == "hidden_test" and self.view != "full":
            document = redact(document, "hidden") or {}  # the stricter of the two views applies
        url = identifier(self.base, self.kind, self.id, version)
        context.version_of, context.pid, context.catalog_id = self.persistent, Pid(url, "URL", url), url
        return datacite.to_datacite(document, context)

    def linked(self, profile: str | None = None) -> dict[str, Any]:
        """The entry's JSON-LD (a dataset as DCAT-AP, or HealthDCAT-AP with ``profile="healthdcat-ap"``) with the
        dataset-level DCTERMS an assessor looks for."""
        out = to_jsonld(self.document, self.base)
        if self.kind == "ImagingDataset":
            out = to_dcat(out)
            level = self.document.get("access_level")
            if level in access_rights():
                out["dcterms:accessRights"] = {"@id": access_rights()[level]}
            out["dcat:distribution"] = download_distributions(self.downloads, self.page, self.base, self.id, out["@id"])
        out["dcterms:identifier"] = self.pid
        out["ADMS:identifier"] = {
            "@type": "ADMS:Identifier",
            "skos:notation": self.persistent.value,
            "ADMS:schemeAgency": self.persistent.scheme,
        }
        if self.issued:
            out["dcterms:issued"] = {"@value": self.issued[:10], "@type": "xsd:date"}
        creators = self.schemaorg.get("creator") or []
        out["dcterms:creator"] = [_agent(c) for c in creators]
        out["dcterms:publisher"] = _agent(self.schemaorg["publisher"])
        license_ = license_url(self.document.get("license"))
        if license_ and self.kind == "BenchmarkTask":
            out["dcterms:license"] = {"@id": license_, "@type": "dcterms:LicenseDocument"}
        out["dcat:landingPage"] = {"@id": self.page, "@type": "foaf:Document"}
        out["foaf:page"] = {"@id": self.page}
        if self.kind == "ImagingDataset":
            out["dcterms:conformsTo"] = {"@id": "http://data.europa.eu/r5r/", "@type": "dcterms:Standard"}
        out["dcterms:isPartOf"] = {"@id": f"{self.base}/api/catalog"}
        if self.kind == "BenchmarkTask":
            out["prov:wasDerivedFrom"] = [{"@id": identifier(self.base, "ImagingDataset", d)} for d in self.related]
        else:
            out["dcterms:isReferencedBy"] = [{"@id": identifier(self.base, "BenchmarkTask", t)} for t in self.related]
        out = {k: v for k, v in out.items() if v not in (None, [])}
        if profile == HEALTHDCAT and self.kind == "ImagingDataset":
            out = to_healthdcat(out, self.document, HealthContext.of(self.settings, self.base))
        return out

    def authors(self) -> list[str]:
        return [c["@id"] for c in self.schemaorg.get("creator") or [] if str(c.get("@id", "")).startswith("http")]

    def signposts(self) -> list[tuple[str, str, dict[str, str]]]:
        """FAIR Signposting level 1 of the page: (target, relation, attributes)."""
        # The PID resolves to this page: its type says so (F-UJI reads a cite-as without one as no PID).
        links: list[tuple[str, str, dict[str, str]]] = [(self.pid, "cite-as", {"type": "text/html"})]
        links += [(t, "type", {}) for t in TYPES]
        links += [(a, "author", {}) for a in self.authors()]
        links += [
            (f"{self.page}?format=jsonld", "describedby", {"type": "application/ld+json", "profile": PROFILES["dcat"]}),
            (f"{self.page}?format=ttl", "describedby", {"type": "text/turtle", "profile": PROFILES["dcat"]}),
            (
                f"{self.page}?format=schemaorg",
                "describedby",
                {"type": "application/ld+json", "profile": PROFILES["schema.org"]},
            ),
            (
                f"{self.page}?format=datacite",
                "describedby",
                {"type": datacite.JSON_MEDIA, "profile": datacite.SCHEMA_VERSION},
            ),
            (
                f"{self.page}?format=datacite-xml",
                "describedby",
                {"type": datacite.XML_MEDIA, "profile": datacite.SCHEMA_VERSION},
            ),
            (self.croissant, "describedby", {"type": "application/ld+json", "profile": PROFILES["croissant"]}),
        ]
        license_ = license_url(self.document.get("license"))
        if license_:
            links.append((license_, "license", {}))
        links += [
            (d["url"], "item", {"type": d.get("media_type") or "application/octet-stream"}) for d in self.downloads
        ]
        links.append((f"{self.page}/linkset", "linkset", {"type": "application/linkset+json"}))
        return links

    def link_header(self) -> str:
        return ", ".join(
            f'<{target}>; rel="{rel}"' + "".join(f'; {k}="{v}"' for k, v in attrs.items())
            for target, rel, attrs in self.signposts()
        )

    def linkset(self) -> dict[str, Any]:
        """The signposts as an RFC 9264 linkset (application/linkset+json)."""
        anchor: dict[str, Any] = {"anchor": self.page}
        for target, rel, attrs in self.signposts():
            anchor.setdefault(rel, []).append({"href": target, **attrs})
        return {"linkset": [anchor]}


def api_action(base: str, path: str, entry_id: str) -> dict[str, Any]:
    """The entry's API endpoint as a schema.org action with its entry point: URL, protocol (OpenAPI over HTTP)
    and media type, where an assessor looks for a data service (F-UJI's FsF-R1-01MD-2c)."""
    return {
        "@type": "ConsumeAction",
        "name": "Read the entry, its Croissant and its series through the API",
        "target": {
            "@type": "EntryPoint",
            "url": f"{base}/api/{path}/{entry_id}",
            "urlTemplate": f"{base}/api/{path}/{entry_id}{{?format}}",
            "additionalType": OPENAPI,
            "contentType": ["application/json", "application/ld+json", "text/turtle"],
            "httpMethod": "GET",
            "description": f"OpenAPI description: {base}/api/openapi.json",
        },
    }


def _sees(catalog: Catalog, caller: Caller, dataset_id: str) -> bool:
    try:
        visible(catalog, caller, "ImagingDataset", dataset_id)
    except NotFound:
        return False
    return True


def _agent(node: dict[str, Any]) -> dict[str, Any]:
    kind = "foaf:Person" if node.get("@type") == "Person" else "foaf:Organization"
    out: dict[str, Any] = {"@type": ["foaf:Agent", kind], "foaf:name": node.get("name")}
    if str(node.get("@id", "")).startswith("http"):
        out["@id"] = node["@id"]
    return out


def _machine(landing: Landing, name: str, profile: str | None = None, version: int | None = None) -> Response:
    headers = {
        "Link": landing.link_header(),
        "Vary": "Accept, Cookie, Authorization",
        "Cache-Control": "private, no-cache",
    }
    if name == "schemaorg":
        return Response(orjson.dumps(landing.schemaorg), media_type="application/ld+json", headers=headers)
    if name in ("datacite", "datacite-xml"):
        record = landing.datacite(version)
        if name == "datacite":
            return Response(orjson.dumps(record), media_type=datacite.JSON_MEDIA, headers=headers)
        return Response(datacite.to_xml(record), media_type=datacite.XML_MEDIA, headers=headers)
    linked = landing.linked(profile)
    if name == "jsonld":
        return Response(orjson.dumps(linked), media_type="application/ld+json", headers=headers)
    from rdflib import Graph  # here, not with the app: rdflib adds about 90 ms to its start (-X importtime)

    graph = Graph().parse(data=json.dumps(linked), format="json-ld")
    if name == "ttl":
        return Response(graph.serialize(format="turtle"), media_type="text/turtle; charset=utf-8", headers=headers)
    return Response(graph.serialize(format="xml"), media_type="application/rdf+xml", headers=headers)


async def _landing(request: Request, catalog: Catalog, caller: Caller, path: str, entry_id: str) -> Landing:
    return await run_in_threadpool(Landing, request, catalog, caller, path, entry_id)


def _version(request: Request) -> int | None:
    """``?version=N`` (DataCite of one recorded version, where /id/.../vN sends DataCite requests)."""
    text = request.query_params.get("version")
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise NotFound(f"v{text} is not a version number")
    return int(text)


Endpoint = Callable[..., Coroutine[Any, Any, Response]]


def _page_route(path: str) -> Endpoint:
    async def landing_page(
        entry_id: str,
        request: Request,
        catalog: CatalogDep,
        current: Annotated[Visit, Depends(visit)],
        format: Annotated[str | None, Query()] = None,
    ) -> Response:
        try:
            name = page_format(request, format)
        except NotAcceptable as err:
            return Response(str(err), status_code=406, media_type="text/plain")
        try:
            landing = await _landing(request, catalog, current.caller, path, entry_id)
        except MedalError as err:
            if name == "html":
                return error_page(request, current, err)
            raise
        if name == "json":
            return RedirectResponse(f"/api/{path}/{entry_id}", status_code=303, headers={"Vary": "Accept"})
        if name != "html":
            return _machine(landing, name, request.query_params.get("profile"), _version(request))
        template = "task.html" if landing.kind == "BenchmarkTask" else "dataset.html"
        extra: dict[str, Any] = {}
        if landing.kind == "ImagingDataset":
            extra = await run_in_threadpool(page_parts, request, catalog, current.caller, landing)
        internal = current.caller.panel or landing.view == "full"
        versions = [
            {
                "version": v.version,
                "recorded_at": v.recorded_at,
                "deleted": v.deleted,
                "author": v.author if internal else None,
                "reason": v.reason if internal else None,
            }
            for v in landing.history
        ]
        board = (
            await run_in_threadpool(task_board, catalog, current.caller, entry_id)
            if landing.kind == "BenchmarkTask"
            else None
        )
        return render(
            request,
            current,
            template,
            title=landing.document.get("title") or entry_id,
            headers={"Link": landing.link_header()},
            entry=landing,
            doc=landing.document,
            board=board,
            versions=versions,
            jsonld=json.dumps(landing.schemaorg, ensure_ascii=False, indent=1).replace("</", "<\\/"),
            review=_review_status(catalog, current.caller, landing),
            **extra,
        )

    landing_page.__name__ = f"{path}_landing_page"
    return landing_page


def _review_status(catalog: Catalog, caller: Caller, landing: Landing) -> dict[str, Any] | None:
    """What the caller may know of a task's review: the panel its reviews and flags, its contributor the panel's
    feedback once decided (the panel library's own rules: list_reviews refuses everyone else)."""
    if landing.kind != "BenchmarkTask" or caller.role == "anonymous":
        return None
    try:
        reviews = list_reviews(catalog, landing.id, Actor(caller.name, caller.role))
    except MedalError as err:
        return {"status": landing.document.get("status"), "reviews": None, "note": str(err)}
    return {"status": landing.document.get("status"), "reviews": reviews, "note": None}


for _path in KIND_OF_PAGE:
    router.add_api_route(f"/{_path}/{{entry_id}}", _page_route(_path), methods=["GET"], response_class=HTMLResponse)


def _linkset_route(path: str) -> Endpoint:
    async def linkset(
        entry_id: str, request: Request, catalog: CatalogDep, current: Annotated[Visit, Depends(visit)]
    ) -> Response:
        landing = await _landing(request, catalog, current.caller, path, entry_id)
        return Response(
            orjson.dumps(landing.linkset()),
            media_type="application/linkset+json",
            headers={"Link": landing.link_header(), "Vary": "Cookie, Authorization"},
        )

    linkset.__name__ = f"{path}_linkset"
    return linkset


for _path in KIND_OF_PAGE:
    router.add_api_route(f"/{_path}/{{entry_id}}/linkset", _linkset_route(_path), methods=["GET"])
