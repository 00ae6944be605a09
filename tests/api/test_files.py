"""Files the catalog keeps with a dataset: served only to callers who may fetch the dataset's data, never a task's
label table; the token may come as HTTP Basic credentials (as data loaders send it)."""

from __future__ import annotations

import base64

from api.conftest import CONTROLLED_DATASET, HIDDEN_DATASET, OPEN_TASK, auth


def keep(catalog_copy, dataset_id: str, files: dict[str, bytes], **changes) -> None:
    from medal_catalog.catalog import Catalog

    with Catalog.open(f"sqlite:///{catalog_copy}") as catalog:
        catalog.store.put_files("ImagingDataset", dataset_id, {p: (b, "text/csv") for p, b in files.items()})
        if changes:
            current = catalog.get("ImagingDataset", dataset_id).document
            assert catalog.put({**current, **changes}, author="test", reason="test").changed


def basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"anyone:{token}".encode()).decode()}


def test_controlled_files_only_for_owner_and_admin_and_label_tables_never(client, catalog_copy):
    keep(catalog_copy, CONTROLLED_DATASET, {"labels.csv": b"case_id,split,malignant\n", "notes.csv": b"a\n1\n"})
    path = f"/api/datasets/{CONTROLLED_DATASET}/files"
    assert client.get(f"{path}/notes.csv").status_code == 404  # anonymous: task not accepted, unseen
    assert client.get(f"{path}/notes.csv", headers=auth(client, "rita")).status_code == 403  # reviewer, public view
    admin = client.get(f"{path}/notes.csv", headers=auth(client, "chair"))
    assert admin.status_code == 200 and admin.content == b"a\n1\n" and admin.headers["etag"]
    assert (
        client.get(
            f"{path}/notes.csv", headers={**auth(client, "chair"), "If-None-Match": admin.headers["etag"]}
        ).status_code
        == 304
    )
    # labels.csv is the label table of task ct-lung-nodule-malignancy: withheld from the listing and the route
    listing = client.get(path, headers=auth(client, "chair")).json()
    assert [f["path"] for f in listing] == ["notes.csv"]
    refused = client.get(f"{path}/labels.csv", headers=auth(client, "chair"))
    assert refused.status_code == 404 and OPEN_TASK not in refused.text and "task" in refused.text
    assert client.get(f"{path}/missing.csv", headers=auth(client, "chair")).status_code == 404


def test_open_dataset_files_are_public_once_visible_and_hidden_test_never(client, catalog_copy):
    keep(catalog_copy, CONTROLLED_DATASET, {"notes.csv": b"a\n"}, access_level="open", license={"spdx_id": "CC-BY-4.0"})
    keep(catalog_copy, HIDDEN_DATASET, {"notes.csv": b"b\n"})
    assert (
        client.get(f"/api/datasets/{CONTROLLED_DATASET}/files/notes.csv", headers=auth(client, "rita")).content
        == b"a\n"
    )
    assert (
        client.get(f"/api/datasets/{HIDDEN_DATASET}/files/notes.csv", headers=auth(client, "rita")).status_code == 404
    )
    assert (
        client.get(f"/api/datasets/{HIDDEN_DATASET}/files/notes.csv", headers=auth(client, "chair")).content == b"b\n"
    )


def test_tokens_as_basic_credentials(client, catalog_copy):
    keep(catalog_copy, CONTROLLED_DATASET, {"notes.csv": b"a\n"})
    url = f"/api/datasets/{CONTROLLED_DATASET}/files/notes.csv"
    assert client.get(url, headers=basic(client.tokens["chair"])).content == b"a\n"
    assert client.get(url, headers=basic("not-a-token")).status_code == 401
    assert client.get(url, headers={"Authorization": "Basic %%%"}).status_code == 401
