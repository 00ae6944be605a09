"""Evaluations on the server: a member's predictions scored against hidden labels off the request thread, only
aggregates in every answer, the per-user limit, and the leaderboard's ranks, intervals and ties."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as sk

from api.conftest import accept_with_reviews
from evaluation.exams import classification_labels, classification_task

NAMES = {"alice": "contributor", "bob": "contributor", "rita": "reviewer", "remy": "reviewer", "chair": "admin"}
TASK = "ct-lung-nodule-malignancy"


@pytest.fixture(scope="module")
def graded_catalog(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """The 200-case classification task harvested into a catalog, with a token per name (accepted by the panel
    in each test's copy)."""
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    tmp = tmp_path_factory.mktemp("graded")
    folder = classification_task(tmp)
    db = tmp / "catalog.db"
    medal = Path(sys.executable).with_name("medal")
    subprocess.run(
        [str(medal), "harvest", str(folder), "--catalog", f"sqlite:///{db}", "--out", str(tmp / "out")],
        cwd=tmp,
        check=True,
        capture_output=True,
    )
    store = open_store(f"sqlite:///{db}")
    try:
        tokens = {name: create_token(store, name, role) for name, role in NAMES.items()}
    finally:
        store.close()
    return db, tokens, folder


@pytest.fixture
def api(graded_catalog, tmp_path):
    import shutil
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    db, tokens, _ = graded_catalog
    copy = tmp_path / "catalog.db"
    shutil.copyfile(db, copy)
    app = create_app(Settings(catalog=f"sqlite:///{copy}", evaluation_limit=2, evaluation_window_days=7, min_group=20))
    with TestClient(app) as client:
        client.tokens = tokens
        decided = accept_with_reviews(client.post, TASK, lambda name: _auth(client, name))
        assert decided.status_code in (200, 201), decided.text
        yield client


def _auth(api, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.tokens[name]}"}


def _hidden_truth() -> tuple[list[str], np.ndarray]:
    y, _ = classification_labels(200, 6)
    return [f"tes-{i:04d}" for i in range(200)], y


def _predictions(ids: list[str], p: np.ndarray) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["case_id", "malignant"])
    writer.writerows([[i, repr(float(v))] for i, v in zip(ids, p)])
    return out.getvalue().encode()


def _model(y: np.ndarray, strength: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 1 / (1 + np.exp(-(rng.normal(0, 1, y.size) + strength * y - strength / 2)))


def _send(api, name: str, data: bytes, split: str = "test_hidden", model: str = "m", version: str = "1"):
    return api.post(
        f"/api/tasks/{TASK}/evaluations",
        headers=_auth(api, name),
        data={"split": split, "model_name": model, "model_version": version, "code_url": "https://example.org/code"},
        files={"predictions": ("p.csv", data, "text/csv")},
    )


def _done(api, name: str, url: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = api.get(url, headers=_auth(api, name)).json()
        if answer["status"] in ("done", "failed"):
            return answer
        time.sleep(0.2)
    raise AssertionError("the evaluation did not finish")


def test_hidden_split_scored_with_aggregates_only(api):
    """A member's predictions on the hidden split: 202 with a URL; the kept result holds AUROC, AP, MCC and
    Brier equal to scikit-learn's on the hidden labels (computed here from the label table), rounded to 3
    decimals as every hidden figure is, with intervals around them, the task version, label table and predictions digests and library versions; no case id, no per-case
    value, no replicate anywhere in the answers."""
    ids, y = _hidden_truth()
    p = _model(y, 2.0, 1)
    sent = _send(api, "bob", _predictions(ids, p))
    assert sent.status_code == 202, sent.text
    assert sent.headers["location"] == sent.json()["url"] and sent.json()["status"] in ("queued", "running", "done")
    answer = _done(api, "bob", sent.json()["url"])
    assert answer["status"] == "done", answer
    result = answer["result"]
    values = {m["metric"]: m for m in result["metrics"]}
    calls = (p >= 0.5).astype(int)
    for code, want in {
        "auroc": sk.roc_auc_score(y, p),
        "average_precision": sk.average_precision_score(y, p),
        "mcc": sk.matthews_corrcoef(y, calls),
        "brier_score": sk.brier_score_loss(y, p),
    }.items():
        # a hidden split's figures are rounded to 3 decimals (docs/evaluation.md, threat model)
        assert values[code]["value"] == pytest.approx(round(want, 3), abs=1e-12)
        assert values[code]["ci_low"] <= round(want, 3) <= values[code]["ci_high"]
        assert values[code]["ci_low"] == round(values[code]["ci_low"], 3)
    assert result["rounded_to_decimals"] == 3
    assert result["hidden"] is True and result["task_version"] >= 1 and len(result["label_table_sha256"]) == 64
    assert result["model_name"] == "m" and result["code_url"] == "https://example.org/code"
    assert {"numpy", "scipy", "scikit-learn"} <= set(result["libraries"])
    text = (
        json.dumps(answer)
        + api.get(f"/api/tasks/{TASK}/evaluations", headers=_auth(api, "bob")).text
        + api.get(f"/api/tasks/{TASK}/leaderboard").text
    )
    assert "tes-0" not in text and "replicates" not in text and "per_case" not in text
    assert all(g["cases"] >= 20 for g in result["subgroups"])
    # another member cannot read it; the panel can
    assert api.get(sent.json()["url"], headers=_auth(api, "alice")).status_code == 404
    assert api.get(sent.json()["url"]).status_code == 404
    assert api.get(sent.json()["url"], headers=_auth(api, "rita")).status_code == 200


def test_limit_refuses_the_next_evaluation_and_failures_do_not_count(api):
    """With MEDAL_EVALUATION_LIMIT 2: a malformed file fails with its reason and does not count; two scored
    evaluations pass, the third is refused with 429; another member, and a visible split (for one who may fetch
    its labels), are not limited."""
    ids, y = _hidden_truth()
    bad = _send(api, "bob", _predictions(ids[:-1], _model(y, 1, 0)[:-1]))
    assert bad.status_code == 202
    failed = _done(api, "bob", bad.json()["url"])
    assert failed["status"] == "failed" and "1 of the split's 200 cases has no prediction" in failed["error"]
    for seed in (1, 2):
        assert _send(api, "bob", _predictions(ids, _model(y, 1, seed))).status_code == 202
    refused = _send(api, "bob", _predictions(ids, _model(y, 1, 3)))
    assert refused.status_code == 429 and "MEDAL_EVALUATION_LIMIT" in refused.json()["detail"]
    assert _send(api, "alice", _predictions(ids, _model(y, 1, 3))).status_code == 202
    visible_ids = [f"val-{i:04d}" for i in range(200)]
    for _ in range(3):
        assert _send(api, "chair", _predictions(visible_ids, np.full(200, 0.5)), split="validation").status_code == 202


def test_a_visible_split_is_scored_only_for_who_may_fetch_its_labels(api):
    """The label table sits in a controlled dataset: a member who may not download it gets 403 on its visible split
    (unlimited full-precision scores would read the labels back), while its hidden split stays open to them."""
    visible_ids = [f"val-{i:04d}" for i in range(200)]
    refused = _send(api, "bob", _predictions(visible_ids, np.full(200, 0.5)), split="validation")
    assert refused.status_code == 403 and "may not fetch" in refused.json()["detail"]
    ids, y = _hidden_truth()
    assert _send(api, "bob", _predictions(ids, _model(y, 1, 0))).status_code == 202


def test_refusals(api):
    """Without a token: 401; an unknown split: 422 naming the splits; an unknown task: 404."""
    ids, y = _hidden_truth()
    data = _predictions(ids, _model(y, 1, 0))
    assert (
        api.post(
            f"/api/tasks/{TASK}/evaluations", data={"split": "test_hidden"}, files={"predictions": ("p.csv", data)}
        ).status_code
        == 401
    )
    wrong = _send(api, "bob", data, split="nope")
    assert wrong.status_code == 422 and "validation, test_hidden" in wrong.json()["detail"]
    assert (
        api.post(
            "/api/tasks/nope/evaluations",
            headers=_auth(api, "bob"),
            data={"split": "x"},
            files={"predictions": ("p.csv", data)},
        ).status_code
        == 404
    )


def test_leaderboard_ranks_intervals_and_ties(api):
    """A strong and a weak model rank 1 and 2, not tied; a copy of the strong model's scores with tiny noise
    ties with it (paired bootstrap); anonymous callers see the accepted task's board; ranks carry intervals."""
    ids, y = _hidden_truth()
    strong = _model(y, 3.0, 1)
    for name, model, p in (
        ("bob", "strong", strong),
        ("alice", "weak", _model(y, 0.5, 2)),
        ("chair", "strong-copy", np.clip(strong + np.random.default_rng(5).normal(0, 1e-3, 200), 0, 1)),
    ):
        sent = _send(api, name, _predictions(ids, p), model=model)
        assert _done(api, name, sent.json()["url"])["status"] == "done"
    board = api.get(f"/api/tasks/{TASK}/leaderboard").json()
    assert board["metric"] == "auroc" and board["split"] == "test_hidden" and board["scope"] == "all entries"
    names = [e["model_name"] for e in board["entries"]]
    assert names[-1] == "weak" and set(names[:2]) == {"strong", "strong-copy"}
    first, second, third = board["entries"]
    assert first["tied_with_next"] is True and second["tied_with_next"] is False
    assert third["rank_interval"] == [3, 3] and third["rank_share"] == 1.0
    assert first["rank_interval"][0] == 1 and first["rank_interval"][1] <= 2
    assert first["ci_low"] <= first["value"] <= first["ci_high"]
    assert [e["rank"] for e in board["entries"]] == [1, 2, 3]
    ld = api.get(f"/api/tasks/{TASK}/leaderboard", headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")
    doc = ld.json()
    assert doc["@type"] == "ItemList" and [x["position"] for x in doc["itemListElement"]] == [1, 2, 3]
    auroc = next(p for p in doc["itemListElement"][2]["additionalProperty"] if p["propertyID"] == "auroc")
    assert auroc["value"] == third["value"] and auroc["minValue"] == third["ci_low"]
    assert all(len(repr(e["value"]).split(".")[-1]) <= 3 for e in board["entries"])


def test_leaderboard_page_and_task_section(api):
    """The page /tasks/{id}/leaderboard and the task page's section list both entries with their intervals for an
    anonymous visitor of the accepted task."""
    ids, y = _hidden_truth()
    for name, model, strength in (("bob", "strong", 3.0), ("alice", "weak", 0.5)):
        sent = _send(api, name, _predictions(ids, _model(y, strength, 1)), model=model)
        assert _done(api, name, sent.json()["url"])["status"] == "done"
    page = api.get(f"/tasks/{TASK}/leaderboard")
    assert page.status_code == 200 and "strong" in page.text and "weak" in page.text
    assert "95 % percentile-bootstrap intervals" in page.text and "tes-0" not in page.text
    task_page = api.get(f"/tasks/{TASK}", headers={"Accept": "text/html"})
    assert 'id="leaderboard-heading"' in task_page.text and "strong" in task_page.text
    assert api.get("/tasks/nope/leaderboard").status_code == 404


def test_segmentation_on_hidden_split_and_masks_withheld(tmp_path):
    """A segmentation task whose hidden reference masks the catalog keeps: the server scores a zip of masks against
    them (DSC 0.8 for a cube shifted by 2 of 10 voxels, as computed by hand), and never lists or serves the masks as
    the dataset's files, nor names them among the task's case inputs."""
    import io
    import shutil
    import warnings
    import zipfile

    from evaluation.exams import nifti, segmentation_task
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    ref = np.zeros((20, 20, 20), bool)
    ref[5:15, 5:15, 5:15] = True
    folder = segmentation_task(tmp_path, [ref, ref], (1.0, 1.0, 1.0), split="test_hidden", hidden=True)
    db = tmp_path / "seg.db"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("medal")),
            "harvest",
            str(folder),
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
        token = create_token(store, "chair", "admin")
    finally:
        store.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    headers = {"Authorization": f"Bearer {token}"}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("seg-0.nii.gz", nifti(ref, (1.0, 1.0, 1.0)))
        z.writestr("seg-1.nii.gz", nifti(np.roll(ref, 2, axis=0), (1.0, 1.0, 1.0)))
    with TestClient(create_app(Settings(catalog=f"sqlite:///{db}"))) as api:
        sent = api.post(
            f"/api/tasks/{TASK}/evaluations",
            headers=headers,
            data={"split": "test_hidden"},
            files={"predictions": ("masks.zip", buf.getvalue(), "application/zip")},
        )
        assert sent.status_code == 202, sent.text
        deadline = time.monotonic() + 120
        while (answer := api.get(sent.json()["url"], headers=headers).json())["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert answer["status"] == "done", answer
        values = {m["metric"]: m["value"] for m in answer["result"]["metrics"]}
        assert values["dsc"] == pytest.approx(0.9) and values["hd95"] == pytest.approx(1.0)
        dataset = "ct-lung-screening-2019-2023"
        listed = {f["path"] for f in api.get(f"/api/datasets/{dataset}/files", headers=headers).json()}
        assert not any(p.startswith("masks/") for p in listed)
        assert api.get(f"/api/datasets/{dataset}/files/masks/seg-0.nii.gz", headers=headers).status_code == 404
        cases = api.get(f"/api/tasks/{TASK}/cases.csv", headers=headers)
        assert cases.status_code == 200 and "masks/" not in cases.text and "seg-0" in cases.text
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
