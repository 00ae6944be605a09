"""The API contract schemathesis found broken (issue 13): integers past what the store holds are 422 as OpenAPI
states, blank query values are no values, 405 names every method of the path, and OpenAPI documents each
operation's error answers (ErrorBody) and that a token is optional where anonymous callers are answered."""

from __future__ import annotations

import pytest

from api.conftest import OPEN_TASK, auth

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/tasks/{OPEN_TASK}/versions/{HUGE}",
        f"/api/tasks?page={HUGE}",
        f"/api/datasets?page={HUGE}",
        f"/api/search?page={HUGE}",
        f"/api/tasks/{OPEN_TASK}/versions/0",
        f"/id/tasks/{OPEN_TASK}/v{HUGE}",
        f"/id/tasks/{OPEN_TASK}/v{'9' * 5000}",
    ],
)
def test_integers_past_their_bound_are_422(client, url):
    """Version numbers and pages past their documented maximum answer 422 in the one envelope (was a 500:
    OverflowError: Python int too large to convert to SQLite INTEGER)."""
    response = client.get(url, headers=auth(client, "chair"), follow_redirects=False)
    assert response.status_code == 422 and set(response.json()) == {"detail"}, response.text


def test_openapi_states_the_bounds(client):
    """The spec says the limits the server applies."""
    from medal_catalog.api.params import MAX_PAGE, MAX_VERSION

    spec = client.get("/api/openapi.json").json()
    number = next(
        p
        for p in spec["paths"]["/api/{kind}/{entry_id}/versions/{number}"]["get"]["parameters"]
        if p["name"] == "number"
    )
    assert number["schema"]["maximum"] == MAX_VERSION and number["schema"]["minimum"] == 1
    for path in ("/api/search", "/api/tasks", "/api/datasets", "/api/datasets/{dataset_id}/series"):
        params = {p["name"]: p["schema"] for p in spec["paths"][path]["get"]["parameters"]}
        assert params["page"]["maximum"] == MAX_PAGE and params["size"]["maximum"] == 100, path


def test_blank_query_values_are_no_values(client):
    """`facet=`, `type=`, `sort=` and `format=` (a form's blank fields) answer as if absent, not 400/406."""
    plain = client.get("/api/search", headers=auth(client, "chair")).json()
    blank = client.get("/api/search?facet=&type=&sort=&q=", headers=auth(client, "chair"))
    assert blank.status_code == 200, blank.text
    assert blank.json()["total"] == plain["total"] and set(blank.json()["facets"]) == set(plain["facets"])
    assert client.get(f"/api/tasks/{OPEN_TASK}?format=", headers=auth(client, "chair")).status_code == 200


def test_405_names_every_method_of_the_path(client):
    """A path two routes share (GET and POST reviews) lists both in Allow."""
    response = client.request("DELETE", f"/api/tasks/{OPEN_TASK}/reviews")
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"


def test_openapi_documents_each_operations_errors(client):
    """Every operation documents the refusals it gives, each an ErrorBody: 401/403 where a token is read, 404
    where the path names something, 406 where a representation is negotiated, 422 where parameters are parsed;
    the token is optional where anonymous callers are answered, required where a role is."""
    spec = client.get("/api/openapi.json").json()
    error_body = {"$ref": "#/components/schemas/ErrorBody"}

    def responses(path, method="get"):
        return spec["paths"][path][method]["responses"]

    entry = responses("/api/{kind}/{entry_id}")
    for status in ("401", "403", "404", "406", "422"):
        assert entry[status]["content"]["application/json"]["schema"] == error_body, status
    assert {"401", "403", "404", "415", "422", "413"} <= set(responses("/api/submissions", "post"))
    assert "406" in responses("/api/catalog") and "400" in responses("/api/search")
    assert set(responses("/api/health")) == {"200", "503"}
    assert "404" not in responses("/api/tasks")  # nothing in its path to be missing
    assert spec["paths"]["/api/search"]["get"]["security"][0] == {}
    assert {} not in spec["paths"]["/api/submissions"]["post"]["security"]
    assert {} not in spec["paths"]["/api/panel/ranking"]["get"]["security"]


def test_a_malformed_multipart_body_answers_a_documented_status(client):
    """A bundle whose multipart framing is broken is a 400 the operation documents (found by the long
    schemathesis run: it was undocumented)."""
    spec = client.get("/api/openapi.json").json()
    response = client.post(
        "/api/submissions",
        content=b"--b\r\n-153145--b--\r\n",
        headers={**auth(client, "alice"), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert str(response.status_code) in spec["paths"]["/api/submissions"]["post"]["responses"], response.text
    assert response.status_code == 400 and set(response.json()) == {"detail"}
