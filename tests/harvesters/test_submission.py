"""`medal harvest` on submissions: validated entries and harvested DICOM go to the store and index, idempotently."""

from __future__ import annotations

import json
import shutil

import yaml
from click.testing import CliRunner

from medal_catalog.cli import main
from medal_catalog.catalog import Catalog

from conftest import EXAMPLES
from dicom_samples import mr_dataset, write

SUBMISSIONS = [
    EXAMPLES / "valid" / "ct-lung-nodule-malignancy",
    EXAMPLES / "valid" / "mr-brain-metastasis-segmentation",
    EXAMPLES / "valid" / "cxr-pneumothorax-triage.yaml",
]


def harvest(*args: str):
    return CliRunner().invoke(main, ["harvest", *args, "--json"])


def test_examples_harvest_into_the_catalog_and_rerun_changes_nothing(tmp_path, monkeypatch):
    """All example entries are stored with their DICOM series; a second run stores nothing new."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'cat.db'}"
    first = harvest(*map(str, SUBMISSIONS), "--catalog", url)
    assert first.exit_code == 0, first.output
    runs = json.loads(first.output)
    assert sum(r["stored"] for r in runs) == 11 and sum(r["changed"] for r in runs) == 11
    second = json.loads(harvest(*map(str, SUBMISSIONS), "--catalog", url).output)
    assert sum(r["changed"] for r in second) == 0
    with Catalog.open(url) as catalog:
        dataset = catalog.get("ImagingDataset", "ct-lung-screening-2019-2023").document
        assert dataset["title"].startswith("Low-dose CT")  # what the submitter wrote is kept
        assert dataset["series_count"] == 2 and dataset["instance_count"] == 8  # what the harvest counted
        assert dataset["deidentification"]["tool"] == "CTP DICOM Anonymizer"
        assert catalog.get("ImagingDataset", "ct-lung-screening-2019-2023").version == 1
        hits = catalog.search("nodule").hits
        assert "ct-lung-nodule-malignancy" in [h.id for h in hits]


def test_invalid_entries_are_left_out_and_the_rest_stored(tmp_path):
    """A submission with one broken task stores its valid dataset and series, reports the task, exits 1."""
    folder = tmp_path / "sub"
    shutil.copytree(EXAMPLES / "valid" / "mr-brain-metastasis-segmentation", folder)
    doc = yaml.safe_load((folder / "catalog.yaml").read_text())
    doc["tasks"][0]["modalities"] = ["MRI"]
    (folder / "catalog.yaml").write_text(yaml.safe_dump(doc))
    url = f"sqlite:///{tmp_path / 'cat.db'}"
    run = harvest(str(folder), "--catalog", url, "--out", str(tmp_path / "out"))
    assert run.exit_code == 1
    summary = json.loads(run.output)
    assert summary["left_out"][0]["type"] == "BenchmarkTask" and summary["left_out"][0]["errors"] == ["schema.enum"]
    with Catalog.open(url) as catalog:
        assert catalog.get("BenchmarkTask", "mr-brain-metastasis-segmentation") is None
        assert catalog.get("ImagingDataset", "mr-brain-mets-srs-2021") is not None


def test_bare_dicom_tree_needs_a_dataset_id(tmp_path):
    """A folder with no MEDAL metadata is a DICOM tree, and harvesting it needs --dataset."""
    run = CliRunner().invoke(main, ["harvest", str(EXAMPLES / "valid" / "ct-lung-nodule-malignancy" / "dicom")])
    assert run.exit_code == 2 and "--dataset" in run.output


def test_identifying_values_never_reach_the_store(tmp_path):
    """A DICOM file with a patient's name in a submission is harvested without the name reaching the database."""
    folder = tmp_path / "sub"
    shutil.copytree(EXAMPLES / "valid" / "ct-lung-nodule-malignancy", folder)
    write(
        mr_dataset(PatientName="Okonkwo^Adaeze", PatientID="MRN-99812", InstitutionName="Lagos General"),
        folder / "dicom" / "leak.dcm",
    )
    db = tmp_path / "cat.db"
    run = harvest(str(folder), "--catalog", f"sqlite:///{db}", "--out", str(tmp_path / "out"))
    assert "Okonkwo" not in run.output
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("cat.db*"))
    outputs = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    for value in (b"Okonkwo", b"MRN-99812", b"Lagos"):
        assert value not in stored and value not in outputs


def test_declared_data_files_are_kept_with_the_dataset_and_nothing_outside_the_folder(tmp_path):
    """labels.csv (declared with its sha256) is kept byte for byte; a file outside the submission never is (the
    validator already rejects such a path; kept_files checks again on its own)."""
    from medal_catalog.harvesters.submission import kept_files

    folder = tmp_path / "sub"
    shutil.copytree(SUBMISSIONS[0], folder)
    url = f"sqlite:///{tmp_path / 'cat.db'}"
    summary = json.loads(harvest(str(folder), "--catalog", url, "--out", str(tmp_path / "out")).output)
    # The controlled dataset's DICOM is kept as the catalog's rewrite, served only to who may fetch it.
    assert summary["files_kept"] == {"ct-lung-screening-2019-2023": ["dicom.zip", "labels.csv"]}
    assert summary["files_not_kept"] == []
    assert (tmp_path / "out" / "ct-lung-screening-2019-2023" / "catalog.yaml").exists()  # --out is honoured
    with Catalog.open(url) as catalog:
        kept = catalog.store.get_file("ImagingDataset", "ct-lung-screening-2019-2023", "labels.csv")
        assert kept.data == (folder / "labels.csv").read_bytes() and kept.media_type == "text/csv"
        assert [f.path for f in catalog.store.list_files("ImagingDataset", "ct-lung-screening-2019-2023")] == [
            "dicom.zip",
            "labels.csv",
        ]
    (tmp_path / "secret.csv").write_text("x\n")
    (folder / "link.csv").symlink_to(tmp_path / "secret.csv")
    dataset = {
        "distribution": [
            {"name": "up", "distribution_kind": "file", "path": "../secret.csv", "media_type": "text/csv"},
            {"name": "link", "distribution_kind": "file", "path": "link.csv", "media_type": "text/csv"},
            {
                "name": "abs",
                "distribution_kind": "file",
                "path": str(tmp_path / "secret.csv"),
                "media_type": "text/csv",
            },
            {
                "name": "bad",
                "distribution_kind": "file",
                "path": "labels.csv",
                "media_type": "text/csv",
                "sha256": "0" * 64,
            },
            {"name": "ok", "distribution_kind": "file", "path": "labels.csv", "media_type": "text/csv"},
        ]
    }
    kept, skipped = kept_files(dataset, folder, folder)
    assert list(kept) == ["labels.csv"]
    assert [reason for _, reason in skipped] == ["not a file inside the submission folder"] * 3 + [
        "content does not match the declared sha256"
    ]


def test_dicom_linked_from_outside_the_submission_is_never_harvested(tmp_path):
    """A DICOM file reached through a symbolic link out of the submission is not read, counted or stored."""
    folder = tmp_path / "sub"
    shutil.copytree(SUBMISSIONS[0], folder)
    elsewhere = tmp_path / "elsewhere"
    write(mr_dataset(subject="outsider"), elsewhere / "x.dcm")
    (folder / "dicom" / "outsider").mkdir()
    (folder / "dicom" / "outsider" / "x.dcm").symlink_to(elsewhere / "x.dcm")
    summary = json.loads(
        harvest(str(folder), "--catalog", f"sqlite:///{tmp_path / 'cat.db'}", "--out", str(tmp_path / "out")).output
    )
    assert summary["dicom"]["ct-lung-screening-2019-2023"]["dicom_read"] == 8


def test_a_declared_file_holding_identifying_dicom_is_not_kept(tmp_path):
    """Whatever its declared media type, a declared file is kept and served as it is only when every DICOM file in
    it (itself, or inside a zip) passes the Annex E audit, and only when burned-in annotation is declared NO; the
    validator reports the flagged member."""
    import io
    import zipfile

    from medal_catalog.harvesters.submission import kept_files
    from medal_catalog.validators.submission import validate_paths

    folder = tmp_path / "sub"
    shutil.copytree(SUBMISSIONS[0], folder)

    def zipped(**members):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, ds in members.items():
                buffer = io.BytesIO()
                ds.save_as(buffer, enforce_file_format=True)
                archive.writestr(name.replace("_", "/") + ".dcm", buffer.getvalue())
        return out.getvalue()

    (folder / "clean.zip").write_bytes(zipped(a_1=mr_dataset(deidentified=True)))
    (folder / "extra.zip").write_bytes(zipped(a_1=mr_dataset(deidentified=True), b_2=mr_dataset(phi=True)))
    write(mr_dataset(phi=True), folder / "table.csv")  # DICOM declared as CSV
    dataset = {
        "deidentification": {"burned_in_annotation": "NO"},
        "distribution": [
            {"name": n, "distribution_kind": "file", "path": n, "media_type": m}
            for n, m in (
                ("clean.zip", "application/zip"),
                ("extra.zip", "application/zip"),
                ("table.csv", "text/csv"),
                ("labels.csv", "text/csv"),
            )
        ],
    }
    kept, skipped = kept_files(dataset, folder, folder)
    assert sorted(kept) == ["clean.zip", "labels.csv"]
    assert dict(skipped) == {
        "extra.zip": "1 of 2 DICOM files in it carry identifying attributes or cannot be audited",
        "table.csv": "1 of 1 DICOM files in it carry identifying attributes or cannot be audited",
    }
    dataset["deidentification"]["burned_in_annotation"] = "unknown"
    kept, skipped = kept_files(dataset, folder, folder)
    assert sorted(kept) == ["labels.csv"] and "burned-in" in dict(skipped)["clean.zip"]
    report = validate_paths([folder])
    flagged = {i.file for i in report.issues if i.code == "dicom.phi"}
    assert flagged == {f"{folder}/extra.zip!b/2.dcm", f"{folder}/table.csv"}
    assert kept["labels.csv"][0] == (folder / "labels.csv").read_bytes()
