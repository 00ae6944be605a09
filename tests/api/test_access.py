"""Who sees what: every endpoint's authorization, and no hidden-test or controlled detail leaking anywhere."""

from __future__ import annotations

import json

import pytest

from api.conftest import CONTROLLED_DATASET, HIDDEN_DATASET, HIDDEN_TASK, OPEN_TASK, REVIEW, accept_with_reviews, auth

DECISION = {"decision": "accept", "reason": "sound"}


def decide(client, task_id: str, decision: str = "accept") -> None:
    response = accept_with_reviews(client.post, task_id, lambda name: auth(client, name), decision)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "method, url, body",
    [
        ("post", "/api/submissions", {"type": "BenchmarkTask"}),
        ("post", f"/api/tasks/{OPEN_TASK}/reviews", REVIEW),
        ("post", f"/api/tasks/{OPEN_TASK}/decision", DECISION),
    ],
)
def test_writes_need_a_token(client, method, url, body):
    """Anonymous writes get 401 with a Bearer challenge; an unknown token gets 401 too."""
    response = getattr(client, method)(url, json=body)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert getattr(client, method)(url, json=body, headers={"Authorization": "Bearer x"}).status_code == 401


@pytest.mark.parametrize(
    "name, url, body, status",
    [
        ("alice", f"/api/tasks/{OPEN_TASK}/reviews", REVIEW, 403),
        ("alice", f"/api/tasks/{OPEN_TASK}/decision", DECISION, 403),
        ("rita", f"/api/tasks/{OPEN_TASK}/decision", DECISION, 403),
        ("rita", "/api/submissions", {"type": "BenchmarkTask"}, 403),
        ("rita", f"/api/tasks/{OPEN_TASK}/reviews", REVIEW, 201),
        ("chair", f"/api/tasks/{OPEN_TASK}/decision", DECISION, 409),  # the role may; the task lacks reviews
    ],
)
def test_roles_on_writes(client, name, url, body, status):
    """Contributors submit, reviewers review, admins decide; anything else is 403."""
    assert client.post(url, json=body, headers=auth(client, name)).status_code == status


def test_anonymous_sees_nothing_until_a_task_is_accepted(client):
    """Nothing is accepted in the examples: anonymous search, lists and entries are empty or 404."""
    body = client.get("/api/search").json()
    assert body["total"] == 0 and body["hits"] == [] and all(not v for v in body["facets"].values())
    assert client.get("/api/tasks").json()["total"] == 0
    assert client.get("/api/datasets").json()["total"] == 0
    for url in (
        f"/api/tasks/{OPEN_TASK}",
        f"/api/datasets/{CONTROLLED_DATASET}",
        f"/api/tasks/{OPEN_TASK}/versions",
        f"/api/tasks/{OPEN_TASK}/versions/1",
        f"/api/datasets/{CONTROLLED_DATASET}/series",
        "/api/reviews/cxr-pneumothorax-triage.review-1",
    ):
        assert client.get(url).status_code == 404, url


def test_accepted_task_opens_its_dataset_and_series_to_everyone(client):
    """After acceptance anonymous callers find the task, its controlled dataset and its series, and counts match."""
    decide(client, OPEN_TASK)
    body = client.get("/api/search", params={"facet": ["type", "access_level"]}).json()
    assert sorted(h["kind"] for h in body["hits"]) == [
        "BenchmarkTask",
        "ImagingDataset",
        "ImagingSeries",
        "ImagingSeries",
    ]
    assert body["total"] == 4 and sum(b["count"] for b in body["facets"]["type"]) == 4
    assert body["facets"]["access_level"] == [{"value": "controlled", "count": 1}]
    assert client.get(f"/api/tasks/{OPEN_TASK}").json()["author"] is None
    assert client.get(f"/api/datasets/{CONTROLLED_DATASET}/series").json()["total"] == 2
    assert client.get("/api/reviews/cxr-pneumothorax-triage.review-1").status_code == 404


def _all_text(client, url: str, headers=None) -> str:
    parts = [client.get(url, headers=headers).text]
    linked = client.get(url, params={"format": "jsonld"}, headers=headers).json()
    linked.pop("@context")  # the vocabulary names every term; what matters is what the entry says
    parts.append(json.dumps(linked))
    parts.append(client.get(url, params={"format": "ttl"}, headers=headers).text)
    return "\n".join(parts)


def test_controlled_dataset_never_shows_data_locations(client):
    """Controlled datasets show metadata but no path, url or includes in JSON, JSON-LD or Turtle."""
    decide(client, OPEN_TASK)
    for headers in (None, auth(client, "rita"), auth(client, "bob")):
        document = client.get(f"/api/datasets/{CONTROLLED_DATASET}", headers=headers).json()["document"]
        assert document["distribution"] and all(
            set(d) & {"path", "url", "includes"} == set() for d in document["distribution"]
        )
        text = _all_text(client, f"/api/datasets/{CONTROLLED_DATASET}", headers)
        assert "labels.csv" not in text and "dicom/**" not in text
    full = client.get(f"/api/datasets/{CONTROLLED_DATASET}", headers=auth(client, "chair")).json()["document"]
    assert any("path" in d for d in full["distribution"])


def test_hidden_test_dataset_leaks_nowhere(client):
    """An accepted task on a hidden-test dataset: the dataset shows only its reduced view, and neither it nor its
    series appear in search hits, totals or facet counts, JSON-LD or Turtle, for anonymous callers or reviewers."""
    decide(client, HIDDEN_TASK)
    decide(client, OPEN_TASK)
    for headers in (None, auth(client, "alice")):
        body = client.get(
            "/api/search",
            params={"facet": ["type", "modality", "dataset", "access_level"], "size": 100},
            headers=headers,
        ).json()
        ids = {h["id"] for h in body["hits"]}
        assert HIDDEN_TASK in ids and HIDDEN_DATASET not in ids
        assert not any(h["id"].startswith(HIDDEN_DATASET) for h in body["hits"])
        assert body["total"] == len(body["hits"]) == 5  # two tasks, the controlled dataset and its two series
        assert {"value": "hidden_test", "count": 1} not in body["facets"]["access_level"]
        assert sum(b["count"] for b in body["facets"]["type"]) == 5
        assert (
            client.get(
                "/api/search", params={"q": "stereotactic radiosurgery", "type": "ImagingDataset"}, headers=headers
            ).json()["total"]
            == 0
        )
        assert client.get("/api/search", params={"access_level": "hidden_test"}, headers=headers).json()["total"] == 0
        assert HIDDEN_DATASET not in json.dumps(client.get("/api/datasets", headers=headers).json()["items"])
    for headers in (None, auth(client, "alice"), auth(client, "rita")):
        entry = client.get(f"/api/datasets/{HIDDEN_DATASET}", headers=headers).json()
        assert entry["view"] == "hidden"
        assert not {"distribution", "series", "provenance", "population"} & set(entry["document"])
        text = _all_text(client, f"/api/datasets/{HIDDEN_DATASET}", headers)
        assert "dicom/**" not in text and "distribution" not in text and ".dcm" not in text
        assert client.get(f"/api/datasets/{HIDDEN_DATASET}/series", headers=headers).status_code == 404
        old = client.get(f"/api/datasets/{HIDDEN_DATASET}/versions/1", headers=headers).json()
        assert "distribution" not in old["document"]
    series = client.get(
        "/api/search", params={"type": "ImagingSeries", "dataset": HIDDEN_DATASET}, headers=auth(client, "rita")
    ).json()
    assert series["total"] == 0
    assert (
        client.get(
            "/api/search", params={"type": "ImagingSeries", "dataset": HIDDEN_DATASET}, headers=auth(client, "chair")
        ).json()["total"]
        == 2
    )


def test_reviewers_see_everything_under_review(client):
    """Reviewers list every task and read reviews; contributors do not."""
    assert client.get("/api/tasks", headers=auth(client, "rita")).json()["total"] == 3
    review_url = "/api/reviews/cxr-pneumothorax-triage.review-1"
    assert client.get(review_url, headers=auth(client, "rita")).status_code == 200
    assert client.get(review_url, headers=auth(client, "alice")).status_code == 404
    assert client.get(f"/api/tasks/{HIDDEN_TASK}", headers=auth(client, "alice")).status_code == 404


def test_reviewers_read_hidden_datasets_by_url_but_never_find_them(client):
    """A reviewer reads a hidden-test dataset's reduced view by its URL, but neither search (hits, totals, facet
    counts, ``access_level=hidden_test``), /api/datasets nor /api/catalog finds it (issue 13: search and listings
    used to show reviewers what only its hidden view may); an admin's hits hold its inlined series, nobody
    else's would."""
    from medal_catalog.api.access import Caller
    from medal_catalog.api.routes.search import hit_document
    from medal_catalog.search import Hit

    rita = auth(client, "rita")
    assert client.get(f"/api/datasets/{HIDDEN_DATASET}", headers=rita).json()["view"] == "hidden"
    found = client.get(
        "/api/search", params={"type": "ImagingDataset", "access_level": "hidden_test"}, headers=rita
    ).json()
    assert found["total"] == 0 and found["hits"] == []
    every = client.get("/api/search", params={"facet": ["type", "access_level"], "size": 100}, headers=rita).json()
    assert HIDDEN_DATASET not in {h["id"] for h in every["hits"]}
    assert {"value": "hidden_test", "count": 1} not in every["facets"]["access_level"]
    assert sum(b["count"] for b in every["facets"]["type"]) == every["total"] == len(every["hits"])
    assert HIDDEN_DATASET not in json.dumps(client.get("/api/datasets", headers=rita).json())
    assert HIDDEN_DATASET not in json.dumps(client.get("/api/catalog", headers=rita).json())
    admin = client.get(
        "/api/search", params={"type": "ImagingDataset", "access_level": "hidden_test"}, headers=auth(client, "chair")
    ).json()
    assert HIDDEN_DATASET in {h["id"] for h in admin["hits"]}
    hit = Hit(
        key="ImagingDataset:d",
        type="ImagingDataset",
        id="d",
        label="d",
        score=None,
        highlights={},
        document={"access_level": ["hidden_test"], "series": [{"series_description": "x"}]},
    )
    assert "series" not in hit_document(hit, Caller("reviewer", "rita"))
    assert "series" in hit_document(hit, Caller("admin", "chair"))


def test_dcat_catalog_lists_what_search_finds_and_no_more(client):
    """/api/catalog lists the datasets the caller may find, in their view: anonymous callers get the controlled
    dataset without data locations and never the hidden-test one; the Turtle parses."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT

    assert client.get("/api/catalog").json()["dcat:dataset"] == []
    decide(client, OPEN_TASK)
    decide(client, HIDDEN_TASK)
    body = client.get("/api/catalog").json()
    assert [d["@id"] for d in body["dcat:dataset"]] == [f"http://testserver/id/datasets/{CONTROLLED_DATASET}"]
    text = json.dumps(body["dcat:dataset"])
    assert HIDDEN_DATASET not in text and "labels.csv" not in text and "dicom/**" not in text
    graph = Graph().parse(data=client.get("/api/catalog", params={"format": "ttl"}).text, format="turtle")
    datasets = set(graph.objects(URIRef("http://testserver/api/catalog"), DCAT.dataset))
    assert datasets == {URIRef(f"http://testserver/id/datasets/{CONTROLLED_DATASET}")}
    admin = client.get("/api/catalog", headers=auth(client, "chair")).json()["dcat:dataset"]
    assert len(admin) == 3
