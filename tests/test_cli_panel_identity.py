"""`medal review`, `medal decide` and `medal panel step` on a local catalog act as a named member of its panel (a
token of that catalog, or --as NAME holding one), with that token's role, and refuse anyone else; `medal status`
prints the decision's reason to the task's contributor through a real server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES
from served import medal_server

MEDAL = str(Path(sys.executable).with_name("medal"))
TASK = "cxr-pneumothorax-triage"
SCORES = ["--relevance", "4", "--unmet-need", "4", "--patient-impact", "3", "--recommendation", "accept"]


@pytest.fixture
def catalog(tmp_path):
    """The bundled examples harvested (the cxr task under review with one review), and a token per role."""
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    db = tmp_path / "catalog.db"
    subprocess.run(
        [
            MEDAL,
            "harvest",
            *sorted(str(p) for p in (EXAMPLES / "valid").iterdir()),
            "--catalog",
            f"sqlite:///{db}",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    store = open_store(f"sqlite:///{db}")
    try:
        tokens = {
            name: create_token(store, name, role)
            for name, role in {"rita": "reviewer", "chair": "admin", "alice": "contributor"}.items()
        }
    finally:
        store.close()
    return db, tokens


def medal(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    clean = {k: v for k, v in os.environ.items() if k not in ("MEDAL_TOKEN", "MEDAL_AS")}
    return subprocess.run(
        [MEDAL, *args, "--catalog", f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
    )


def _reviews(db: Path) -> list[dict]:
    from medal_catalog.catalog import Catalog
    from medal_catalog.panel import Actor, list_reviews

    with Catalog.open(f"sqlite:///{db}") as catalog:
        return list_reviews(catalog, TASK, Actor("chair", "admin"))


def test_review_and_decide_refuse_who_is_not_a_panel_member(catalog):
    """An unknown name, no identity at all, an unknown token, a contributor's name and a reviewer deciding are
    all refused and write nothing; each refusal says what to do."""
    db, tokens = catalog
    before = len(_reviews(db))
    unknown = medal(db, "review", TASK, *SCORES, "--as", "mallory")
    assert unknown.returncode == 2 and "not a member of this catalog's panel" in unknown.stderr
    assert "medal token create --role reviewer --name mallory" in unknown.stderr
    nobody = medal(db, "review", TASK, *SCORES)
    assert nobody.returncode == 2 and "say who acts" in nobody.stderr
    forged = medal(db, "review", TASK, *SCORES, "--token", "medal_not-a-token")
    assert forged.returncode == 2 and "not an active token" in forged.stderr
    contributor = medal(db, "review", TASK, *SCORES, "--as", "alice")
    assert contributor.returncode != 0 and "alice is a contributor" in contributor.stderr
    reviewer_decides = medal(db, "decide", TASK, "reject", "--reason", "x", "--as", "rita")
    assert reviewer_decides.returncode != 0 and "rita is a reviewer; this needs admin" in reviewer_decides.stderr
    step = medal(db, "panel", "step", "ct-lung-nodule-malignancy", "retire", "--reason", "x", "--as", "mallory")
    assert step.returncode == 2
    assert len(_reviews(db)) == before


def test_review_and_decide_act_as_a_named_member_by_name_or_token(catalog):
    """rita reviews by name (also through MEDAL_AS), the chair decides by token (MEDAL_TOKEN): recorded with
    their names."""
    db, tokens = catalog
    done = medal(db, "review", TASK, *SCORES, "--json", MEDAL_AS="rita")
    assert done.returncode == 0, done.stderr
    assert [r["author"] for r in _reviews(db) if r["author"] == "rita"] == ["rita"]
    decided = medal(
        db,
        "decide",
        TASK,
        "reject",
        "--reason",
        "the hidden split is undocumented",
        "--json",
        MEDAL_TOKEN=tokens["chair"],
    )
    assert decided.returncode == 0, decided.stderr
    from medal_catalog.catalog import Catalog

    with Catalog.open(f"sqlite:///{db}") as opened:
        task = opened.get("BenchmarkTask", TASK)
    assert task.author == "chair" and task.document["status"] == "rejected"


def test_medal_status_prints_the_decisions_reason(tmp_path):
    """A contributor's task decided by the panel: `medal status` prints the decision and its reason (and never a
    name), in text and in --json."""
    import httpx

    from api.conftest import accept_with_reviews, own_submission
    from medal_catalog.api.tokens import create_token
    from medal_catalog.catalog import Catalog

    db = tmp_path / "catalog.db"
    with Catalog.open(f"sqlite:///{db}") as opened:
        tokens = {
            name: create_token(opened.store, name, role)
            for name, role in {"alice": "contributor", "rita": "reviewer", "remy": "reviewer", "chair": "admin"}.items()
        }
    with medal_server(db, tmp_path) as base, httpx.Client(base_url=base, timeout=30) as client:

        def headers(name: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {tokens[name]}"}

        sent = client.post(
            "/api/submissions",
            content=own_submission("ct-status-task"),
            headers={**headers("alice"), "Content-Type": "application/yaml"},
        )
        assert sent.status_code == 201, sent.text
        assert accept_with_reviews(client.post, "ct-status-task", headers).status_code == 200
        shown = subprocess.run(
            [MEDAL, "status", "ct-status-task", "--to", base, "--token", tokens["alice"]],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert shown.returncode == 0, shown.stderr
        assert "ct-status-task: accepted" in shown.stdout
        assert "decision: accept (version" in shown.stdout and "panel vote" in shown.stdout
        assert "chair" not in shown.stdout and "rita" not in shown.stdout
        as_json = subprocess.run(
            [MEDAL, "status", "ct-status-task", "--to", base, "--token", tokens["alice"], "--json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert json.loads(as_json.stdout)["decision"]["reason"] == "panel vote"
