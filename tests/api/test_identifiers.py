"""Every identifier in the catalog's namespace that an answer carries resolves, for the caller who got it:
entries, their versions, nested objects with ids of their own (harvest runs), references inside nested objects."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from api.conftest import OPEN_TASK, accept_with_reviews, auth

BASE = "http://testserver"


def own_iris(client, headers) -> set[str]:
    """The catalog-namespace IRIs (``{base}/id/...``) of every entry the caller can list, in Turtle, of the
    DCAT catalog and of the entries' versions."""
    found: set[str] = set()
    sources = [client.get("/api/catalog", params={"format": "ttl"}, headers=headers).text]
    page = 1
    while True:
        body = client.get("/api/search", params={"size": 100, "page": page}, headers=headers).json()
        for hit in body["hits"]:
            sources.append(client.get(hit["url"], params={"format": "ttl"}, headers=headers).text)
            sources.append(client.get(f"{hit['url']}/versions/1", params={"format": "ttl"}, headers=headers).text)
        if not body["next"]:
            break
        page += 1
    for text in sources:
        for triple in Graph().parse(data=text, format="turtle"):
            found |= {str(t) for t in triple if isinstance(t, URIRef) and str(t).startswith(f"{BASE}/id/")}
    return found


@pytest.mark.parametrize("who", ["chair", None])
def test_every_own_identifier_resolves(client, who):
    """As the admin (who sees everything) and anonymously (after the panel accepts a task), each /id/ IRI in
    what the caller was given redirects to an answer that is 200; harvest runs resolve to their dataset."""
    accept_with_reviews(client.post, OPEN_TASK, lambda name: auth(client, name)).raise_for_status()
    headers = auth(client, who) if who else {}
    iris = own_iris(client, headers)
    assert any(".harvest-" in iri for iri in iris) and any("/id/datasets/" in iri for iri in iris)
    assert len(iris) >= (10 if who else 3)
    broken = {}
    for iri in sorted(iris):
        answer = client.get(iri.removeprefix(BASE), headers=headers, follow_redirects=True)
        if answer.status_code != 200:
            broken[iri] = answer.status_code
    assert broken == {}
    run = next(iri for iri in iris if ".harvest-" in iri)
    hop = client.get(run.removeprefix(BASE), headers=headers, follow_redirects=False)
    assert hop.status_code == 303 and hop.headers["location"].endswith("#" + run.rsplit("/", 1)[1])


def test_unknown_nested_ids_and_hidden_holders_stay_404(client):
    """An id that is no entry and no nested object of one answers 404 at the end of its redirect."""
    assert client.get("/id/datasets/nothing.harvest-1", follow_redirects=True).status_code == 404
    assert client.get("/id/tasks/no-such-task", follow_redirects=True).status_code == 404
