"""Folders, DICOM, Croissant and bad input: each gives a clear, located issue and never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pydicom
import pytest

from medal_catalog.report import Severity
from medal_catalog.validators.submission import validate_paths

from conftest import EXAMPLES
from croissant_fixtures import croissant
from dicom_samples import mr_dataset, write


def codes(report, severity=None):
    return sorted(i.code for i in report.issues if severity is None or i.severity is severity)


def write_dicom(path, **attrs):
    return write(mr_dataset(**attrs), path)


@pytest.fixture
def submission(tmp_path):
    """A copy of the CT lung-nodule example submission."""
    target = tmp_path / "ct-lung"
    shutil.copytree(EXAMPLES / "valid" / "ct-lung-nodule-malignancy", target)
    return target


@pytest.mark.parametrize("name", ["ct-lung-nodule-malignancy", "mr-brain-metastasis-segmentation"])
def test_example_submission_folders_are_valid(name):
    """The bundled submission folders, DICOM included, validate without errors."""
    report = validate_paths([EXAMPLES / "valid" / name])
    assert codes(report, Severity.ERROR) == []
    assert report.files_checked > 5 and len(report.entries) == 2


def test_dicom_with_patient_identity_is_flagged_without_its_value(submission):
    """A DICOM file carrying PatientName and InstitutionName is reported by tag; the values appear nowhere."""
    write_dicom(submission / "dicom" / "leak.dcm", PatientName="Nakamura^Hiroshi", InstitutionName="St Elsewhere")
    report = validate_paths([submission])
    phi = [i for i in report.issues if i.code == "dicom.phi"]
    assert {i.tag for i in phi} >= {"(0010,0010)", "(0008,0080)"}
    assert all(i.file.endswith("leak.dcm") for i in phi)
    text = json.dumps(report.to_dict())
    assert "Nakamura" not in text and "Elsewhere" not in text


def test_non_dicom_named_dcm_and_truncated_dicom(submission):
    """A text file named .dcm is 'not DICOM'; a truncated DICOM is unreadable; other files are data."""
    (submission / "dicom" / "notes.dcm").write_text("not an image")
    good = submission / "dicom" / "lung-001" / "chest" / "0001.dcm"
    (submission / "dicom" / "cut.dcm").write_bytes(good.read_bytes()[:300])
    (submission / "README.txt").write_text("free text data file")
    report = validate_paths([submission])
    assert codes(report, Severity.ERROR) == ["dicom.not-dicom", "dicom.unreadable"]


def test_declared_file_checks(submission):
    """A changed labels file fails its declared size and sha256; a missing one is reported."""
    (submission / "labels.csv").write_text(
        "case_id,split,series_uid,nodule_diameter_mm,malignant\nlung-002,validation,1.2.3,9.9,0\n"
    )
    report = validate_paths([submission])
    assert codes(report, Severity.ERROR) == ["distribution.sha256-mismatch", "distribution.size-mismatch"]
    (submission / "labels.csv").unlink()
    assert codes(validate_paths([submission]), Severity.ERROR) == ["distribution.missing-file"]


def test_malformed_json_reports_line_and_column(tmp_path):
    """Invalid JSON gives file.parse-error at its line and column."""
    bad = tmp_path / "dataset.json"
    bad.write_text('{\n  "type": "ImagingDataset",\n  "id": "x-1"\n  "title": "t"\n}\n')
    issue = validate_paths([bad]).issues[0]
    assert (issue.code, issue.line, issue.column) == ("file.parse-error", 4, 3)


def test_non_utf8_file(tmp_path):
    """A Latin-1 file gives file.encoding with the line of the first bad byte."""
    bad = tmp_path / "task.yaml"
    bad.write_bytes("type: BenchmarkTask\nid: t-1\ntitle: Lésion\n".encode("latin-1"))
    issue = validate_paths([bad]).issues[0]
    assert (issue.code, issue.line) == ("file.encoding", 3)


def test_empty_folder(tmp_path):
    """An empty folder is an error, not a silent pass."""
    report = validate_paths([tmp_path])
    assert codes(report) == ["submission.empty"] and report.exit_code() == 1


def test_folder_without_metadata(tmp_path):
    """Only data files: the submission lacks metadata."""
    (tmp_path / "a.csv").write_text("x\n1\n")
    assert codes(validate_paths([tmp_path]), Severity.ERROR) == ["submission.no-metadata"]


def test_symlink_loop_is_reported_and_walk_finishes(submission):
    """A symlink pointing back up the tree is reported once and not followed forever."""
    os.symlink(submission, submission / "dicom" / "loop")
    report = validate_paths([submission])
    assert "path.symlink-loop" in codes(report)
    assert codes(report, Severity.ERROR) == []


def test_symlinks_out_of_the_submission_are_reported_and_never_read(submission, tmp_path):
    """A file or folder linked from outside the submission is an error and is not opened (not even by the
    DICOM audit)."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.dcm").write_bytes(b"not for us")
    os.symlink(outside / "secret.dcm", submission / "dicom" / "leak.dcm")
    os.symlink(outside, submission / "dicom" / "linked-folder")
    opened: list[str] = []
    recording = [True]

    def hook(event, args):  # audit hooks cannot be removed: this one records only during the call below
        if recording[0] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)
    try:
        report = validate_paths([submission])
    finally:
        recording[0] = False
    assert codes(report, Severity.ERROR).count("path.outside") == 2
    assert not any("secret" in f or "leak" in f or "linked-folder" in f for f in opened)


def test_thousands_of_files(tmp_path):
    """A folder with 3,000 data files and one metadata file completes with one entry and no error."""
    shutil.copy(EXAMPLES / "valid" / "cxr-pneumothorax-triage.yaml", tmp_path / "catalog.yaml")
    for i in range(3000):
        (tmp_path / f"r{i:04d}.txt").write_text("x")
    report = validate_paths([tmp_path])
    assert report.files_checked == 3001 and codes(report, Severity.ERROR) == []


def test_unknown_json_in_folder_is_data_but_explicit_file_is_an_error(tmp_path):
    """A non-metadata JSON inside a folder is treated as data (info); named explicitly it is an error."""
    shutil.copy(EXAMPLES / "valid" / "cxr-pneumothorax-triage.yaml", tmp_path / "catalog.yaml")
    (tmp_path / "sidecar.json").write_text('{"EchoTime": 0.03}')
    assert codes(validate_paths([tmp_path]), Severity.INFO).count("file.not-metadata") == 1
    assert codes(validate_paths([tmp_path / "sidecar.json"]), Severity.ERROR) == ["file.not-metadata"]


def test_croissant_valid_invalid_and_remote_context(tmp_path):
    """mlcroissant's verdicts come through as issues; a remote @context is refused before any processing."""
    (tmp_path / "labels.csv").write_text("case_id,tear\nk1,1\n")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(croissant()))
    assert codes(validate_paths([good]), Severity.ERROR) == []
    bad = tmp_path / "bad.json"
    broken = croissant()
    broken["recordSet"][0]["field"][0]["source"]["fileObject"]["@id"] = "missing.csv"
    bad.write_text(json.dumps(broken))
    report = validate_paths([bad])
    assert "croissant.error" in codes(report, Severity.ERROR)
    assert any("missing.csv" in i.message for i in report.issues if i.code == "croissant.error")
    remote = tmp_path / "remote.json"
    remote.write_text(json.dumps(croissant(**{"@context": "http://127.0.0.1:9/context.jsonld"})))
    assert codes(validate_paths([remote]), Severity.ERROR) == ["croissant.remote-context"]


def test_a_croissant_file_validated_alone_has_its_local_dicom_audited(tmp_path):
    """Given on its own, a Croissant file's local data is audited as a submission folder's would be: identifying
    DICOM in its file set is an error naming the file and tag, never the value; the same folder validated as a
    folder reports it once, with the folder's data files."""
    from croissant_layouts import dicom_folder
    from dicom_samples import PHI

    path = dicom_folder(tmp_path)
    assert codes(validate_paths([path]), Severity.ERROR) == []
    write_dicom(tmp_path / "dicom" / "se2" / "IM0009.dcm", series="se2", instance=9, phi=True)
    report = validate_paths([path])
    phi = [i for i in report.issues if i.code == "dicom.phi"]
    assert {i.file for i in phi} == {f"{tmp_path}/dicom/se2/IM0009.dcm"} and "(0010,0010)" in {i.tag for i in phi}
    assert PHI["PatientName"] not in json.dumps(report.to_dict())
    folder = validate_paths([tmp_path])
    assert len([i for i in folder.issues if i.code == "dicom.phi"]) == len(phi)


def test_cli_unreadable_path_exit_2(tmp_path):
    """A path that cannot be read exits 2 (skipped when running as root, which reads anything)."""
    if os.geteuid() == 0:
        pytest.skip("root bypasses file permissions, so an unreadable file cannot be made here")
    locked = tmp_path / "locked.yaml"
    locked.write_text("type: BenchmarkTask\n")
    locked.chmod(0)
    out = subprocess.run(
        [sys.executable, "-m", "medal_catalog", "validate", str(locked)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2


def test_pydicom_reads_the_demo_files():
    """The bundled demo DICOM are well-formed for an independent reader (pydicom)."""
    files = sorted((EXAMPLES / "valid").rglob("*.dcm"))
    for path in files:
        ds = pydicom.dcmread(path)
        assert ds.PatientIdentityRemoved == "YES" and ds.PatientName == ""
