"""Who may read a dataset's Croissant and series manifest: the same people who may see the dataset, in the same
view (a hidden-test view publishes no series)."""

from __future__ import annotations

from api.conftest import CONTROLLED_DATASET, HIDDEN_DATASET, auth


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
    assert document["distribution"][0]["contentUrl"].endswith(f"/api/datasets/{CONTROLLED_DATASET}/series.jsonl")
    assert "dicom/" not in str(document)   # no data locations of a controlled dataset
