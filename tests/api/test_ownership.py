"""Writes check ownership of the entry and of every entry it attaches to (issue 13): a contributor can neither
name another owner's label table (and so publish its hidden split), nor attach a series or a task to another
owner's dataset, nor learn from a write what GET would not tell them."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.conftest import CONTROLLED_DATASET, EXAMPLES, OPEN_TASK, REVIEW, accept_with_reviews, auth
from served import medal_server

MEDAL = Path(sys.executable).with_name("medal")
LABEL_DATASET = "ct-lung-screening-2019-2023"
#: The one case of the example's test_hidden split (examples/valid/ct-lung-nodule-malignancy/labels.csv).
HIDDEN_CASE = "lung-001"
YAML = {"Content-Type": "application/yaml"}


def _thief_task(task_id: str = "bob-lung-task") -> str:
    """Contributor B's own task naming A's label table, declaring A's test_hidden split labels_hidden: false."""
    text = (EXAMPLES / "valid" / OPEN_TASK / "task.yaml").read_text(encoding="utf-8")
    text = text.replace(f"id: {OPEN_TASK}", f"id: {task_id}")
    return text.replace(
        "  - name: test_hidden\n    size: 1\n    labels_hidden: true",
        "  - name: test_hidden\n    size: 1\n    labels_hidden: false",
    )


def _open_copy(tmp_path: Path) -> Path:
    """The example lung submission with its dataset made open access (CC-BY-4.0): its data is everyone's to fetch
    once an accepted task uses it, which is what made the label table reachable."""
    folder = tmp_path / "lung"
    shutil.copytree(EXAMPLES / "valid" / OPEN_TASK, folder)
    dataset = folder / "dataset.yaml"
    text = dataset.read_text(encoding="utf-8").replace("access_level: controlled", "access_level: open")
    text = text.replace(
        "license:\n  spdx_id: LicenseRef-MEDAL-DUA-1.0\n  url: https://w3id.org/medal/licenses/"
        "dua-1.0\n  dua_required: true\n  dua_url: https://w3id.org/medal/licenses/dua-1.0",
        "license:\n  spdx_id: CC-BY-4.0\n  url: https://spdx.org/licenses/CC-BY-4.0.html",
    )
    assert "CC-BY-4.0" in text
    dataset.write_text(text, encoding="utf-8")
    return folder


def _tokens(db: Path) -> dict[str, str]:
    out = {}
    for name, role in (
        ("alice", "contributor"),
        ("bob", "contributor"),
        ("rita", "reviewer"),
        ("remy", "reviewer"),
        ("chair", "admin"),
    ):
        made = subprocess.run(
            [str(MEDAL), "token", "create", "--role", role, "--name", name, "--catalog", f"sqlite:///{db}"],
            check=True,
            capture_output=True,
            text=True,
        )
        out[name] = made.stdout.strip()
    return out


def _splits(labels_csv: str) -> set[str]:
    return {row["case_id"] for row in csv.DictReader(io.StringIO(labels_csv))}


@pytest.mark.slow
def test_a_contributor_cannot_publish_another_owners_hidden_labels_over_http(tmp_path):
    """The attack of issue 13 against a real uvicorn: A submits a task and its open dataset with a label table
    (`medal submit`), the panel accepts it; B submits their own task naming A's label table with A's test_hidden
    split `labels_hidden: false`. Refused (403: B sees the dataset but does not own it), before the dataset is
    public too (404, as GET answers B); no labels.csv ever holds the hidden case."""
    db = tmp_path / "catalog.db"
    tokens = _tokens(db)
    folder = _open_copy(tmp_path)
    with medal_server(db, tmp_path) as base:

        def post(url, **kw):
            return httpx.post(base + url, timeout=30, **kw)

        def headers(name):
            return auth(tokens, name)

        early = post("/api/submissions", content=_thief_task("bob-early"), headers={**headers("bob"), **YAML})
        assert early.status_code == 404, early.text  # A's dataset does not exist yet: as GET would answer

        sent = subprocess.run(
            [str(MEDAL), "submit", str(folder), "--to", base, "--token", tokens["alice"], "--json"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert sent.returncode == 0, sent.stderr
        before = post("/api/submissions", content=_thief_task(), headers={**headers("bob"), **YAML})
        seen = httpx.get(f"{base}/api/datasets/{LABEL_DATASET}", headers=headers("bob"))
        assert before.status_code == seen.status_code == 404 and before.json() == seen.json()

        assert accept_with_reviews(post, OPEN_TASK, headers).status_code == 200
        assert httpx.get(f"{base}/api/datasets/{LABEL_DATASET}", headers=headers("bob")).status_code == 200
        after = post("/api/submissions", content=_thief_task(), headers={**headers("bob"), **YAML})
        assert after.status_code == 403, after.text
        assert LABEL_DATASET in after.json()["detail"] and "another contributor" in after.json()["detail"]
        assert httpx.get(f"{base}/api/tasks/bob-lung-task", headers=headers("bob")).status_code == 404

        for name in ("alice", "bob", "chair", None):
            got = httpx.get(f"{base}/api/tasks/{OPEN_TASK}/labels.csv", headers=headers(name) if name else None)
            assert got.status_code == 200 and HIDDEN_CASE not in _splits(got.text), name
        admin = post("/api/submissions", content=_thief_task("chair-task"), headers={**headers("chair"), **YAML})
        assert admin.status_code == 201, admin.text  # an admin may name any label table...
        got = httpx.get(f"{base}/api/tasks/chair-task/labels.csv", headers=headers("chair"))
        assert HIDDEN_CASE not in _splits(got.text)  # ...but not unhide what the owner's task hides


def test_a_third_party_task_already_stored_cannot_unhide_a_split(client):
    """A task stored before writes checked ownership (a third party's, naming the label table with its hidden
    split labels_hidden: false) gets the dataset owner's hidden flag: its labels.csv and Croissant leave out the
    hidden case (the most restrictive declaration of any task naming the table wins)."""
    import yaml

    from medal_catalog.catalog import Catalog
    from medal_catalog.config import Settings

    accept_with_reviews(client.post, OPEN_TASK, lambda name: auth(client, name))
    settings = client.app.state.settings
    task = yaml.safe_load(_thief_task())
    task.update(status="submitted", created=str(task["created"]), modified=str(task["modified"]))
    with Catalog.open(settings=Settings(catalog=settings.catalog)) as catalog:
        assert not catalog.put(task, author="bob", reason="stored before issue 13").problems
    chair = auth(client, "chair")
    labels = client.get("/api/tasks/bob-lung-task/labels.csv", headers=chair)
    assert labels.status_code == 200 and _splits(labels.text) == {"lung-002"}
    croissant = client.get("/api/tasks/bob-lung-task/croissant", headers=chair).json()
    splits = next(r for r in croissant["recordSet"] if r["@id"] == "splits")["data"]
    assert {s["splits/name"]: s["splits/labels_hidden"] for s in splits} == {"validation": False, "test_hidden": True}


def _series_of(client, dataset_id: str) -> dict:
    """A copy of one stored series of the dataset (as the admin reads it), under a new id."""
    page = client.get(f"/api/datasets/{dataset_id}/series", headers=auth(client, "chair")).json()
    document = client.get(page["items"][0]["url"], headers=auth(client, "chair")).json()["document"]
    return {**document, "id": f"{dataset_id}.planted"}


def test_writes_never_attach_to_an_entry_the_writer_does_not_own(client):
    """A series into another owner's dataset, a task using it, and the same series inside a `medal submit`
    bundle are refused: 404 (as GET) while the dataset is not visible to the writer, 403 once it is; nothing is
    listed under that dataset afterwards. An admin may attach; an entry of the same submission may be attached
    to; an attachment to nothing is a 404."""
    bob = auth(client, "bob")
    series = _series_of(client, CONTROLLED_DATASET)
    body = json.dumps(series)
    json_headers = {**bob, "Content-Type": "application/json"}
    hidden = client.post("/api/submissions", content=body, headers=json_headers)
    seen = client.get(f"/api/datasets/{CONTROLLED_DATASET}", headers=bob)
    assert hidden.status_code == seen.status_code == 404 and hidden.json() == seen.json()

    accept_with_reviews(client.post, OPEN_TASK, lambda name: auth(client, name))
    assert client.get(f"/api/datasets/{CONTROLLED_DATASET}", headers=bob).status_code == 200
    refused = client.post("/api/submissions", content=body, headers=json_headers)
    assert refused.status_code == 403 and CONTROLLED_DATASET in refused.json()["detail"]
    from medal_catalog.harvesters.bundle import BUNDLE_FORMAT

    manifest = json.dumps({"format": BUNDLE_FORMAT, "entries": [series], "files": []})
    bundled = client.post(
        "/api/submissions", files={"bundle": ("bundle.json", manifest, "application/json")}, headers=bob
    )
    assert bundled.status_code == 403, bundled.text
    import yaml

    task = yaml.safe_load(_thief_task("bob-uses-it"))
    del task["labels"]  # datasets_used alone attaches the task to the dataset (its acceptance publishes it)
    used = client.post("/api/submissions", content=yaml.safe_dump(task), headers={**bob, **YAML})
    assert used.status_code == 403 and CONTROLLED_DATASET in used.json()["detail"]
    listed = client.get(f"/api/datasets/{CONTROLLED_DATASET}/series", params={"size": 100}).json()
    assert series["id"] not in {i["id"] for i in listed["items"]} and listed["total"] == 2

    nowhere = client.post(
        "/api/submissions", content=json.dumps({**series, "dataset": "no-such-dataset"}), headers=json_headers
    )
    assert nowhere.status_code == 404 and "no-such-dataset" in nowhere.json()["detail"]
    admin = client.post(
        "/api/submissions", content=body, headers={**auth(client, "chair"), "Content-Type": "application/json"}
    )
    assert admin.status_code == 201, admin.text


def test_transitions_of_an_invisible_task_answer_as_get(client):
    """A contributor withdrawing a task they cannot see gets GET's 404, not a 403 that says it exists."""
    response = client.post(
        f"/api/tasks/{OPEN_TASK}/transition", json={"action": "withdraw", "reason": "x"}, headers=auth(client, "bob")
    )
    seen = client.get(f"/api/tasks/{OPEN_TASK}", headers=auth(client, "bob"))
    assert response.status_code == seen.status_code == 404 and response.json() == seen.json()
    assert client.post(f"/api/tasks/{OPEN_TASK}/reviews", json=REVIEW, headers=auth(client, "rita")).status_code == 201
