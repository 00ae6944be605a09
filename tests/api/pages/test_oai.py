"""OAI-PMH 2.0 at /oai: the stock `sickle` harvester collects every published entry in all three formats through
resumption tokens from a served catalog and sees nothing unpublished; every response validates against the
official OAI-PMH schema (and the oai_dc / DataCite schemas of its records); deletions of once-public entries are
told, those of never-public ones are not."""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import httpx
import pytest

from api.conftest import HIDDEN_DATASET, HIDDEN_TASK
from api.pages.conftest import OPEN_DATASET, OPEN_TASK

SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "oai-pmh-2.0"
OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}
PREFIXES = ("oai_dc", "oai_datacite", "dcat_ap")
#: Entries that exist in the catalog and that no anonymous harvester may see (not accepted, or hidden-test).
UNPUBLISHED = (HIDDEN_DATASET, HIDDEN_TASK, "cxr-pneumothorax-triage", "cxr-ed-2022")


@lru_cache(maxsize=1)
def schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMAS / "driver.xsd")))


def valid(data: bytes):
    """The parsed OAI-PMH response, after asserting it validates (envelope and records)."""
    from lxml import etree

    tree = etree.fromstring(data)
    assert schema().validate(tree), "\n".join(str(e) for e in schema().error_log)[:3000]
    return tree


def pages(get, **arguments) -> list:
    """Every page of a list request, following resumption tokens; each page validated."""
    out = [valid(get(arguments).content)]
    while True:
        token = out[-1].findtext(".//o:resumptionToken", namespaces=OAI)
        if not token:
            return out
        out.append(valid(get({"verb": arguments["verb"], "resumptionToken": token}).content))


@pytest.fixture
def served(open_harvested, tmp_path):
    """`medal serve` over a copy of the open catalog, one record per list page (so that every list resumes)."""
    from served import medal_server

    db = tmp_path / "catalog.db"
    shutil.copyfile(open_harvested.db, db)
    with medal_server(db, tmp_path, MEDAL_OAI_PAGE_SIZE="1") as base:
        yield base


def test_sickle_harvests_every_published_entry_in_every_format(served):
    """sickle's ListRecords (with resumption) over each format yields exactly the entries an anonymous API
    caller lists, with metadata; the raw pages validate against the OAI-PMH schema; nothing unpublished appears."""
    from sickle import Sickle

    tasks = httpx.get(f"{served}/api/tasks").json()["items"]
    datasets = httpx.get(f"{served}/api/datasets").json()["items"]
    host = "127.0.0.1"
    published = {f"oai:{host}:tasks/{t['id']}" for t in tasks} | {f"oai:{host}:datasets/{d['id']}" for d in datasets}
    assert published == {f"oai:{host}:tasks/{OPEN_TASK}", f"oai:{host}:datasets/{OPEN_DATASET}"}
    harvester = Sickle(f"{served}/oai", max_retries=0)
    for prefix in PREFIXES:
        records = list(harvester.ListRecords(metadataPrefix=prefix, ignore_deleted=False))
        assert {r.header.identifier for r in records} == published, prefix
        assert all(not r.deleted and len(r.xml.find("{*}metadata")) == 1 for r in records)
        raw = b"".join(r.raw.encode("utf-8") for r in records)
        assert not any(name.encode() in raw for name in UNPUBLISHED), prefix
        # The same harvest page by page, each page against the schema, resuming once per record.
        got = pages(lambda args: httpx.get(f"{served}/oai", params=args), verb="ListRecords", metadataPrefix=prefix)
        assert len(got) == len(published)
        assert got[-1].find(".//o:resumptionToken", OAI).get("completeListSize") == str(len(published))
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
    assert {h.identifier for h in headers} == published
    identify = valid(httpx.get(f"{served}/oai", params={"verb": "Identify"}).content)
    assert identify.findtext(".//o:baseURL", namespaces=OAI) == f"{served}/oai"
    sets = [s.setSpec for s in harvester.ListSets()]
    assert {"type:task", "type:dataset", "modality:CT", "access:open"} <= set(sets)
    assert "access:hidden_test" not in sets
    formats = [f.metadataPrefix for f in harvester.ListMetadataFormats()]
    assert formats == list(PREFIXES)


def test_sets_dates_and_post(served):
    """Sets narrow the list (a parent set holds its children), from/until select by datestamp, POST answers as
    GET does, and a request by credentials still gets only the anonymous view."""

    def get(args):
        return httpx.get(f"{served}/oai", params=args)

    only = valid(get({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "type:dataset"}).content)
    assert [i.text for i in only.iterfind(".//o:identifier", OAI)] == [f"oai:127.0.0.1:datasets/{OPEN_DATASET}"]
    parent = pages(get, verb="ListIdentifiers", metadataPrefix="oai_dc", set="type")
    assert len(parent) == 2
    stamp = only.findtext(".//o:datestamp", namespaces=OAI)
    assert len(pages(get, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": stamp})) == 2
    late = valid(get({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2999-01-01"}).content)
    assert late.find("o:error", OAI).get("code") == "noRecordsMatch"
    early = valid(get({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2000-01-01T00:00:00Z"}).content)
    assert early.find("o:error", OAI).get("code") == "noRecordsMatch"
    posted = valid(
        httpx.post(
            f"{served}/oai",
            data={
                "verb": "GetRecord",
                "metadataPrefix": "oai_datacite",
                "identifier": f"oai:127.0.0.1:tasks/{OPEN_TASK}",
            },
        ).content
    )
    assert posted.find(".//{http://datacite.org/schema/kernel-4}resource") is not None


@pytest.mark.parametrize(
    "args, code",
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2020-01-01", "from": "2019-01-01T00:00:00Z"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "Identify", "set": "type"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": f"oai:testserver:datasets/{HIDDEN_DATASET}",
            },
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": "oai:testserver:tasks/cxr-pneumothorax-triage",
            },
            "idDoesNotExist",
        ),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "type:review"}, "noRecordsMatch"),
    ],
)
def test_errors_are_oai_errors(web, args, code):
    """Each wrong request gets the protocol's error code in a schema-valid response (HTTP 200, as OAI-PMH wants);
    an unpublished entry does not exist for a harvester, whatever token it sends."""
    response = web.get("/oai", params=args, headers={"Authorization": f"Bearer {web.tokens['chair']}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    tree = valid(response.content)
    assert tree.find("o:error", OAI).get("code") == code
    if code in ("badVerb", "badArgument"):
        assert tree.find("o:request", OAI).attrib == {}


def test_repeated_argument_is_bad(web):
    """A repeated argument is a badArgument."""
    response = web.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc")
    assert valid(response.content).find("o:error", OAI).get("code") == "badArgument"


def test_deleted_records_are_told_only_for_once_public_entries(web, open_harvested, tmp_path):
    """Deleting the accepted task makes it and the dataset it published deleted records (headers with
    status="deleted", no metadata); the hidden-test dataset, deleted too, never appears."""
    from medal_catalog.catalog import Catalog

    db = tmp_path / "catalog.db"  # the web fixture's copy
    with Catalog.open(f"sqlite:///{db}") as catalog:
        assert catalog.delete("BenchmarkTask", OPEN_TASK, "chair", "withdrawn by its submitter").changed
        assert catalog.delete("ImagingDataset", HIDDEN_DATASET, "chair", "withdrawn").changed
    tree = valid(web.get("/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_datacite"}).content)
    headers = tree.findall(".//o:header", OAI)
    assert {h.findtext("o:identifier", namespaces=OAI): h.get("status") for h in headers} == {
        f"oai:testserver:datasets/{OPEN_DATASET}": "deleted",
        f"oai:testserver:tasks/{OPEN_TASK}": "deleted",
    }
    assert tree.find(".//o:metadata", OAI) is None
    got = valid(
        web.get(
            "/oai",
            params={"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:testserver:tasks/{OPEN_TASK}"},
        ).content
    )
    assert got.find(".//o:header", OAI).get("status") == "deleted"
    assert (
        HIDDEN_DATASET.encode()
        not in web.get("/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content
    )


def test_dcat_ap_records_conform_to_dcat_ap(web):
    """The dcat_ap record of the open dataset is RDF/XML that conforms to the DCAT-AP 3.0 shapes."""
    import pyshacl
    from lxml import etree
    from rdflib import Graph

    tree = valid(
        web.get(
            "/oai",
            params={
                "verb": "GetRecord",
                "metadataPrefix": "dcat_ap",
                "identifier": f"oai:testserver:datasets/{OPEN_DATASET}",
            },
        ).content
    )
    rdf = tree.find(".//o:metadata", OAI)[0]
    graph = Graph().parse(data=etree.tostring(rdf), format="xml")
    assert len(graph) > 50
    specs = Path(__file__).resolve().parents[2] / "data" / "dcat-ap-3.0"
    for name in ("shapes.ttl", "range.ttl"):
        conforms, _, report = pyshacl.validate(graph, shacl_graph=Graph().parse(specs / name), inference="none")
        assert conforms, f"{name}:\n{report[:4000]}"
