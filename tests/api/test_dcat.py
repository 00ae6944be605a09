"""GET /api/catalog conforms to the official DCAT-AP 3.0 SHACL shapes (mandatory constraints and ranges), in
every caller's view, as Turtle and as JSON-LD, and the two serialisations hold the same triples."""

from __future__ import annotations

import json
from pathlib import Path

from api.conftest import CONTROLLED_DATASET, HIDDEN_DATASET, HIDDEN_TASK, OPEN_TASK, accept_with_reviews, auth

#: The official shapes (shapes.ttl, range.ttl), vendored unchanged in tests/data (CC-BY 4.0, see its README).
SPECS = Path(__file__).resolve().parents[1] / "data" / "dcat-ap-3.0"


def refuse_remote(url, options=None):
    from pyld.jsonld import JsonLdError

    raise JsonLdError(f"refusing to load {url}", "jsonld.LoadDocumentError", code="loading document failed")


def graphs(client, headers):
    """The catalog as an rdflib graph from its Turtle and from its JSON-LD (expanded by pyld, offline)."""
    from pyld import jsonld
    from rdflib import Graph

    turtle = client.get("/api/catalog", params={"format": "ttl"}, headers=headers)
    linked = client.get("/api/catalog", headers={**headers, "Accept": "application/ld+json"})
    assert turtle.status_code == linked.status_code == 200
    nquads = jsonld.to_rdf(linked.json(), {"format": "application/n-quads", "documentLoader": refuse_remote})
    return Graph().parse(data=turtle.text, format="turtle"), Graph().parse(data=nquads, format="nt"), linked.json()


def assert_conforms(graph) -> None:
    import pyshacl
    from rdflib import Graph

    for name in ("shapes.ttl", "range.ttl"):
        conforms, _, report = pyshacl.validate(graph, shacl_graph=Graph().parse(SPECS / name), inference="none")
        assert conforms, f"{name}:\n{report[:4000]}"


def assert_valid(client, headers) -> dict:
    from rdflib.compare import isomorphic

    from_turtle, from_jsonld, body = graphs(client, headers)
    assert isomorphic(from_turtle, from_jsonld)
    assert_conforms(from_turtle)
    return body


def test_admin_catalog_conforms_to_dcat_ap(client):
    body = assert_valid(client, auth(client, "chair"))
    assert len(body["dcat:dataset"]) == 3
    assert all(
        d["access_level"]["@id"].startswith("http://publications.europa.eu/resource/authority/access-right/")
        for d in body["dcat:dataset"]
    )


def test_anonymous_catalog_conforms_to_dcat_ap_and_leaks_nothing(client):
    assert_valid(client, {})  # an empty catalog too
    for task in (OPEN_TASK, HIDDEN_TASK):
        response = accept_with_reviews(client.post, task, lambda name: auth(client, name))
        assert response.status_code == 200, response.text
    body = assert_valid(client, {})
    assert [d["@id"] for d in body["dcat:dataset"]] == [f"http://testserver/id/datasets/{CONTROLLED_DATASET}"]
    text = json.dumps(body)
    assert HIDDEN_DATASET not in text and "labels.csv" not in text and "dicom/**" not in text
    assert "dcat:downloadURL" not in text
    for item in body["dcat:dataset"][0]["distribution"]:
        assert item["dcat:accessURL"] == {"@id": f"http://testserver/id/datasets/{CONTROLLED_DATASET}"}


def test_a_bare_dicom_dataset_gets_a_generated_description_and_the_catalog_still_conforms(
    client, catalog_copy, tmp_path
):
    """A dataset harvested from a DICOM tree alone has no description; its DCAT entry gets a factual one made
    from the harvested summary, marked as generated, so /api/catalog has no DCAT-AP violation."""
    import subprocess
    import sys

    from api.conftest import EXAMPLES
    from medal_catalog.exports.dcat import GENERATED

    medal = Path(sys.executable).with_name("medal")
    subprocess.run(
        [
            str(medal),
            "harvest",
            str(EXAMPLES / "valid" / OPEN_TASK / "dicom"),
            "--dataset",
            "bare-ct",
            "--catalog",
            f"sqlite:///{catalog_copy}",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    body = assert_valid(client, auth(client, "chair"))
    bare = next(d for d in body["dcat:dataset"] if d["@id"].endswith("/id/datasets/bare-ct"))
    assert bare["description"].startswith(GENERATED) and bare["medal:descriptionGenerated"] is True
    assert "2 subjects" in bare["description"] and "CT" in bare["description"] and "CHEST" in bare["description"]
    described = [d for d in body["dcat:dataset"] if d is not bare]
    assert described and not any("medal:descriptionGenerated" in d for d in described)
