"""Who may read a dataset's Croissant and series manifest: the same people who may see the dataset, in the same
view (a hidden-test view publishes no series)."""

from __future__ import annotations

from api.conftest import CONTROLLED_DATASET, HIDDEN_DATASET, HIDDEN_TASK as HIDDEN_TASK_ID, auth


def test_croissant_follows_dataset_visibility(client):
    """Anonymous callers get 404 for datasets no accepted task uses; reviewers get the hidden-test view (no
    series), admins the full one; the manifest lists exactly the series of the view."""
    for path in (f"/api/datasets/{HIDDEN_DATASET}/croissant", f"/api/datasets/{CONTROLLED_DATASET}/series.jsonl"):
        assert client.get(path).status_code == 404
    reviewer = client.get(f"/api/datasets/{HIDDEN_DATASET}/croissant", headers=auth(client, "rita"))
    assert reviewer.status_code == 200 and reviewer.headers["content-type"].startswith("application/ld+json")
    assert client.get(f"/api/datasets/{HIDDEN_DATASET}/series.jsonl", headers=auth(client, "rita")).content == b""
    admin = client.get(f"/api/datasets/{HIDDEN_DATASET}/series.jsonl", headers=auth(client, "chair"))
    assert admin.content.count(b"\n") == 2
    document = client.get(f"/api/datasets/{CONTROLLED_DATASET}/croissant", headers=auth(client, "rita")).json()
    assert document["url"].endswith(f"/id/datasets/{CONTROLLED_DATASET}")
    assert (
        document["distribution"][0]["contentUrl"]
        .split("?")[0]
        .endswith(f"/api/datasets/{CONTROLLED_DATASET}/series.jsonl")
    )
    assert "dicom/" not in str(document)  # no data locations of a controlled dataset


def test_task_croissant_follows_task_visibility_and_label_files_follow_data_access(client):
    """The task Croissant is served to those who see the task; its cases and labels files only to those who may
    fetch the label dataset's data (here a controlled dataset: owner and admin), and labels never hold a hidden
    split's rows."""
    from api.conftest import OPEN_TASK

    assert client.get(f"/api/tasks/{OPEN_TASK}/croissant").status_code == 404  # not accepted yet
    reviewer = client.get(f"/api/tasks/{OPEN_TASK}/croissant", headers=auth(client, "rita"))
    assert reviewer.status_code == 200 and reviewer.headers["content-type"].startswith("application/ld+json")
    document = reviewer.json()
    # The reviewer sees the controlled dataset's series (so the cases' series_id resolves), not its DICOM files.
    assert [r["name"] for r in document["recordSet"]] == ["splits", "cases", "labels", "series"]
    urls = {d["name"]: d["contentUrl"] for d in document["distribution"]}
    assert urls["cases.csv"].split("?")[0].endswith(f"/api/tasks/{OPEN_TASK}/cases.csv")
    assert client.get(f"/api/tasks/{OPEN_TASK}/cases.csv", headers=auth(client, "rita")).status_code == 403
    assert client.get(f"/api/tasks/{OPEN_TASK}/labels.csv", headers=auth(client, "alice")).status_code == 404
    cases = client.get(f"/api/tasks/{OPEN_TASK}/cases.csv", headers=auth(client, "chair"))
    labels = client.get(f"/api/tasks/{OPEN_TASK}/labels.csv", headers=auth(client, "chair"))
    series = client.get(f"/api/datasets/{CONTROLLED_DATASET}/series", headers=auth(client, "chair")).json()["items"]
    rows = [line.split(",") for line in cases.text.splitlines()]
    assert [r[:2] + r[3:] for r in rows] == [
        ["case_id", "split", "nodule_diameter_mm"],
        ["lung-001", "test_hidden", "21.7"],
        ["lung-002", "validation", "14.2"],
    ]
    assert rows[0][2] == "series_id" and sorted(r[2] for r in rows[1:]) == sorted(s["id"] for s in series)
    assert labels.text.splitlines() == ["case_id,malignant", "lung-002,1"]
    import hashlib

    assert {d["name"]: d["sha256"] for d in document["distribution"] if d["name"].endswith(".csv")} == {
        "cases.csv": hashlib.sha256(cases.content).hexdigest(),
        "labels.csv": hashlib.sha256(labels.content).hexdigest(),
    }
    assert client.get(f"/api/tasks/{HIDDEN_TASK_ID}/cases.csv", headers=auth(client, "chair")).status_code == 404


def test_served_file_urls_carry_their_digest_so_mlcroissant_never_reuses_stale_content(client):
    """mlcroissant caches downloads by URL: two views with different manifests must get different URLs, and the
    URL with its digest still serves the file."""

    def manifest_url(name):
        document = client.get(f"/api/datasets/{HIDDEN_DATASET}/croissant", headers=auth(client, name)).json()
        return next((d for d in document.get("distribution") or [] if d["@id"] == "series-manifest"), None)

    # The reviewer's hidden-test view shows no series: no manifest and no empty series record set (issue 31).
    reviewer, admin = manifest_url("rita"), manifest_url("chair")
    assert reviewer is None and admin is not None
    for node in (admin,):
        # The digest first; a token holder's URLs then carry their signed-link parameters.
        assert f"?sha256={node['sha256']}" in node["contentUrl"]
    import hashlib

    served = client.get(admin["contentUrl"], headers=auth(client, "chair")).content
    assert hashlib.sha256(served).hexdigest() == admin["sha256"]
