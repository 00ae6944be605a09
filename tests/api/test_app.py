"""The API in process (TestClient): endpoints, the error envelope, representations, caching headers, middleware."""

from __future__ import annotations

import gzip

from api.conftest import CONTROLLED_DATASET, HIDDEN_TASK, OPEN_TASK, REVIEW, accept_with_reviews, auth


def accept(client, task_id: str) -> None:
    response = accept_with_reviews(client.post, task_id, lambda name: auth(client, name))
    assert response.status_code == 200, response.text


def test_openapi_and_docs(client):
    """OpenAPI lives at /api/openapi.json and the docs at /api/docs, with the Croissant of datasets and tasks."""
    spec = client.get("/api/openapi.json").json()
    assert "/api/search" in spec["paths"] and "/api/submissions" in spec["paths"] and "/api/catalog" in spec["paths"]
    assert "/api/datasets/{dataset_id}/croissant" in spec["paths"]
    assert {
        "/api/tasks/{task_id}/croissant",
        "/api/tasks/{task_id}/cases.csv",
        "/api/tasks/{task_id}/labels.csv",
        "/api/datasets/{dataset_id}/files/{path}",
    } <= set(spec["paths"])
    assert client.get("/api/docs").status_code == 200


def test_health_reports_store_and_index(client):
    """Health says both store and index answer, with their counts."""
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["store"]["entries"] == body["index"]["documents"] > 0


def test_error_envelope_is_fastapis_detail(client):
    """Every error is {"detail": ...}: unknown kind (404), bad query (400), bad parameter (422), bad token (401)."""
    for response, status in (
        (client.get("/api/widgets/x"), 404),
        (client.get("/api/search", params={"q": '"open'}), 400),
        (client.get("/api/search", params={"sort": "colour"}), 400),
        (client.get("/api/search", params={"size": 0}), 422),
        (client.get("/api/tasks", headers={"Authorization": "Bearer nope"}), 401),
    ):
        assert response.status_code == status, response.text
        assert set(response.json()) == {"detail"}


def test_search_pages_with_next_link_and_facets(client):
    """Search gives hits, total, facet counts and a next link while more pages remain."""
    response = client.get(
        "/api/search", params={"size": 2, "facet": ["type", "modality"]}, headers=auth(client, "chair")
    )
    body = response.json()
    assert body["total"] == 11 and len(body["hits"]) == 2 and "page=2" in body["next"]
    assert sum(b["count"] for b in body["facets"]["type"]) == 11
    last = client.get("/api/search", params={"size": 2, "page": 6}, headers=auth(client, "chair")).json()
    assert last["next"] is None and len(last["hits"]) == 1


def test_search_filters(client):
    """Filters by modality and access level narrow the matches."""
    body = client.get(
        "/api/search", params={"modality": "MR", "type": "ImagingDataset"}, headers=auth(client, "chair")
    ).json()
    assert [h["id"] for h in body["hits"]] == ["mr-brain-mets-srs-2021"]
    body = client.get("/api/search", params={"access_level": "controlled"}, headers=auth(client, "chair")).json()
    assert [h["id"] for h in body["hits"]] == [CONTROLLED_DATASET]


def test_lists_are_paginated_in_key_order(client):
    """/api/tasks and /api/datasets/{id}/series page in key order."""
    tasks = client.get("/api/tasks", params={"size": 2}, headers=auth(client, "rita")).json()
    assert tasks["total"] == 3 and [i["id"] for i in tasks["items"]] == sorted(i["id"] for i in tasks["items"])
    assert tasks["next"].endswith("page=2") or "page=2" in tasks["next"]
    series = client.get(f"/api/datasets/{CONTROLLED_DATASET}/series", headers=auth(client, "rita")).json()
    assert series["total"] == 2 and all(i["kind"] == "ImagingSeries" for i in series["items"])


def test_entry_etag_and_last_modified(client):
    """Entries carry an ETag and Last-Modified; If-None-Match with the ETag gives 304."""
    response = client.get(f"/api/tasks/{OPEN_TASK}", headers=auth(client, "rita"))
    assert response.status_code == 200 and response.headers["last-modified"].endswith("GMT")
    again = client.get(
        f"/api/tasks/{OPEN_TASK}", headers={**auth(client, "rita"), "If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""


def test_gzip_and_cors(client):
    """Large responses are gzipped when asked; CORS allows the configured origin only."""
    response = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    ok = client.get("/api/health", headers={"Origin": "https://medal.example.org"})
    assert ok.headers["access-control-allow-origin"] == "https://medal.example.org"
    other = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    assert gzip  # the client decodes gzip itself; the header is what proves compression


def test_content_negotiation(client):
    """Accept and ?format= choose JSON, JSON-LD or Turtle; @id is the resolvable identifier; 406 otherwise."""
    accept(client, OPEN_TASK)
    url = f"/api/tasks/{OPEN_TASK}"
    assert client.get(url).headers["content-type"] == "application/json"
    linked = client.get(url, headers={"Accept": "application/ld+json"})
    assert linked.headers["content-type"] == "application/ld+json"
    assert linked.json()["@id"] == f"http://testserver/id/tasks/{OPEN_TASK}"
    assert linked.json()["datasets_used"] == [f"http://testserver/id/datasets/{CONTROLLED_DATASET}"]
    turtle = client.get(url, params={"format": "ttl"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert f"<http://testserver/id/tasks/{OPEN_TASK}>" in turtle.text
    assert client.get(url, headers={"Accept": "image/png"}).status_code == 406
    assert client.get(url, headers={"Accept": "text/html,*/*;q=0.8"}).headers["content-type"] == "application/json"


def test_identifiers_redirect(client):
    """/id/{kind}/{id} and /id/{kind}/{id}/v{n} redirect (303) to the representation asked for."""
    plain = client.get(f"/id/tasks/{OPEN_TASK}", follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/api/tasks/{OPEN_TASK}"
    turtle = client.get(f"/id/tasks/{OPEN_TASK}/v1", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert turtle.headers["location"] == f"/api/tasks/{OPEN_TASK}/versions/1?format=ttl"
    assert client.get(f"/id/tasks/{OPEN_TASK}/vx", follow_redirects=False).status_code == 404


def test_versions_record_review_and_decision(client):
    """A review moves a submitted task to under_review and the decision accepts it, each a version with its
    author and reason (shown to the panel, not to anonymous callers)."""
    response = client.post(f"/api/tasks/{OPEN_TASK}/reviews", json=REVIEW, headers=auth(client, "rita"))
    assert response.status_code == 201, response.text
    assert response.json()["task"]["version"] == 2
    accept(client, OPEN_TASK)
    history = client.get(f"/api/tasks/{OPEN_TASK}/versions", headers=auth(client, "rita")).json()["versions"]
    assert [(v["version"], v["author"]) for v in history] == [(1, "medal harvest"), (2, "rita"), (3, "chair")]
    assert history[2]["reason"] == "accept: panel vote"
    public = client.get(f"/api/tasks/{OPEN_TASK}/versions").json()["versions"]
    assert len(public) == 3 and all(v["author"] is None and v["reason"] is None for v in public)
    old = client.get(f"/api/tasks/{OPEN_TASK}/versions/1").json()
    assert old["document"]["status"] == "submitted" and old["identifier"] == f"/id/tasks/{OPEN_TASK}/v1"
    assert client.get(f"/api/tasks/{OPEN_TASK}/versions/9").status_code == 404
    again = client.post(
        f"/api/tasks/{OPEN_TASK}/decision", json={"decision": "reject", "reason": "x"}, headers=auth(client, "chair")
    )
    assert again.status_code == 409


def test_invalid_review_names_the_field(client):
    """A review with a score out of range, or restating the reviewer, is refused with 422 naming the field."""
    for body, field in (
        ({**REVIEW, "clinical_relevance_score": 9}, "clinical_relevance_score"),
        ({**REVIEW, "reviewer": {"name": "Someone Else"}}, "reviewer"),
    ):
        response = client.post(f"/api/tasks/{HIDDEN_TASK}/reviews", json=body, headers=auth(client, "rita"))
        assert response.status_code == 422
        assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]
