"""The IDC harvester on a slice of the real index (idc-index-data): datasets and series as the index has them, no
patient identifier stored, re-runs write nothing, a new index version writes exactly what changed."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

pq = pytest.importorskip("pyarrow.parquet")
pc = pytest.importorskip("pyarrow.compute")
idc_index_data = pytest.importorskip("idc_index_data")

import pyarrow as pa  # noqa: E402

from medal_catalog.catalog import Catalog  # noqa: E402
from medal_catalog.harvesters import idc  # noqa: E402
from medal_catalog.ingestion import ingest_idc  # noqa: E402

#: Small real collections: an MR one, one made to test de-identification (fake names in its descriptions), and one
#: of another licence (NLM terms) with CT and MR.
SLICE = ("rider_breast_mri", "pseudo_phi_dicom_data", "nlm_visible_human_project")


@pytest.fixture(scope="module")
def real_tables():
    """The series and collection rows of the slice, read from the installed index."""
    series = pq.read_table(idc_index_data.IDC_INDEX_PARQUET_FILEPATH, filters=[("collection_id", "in", SLICE)])
    collections = pq.read_table(idc.locate().collections_path)
    collections = collections.filter(pc.is_in(collections["collection_id"], value_set=pa.array(SLICE)))
    return series, collections


def write_index(folder, series, collections):
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(series, folder / idc.SERIES_FILE)
    pq.write_table(collections, folder / idc.COLLECTIONS_FILE)
    return folder


@pytest.fixture
def index_folder(tmp_path, real_tables):
    return write_index(tmp_path / "idc-v1", *real_tables)


@pytest.fixture
def catalog(tmp_path):
    with Catalog.open(f"sqlite:///{tmp_path / 'catalog.db'}") as catalog:
        yield catalog


def test_each_collection_is_an_open_published_dataset_with_its_series(catalog, index_folder, real_tables):
    """Every row becomes a series of its collection's dataset; the dataset carries title, SPDX licence, DOI,
    citation, published status and counts and summaries aggregated from its series."""
    series, _ = real_tables
    result = ingest_idc(catalog, index_folder=index_folder)
    assert not result.failed and result.summary["collections"] == 3
    assert result.summary["series"] == series.num_rows == catalog.store.count("ImagingSeries")
    rider = catalog.get("ImagingDataset", "idc-rider_breast_mri").document
    assert rider["title"] == "RIDER Breast MRI" and rider["access_level"] == "open"
    assert rider["publication_status"] == "published" and rider["license"]["spdx_id"] == "CC-BY-3.0"
    assert rider["doi"] == "10.7937/k9/tcia.2015.h1sxnuxl" and "10.7937/K9/TCIA.2015.H1SXNUXL" in rider["citation"]
    assert rider["series_count"] == 40 and rider["subject_count"] == 5 and rider["modalities"] == ["MR"]
    assert "Breast Cancer" in rider["keywords"] and rider["body_parts"] == ["BREAST"]
    assert "<" not in rider["description"]  # the index's HTML is turned into text
    nlm = catalog.get("ImagingDataset", "idc-nlm_visible_human_project").document
    assert nlm["license"]["spdx_id"].startswith("LicenseRef-National-Library-of-Medicine")
    rows = series.filter(pc.equal(series["collection_id"], "rider_breast_mri")).to_pylist()
    row = rows[0]
    ids = catalog.store.ids_under("ImagingSeries", "idc-rider_breast_mri.")
    assert len(ids) == 40
    stored = [v.document for v in catalog.store.get_many(f"ImagingSeries:{i}" for i in ids).values()]
    one = next(d for d in stored if d["series_instance_uid"] == row["SeriesInstanceUID"])
    assert (one["dataset"], one["modality"], one["instance_count"]) == (
        "idc-rider_breast_mri",
        "MR",
        row["instanceCount"],
    )
    assert sum(d["instance_count"] for d in stored) == rider["instance_count"]
    hits = catalog.search(
        "", filters={"type": "ImagingSeries", "dataset": "idc-rider_breast_mri"}, facets=["modality"], size=1
    )
    assert hits.total == 40 and dict(hits.facets["modality"]) == {"MR": 40}


def test_no_patient_identifier_or_name_reaches_the_catalog(catalog, index_folder, real_tables, tmp_path):
    """PatientID values, and the fake patient names the de-identification test collection writes into its
    descriptions, are nowhere in the catalog file (store and index)."""
    series, _ = real_tables
    ingest_idc(catalog, index_folder=index_folder)
    catalog.close()
    raw = (tmp_path / "catalog.db").read_bytes()
    for wal in tmp_path.glob("catalog.db-wal"):
        raw += wal.read_bytes()
    patients = {p for p in series["PatientID"].to_pylist() if p and len(p) >= 4}
    assert patients and not [p for p in patients if p.encode() in raw]
    named = [d for d in series["StudyDescription"].to_pylist() if d and " for " in d]
    assert named  # the slice does hold descriptions with names in them
    for description in named:
        name = description.rsplit(" for ", 1)[1]
        assert name.encode() not in raw, name
    db = sqlite3.connect(tmp_path / "catalog.db")
    kept = [
        json.loads(d).get("study_description")
        for (d,) in db.execute("SELECT document FROM entries WHERE kind = 'ImagingSeries'")
    ]
    assert any(kept)  # ordinary descriptions are kept


def test_a_rerun_writes_nothing_and_a_new_index_version_writes_what_changed(
    catalog, index_folder, real_tables, tmp_path
):
    """Same index: no new version at all. A new index with one changed row and one row gone: that series
    updated, that one deleted, their dataset updated, everything else unchanged."""
    series, collections = real_tables
    first = ingest_idc(catalog, index_folder=index_folder).summary
    versions = catalog.store.engine.connect().exec_driver_sql("SELECT count(*) FROM entry_versions").scalar()
    again = ingest_idc(catalog, index_folder=index_folder).summary
    assert (again["changed"], again["unchanged"]) == (0, first["created"])
    assert catalog.store.engine.connect().exec_driver_sql("SELECT count(*) FROM entry_versions").scalar() == versions

    rows = series.to_pylist()
    rider = [i for i, r in enumerate(rows) if r["collection_id"] == "rider_breast_mri"]
    changed, removed = rows[rider[0]], rows[rider[1]]
    changed["instanceCount"] += 1
    rows = [r for r in rows if r is not removed]
    v2 = write_index(tmp_path / "idc-v2", pa.Table.from_pylist(rows, schema=series.schema), collections)
    update = ingest_idc(catalog, index_folder=v2).summary
    assert update["index_version"] != first["index_version"]
    assert (update["created"], update["updated"], update["deleted"]) == (0, 2, 1)
    assert update["by_collection"]["rider_breast_mri"] == {
        "updated": 2,
        "deleted": 1,
        "unchanged": 38,
        "series": 39,
        "descriptions_dropped": 0,
    }
    dataset = catalog.get("ImagingDataset", "idc-rider_breast_mri").document
    assert dataset["series_count"] == 39
    assert catalog.search("", filters={"type": "ImagingSeries", "dataset": "idc-rider_breast_mri"}).total == 39


@pytest.mark.slow
def test_harvest_idc_on_the_command_line(index_folder, tmp_path):
    """`medal harvest idc:COLL --idc-index DIR --json` harvests one collection; an unknown one is a usage error
    naming it; --list lists the collections."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def medal(*args):
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "medal_catalog",
                "harvest",
                *args,
                "--idc-index",
                str(index_folder),
                "--catalog",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )

    done = medal("idc:rider_breast_mri", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["series"] == 40
    unknown = medal("idc:no_such_collection")
    assert unknown.returncode == 2 and "no_such_collection" in unknown.stderr
    listed = medal("idc:", "--list")
    assert listed.stdout.split() == sorted(SLICE)


def test_a_big_harvest_indexes_in_a_second_process_and_leaves_nothing_queued(
    catalog, index_folder, real_tables, monkeypatch
):
    """Past BACKGROUND_INDEX_SERIES series a child process drains the index queue while the harvest writes: at
    the end every entry is searchable and nothing is owed to the index."""
    import medal_catalog.ingestion.idc as ingestion

    monkeypatch.setattr(ingestion, "BACKGROUND_INDEX_SERIES", 1)
    series, _ = real_tables
    summary = ingest_idc(catalog, index_folder=index_folder).summary
    assert summary["index_pending"] == 0 and catalog.store.pending_count() == 0
    assert catalog.search("", size=1).total == series.num_rows + 3 == catalog.store.count()
    assert catalog.search("", filters={"dataset": "idc-rider_breast_mri"}, size=1).total == 40


def test_a_harvested_public_collection_is_visible_to_everyone(tmp_path, index_folder):
    """A collection from `medal harvest idc:` is an open dataset published elsewhere: anonymous callers read it and
    its series, find them by search and in the lists and DCAT catalog, with no accepted task using it."""
    import warnings

    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    url = f"sqlite:///{tmp_path / 'public.db'}"
    with Catalog.open(url) as catalog:
        ingest_idc(catalog, ["rider_breast_mri"], index_folder=index_folder)
    with TestClient(create_app(Settings(catalog=url))) as client:
        dataset = client.get("/api/datasets/idc-rider_breast_mri")
        assert dataset.status_code == 200 and dataset.json()["view"] == "public"
        series = client.get("/api/datasets/idc-rider_breast_mri/series", params={"size": 100}).json()
        assert series["total"] == 40
        found = client.get("/api/search", params={"facet": "type"}).json()
        assert {b["value"]: b["count"] for b in found["facets"]["type"]} == {"ImagingDataset": 1, "ImagingSeries": 40}
        assert [i["id"] for i in client.get("/api/datasets").json()["items"]] == ["idc-rider_breast_mri"]
        dcat = client.get("/api/catalog").json()["dcat:dataset"]
        assert [d["@id"].rsplit("/", 1)[1] for d in dcat] == ["idc-rider_breast_mri"]
        assert client.get("/datasets/idc-rider_breast_mri").status_code == 200


def test_a_killed_harvest_leaves_each_collection_whole_or_absent_and_a_rerun_completes_it(
    tmp_path, index_folder, real_tables
):
    """`medal harvest idc:` killed while writing the last row of its first collection: every collection is either
    whole (its dataset and all its series) or absent, and the same command run again stores them all."""
    import sqlite3
    import textwrap

    series, _ = real_tables
    expected = {f"idc-{row['values']}": row["counts"] for row in pc.value_counts(series["collection_id"]).to_pylist()}
    db = tmp_path / "killed.db"
    script = textwrap.dedent(f"""
        import os, sys
        from sqlalchemy import event
        from medal_catalog.cli import main
        from medal_catalog.store import sql
        seen = []
        original = sql.SqlStore.__init__
        def trace(statement):
            if statement.startswith("INSERT INTO entries"):  # traced once per row
                seen.append(statement)
                if len(seen) == {expected[sorted(expected)[0]] + 1}:
                    os._exit(9)  # as the first collection's last row is written: on main, its series were
                                 # committed in a batch before its dataset
        def patched(self, *a, **k):
            original(self, *a, **k)
            event.listen(self.engine, "checkout", lambda c, r, p: c.set_trace_callback(trace))
        sql.SqlStore.__init__ = patched
        sys.argv = ["medal", "harvest", "idc:", "--idc-index", {str(index_folder)!r}, "--catalog",
                    "sqlite:///{db}"]
        main()
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 9, run.stderr[-2000:]

    def state() -> dict[str, tuple[bool, int]]:
        raw = sqlite3.connect(db)
        try:
            out = {}
            for dataset in expected:
                there = raw.execute(
                    "SELECT count(*) FROM entries WHERE kind='ImagingDataset' AND id=? AND NOT deleted", (dataset,)
                ).fetchone()[0]
                n = raw.execute(
                    "SELECT count(*) FROM entries WHERE kind='ImagingSeries' AND id LIKE ? AND NOT deleted",
                    (dataset + ".%",),
                ).fetchone()[0]
                out[dataset] = (bool(there), n)
            return out
        finally:
            raw.close()

    killed = state()
    assert all(v in ((True, expected[d]), (False, 0)) for d, v in killed.items()), killed
    assert sum(there for there, _ in killed.values()) < len(expected)  # the killed unit (and those after) absent
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "medal_catalog",
            "harvest",
            "idc:",
            "--idc-index",
            str(index_folder),
            "--catalog",
            f"sqlite:///{db}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert state() == {d: (True, n) for d, n in expected.items()}
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT count(*) FROM staged_entries").fetchone()[0] == 0
    raw.close()
