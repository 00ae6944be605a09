"""Cases link to their images: over a real uvicorn, the consumer guide's recipe turns the lung task into one NumPy volume
per case (case -> series_id -> DICOM paths, pixels read with pydicom), and the task's Croissant references the
dataset's series; the original SeriesInstanceUIDs of the label table are never published."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import httpx
import pytest

from api.conftest import accept_with_reviews, CONTROLLED_DATASET, OPEN_TASK, auth
from conftest import EXAMPLES, REPO
from served import medal_server

#: The original SeriesInstanceUIDs of the lung example's label table (its contributor's DICOM).
ORIGINAL_UIDS = re.findall(r"1\.2\.826\.[0-9.]+", (EXAMPLES / "valid" / OPEN_TASK / "labels.csv").read_text())


@pytest.fixture(scope="module")
def server(harvested, tmp_path_factory):
    """`medal serve` over the harvested examples, with the lung task accepted (its dataset is controlled)."""
    folder = tmp_path_factory.mktemp("case-images")
    db = folder / "catalog.db"
    shutil.copyfile(harvested.db, db)
    with medal_server(db, folder) as base:
        with httpx.Client(base_url=base, timeout=20) as client:
            client.tokens = harvested.tokens
            accept_with_reviews(client.post, OPEN_TASK, lambda name: auth(client, name)).raise_for_status()
            yield client


def _recipe() -> str:
    text = (REPO / "docs" / "consumers.md").read_text(encoding="utf-8")
    return re.search(r"\*\*Cases, their series and their DICOM files\.\*\*.*?```python\n(.*?)```", text, re.S).group(1)


@pytest.mark.slow
def test_the_readme_recipe_loads_a_volume_per_case_from_the_served_dicom(server, tmp_path):
    """The recipe, run as written against the server with the chair's token (torch absent), gives each case a
    (slices, rows, columns) array read by pydicom from the catalog's DICOM of the case's own series."""
    check = """
import json
print(json.dumps({"cases": {c["cases/case_id"]: c["cases/series_id"] for c in cases},
                  "shapes": {k: list(v.shape) for k, v in arrays.items()},
                  "files": {k: len(v) for k, v in files.items()}, "labels": sorted(labels),
                  "torch": torch is not None}))
"""
    home = tmp_path / "home"
    home.mkdir()
    run = subprocess.run(
        [sys.executable, "-c", _recipe() + check],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "MEDAL_URL": str(server.base_url).rstrip("/"),
            "MEDAL_TOKEN": server.tokens["chair"],
        },
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    series = server.get(f"/api/datasets/{CONTROLLED_DATASET}/series", params={"size": 100}).json()["items"]
    assert sorted(out["cases"]) == ["lung-001", "lung-002"]
    assert sorted(out["cases"].values()) == sorted(s["id"] for s in series)
    for case, series_id in out["cases"].items():
        assert out["files"][series_id] >= 1
        slices, rows, columns = out["shapes"][case]
        assert slices == out["files"][series_id] and rows > 0 and columns > 0
    assert out["labels"] == ["lung-002"]  # lung-001 is in the hidden split


def test_the_tasks_croissant_references_the_series_and_publishes_no_original_uid(server):
    """The cases' series_id references series/id of the series record set the task carries; no original UID of
    the label table appears in the Croissant or the cases file; an anonymous caller gets the series but not the
    images."""
    headers = auth(server, "chair")
    document = server.get(f"/api/tasks/{OPEN_TASK}/croissant", headers=headers).json()
    record_sets = {r["@id"]: r for r in document["recordSet"]}
    field = next(f for f in record_sets["cases"]["field"] if f["name"] == "series_id")
    assert field["references"] == {"field": {"@id": "series/id"}}
    assert {"series", "images"} <= set(record_sets)
    cases = server.get(f"/api/tasks/{OPEN_TASK}/cases.csv", headers=headers).text
    assert ORIGINAL_UIDS and not any(uid in cases or uid in json.dumps(document) for uid in ORIGINAL_UIDS)
    anonymous = server.get(f"/api/tasks/{OPEN_TASK}/croissant").json()
    assert {r["@id"] for r in anonymous["recordSet"]} == {"splits", "cases", "labels", "series"}
    assert "dicom" not in json.dumps(anonymous)
