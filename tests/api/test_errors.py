"""The one error envelope: every error status the API answers carries an ErrorBody, and OpenAPI says so."""

from __future__ import annotations

import json

import pytest

from api.conftest import EXAMPLES, OPEN_TASK, auth
from medal_catalog.api.envelope import error_statuses
from medal_catalog.api.models import ErrorBody, FieldError, ValidationReport
from medal_catalog.errors import StoreLockedError


def body_of(response, status: int) -> ErrorBody:
    """The response's ErrorBody, checked: the status, and a body that the model reads and writes back unchanged
    (so the model documents exactly what is sent)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    sent = response.json()
    body = ErrorBody.model_validate(sent)
    assert body.model_dump(mode="json", exclude_unset=True) == sent
    return body


def test_every_error_status_answers_an_error_body(client, monkeypatch):
    """400, 401, 403, 404 (ours and Starlette's), 405, 406, 409, 413 (declared and streamed), 415, 422 (FastAPI's
    field errors and our validation report) and a store failure's 503 all answer ErrorBody."""
    alice = auth(client, "alice")
    messages = {
        400: client.get("/api/search", params={"q": '"open'}),
        401: client.get("/api/tasks", headers={"Authorization": "Bearer nope"}),
        403: client.post(f"/api/tasks/{OPEN_TASK}/decision", json={"decision": "accept", "reason": "x"}, headers=alice),
        404: client.get("/api/widgets/x"),
        406: client.get(f"/api/tasks/{OPEN_TASK}", headers={**auth(client, "rita"), "Accept": "image/png"}),
        415: client.post("/api/submissions", content="hello", headers={**alice, "Content-Type": "text/plain"}),
    }
    for status, response in messages.items():
        assert isinstance(body_of(response, status).detail, str)
    assert client.get("/api/tasks", headers={"Authorization": "Bearer nope"}).headers["www-authenticate"] == "Bearer"
    assert client.get("/api/tasks", headers={"Authorization": "Basic %%%"}).headers["www-authenticate"] == "Bearer"

    assert body_of(client.get("/no/such/route"), 404).detail == "Not Found"  # Starlette's own
    wrong_method = client.delete("/api/tasks")
    assert body_of(wrong_method, 405).detail == "Method Not Allowed" and "GET" in wrong_method.headers["allow"]

    for decision in ("accept", "reject"):
        response = client.post(
            f"/api/tasks/{OPEN_TASK}/decision",
            json={"decision": decision, "reason": "x"},
            headers=auth(client, "chair"),
        )
    assert "allowed next steps" in body_of(response, 409).detail

    big = json.dumps({"description": "x" * 70_000}).encode()
    declared = client.post("/api/submissions", content=big, headers={**alice, "Content-Type": "application/json"})
    streamed = client.post(
        "/api/submissions",
        content=iter([big[:40_000], big[40_000:]]),
        headers={**alice, "Content-Type": "application/json"},
    )
    for response in (declared, streamed):
        assert "larger than the limit" in body_of(response, 413).detail

    fields = body_of(client.get("/api/search", params={"size": 0}), 422).detail
    assert isinstance(fields, list) and isinstance(fields[0], FieldError) and fields[0].loc == ["query", "size"]
    invalid = client.post(
        "/api/submissions",
        content=(EXAMPLES / "invalid" / "nmds-consent.yaml").read_bytes(),
        headers={**alice, "Content-Type": "application/yaml"},
    )
    report = body_of(invalid, 422).detail
    assert isinstance(report, ValidationReport) and report.valid is False and report.summary["errors"] > 0

    def locked(*args, **kwargs):
        raise StoreLockedError("the catalog database is locked by another process")

    monkeypatch.setattr(client.app.state.catalog, "get", locked)
    assert "locked" in body_of(client.get(f"/api/tasks/{OPEN_TASK}"), 503).detail


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/openapi.json").json()


def test_openapi_documents_the_error_body_for_every_error_status(spec):
    """Every error status an operation documents is an ErrorBody (health's 503 is its own Health report), each
    operation documents the ones its parameters and dependencies give (see tests/api/test_contract.py), and
    FastAPI's separate HTTPValidationError is gone: its list is one form of ErrorBody's detail."""
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert len(operations) > 15
    for path, method, op in operations:
        errors = [s for s in op["responses"] if int(s) >= 400]
        assert errors, (path, method)
        for status in errors:
            assert int(status) in error_statuses()
            if (path, status) == ("/api/health", "503"):
                continue
            content = op["responses"][status]["content"]["application/json"]
            assert content["schema"] == ref, (path, method, status)
    assert "Health" in json.dumps(spec["paths"]["/api/health"]["get"]["responses"]["503"])
    detail = spec["components"]["schemas"]["ErrorBody"]["properties"]["detail"]
    assert {json.dumps(s, sort_keys=True) for s in detail["anyOf"]} >= {
        '{"type": "string"}',
        '{"$ref": "#/components/schemas/ValidationReport"}',
    }
    assert "HTTPValidationError" not in spec["components"]["schemas"]
