"""``/oai``: OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html) over the catalog's published tasks
and datasets, for aggregators (OpenAIRE, BASE, data.europa.eu's OAI harvesters).

What is disseminated is exactly what an anonymous caller may find (:func:`~medal_catalog.api.listing.
listed_versions`), each record in the anonymous view, in three formats: ``oai_dc``, ``oai_datacite`` (DataCite
4.6 XML, as the OpenAIRE guidelines for data archives ask) and ``dcat_ap`` (the landing page's DCAT-AP graph as
RDF/XML).

* **Identifiers** are ``oai:<host>:datasets/<id>`` and ``oai:<host>:tasks/<id>``.
* **Datestamps** are the latest of the entry's own last change and, for a dataset, the last change of the
  accepted tasks using it (a task's acceptance is what publishes a dataset, so an incremental harvest must see
  it then).
* **Sets**: ``type:dataset`` / ``type:task``, ``modality:<DICOM modality>``, ``access:<level>`` (datasets),
  with their parents ``type``, ``modality`` and ``access``.
* **Deleted records** (``deletedRecord`` transient) are entries that were public once, as the store's history
  shows, and are not now: a task that had an accepted version, a dataset that was not hidden-test and that a
  once-accepted task used. An entry that was never public never appears, not even as deleted.
* **Resumption tokens** are stateless (the request's arguments and a cursor, base64url): a harvest can resume
  from any server; the list is in identifier order.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from fastapi import Response
from fastapi.concurrency import run_in_threadpool
from lxml import etree
from lxml.etree import _Element as Element

from medal_catalog.api.access import ANONYMOUS, redact
from medal_catalog.api.deps import CatalogDep, get_settings_of
from medal_catalog.api.envelope import Responses
from medal_catalog.api.listing import listed_versions
from medal_catalog.api.pages.landing import Landing
from medal_catalog.api.render import base_url
from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings
from medal_catalog.errors import NotFound
from medal_catalog.exports import datacite
from medal_catalog.schema import KIND_PATHS
from medal_catalog.store import StoredVersion

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
#: metadataPrefix -> (schema, namespace).
FORMATS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC),
    "oai_datacite": ("http://schema.datacite.org/meta/kernel-4.6/metadata.xsd", "http://datacite.org/schema/kernel-4"),
    "dcat_ap": ("https://semiceu.github.io/DCAT-AP/releases/3.0.0/", "http://www.w3.org/ns/dcat#"),
}
KINDS = ("BenchmarkTask", "ImagingDataset")
_TYPE_SET = {"BenchmarkTask": "task", "ImagingDataset": "dataset"}
_SET_NAMES = {
    "type": "Kind of entry",
    "type:task": "Benchmark tasks",
    "type:dataset": "Imaging datasets",
    "modality": "DICOM modality",
    "access": "Access level of a dataset",
}
_SPEC_CHARS = re.compile(r"[^A-Za-z0-9\-_.!~*'()]")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
}


class OaiError(Exception):
    """An OAI-PMH error condition: ``code`` is one of the protocol's error codes."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Item:
    """One record's header: what it is, when it last changed, its sets, and whether it is deleted."""

    kind: str
    id: str
    datestamp: str
    sets: list[str] = field(default_factory=list)
    deleted: bool = False

    def identifier(self, host: str) -> str:
        return f"oai:{host}:{KIND_PATHS[self.kind]}/{self.id}"


def _stamp(recorded_at: str) -> str:
    """A store timestamp as an OAI-PMH datestamp (UTC, seconds)."""
    when = datetime.fromisoformat(recorded_at).astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _spec(text: Any) -> str:
    return _SPEC_CHARS.sub("-", str(text)) or "-"


def _sets(kind: str, document: dict[str, Any] | None) -> list[str]:
    document = document or {}
    out = [f"type:{_TYPE_SET[kind]}"]
    out += [f"modality:{_spec(m)}" for m in document.get("modalities") or []]
    if kind == "ImagingDataset" and document.get("access_level"):
        out.append(f"access:{_spec(document['access_level'])}")
    return out


def _last_live(history: list[StoredVersion]) -> StoredVersion | None:
    return next((v for v in reversed(history) if v.document is not None), None)


def items(catalog: Catalog) -> list[Item]:
    """Every record header an anonymous harvester may see, live and deleted, in identifier order."""
    tasks = listed_versions(catalog, ANONYMOUS, "BenchmarkTask")
    datasets = listed_versions(catalog, ANONYMOUS, "ImagingDataset")
    published = {(v.kind, v.id) for v, _ in [*tasks, *datasets]}
    # The history of every task: which were ever accepted, and which datasets an accepted version used.
    task_ids = {v.id for v in catalog.iter_current(["BenchmarkTask"])} | set(catalog.deleted_ids("BenchmarkTask"))
    ever_accepted: dict[str, list[StoredVersion]] = {}
    last_change: dict[str, str] = {}  # dataset -> latest change of a task that uses (or used) it
    for task_id in sorted(task_ids):
        history = catalog.history("BenchmarkTask", task_id)
        accepted = [v for v in history if v.document is not None and v.document.get("status") == "accepted"]
        if not accepted:
            continue
        ever_accepted[task_id] = history
        for version in accepted:
            for dataset_id in (version.document or {}).get("datasets_used") or []:
                last_change[str(dataset_id)] = max(last_change.get(str(dataset_id), ""), history[-1].recorded_at)
    out: list[Item] = []
    for version, _ in tasks:
        out.append(
            Item("BenchmarkTask", version.id, _stamp(version.recorded_at), _sets(version.kind, version.document))
        )
    for version, view in datasets:
        stamp = max(version.recorded_at, last_change.get(version.id, ""))
        out.append(
            Item("ImagingDataset", version.id, _stamp(stamp), _sets(version.kind, redact(version.document, view)))
        )
    for task_id, history in ever_accepted.items():
        if ("BenchmarkTask", task_id) not in published:
            out.append(
                Item(
                    "BenchmarkTask",
                    task_id,
                    _stamp(history[-1].recorded_at),
                    _sets("BenchmarkTask", (_last_live(history) or history[-1]).document),
                    deleted=True,
                )
            )
    for dataset_id, changed in last_change.items():
        if ("ImagingDataset", dataset_id) in published:
            continue
        history = catalog.history("ImagingDataset", dataset_id)
        live = _last_live(history)
        if live is None or (live.document or {}).get("access_level") == "hidden_test":
            continue  # never stored, or never public: not even its deletion is told
        out.append(
            Item(
                "ImagingDataset",
                dataset_id,
                _stamp(max(history[-1].recorded_at, changed)),
                _sets("ImagingDataset", live.document),
                deleted=True,
            )
        )
    return sorted(out, key=lambda i: (KIND_PATHS[i.kind], i.id))


# --- requests --------------------------------------------------------------------------------------------------


@dataclass
class Request:
    """The arguments of one OAI-PMH request (after checking them)."""

    verb: str
    arguments: dict[str, str]


def parse(pairs: list[tuple[str, str]]) -> Request:
    """The request of these query (or form) pairs; OaiError(badVerb / badArgument) when they are not one."""
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key in seen:
            raise OaiError("badArgument" if key != "verb" else "badVerb", f"argument {key!r} is repeated")
        seen[key] = value
    verb = seen.pop("verb", None)
    if verb is None:
        raise OaiError("badVerb", "no verb: use one of " + ", ".join(_ARGUMENTS))
    if verb not in _ARGUMENTS:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb: use one of " + ", ".join(_ARGUMENTS))
    required, optional = _ARGUMENTS[verb]
    if "resumptionToken" in seen and verb in ("ListSets", "ListIdentifiers", "ListRecords"):
        if len(seen) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument")
        return Request(verb, seen)
    unknown = set(seen) - required - optional
    if unknown:
        raise OaiError("badArgument", f"{verb} takes no argument {', '.join(sorted(unknown))}")
    missing = required - set(seen)
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(sorted(missing))}")
    for name in ("from", "until"):
        if name in seen and not (_DAY.match(seen[name]) or _SECOND.match(seen[name])):
            raise OaiError("badArgument", f"{name}={seen[name]!r} is neither YYYY-MM-DD nor YYYY-MM-DDThh:mm:ssZ")
    if "from" in seen and "until" in seen and len(seen["from"]) != len(seen["until"]):
        raise OaiError("badArgument", "from and until have different granularities")
    return Request(verb, seen)


def _token(arguments: dict[str, str], cursor: int) -> str:
    raw = json.dumps({**arguments, "cursor": cursor}, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _untoken(token: str) -> tuple[dict[str, str], int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        cursor = int(raw.pop("cursor"))
        if cursor < 0 or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise OaiError("badResumptionToken", "the resumption token is not one this repository issued") from None
    return raw, cursor


# --- responses -------------------------------------------------------------------------------------------------


def _el(parent: Element, tag: str, text: Any = None, **attributes: str | None) -> Element:
    node = etree.SubElement(parent, f"{{{OAI}}}{tag}", {k: v for k, v in attributes.items() if v is not None})
    if text is not None:
        node.text = str(text)
    return node


class Repository:
    """The OAI-PMH repository of one catalog, answering requests for ``base`` (the catalog's public URL)."""

    def __init__(self, catalog: Catalog, settings: Settings, base: str) -> None:
        self.catalog = catalog
        self.settings = settings
        self.base = base
        self.host = urlsplit(base).hostname or "localhost"

    def respond(self, pairs: list[tuple[str, str]]) -> bytes:
        """The XML response to a request given as its (name, value) pairs."""
        root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
        _el(root, "responseDate", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        request_node = _el(root, "request", f"{self.base}/oai")
        try:
            request = parse(pairs)
            for key, value in ({"verb": request.verb, **request.arguments}).items():
                request_node.set(key, value)
            getattr(self, f"_{request.verb}")(root, request.arguments)
        except OaiError as err:
            if err.code in ("badVerb", "badArgument"):
                request_node.attrib.clear()  # the spec: no attributes when the request itself is wrong
            for child in list(root)[2:]:
                root.remove(child)
            _el(root, "error", str(err), code=err.code)
        body: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return body

    # Verbs -------------------------------------------------------------------------------------------------

    def _Identify(self, root: Element, arguments: dict[str, str]) -> None:  # noqa: N802 - the protocol's verb names
        node = _el(root, "Identify")
        _el(node, "repositoryName", "MEDAL catalog: medical-imaging benchmark tasks and datasets")
        _el(node, "baseURL", f"{self.base}/oai")
        _el(node, "protocolVersion", "2.0")
        _el(node, "adminEmail", self.settings.contact_email)
        stamps = [i.datestamp for i in items(self.catalog)]
        _el(node, "earliestDatestamp", min(stamps) if stamps else "1970-01-01T00:00:00Z")
        _el(node, "deletedRecord", "transient")
        _el(node, "granularity", "YYYY-MM-DDThh:mm:ssZ")

    def _ListMetadataFormats(self, root: Element, arguments: dict[str, str]) -> None:  # noqa: N802
        if "identifier" in arguments:
            self._find(arguments["identifier"])
        node = _el(root, "ListMetadataFormats")
        for prefix, (schema, namespace) in FORMATS.items():
            fmt = _el(node, "metadataFormat")
            _el(fmt, "metadataPrefix", prefix)
            _el(fmt, "schema", schema)
            _el(fmt, "metadataNamespace", namespace)

    def _ListSets(self, root: Element, arguments: dict[str, str]) -> None:  # noqa: N802
        if "resumptionToken" in arguments:
            _untoken(arguments["resumptionToken"])
            raise OaiError("badResumptionToken", "ListSets is never split: there is nothing to resume")
        specs = {"type", "type:task", "type:dataset"}
        for item in items(self.catalog):
            if not item.deleted:
                for spec in item.sets:
                    specs.update({spec, spec.split(":")[0]})
        node = _el(root, "ListSets")
        for spec in sorted(specs):
            one = _el(node, "set")
            _el(one, "setSpec", spec)
            parent, _, leaf = spec.partition(":")
            _el(one, "setName", _SET_NAMES.get(spec) or f"{_SET_NAMES.get(parent, parent)}: {leaf}")

    def _GetRecord(self, root: Element, arguments: dict[str, str]) -> None:  # noqa: N802
        prefix = self._prefix(arguments["metadataPrefix"])
        item = self._find(arguments["identifier"])
        self._record(_el(root, "GetRecord"), item, prefix)

    def _ListIdentifiers(self, root: Element, arguments: dict[str, str]) -> None:  # noqa: N802
        self._list(root, arguments, records=False)

    def _ListRecords(self, root: Element, arguments: dict[str, str]) -> None:  # noqa: N802
        self._list(root, arguments, records=True)

    # Helpers -----------------------------------------------------------------------------------------------

    def _prefix(self, prefix: str) -> str:
        if prefix not in FORMATS:
            raise OaiError("cannotDisseminateFormat", f"{prefix!r} is not offered: use {', '.join(FORMATS)}")
        return prefix

    def _find(self, identifier: str) -> Item:
        prefix = f"oai:{self.host}:"
        path, _, entry_id = identifier.removeprefix(prefix).partition("/")
        if identifier.startswith(prefix):
            for item in items(self.catalog):
                if KIND_PATHS[item.kind] == path and item.id == entry_id:
                    return item
        raise OaiError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository")

    def _list(self, root: Element, arguments: dict[str, str], records: bool) -> None:
        verb = "ListRecords" if records else "ListIdentifiers"
        cursor = 0
        if "resumptionToken" in arguments:
            arguments, cursor = _untoken(arguments["resumptionToken"])
            if "metadataPrefix" not in arguments:
                raise OaiError("badResumptionToken", "the resumption token is not one this repository issued")
        prefix = self._prefix(arguments["metadataPrefix"])
        wanted = self._select(arguments)
        if not wanted:
            raise OaiError("noRecordsMatch", "no record matches these arguments")
        if cursor >= len(wanted) and cursor:
            raise OaiError("badResumptionToken", "the resumption token points past the end of the list")
        size = self.settings.oai_page_size
        node = _el(root, verb)
        for item in wanted[cursor : cursor + size]:
            if records:
                self._record(node, item, prefix)
            else:
                self._header(node, item)
        if cursor + size < len(wanted):
            _el(
                node,
                "resumptionToken",
                _token(arguments, cursor + size),
                completeListSize=str(len(wanted)),
                cursor=str(cursor),
            )
        elif cursor:
            _el(node, "resumptionToken", None, completeListSize=str(len(wanted)), cursor=str(cursor))

    def _select(self, arguments: dict[str, str]) -> list[Item]:
        start = arguments.get("from")
        end = arguments.get("until")
        start = start + "T00:00:00Z" if start and _DAY.match(start) else start
        end = end + "T23:59:59Z" if end and _DAY.match(end) else end
        wanted = arguments.get("set")
        out: list[Item] = []
        for item in items(self.catalog):
            if start and item.datestamp < start or end and item.datestamp > end:
                continue
            if wanted and not any(s == wanted or s.startswith(wanted + ":") for s in item.sets):
                continue
            out.append(item)
        return out

    def _header(self, parent: Element, item: Item) -> None:
        header = _el(parent, "header", status="deleted" if item.deleted else None)
        _el(header, "identifier", item.identifier(self.host))
        _el(header, "datestamp", item.datestamp)
        for spec in item.sets:
            _el(header, "setSpec", spec)

    def _record(self, parent: Element, item: Item, prefix: str) -> None:
        record = _el(parent, "record")
        self._header(record, item)
        if item.deleted:
            return
        _el(record, "metadata").append(self._metadata(item, prefix))

    def _metadata(self, item: Item, prefix: str) -> Element:
        try:
            landing = Landing(
                None, self.catalog, ANONYMOUS, KIND_PATHS[item.kind], item.id, base=self.base, settings=self.settings
            )
        except NotFound:  # changed between listing and reading
            raise OaiError("idDoesNotExist", f"{item.identifier(self.host)} is no longer available") from None
        if prefix == "oai_datacite":
            element: Element = datacite.to_xml_element(landing.datacite())
            return element
        if prefix == "oai_dc":
            return oai_dc(landing.datacite())
        from rdflib import Graph  # here, not with the app: rdflib adds about 90 ms to its start (-X importtime)

        graph = Graph().parse(data=json.dumps(landing.linked()), format="json-ld")
        element = etree.fromstring(graph.serialize(format="xml", encoding="utf-8"))
        return element


def oai_dc(record: dict[str, Any]) -> Element:
    """Simple Dublin Core (oai_dc) of a DataCite JSON record."""
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {FORMATS['oai_dc'][0]}")

    def dc(tag: str, value: Any) -> None:
        if value not in (None, ""):
            etree.SubElement(root, f"{{{DC}}}{tag}").text = str(value)

    for title in record.get("titles") or []:
        dc("title", title["title"])
    for creator in record.get("creators") or []:
        dc("creator", creator["name"])
    for subject in record.get("subjects") or []:
        dc("subject", subject["subject"])
    for description in record.get("descriptions") or []:
        dc("description", description["description"])
    dc("publisher", (record.get("publisher") or {}).get("name"))
    for contributor in record.get("contributors") or []:
        dc("contributor", contributor["name"])
    for date in record.get("dates") or []:
        if date["dateType"] == "Issued":
            dc("date", date["date"])
    dc("type", "Dataset")
    for fmt in record.get("formats") or []:
        dc("format", fmt)
    dc("identifier", record.get("id"))
    for alternate in record.get("alternateIdentifiers") or []:
        dc("identifier", alternate["alternateIdentifier"])
    dc("language", record.get("language"))
    for related in record.get("relatedIdentifiers") or []:
        dc("relation", related["relatedIdentifier"])
    for place in record.get("geoLocations") or []:
        dc("coverage", place["geoLocationPlace"])
    for right in record.get("rightsList") or []:
        dc("rights", right.get("rightsUri") or right["rights"])
    return root


# --- the route ---------------------------------------------------------------------------------------------------
# Here rather than in api/routes/: records are written by the landing pages (api/pages), which import from
# api/routes, so a route module importing them would close a cycle.

router = APIRouter(tags=["oai-pmh"])
_XML = "text/xml; charset=utf-8"
_RESPONSES: Responses = {
    200: {
        "content": {"text/xml": {}},
        "description": "an OAI-PMH response (errors included, as the protocol wants: HTTP 200 with <error>)",
    }
}


async def _answer(request: HttpRequest, catalog: Catalog, pairs: list[tuple[str, str]]) -> Response:
    repository = Repository(catalog, get_settings_of(request), base_url(request))
    body = await run_in_threadpool(repository.respond, pairs)
    return Response(body, media_type=_XML, headers={"Cache-Control": "no-cache"})


@router.get("/oai", response_class=Response, responses=_RESPONSES)
async def oai_get(request: HttpRequest, catalog: CatalogDep) -> Response:
    """An OAI-PMH request (``verb=Identify``, ``ListRecords``...) as query arguments."""
    return await _answer(request, catalog, list(request.query_params.multi_items()))


@router.post(
    "/oai",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={"requestBody": {"content": {"application/x-www-form-urlencoded": {}}}},
)
async def oai_post(request: HttpRequest, catalog: CatalogDep) -> Response:
    """An OAI-PMH request as an ``application/x-www-form-urlencoded`` body."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return await _answer(request, catalog, parse_qsl(body, keep_blank_values=True))
