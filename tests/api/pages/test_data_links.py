"""The data links a landing page advertises tell the truth: each download declares the media type the catalog
serves it with and, where declared, its exact size; the API is described as a dcat:DataService (endpoint, OpenAPI
description, protocol) and as a schema.org EntryPoint; the page's DCAT-AP graph still conforms to the shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from api.conftest import auth
from api.pages.conftest import OPEN_DATASET

SPECS = Path(__file__).resolve().parents[2] / "data" / "dcat-ap-3.0"


def conforms(graph: Graph) -> None:
    import pyshacl

    for name in ("shapes.ttl", "range.ttl"):
        ok, _, report = pyshacl.validate(graph, shacl_graph=Graph().parse(SPECS / name), inference="none")
        assert ok, f"{name}:\n{report[:4000]}"


def downloads_match(client, graph: Graph, headers: dict) -> int:
    """Fetch every dcat:downloadURL of the graph; assert its Content-Type and byte size are those declared."""
    checked = 0
    for distribution in graph.subjects(DCAT.downloadURL, None):
        url = str(graph.value(distribution, DCAT.downloadURL))
        response = client.get(url.removeprefix("http://testserver"), headers=headers)
        assert response.status_code == 200, url
        media = graph.value(distribution, DCAT.mediaType)
        if media is not None:
            assert (
                response.headers["content-type"].split(";")[0]
                == str(media).rsplit("/", 2)[-2] + "/" + str(media).rsplit("/", 1)[-1]
            ), url
        size = graph.value(distribution, DCAT.byteSize)
        if size is not None:
            assert int(float(size)) == len(response.content), url
        checked += 1
    return checked


def test_open_dataset_links_are_what_they_say(web):
    """The open dataset's page: every download fetched matches its declared type and size (the DICOM archive
    declares both), the API is a DataService with endpoint, description and OpenAPI as protocol, and the
    graph conforms to DCAT-AP 3.0."""
    url = f"/datasets/{OPEN_DATASET}"
    graph = Graph().parse(data=web.get(url, headers={"Accept": "text/turtle"}).text, format="turtle")
    assert downloads_match(web, graph, {}) == 2
    sized = [d for d in graph.subjects(DCAT.byteSize, None) if graph.value(d, DCAT.downloadURL) is not None]
    assert any(str(graph.value(d, DCAT.downloadURL)).endswith("/files/dicom.zip") for d in sized)
    services = list(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    service = services[0]
    assert str(graph.value(service, DCAT.endpointURL)) == "http://testserver/api/"
    assert (
        web.get(str(graph.value(service, DCAT.endpointDescription)).removeprefix("http://testserver"))
        .json()["openapi"]
        .startswith("3.")
    )
    assert str(graph.value(service, DCTERMS.conformsTo)) == "https://spec.openapis.org/oas/v3.1.0"
    conforms(graph)
    action = web.get(url, params={"format": "schemaorg"}).json()["potentialAction"]
    assert action["target"]["additionalType"] == "https://spec.openapis.org/oas/v3.1.0"
    assert web.get(action["target"]["url"].removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize("who", ["rita", "chair"])
def test_controlled_dataset_offers_no_data_and_still_conforms(client, who):
    """A controlled dataset's page (a reviewer's view, and an admin's full view) declares only what that caller can fetch
    (the series manifest as JSON Lines, never as DICOM; an admin also the files), plus the API service; its
    DCAT-AP graph conforms."""
    dataset = "ct-lung-screening-2019-2023"
    headers = auth(client, who)
    graph = Graph().parse(
        data=client.get(f"/datasets/{dataset}", headers={**headers, "Accept": "text/turtle"}).text, format="turtle"
    )
    downloads = {
        str(graph.value(d, DCAT.downloadURL)): str(graph.value(d, DCAT.mediaType))
        for d in graph.subjects(DCAT.downloadURL, None)
    }
    manifest = f"http://testserver/api/datasets/{dataset}/series.jsonl"
    assert downloads[manifest].endswith("application/jsonlines")
    if who == "rita":
        assert list(downloads) == [manifest]
    assert downloads_match(client, graph, headers) == len(downloads)
    assert any(graph.subjects(RDF.type, DCAT.DataService))
    conforms(graph)
    assert URIRef(f"http://testserver/id/datasets/{dataset}") in set(graph.subjects(DCAT.distribution, None))
