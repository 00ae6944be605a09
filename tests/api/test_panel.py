"""The expert panel over a real `medal serve`: README's main job (every bundled example, the panel's records too)
serves an accepted task that survives a re-harvest; reviews per role; the lifecycle's rules; the ranking; token
revocation."""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
from pathlib import Path

import httpx
import krippendorff
import numpy as np
import pytest

from api.conftest import EXAMPLES, REVIEW, ROLES, own_submission
from served import medal_server

MEDAL = str(Path(sys.executable).with_name("medal"))
ACCEPTED = "ct-lung-nodule-malignancy"
OPEN = ("cxr-pneumothorax-triage", "mr-brain-metastasis-segmentation")


def harvest_all(db: Path, folder: Path) -> None:
    subprocess.run(
        [
            MEDAL,
            "harvest",
            *sorted(str(p) for p in (EXAMPLES / "valid").iterdir()),
            "--catalog",
            f"sqlite:///{db}",
            "--out",
            str(folder / "out"),
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def medal(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([MEDAL, *args, "--catalog", f"sqlite:///{db}"], capture_output=True, text=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """README's main job: every bundled example harvested (twice: the second run must change nothing), tokens
    per role, served by `medal serve`."""
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    folder = tmp_path_factory.mktemp("demo")
    db = folder / "catalog.db"
    harvest_all(db, folder)
    store = open_store(f"sqlite:///{db}")
    try:
        tokens = {
            name: create_token(store, name, role)
            for name, role in {**ROLES, "carl": "contributor", "zoe": "reviewer", "ada": "admin"}.items()
        }
    finally:
        store.close()
    with medal_server(db, folder) as base, httpx.Client(base_url=base, timeout=10) as client:
        client.tokens, client.db, client.folder = tokens, db, folder
        yield client


def auth(client, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.tokens[name]}"}


def test_the_demo_serves_an_accepted_task_that_a_reharvest_keeps(demo):
    """The recorded decision makes the CT task accepted and anonymously searchable; harvesting again (README's
    command) keeps it accepted with its reviews and writes no new version."""
    found = demo.get("/api/search", params={"q": "nodule", "type": "BenchmarkTask"}).json()
    assert [h["id"] for h in found["hits"]] == [ACCEPTED]
    before = demo.get(f"/api/tasks/{ACCEPTED}/versions", headers=auth(demo, "chair")).json()["versions"]
    assert [v["author"] for v in before] == ["medal harvest", "medal harvest", "Ada Lovelace"]
    harvest_all(demo.db, demo.folder)
    after = demo.get(f"/api/tasks/{ACCEPTED}/versions", headers=auth(demo, "chair")).json()["versions"]
    assert after == before
    assert demo.get(f"/api/tasks/{ACCEPTED}").json()["document"]["status"] == "accepted"
    reviews = demo.get(f"/api/tasks/{ACCEPTED}/reviews", headers=auth(demo, "rita")).json()["reviews"]
    assert len(reviews) == 2 and all(r["counted"] for r in reviews)


def test_reviews_are_shown_per_role(demo):
    """The panel sees reviewer names; the task's contributor (admin here: harvested) sees no names once decided;
    anonymous callers get 401, other contributors 403; OpenAPI documents the review body."""
    panel = demo.get(f"/api/tasks/{ACCEPTED}/reviews", headers=auth(demo, "rita")).json()["reviews"]
    assert {r["document"]["reviewer"]["name"] for r in panel} == {"Ingrid Solberg", "Tomás Oliveira"}
    assert demo.get(f"/api/tasks/{ACCEPTED}/reviews").status_code == 401
    assert demo.get(f"/api/tasks/{ACCEPTED}/reviews", headers=auth(demo, "bob")).status_code == 403
    spec = demo.get("/api/openapi.json").json()
    body = spec["components"]["schemas"]["ReviewCreate"]
    assert {"clinical_relevance_score", "recommendation", "conflict_of_interest"} <= set(body["required"])
    assert "reviewer" not in body["properties"] and body["additionalProperties"] is False
    assert "get" in spec["paths"]["/api/tasks/{task_id}/reviews"]


def test_a_contributor_reads_anonymised_reviews_once_decided(demo):
    """A contributor's own task: 403 for its reviews while under review, scores without names once rejected."""
    text = own_submission("ct-panel-own")
    assert (
        demo.post(
            "/api/submissions", content=text, headers={**auth(demo, "carl"), "Content-Type": "application/yaml"}
        ).status_code
        == 201
    )
    for name in ("rita", "remy"):
        assert demo.post("/api/tasks/ct-panel-own/reviews", json=REVIEW, headers=auth(demo, name)).status_code == 201
    assert demo.get("/api/tasks/ct-panel-own/reviews", headers=auth(demo, "carl")).status_code == 403
    assert (
        demo.post(
            "/api/tasks/ct-panel-own/decision",
            json={"decision": "reject", "reason": "too narrow"},
            headers=auth(demo, "chair"),
        ).status_code
        == 200
    )
    seen = demo.get("/api/tasks/ct-panel-own/reviews", headers=auth(demo, "carl")).json()["reviews"]
    assert len(seen) == 2 and all(
        "reviewer" not in r["document"] and r["document"]["unmet_need_score"] == 4 for r in seen
    )


def test_min_reviews_conflicts_and_replacement(demo):
    """A decision needs two reviews without a declared conflict; a second review by the same reviewer replaces
    the first (kept in history) and does not count twice; 409 names the allowed next steps."""
    text = own_submission("ct-panel-coi")
    demo.post("/api/submissions", content=text, headers={**auth(demo, "alice"), "Content-Type": "application/yaml"})
    first = demo.post("/api/tasks/ct-panel-coi/reviews", json=REVIEW, headers=auth(demo, "rita")).json()
    again = demo.post(
        "/api/tasks/ct-panel-coi/reviews", json={**REVIEW, "unmet_need_score": 2}, headers=auth(demo, "rita")
    ).json()
    assert again["replaced"] and again["review"]["key"] == first["review"]["key"]
    conflicted = {**REVIEW, "conflict_of_interest": True, "conflict_of_interest_statement": "co-author"}
    assert demo.post("/api/tasks/ct-panel-coi/reviews", json=conflicted, headers=auth(demo, "remy")).status_code == 201
    refused = demo.post(
        "/api/tasks/ct-panel-coi/decision", json={"decision": "accept", "reason": "x"}, headers=auth(demo, "chair")
    )
    assert refused.status_code == 409 and "has 1 review" in refused.json()["detail"]
    review_id = first["review"]["key"].split(":", 1)[1]
    history = demo.get(f"/api/reviews/{review_id}/versions", headers=auth(demo, "chair")).json()
    assert len(history["versions"]) == 2


def test_reopen_and_retire(demo):
    """A rejected task can be reopened; an accepted one retired with a reason; a step the table does not allow
    is 409 with the allowed next steps."""
    text = own_submission("ct-panel-life")
    demo.post("/api/submissions", content=text, headers={**auth(demo, "alice"), "Content-Type": "application/yaml"})
    for name in ("rita", "remy"):
        demo.post("/api/tasks/ct-panel-life/reviews", json=REVIEW, headers=auth(demo, name))
    chair = auth(demo, "chair")

    def step(action):
        return demo.post(
            "/api/tasks/ct-panel-life/transition",
            json={"action": action, "reason": f"{action} for the test"},
            headers=chair,
        )

    demo.post("/api/tasks/ct-panel-life/decision", json={"decision": "reject", "reason": "no"}, headers=chair)
    wrong = step("retire")
    assert wrong.status_code == 409 and "allowed next steps: reopen" in wrong.json()["detail"]
    status = lambda: demo.get("/api/tasks/ct-panel-life", headers=chair).json()["document"]["status"]  # noqa: E731
    assert step("reopen").status_code == 200 and status() == "under_review"
    assert (
        demo.post(
            "/api/tasks/ct-panel-life/decision", json={"decision": "accept", "reason": "yes"}, headers=chair
        ).status_code
        == 200
    )
    assert step("retire").status_code == 200 and status() == "retired"
    assert demo.get("/api/tasks/ct-panel-life").status_code == 404  # retired: no longer public


def test_ranking_matches_hand_computed_values_and_krippendorff(demo):
    """The ranking's means, medians, spreads and priority scores are the hand-computed ones for the bundled
    reviews of the open tasks, and its alpha is krippendorff.alpha on the same reviewers x tasks matrix."""
    ranking = demo.get("/api/panel/ranking", headers=auth(demo, "rita")).json()
    assert demo.get("/api/panel/ranking").status_code == 401
    rows = {r["task"]: r for r in ranking["tasks"]}
    cxr = rows["cxr-pneumothorax-triage"]  # Ingrid: 5 4 4 4 3; Tomas: 5 5 4 3 2
    assert cxr["criteria"]["unmet_need"] == {"n": 2, "mean": 4.5, "median": 4.5, "spread": 1}
    means = {"clinical_relevance": 5, "unmet_need": 4.5, "patient_impact": 4, "feasibility": 3.5, "data_quality": 2.5}
    weights = ranking["settings"]["weights"]
    expected = sum(weights[c] * m for c, m in means.items()) / sum(weights.values())
    assert math.isclose(cxr["priority"], expected, abs_tol=1e-4) and cxr["flags"] == []
    mr = rows["mr-brain-metastasis-segmentation"]  # Ingrid: 4 4 3 2 4; Tomas: 4 3 3 3 4
    assert mr["criteria"]["feasibility"]["mean"] == statistics.fmean([2, 3])
    assert [r["task"] for r in ranking["tasks"]][:2] == ["cxr-pneumothorax-triage", "mr-brain-metastasis-segmentation"]


def test_ranking_alpha_is_krippendorffs_on_the_same_matrix(tmp_path):
    """On its own catalog (the bundled examples only), the ranking's alpha per criterion equals krippendorff.alpha
    on the reviewers x tasks matrix of the bundled reviews; CLI and API share the library call."""
    db = tmp_path / "catalog.db"
    harvest_all(db, tmp_path)
    result = medal("panel", "ranking", "--json", db=db)
    assert result.returncode == 0, result.stderr
    import json

    ranking = json.loads(result.stdout)
    units = [r["task"] for r in ranking["tasks"]]
    assert units == ["cxr-pneumothorax-triage", "mr-brain-metastasis-segmentation"]
    bundled = {
        "unmet_need": {"Ingrid Solberg": [4, 4], "Tomás Oliveira": [5, 3]},
        "feasibility": {"Ingrid Solberg": [4, 2], "Tomás Oliveira": [3, 3]},
    }
    for criterion, by in bundled.items():
        want = krippendorff.alpha(
            reliability_data=np.array([by[r] for r in sorted(by)], dtype=float),
            level_of_measurement="ordinal",
            value_domain=[1, 2, 3, 4, 5],
        )
        assert math.isclose(ranking["agreement"][criterion]["alpha"], round(want, 4), abs_tol=1e-4)


def test_cli_review_decide_and_token_revoke_take_effect_at_once(demo, tmp_path):
    """`medal review` and `medal decide` go through the same rules; `medal token revoke` makes the token fail on
    the very next request of the running server."""
    refused = medal("decide", "ct-panel-coi", "accept", "--reason", "x", "--as", "ada", db=demo.db)
    assert refused.returncode == 2 and "needs 2" in refused.stderr  # rita's review counts, remy's is conflicted
    done = medal(
        "review",
        "ct-panel-coi",
        "--relevance",
        "5",
        "--unmet-need",
        "4",
        "--patient-impact",
        "4",
        "--recommendation",
        "accept",
        "--as",
        "zoe",
        "--json",
        db=demo.db,
    )
    assert done.returncode == 0 and '"replaced": false' in done.stdout, done.stderr
    assert (
        medal("decide", "ct-panel-coi", "accept", "--reason", "two reviews", "--as", "ada", db=demo.db).returncode == 0
    )
    assert demo.get("/api/tasks/ct-panel-coi").json()["document"]["status"] == "accepted"
    listed = medal("token", "list", "--json", db=demo.db)
    import json

    tokens = {t["name"]: t["digest"] for t in json.loads(listed.stdout)}
    assert demo.get("/api/tasks", headers=auth(demo, "bob")).status_code == 200
    assert medal("token", "revoke", tokens["bob"][:12], db=demo.db).returncode == 0
    assert demo.get("/api/tasks", headers=auth(demo, "bob")).status_code == 401
