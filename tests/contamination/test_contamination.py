"""Issue 19's "done when": real DICOM rewritten to a series listed in the IDC index is flagged with its collection;
a hidden-test dataset's files copied under new UIDs into another open dataset is an error; an unrelated dataset is
clean; without the extra, a clear message names it. Plus the split rule, the API and the Croissant notes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from medal_catalog.config import Settings
from medal_catalog.catalog import Catalog
from medal_catalog.cli import main
from medal_catalog.ingestion import ingest_dicom_tree, ingest_submission

SHARED = Path(os.environ.get("MEDAL_SHARED_DICOM", "/work/shared/data/dicom"))
FMRI = SHARED / "philips" / "Magdeburg_2014_fmri"
DTI = SHARED / "philips" / "Vanderbilt_2018_601_WIP_dti_ax"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
needs_shared = pytest.mark.skipif(
    not FMRI.is_dir() or not DTI.is_dir(), reason=f"real Philips DICOM not present at {SHARED} (set MEDAL_SHARED_DICOM)"
)


def public_series() -> tuple[str, str, str, str]:
    """A series the installed IDC index lists: (StudyInstanceUID, SeriesInstanceUID, collection, DOI)."""
    import idc_index_data
    import pyarrow.parquet as pq

    row = (
        pq.ParquetFile(idc_index_data.IDC_INDEX_PARQUET_FILEPATH)
        .read_row_group(0, columns=["StudyInstanceUID", "SeriesInstanceUID", "collection_id", "source_DOI"])
        .slice(1000, 1)
        .to_pylist()[0]
    )
    return row["StudyInstanceUID"], row["SeriesInstanceUID"], row["collection_id"], row["source_DOI"]


def copy_rewritten(files: list[Path], folder: Path, study: str | None = None, series: str | None = None) -> Path:
    """The files with new UIDs (as a de-identification would make them), or the given study/series UIDs."""
    import pydicom
    from pydicom.uid import generate_uid

    folder.mkdir(parents=True, exist_ok=True)
    study, series = study or generate_uid(), series or generate_uid()
    for i, path in enumerate(files):
        ds = pydicom.dcmread(path)
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.save_as(folder / f"{i:04d}.dcm")
    return folder


def first(folder: Path, n: int) -> list[Path]:
    return sorted(folder.glob("*.dcm"))[:n]


@needs_shared
def test_real_file_with_uids_of_an_idc_series_is_flagged_with_its_collection(tmp_path):
    """A real MR file rewritten to a listed series: check-public, validate and harvest all name its collection."""
    study, series, collection, doi = public_series()
    folder = copy_rewritten(first(FMRI, 2), tmp_path / "tree", study, series)
    result = CliRunner().invoke(main, ["check-public", str(folder), "--unpublished"])
    assert result.exit_code == 1, result.output
    assert f"IDC collection {collection}" in result.output and doi in result.output
    assert "1 series" in result.output
    # The same file without --unpublished: a warning, exit 0.
    result = CliRunner().invoke(main, ["check-public", str(folder), "--json"])
    payload = json.loads(result.output)
    assert result.exit_code == 0 and payload["ok"]
    section = payload["datasets"]["tree"]
    assert section["collections"][0]["collection"] == collection and section["public_series"] == 1
    assert section["public_index"]["version"] == "25.0.5"
    assert [i["severity"] for i in payload["issues"] if i["code"] == "contamination.public"] == ["warning"]
    # Harvested as a bare tree into the catalog: the summary says it, the original UIDs are kept nowhere.
    with Catalog.open(f"sqlite:///{tmp_path / 'c.db'}") as catalog:
        ingested = ingest_dicom_tree([folder], catalog, dataset_id="tree-set", out_dir=tmp_path / "out")
        kept = catalog.store.get_contamination("tree-set")
    assert kept["collections"][0]["collection"] == collection
    assert ingested.summary["contamination"]["public_series"] == 1
    assert series not in (tmp_path / "out" / "catalog.yaml").read_text() and series not in json.dumps(kept)


@needs_shared
def test_validate_makes_a_public_match_an_error_for_an_unpublished_dataset(tmp_path):
    """The CT example (declared unpublished) with its files rewritten to a listed series fails validation."""
    study, series, collection, _ = public_series()
    submission = tmp_path / "sub"
    shutil.copytree(EXAMPLES / "valid" / "ct-lung-nodule-malignancy", submission)
    target = submission / "dicom" / "lung-002" / "chest"
    shutil.rmtree(target)
    copy_rewritten(first(FMRI, 1), target, study, series)
    result = CliRunner().invoke(main, ["validate", str(submission), "--json"])
    report = json.loads(result.output)
    public = [i for i in report["issues"] if i["code"] == "contamination.public"]
    assert result.exit_code == 1 and [i["severity"] for i in public] == ["error"]
    assert collection in public[0]["message"] and "declared unpublished" in public[0]["message"]
    assert report["contamination"]["ct-lung-screening-2019-2023"]["public_series"] == 1


@needs_shared
def test_hidden_test_copy_under_new_uids_submitted_as_open_is_an_error(tmp_path, monkeypatch):
    """The pixel digests see through rewritten UIDs: the open copy of a hidden-test dataset fails its harvest,
    the panel sees both datasets with the counts, the public JSON counts only."""
    from fastapi.testclient import TestClient

    from medal_catalog.api.app import create_app
    from medal_catalog.config import get_settings
    from medal_catalog.panel import task_contamination

    hidden = copy_rewritten(first(FMRI, 5), tmp_path / "hidden")
    copy = copy_rewritten(sorted(hidden.glob("*.dcm")), tmp_path / "copy")  # new UIDs again
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with Catalog.open(url) as catalog:
        first_run = ingest_dicom_tree(
            [hidden], catalog, dataset_id="hidden-set", access_level="hidden_test", out_dir=tmp_path / "o1"
        )
        assert not first_run.failed and first_run.summary["contamination"]["duplicates"] == []
        second = ingest_dicom_tree(
            [copy], catalog, dataset_id="open-copy", access_level="open", out_dir=tmp_path / "o2"
        )
        assert second.failed
        section = second.summary["contamination"]
        assert section["duplicates"] == [
            {
                "dataset": "open-copy",
                "other": "hidden-set",
                "shared_images": 5,
                "images": 5,
                "other_images": 5,
                "other_access_level": "hidden_test",
                "leak": True,
            }
        ]
        assert [i["code"] for i in section["issues"] if i["severity"] == "error"] == ["contamination.hidden-test-leak"]
        catalog.put(
            {"type": "BenchmarkTask", **_task("leaky-task", ["hidden-set", "open-copy"])},
            author="test",
            reason="a task over both",
        )
        from medal_catalog.api.tokens import create_token

        token = create_token(catalog.store, "rita", "reviewer")
        view = task_contamination(catalog, "leaky-task")
        assert view["errors"] == 2  # the leak, seen from each of the two datasets
        assert {(d["dataset"], d["duplicates"][0]["other"]) for d in view["datasets"]} == {
            ("hidden-set", "open-copy"),
            ("open-copy", "hidden-set"),
        }
    monkeypatch.setenv("MEDAL_CATALOG", url)
    get_settings.cache_clear()
    auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    with TestClient(create_app(get_settings())) as client:
        body = client.get("/api/datasets/open-copy", headers=auth).json()
        panel = client.get("/api/tasks/leaky-task/contamination", headers=auth)
        anonymous = client.get("/api/tasks/leaky-task/contamination")
    counts = body["contamination"]
    assert (counts["shared_images"], counts["datasets_sharing_images"], counts["hidden_test_leaks"]) == (5, 1, 1)
    assert "hidden-set" not in json.dumps(counts)
    assert panel.status_code == 200 and panel.json()["errors"] == 2
    assert anonymous.status_code in (401, 404)


def _task(task_id: str, datasets: list[str]) -> dict:
    """A small valid task entry over ``datasets`` (fields from the bundled example)."""
    import yaml

    task = yaml.safe_load((EXAMPLES / "valid" / "ct-lung-nodule-malignancy" / "task.yaml").read_text())
    task.pop("labels", None)
    return {**task, "id": task_id, "datasets_used": datasets}


@needs_shared
def test_an_unrelated_dataset_is_clean(tmp_path):
    """Other real images in the catalog next to the first dataset: no duplicate, nothing public, harvest passes."""
    with Catalog.open(f"sqlite:///{tmp_path / 'c.db'}") as catalog:
        ingest_dicom_tree(
            [copy_rewritten(first(FMRI, 3), tmp_path / "a")],
            catalog,
            dataset_id="set-a",
            access_level="hidden_test",
            out_dir=tmp_path / "o1",
        )
        other = ingest_dicom_tree(
            [copy_rewritten(first(DTI, 3), tmp_path / "b")],
            catalog,
            dataset_id="set-b",
            access_level="open",
            out_dir=tmp_path / "o2",
        )
    section = other.summary["contamination"]
    assert not other.failed and section["issues"] == []
    assert (section["duplicates"], section["public_series"], section["public_studies"]) == ([], 0, 0)
    assert section["pixel_hashes"]["instances_hashed"] == 3 and section["public_index"]["series"] > 1_000_000


def test_test_split_sharing_images_with_training_split_is_an_error(tmp_path):
    """The CT example with its validation split renamed training and lung-002's images copied from lung-001
    (test) under lung-002's UIDs: the harvest reports a split leak."""
    import hashlib

    import pydicom

    submission = tmp_path / "sub"
    shutil.copytree(EXAMPLES / "valid" / "ct-lung-nodule-malignancy", submission)
    for name in ("task.yaml", "labels.csv"):
        path = submission / name
        path.write_text(path.read_text().replace("validation", "training"))
    labels = (submission / "labels.csv").read_bytes()
    dataset = submission / "dataset.yaml"
    text = dataset.read_text()
    text = text.replace(
        "8338970638bccb246b4fe7dba0b04176f3e239207e697b3414183c77ef5cf83e", hashlib.sha256(labels).hexdigest()
    ).replace("byte_size: 239", f"byte_size: {len(labels)}")
    dataset.write_text(text)
    for test_file, train_file in zip(
        sorted((submission / "dicom" / "lung-001").rglob("*.dcm")),
        sorted((submission / "dicom" / "lung-002").rglob("*.dcm")),
    ):
        ds, keep = pydicom.dcmread(test_file), pydicom.dcmread(train_file)
        ds.StudyInstanceUID, ds.SeriesInstanceUID = keep.StudyInstanceUID, keep.SeriesInstanceUID
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = keep.SOPInstanceUID
        ds.PatientSex, ds.PatientAge = keep.PatientSex, keep.PatientAge
        ds.save_as(train_file)
    with Catalog.open(f"sqlite:///{tmp_path / 'c.db'}") as catalog:
        result = ingest_submission(submission, catalog, out_root=tmp_path / "out")
    leaks = [i for i in result.detail.report.issues if i.code == "contamination.split-leak"]
    assert result.failed and len(leaks) == 1
    assert "test_hidden split shares 4 images with its training split" in leaks[0].message
    assert result.summary["contamination"]["task:ct-lung-nodule-malignancy"]["split_leaks"] == [
        {"test_split": "test_hidden", "training_split": "training", "shared_images": 4}
    ]


def test_the_bundled_examples_share_no_image(tmp_path):
    """The demo generator gives every image its own pixels: the examples stay clean, harvested together."""
    with Catalog.open(f"sqlite:///{tmp_path / 'c.db'}") as catalog:
        results = [
            ingest_submission(p, catalog, out_root=tmp_path / "out")
            for p in (
                EXAMPLES / "valid" / "ct-lung-nodule-malignancy",
                EXAMPLES / "valid" / "mr-brain-metastasis-segmentation",
            )
        ]
    for result in results:
        for section in result.summary["contamination"].values():
            assert section["duplicates"] == [] and section["errors"] == 0


def _blocked(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter where ``import idc_index_data`` fails, as when the extra is absent."""
    prelude = "import sys; sys.modules['idc_index_data'] = None\n"
    env = {**os.environ, "MEDAL_PUBLIC_INDEX_CACHE": str(tmp_path / "no-cache")}
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )


def test_without_the_extra_check_public_names_it(tmp_path):
    """`medal check-public` without idc-index-data: exit 3 and a message with the pip command of the extra."""
    folder = tmp_path / "tree"
    shutil.copytree(EXAMPLES / "valid" / "ct-lung-nodule-malignancy" / "dicom", folder)
    done = _blocked(f"from medal_catalog.cli import main; main(['check-public', {str(folder)!r}])", tmp_path)
    assert done.returncode == 3, done.stderr
    assert "pip install 'medal-catalog[public-index]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_the_extra_validate_says_what_was_not_checked(tmp_path):
    """`medal validate` still runs without the extra; an info names it, UID roots and pixels are still checked."""
    code = (
        f"from medal_catalog.cli import main; "
        f"main(['validate', {str(EXAMPLES / 'valid' / 'ct-lung-nodule-malignancy')!r}, '--json'])"
    )
    done = _blocked(code, tmp_path)
    report = json.loads(done.stdout)
    missing = [i for i in report["issues"] if i["code"] == "contamination.index-missing"]
    assert done.returncode == 0 and len(missing) == 1
    assert "pip install 'medal-catalog[public-index]'" in missing[0]["hint"]
    section = report["contamination"]["ct-lung-screening-2019-2023"]
    assert section["public_index"] is None and section["pixel_hashes"]["instances_hashed"] == 8


def test_the_index_is_built_once_then_loaded_warm(tmp_path, public_index_cache):
    """After one build the reduced index is a file in the cache folder, and a new process reads it (not built)."""
    from medal_catalog.contamination.index import load_index

    index = load_index(public_index_cache)
    assert list(public_index_cache.glob("idc-index-25.0.5-*.npz"))
    assert index.describe()["series"] > 1_000_000 and index.nbytes < 64 << 20
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path; from medal_catalog.contamination.index "
            f"import load_index; i = load_index(Path({str(public_index_cache)!r})); "
            "print(i.built, i.seconds)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    built, seconds = done.stdout.split()
    assert built == "False" and float(seconds) < 5


def test_no_pixel_hash_turns_the_digests_off_on_validate_and_harvest(tmp_path):
    """`--no-pixel-hash`: validate and harvest still check UIDs, hash nothing, keep no digest, say so."""
    folder = EXAMPLES / "valid" / "ct-lung-nodule-malignancy"
    result = CliRunner().invoke(main, ["validate", str(folder), "--json", "--no-pixel-hash"])
    section = json.loads(result.output)["contamination"]["ct-lung-screening-2019-2023"]
    assert section["pixel_hashes"] == {"enabled": False, "files": 8, "instances_hashed": 0, "distinct": 0}
    assert section["public_index"]["version"] == "25.0.5"
    db = f"sqlite:///{tmp_path / 'c.db'}"
    result = CliRunner().invoke(
        main,
        [
            "harvest",
            str(folder / "dicom"),
            "--dataset",
            "no-pixels",
            "--catalog",
            db,
            "--out",
            str(tmp_path / "out"),
            "--no-pixel-hash",
            "--json",
        ],
    )
    summary = json.loads(result.output)
    assert result.exit_code == 0 and summary["contamination"]["pixel_hashes"]["enabled"] is False
    with Catalog.open(db) as catalog:
        assert catalog.store.pixel_hashes("no-pixels") == {}
        assert catalog.store.get_contamination("no-pixels")["series_checked"] == 2


@needs_shared
def test_a_bundle_from_medal_submit_is_checked_against_the_catalog(tmp_path):
    """`medal submit`'s bundle carries the pixel digests its harvest made: the catalog, which never sees a hidden-test
    dataset's images, still finds the open copy of them submitted later under other ids and new UIDs."""
    import yaml

    from medal_catalog.harvesters.bundle import build_bundle
    from medal_catalog.ingestion import ingest_bundle
    from submission_fill import fill

    def submission(name: str, access_level: str, series: Path) -> Path:
        folder = tmp_path / name
        assert CliRunner().invoke(main, ["init", "submission", str(folder)]).exit_code == 0
        fill(folder, series, access_level=access_level)
        dataset = yaml.safe_load((folder / "dataset.yaml").read_text())
        for file in ("dataset.yaml", "task.yaml"):
            path = folder / file
            path.write_text(path.read_text().replace(dataset["id"], f"{name}-data"))
        task = yaml.safe_load((folder / "task.yaml").read_text())
        (folder / "task.yaml").write_text((folder / "task.yaml").read_text().replace(task["id"], f"{name}-task"))
        return folder

    hidden = submission("hidden", "hidden_test", FMRI)
    copy = submission("copy", "open", copy_rewritten(first(FMRI, 27), tmp_path / "rewritten" / FMRI.name))
    with Catalog.open(f"sqlite:///{tmp_path / 'c.db'}") as catalog:
        reports = []
        for folder in (hidden, copy):
            bundle = build_bundle(folder, out_root=tmp_path / "out", jobs=1, settings=Settings())
            uploads = {f.name: f.content for f in bundle.files}
            report, _, _ = ingest_bundle(
                catalog,
                bundle.manifest(),
                uploads,
                author="amira",
                check_writes=lambda entries: None,
                max_file_bytes=64 << 20,
            )
            reports.append(report)
        assert catalog.store.pixel_hashes("hidden-data")
    assert not [i for i in reports[0].issues if i.code.startswith("contamination.")]
    leaks = [i for i in reports[1].issues if i.code == "contamination.hidden-test-leak"]
    assert len(leaks) == 1 and "'copy-data' and dataset 'hidden-data' share 27 images" in leaks[0].message


def test_a_public_uid_root_and_a_public_pipeline_name_are_warnings(tmp_path):
    """UIDs under TCIA's root (in no IDC series) and a TCIA CTP method text: warnings naming the archive, even for
    data declared unpublished; the UID itself is never printed."""
    import pydicom
    from pydicom.data import get_testdata_file

    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    uid = "1.3.6.1.4.1.14519.5.2.1.9999.1." + "7" * 20
    ds.SeriesInstanceUID, ds.StudyInstanceUID = uid, uid + ".1"
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = "CTP Default:  based on DICOM PS3.15 AnnexE. Details in 0012,0064"
    (tmp_path / "tree").mkdir()
    ds.save_as(tmp_path / "tree" / "a.dcm")
    result = CliRunner().invoke(main, ["check-public", str(tmp_path / "tree"), "--unpublished", "--json"])
    payload = json.loads(result.output)
    found = {i["code"]: i for i in payload["issues"]}
    assert result.exit_code == 0 and set(found) == {"contamination.public-root", "contamination.public-pipeline"}
    assert all(i["severity"] == "warning" and "TCIA" in i["message"] for i in found.values())
    assert uid not in result.output
    section = payload["datasets"]["tree"]
    assert section["public_uid_roots"] == [{"root": "1.3.6.1.4.1.14519.5.2.1", "archive": "TCIA", "series": 1}]
    assert (
        section["public_pipelines"] == [{"archive": "TCIA (RSNA CTP recipe)", "files": 1}]
        and section["public_series"] == 0
    )


def test_a_deleted_datasets_pixel_digests_go_with_it(tmp_path):
    """Two datasets share images (a copy under new UIDs): the contamination check reports the other one; once a
    dataset is deleted, its digests and its last check are gone with it, and no check reports it any more."""
    from medal_catalog.panel import task_contamination

    source = sorted((EXAMPLES / "valid" / "ct-lung-nodule-malignancy" / "dicom" / "lung-001" / "chest").glob("*.dcm"))
    original = copy_rewritten(source, tmp_path / "original")
    copy = copy_rewritten(source, tmp_path / "copy")
    with Catalog.open(f"sqlite:///{tmp_path / 'c.db'}") as catalog:
        for folder, name in ((original, "first-set"), (copy, "second-set")):
            done = ingest_dicom_tree(
                [folder], catalog, dataset_id=name, access_level="registered", out_dir=tmp_path / f"out-{name}"
            )
            assert not done.failed
        catalog.put({"type": "BenchmarkTask", **_task("copy-task", ["second-set"])}, author="test", reason="task")
        before = task_contamination(catalog, "copy-task")["datasets"][0]["duplicates"]
        assert [(d["other"], d["shared_images"]) for d in before] == [("first-set", len(source))]
        assert catalog.delete("ImagingDataset", "first-set", "test", "withdrawn by its owner").changed
        assert catalog.store.pixel_hashes("first-set") == {}
        assert catalog.store.get_contamination("first-set") is None
        assert catalog.store.shared_pixel_hashes("second-set") == []
        assert task_contamination(catalog, "copy-task")["datasets"][0]["duplicates"] == []
