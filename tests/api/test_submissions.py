"""POST /api/submissions: the same report as `medal validate`, status "submitted", ownership, size and type limits."""

from __future__ import annotations

import json

import yaml

from api.conftest import EXAMPLES, auth, own_submission


def new_task(task_id: str = "ct-lung-nodule-followup", status: str = "accepted", **options) -> str:
    """own_submission() claiming a status it is not allowed to set."""
    return own_submission(task_id, status, **options)


def as_json(text: str) -> str:
    """The YAML text as JSON (dates and times in ISO 8601)."""
    return json.dumps(yaml.safe_load(text), default=lambda value: value.isoformat())


def test_valid_yaml_is_stored_as_submitted_by_its_contributor(client):
    """A valid YAML task is stored with status submitted (whatever it claimed), authored by the token's name,
    visible to its owner and the panel but not to anyone else."""
    response = client.post(
        "/api/submissions", content=new_task(), headers={**auth(client, "alice"), "Content-Type": "application/yaml"}
    )
    assert response.status_code == 201, response.text
    assert [r["status"] for r in response.json()["stored"]] == ["created", "created"]
    assert response.json()["report"]["valid"] is True
    mine = client.get("/api/tasks/ct-lung-nodule-followup", headers=auth(client, "alice")).json()
    assert mine["document"]["status"] == "submitted" and mine["author"] == "alice" and mine["view"] == "full"
    assert client.get("/api/tasks/ct-lung-nodule-followup", headers=auth(client, "rita")).status_code == 200
    assert client.get("/api/tasks/ct-lung-nodule-followup", headers=auth(client, "bob")).status_code == 404
    assert client.get("/api/tasks/ct-lung-nodule-followup").status_code == 404
    found = client.get(
        "/api/search", params={"q": "nodule", "type": "BenchmarkTask"}, headers=auth(client, "alice")
    ).json()
    assert [h["id"] for h in found["hits"]] == ["ct-lung-nodule-followup"]


def test_owner_edits_others_may_not(client):
    """The owner's second submission is a new version; another contributor's is refused with 409 "taken" (issue
    26: a 404 "not visible" sent them looking for an entry they never made), which says only that the id is taken,
    while their GET still answers 404; nobody overwrites a harvested entry they do not own."""
    headers = {"Content-Type": "application/yaml"}
    assert (
        client.post("/api/submissions", content=new_task(), headers={**auth(client, "alice"), **headers}).status_code
        == 201
    )
    edited = new_task().replace("version: 1.0.0", "version: 1.1.0")
    second = client.post("/api/submissions", content=edited, headers={**auth(client, "alice"), **headers})
    assert second.status_code == 201 and second.json()["stored"][0]["version"] == 2
    refused = client.post("/api/submissions", content=edited, headers={**auth(client, "bob"), **headers})
    seen = client.get("/api/tasks/ct-lung-nodule-followup", headers=auth(client, "bob"))
    assert refused.status_code == 409 and seen.status_code == 404
    assert refused.json() == {
        "detail": "the id 'ct-lung-nodule-followup' is taken: another contributor's "
        "BenchmarkTask has it; choose another id"
    }
    harvested = new_task("ct-lung-nodule-malignancy")
    refused = client.post("/api/submissions", content=harvested, headers={**auth(client, "bob"), **headers})
    seen = client.get("/api/tasks/ct-lung-nodule-malignancy", headers=auth(client, "bob"))
    assert refused.status_code == 409 and "is taken" in refused.json()["detail"] and seen.status_code == 404


def test_invalid_submission_gets_medal_validates_report(client):
    """An invalid file is refused with 422 and, as detail, the issues `medal validate --json` reports."""
    from medal_catalog.validators.submission import validate_paths

    path = EXAMPLES / "invalid" / "nmds-consent.yaml"
    response = client.post(
        "/api/submissions",
        content=path.read_bytes(),
        headers={**auth(client, "alice"), "Content-Type": "application/yaml"},
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    expected = validate_paths([path], display_root=path.parent).to_dict()
    assert detail["valid"] is False and detail["summary"] == expected["summary"]
    assert [(i["code"], i["pointer"], i["line"]) for i in detail["issues"]] == [
        (i["code"], i["pointer"], i["line"]) for i in expected["issues"]
    ]


def test_json_body_and_limits(client):
    """JSON works too; bodies over the limit get 413, other media types 415, unparsable ones 422."""
    task = as_json(new_task("ct-lung-nodule-json"))
    assert (
        client.post(
            "/api/submissions", content=task, headers={**auth(client, "alice"), "Content-Type": "application/json"}
        ).status_code
        == 201
    )
    big = json.dumps({**json.loads(task), "description": "x" * 70_000})
    assert (
        client.post(
            "/api/submissions", content=big, headers={**auth(client, "alice"), "Content-Type": "application/json"}
        ).status_code
        == 413
    )
    assert (
        client.post(
            "/api/submissions", content="hello", headers={**auth(client, "alice"), "Content-Type": "text/plain"}
        ).status_code
        == 415
    )
    broken = client.post(
        "/api/submissions", content="a: [", headers={**auth(client, "alice"), "Content-Type": "application/yaml"}
    )
    assert broken.status_code == 422 and broken.json()["detail"]["issues"][0]["code"] == "file.parse-error"


def test_contributors_cannot_submit_reviews(client):
    """Reviews come only through the panel's endpoint."""
    review = EXAMPLES / "invalid" / "review-score-out-of-range.yaml"
    text = review.read_text(encoding="utf-8").replace("clinical_relevance_score: 7", "clinical_relevance_score: 4")
    response = client.post(
        "/api/submissions", content=text, headers={**auth(client, "alice"), "Content-Type": "application/yaml"}
    )
    assert response.status_code == 403, response.text


def test_body_limit_applies_to_every_route_and_to_chunked_bodies(client):
    """The size limit guards the review and decision routes too, and a chunked body without Content-Length is
    cut off once it passes the limit."""
    big = {"comments": "x" * 70_000}
    for url, name in (
        ("/api/tasks/ct-lung-nodule-malignancy/reviews", "rita"),
        ("/api/tasks/ct-lung-nodule-malignancy/decision", "chair"),
    ):
        response = client.post(url, json=big, headers=auth(client, name))
        assert response.status_code == 413 and set(response.json()) == {"detail"}

    def chunks():
        for _ in range(20):
            yield b"# filler line\n" * 300

    response = client.post(
        "/api/submissions", content=chunks(), headers={**auth(client, "alice"), "Content-Type": "application/yaml"}
    )
    assert response.status_code == 413


def test_a_submission_recording_a_decision_is_refused_whole(client):
    """Only an admin decides, through the decision route: a contributor's body that records a panel decision is
    refused (403) and none of its entries is stored."""
    task = yaml.safe_load(new_task("ct-lung-self-accepted", with_dataset=False))["tasks"][0]
    decision = {
        "id": "self-accept",
        "task": "ct-lung-self-accepted",
        "decision": "accept",
        "decision_reason": "I say so",
        "decided_by": {"name": "alice"},
        "decision_date": "2026-11-01",
    }
    body = json.dumps({"tasks": [task], "decisions": [decision]}, default=str)
    response = client.post(
        "/api/submissions", content=body, headers={**auth(client, "alice"), "Content-Type": "application/json"}
    )
    assert response.status_code == 403 and "decision" in response.json()["detail"]
    assert client.get("/api/tasks/ct-lung-self-accepted", headers=auth(client, "alice")).status_code == 404


def test_a_422_names_neither_the_patient_nor_the_servers_temporary_file(client):
    """A refused submission's report names the body as `submission.yaml`, never the temporary folder."""
    response = client.post(
        "/api/submissions",
        content="type: ImagingDataset\nid: x\n",
        headers={**auth(client, "alice"), "Content-Type": "application/yaml"},
    )
    assert response.status_code == 422
    files = {i["file"] for i in response.json()["detail"]["issues"]} | {
        e["file"] for e in response.json()["detail"]["entries"]
    }
    assert files == {"submission.yaml"}, files
    assert "medal-api-" not in response.text and "/tmp" not in response.text
