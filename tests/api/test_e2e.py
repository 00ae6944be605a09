"""End to end against a real uvicorn (`medal serve` on a free port) over a harvested copy of the examples: the
main journeys of anonymous users, contributors, reviewers and the admin, and the linked-data round trips."""

from __future__ import annotations

import shutil

import httpx
import pytest

from api.conftest import (
    CONTROLLED_DATASET,
    HIDDEN_DATASET,
    HIDDEN_TASK,
    REVIEW,
    accept_with_reviews,
    auth,
    own_submission,
)
from served import medal_server


@pytest.fixture(scope="module")
def server(harvested, tmp_path_factory):
    """`medal serve` over a private copy of the harvested catalog; yields an httpx client bound to it."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "catalog.db"
    shutil.copyfile(harvested.db, db)
    with medal_server(db, folder, MEDAL_MAX_BODY_BYTES="65536") as base:
        with httpx.Client(base_url=base, timeout=10) as client:
            client.tokens = harvested.tokens
            yield client


def refuse_remote(url, options=None):
    """A pyld document loader that serves nothing: our JSON-LD carries its context inline."""
    from pyld.jsonld import JsonLdError

    raise JsonLdError(f"refusing to load {url}", "jsonld.LoadDocumentError", code="loading document failed")


def test_submit_review_decide_and_find(server):
    """A contributor submits (an invalid file is refused with the report), a reviewer reviews, the admin accepts,
    and only then do anonymous users find the task; the history records each step."""
    yaml_headers = {"Content-Type": "application/yaml"}
    bad = server.post(
        "/api/submissions", content=b"type: BenchmarkTask\nid: x\n", headers={**auth(server, "alice"), **yaml_headers}
    )
    assert bad.status_code == 422 and bad.json()["detail"]["summary"]["errors"] > 0
    text = own_submission("ct-e2e-task")
    assert (
        server.post("/api/submissions", content=text, headers={**auth(server, "alice"), **yaml_headers}).status_code
        == 201
    )
    assert server.get("/api/search", params={"q": "nodule"}).json()["total"] == 0
    for name in ("rita", "remy"):
        assert server.post("/api/tasks/ct-e2e-task/reviews", json=REVIEW, headers=auth(server, name)).status_code == 201
    decided = server.post(
        "/api/tasks/ct-e2e-task/decision",
        json={"decision": "accept", "reason": "clear need"},
        headers=auth(server, "chair"),
    )
    assert decided.status_code == 200
    found = server.get("/api/search", params={"q": "nodule", "type": "BenchmarkTask"}).json()
    assert [h["id"] for h in found["hits"]] == ["ct-e2e-task"] and found["total"] == 1
    history = server.get("/api/tasks/ct-e2e-task/versions", headers=auth(server, "alice")).json()["versions"]
    assert [(v["author"], v["reason"]) for v in history] == [
        ("alice", "submission through the API"),
        ("rita", history[1]["reason"]),
        ("chair", "accept: clear need"),
    ]
    assert history[1]["reason"].startswith("start_review")


def test_linked_data_round_trip(server):
    """Turtle (through the /id redirect) parses with rdflib; the JSON-LD expands with pyld, offline, to the same
    triples; ETag revalidation and gzip work over real HTTP."""
    import json

    from pyld import jsonld
    from rdflib import Graph
    from rdflib.compare import isomorphic

    accept_with_reviews(server.post, "ct-lung-nodule-malignancy", lambda name: auth(server, name))
    turtle = server.get("/id/datasets/" + CONTROLLED_DATASET, headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    from_turtle = Graph().parse(data=turtle.text, format="turtle")
    linked = server.get(f"/api/datasets/{CONTROLLED_DATASET}", headers={"Accept": "application/ld+json"})
    document = linked.json()
    assert jsonld.expand(document, {"documentLoader": refuse_remote})
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": refuse_remote})
    from_jsonld = Graph().parse(data=nquads, format="nt")
    assert len(from_turtle) > 50 and isomorphic(from_turtle, from_jsonld), json.dumps(document)[:500]
    again = server.get(
        f"/api/datasets/{CONTROLLED_DATASET}",
        headers={"Accept": "application/ld+json", "If-None-Match": linked.headers["etag"]},
    )
    assert again.status_code == 304
    assert linked.headers.get("content-encoding") == "gzip"


def test_hidden_test_data_leaks_nothing_over_http(server):
    """With its task accepted, a hidden-test dataset is absent from anonymous search hits, totals and facets,
    and its JSON and JSON-LD hold no distribution or series."""
    accept_with_reviews(server.post, f"{HIDDEN_TASK}", lambda name: auth(server, name))
    body = server.get("/api/search", params={"size": 100, "facet": ["access_level", "dataset", "type"]}).json()
    assert HIDDEN_TASK in {h["id"] for h in body["hits"]}
    assert not any(h["id"].startswith(HIDDEN_DATASET) for h in body["hits"])
    assert body["total"] == len(body["hits"])
    assert all(b["value"] != "hidden_test" for b in body["facets"]["access_level"])
    entry = server.get(f"/api/datasets/{HIDDEN_DATASET}").json()
    linked = server.get(f"/api/datasets/{HIDDEN_DATASET}", params={"format": "jsonld"}).json()
    for document in (entry["document"], linked):
        assert not {"distribution", "series", "provenance"} & set(document)
    assert server.get(f"/api/datasets/{HIDDEN_DATASET}/series").status_code == 404
    assert HIDDEN_DATASET not in server.get("/api/catalog").text
    assert HIDDEN_DATASET not in server.get("/api/catalog", params={"format": "ttl"}).text


def test_croissant_served_over_http_loads_in_mlcroissant(server):
    """mlcroissant loads the served Croissant of an accepted task's dataset over HTTP and yields exactly the
    harvested series; the hidden-test dataset's Croissant publishes no series."""
    import mlcroissant as mlc

    accept_with_reviews(server.post, "ct-lung-nodule-malignancy", lambda name: auth(server, name))
    url = f"{server.base_url}/api/datasets/{CONTROLLED_DATASET}/croissant"
    records = list(mlc.Dataset(jsonld=url).records("series"))
    series = server.get(f"/api/datasets/{CONTROLLED_DATASET}/series", params={"size": 100}).json()
    assert len(records) == series["total"] == 2
    assert sorted(r["series/id"].decode() for r in records) == sorted(item["id"] for item in series["items"])
    for record in records:
        stored = server.get(f"/api/series/{record['series/id'].decode()}").json()["document"]
        assert record["series/series_instance_uid"].decode() == stored["series_instance_uid"]
        assert record["series/slice_thickness"] == stored["slice_thickness"]
    accept_with_reviews(server.post, f"{HIDDEN_TASK}", lambda name: auth(server, name))
    hidden = server.get(f"/api/datasets/{HIDDEN_DATASET}/series.jsonl")
    assert hidden.status_code == 200 and hidden.content == b""
    assert "dicom" not in server.get(f"/api/datasets/{HIDDEN_DATASET}/croissant").text


def test_task_croissant_over_http_loads_cases_and_labels_with_credentials(server, monkeypatch):
    """mlcroissant loads a task's splits over HTTP for anyone who sees the task, and its cases and labels with a
    token given as Basic credentials (CROISSANT_BASIC_AUTH_*) by a caller who may fetch the controlled data;
    a hidden-test case's label never comes back."""
    import mlcroissant as mlc

    task = "ct-lung-nodule-malignancy"
    url = f"{server.base_url}/api/tasks/{task}/croissant"
    if server.get(f"/api/tasks/{task}").status_code == 404:
        accept_with_reviews(server.post, f"{task}", lambda name: auth(server, name))
    anonymous = mlc.Dataset(jsonld=url)
    assert sorted(r["splits/name"] for r in anonymous.records("splits")) == ["test_hidden", "validation"]
    with pytest.raises(Exception):  # the controlled cases file answers 404 without credentials
        list(anonymous.records("cases"))
    monkeypatch.setenv("CROISSANT_BASIC_AUTH_USERNAME", "chair")
    monkeypatch.setenv("CROISSANT_BASIC_AUTH_PASSWORD", server.tokens["chair"])
    loaded = mlc.Dataset(jsonld=url)
    cases = sorted(r["cases/case_id"].decode() for r in loaded.records("cases"))
    labels = [(r["labels/case_id"].decode(), r["labels/malignant"]) for r in loaded.records("labels")]
    assert cases == ["lung-001", "lung-002"] and labels == [("lung-002", 1)]
