"""Paths inside a submission are shown as given only when no component may identify a patient (issue 13): an
unreadable file in folders named like patients appears as "folder N/..." in `medal validate` (text and --json),
`medal harvest` (--json, harvest-report.json, the harvest cache); tests/api/test_submissions.py holds the API's
422, which never names the server's temporary file either."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MEDAL = Path(sys.executable).with_name("medal")
PATIENT_FOLDERS = ("DOE^JOHN_19700101", "Smith_John_MRN123456")
NAMES = ("DOE", "JOHN", "19700101", "Smith", "MRN123456")


@pytest.fixture
def submission(tmp_path) -> Path:
    """The example lung submission with an unreadable DICOM file in each of two patient-named folders."""
    folder = tmp_path / "sub"
    shutil.copytree(ROOT / "examples" / "valid" / "ct-lung-nodule-malignancy", folder)
    for name in PATIENT_FOLDERS:
        (folder / "dicom" / name).mkdir()
        (folder / "dicom" / name / "IM0001.dcm").write_bytes(b"\0" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\xff\xff")
    return folder


def _clean(text: str) -> bool:
    return not any(name in text for name in NAMES)


def test_identifying_components_are_numbered_stably():
    """The check and the numbering: folders ranked among their siblings, the rest of the path kept as given."""
    from medal_catalog.report import PathShower, identifying_component

    for name in (*PATIENT_FOLDERS, "DOE^JANE", "scan_1970-01-01", "NHS4857773456", "01.02.1970"):
        assert identifying_component(name), name
    for name in (
        "IM0001.dcm",
        "lung-001",
        "chest",
        "series_3",
        "0001.dcm",
        "labels.csv",
        "1.2.826.0.1.3680043.8.498.90364894661134048468078309813147542863.dcm",
    ):
        assert not identifying_component(name), name
    shower = PathShower(
        known=["dicom/lung-001/a.dcm", "dicom/DOE^JOHN_19700101/IM0001.dcm", "dicom/Smith_John_MRN123456/x.dcm"]
    )
    assert shower.show("dicom/DOE^JOHN_19700101/IM0001.dcm") == "dicom/folder 1/IM0001.dcm"
    assert shower.show("dicom/Smith_John_MRN123456/x.dcm") == "dicom/folder 2/x.dcm"
    assert shower.show("dicom/lung-001/a.dcm") == "dicom/lung-001/a.dcm"
    assert PathShower(tokens=frozenset({"quixwell"})).show("scans/Quixwell/1.dcm") == "scans/folder 1/1.dcm"


def test_validate_never_prints_a_patient_named_path(submission, tmp_path):
    """`medal validate`, text and --json: the unreadable files are reported, under numbered folders."""
    text = subprocess.run([str(MEDAL), "validate", str(submission)], capture_output=True, text=True)
    assert text.returncode == 1 and "dicom.unreadable" in text.stdout
    assert _clean(text.stdout + text.stderr), text.stdout
    assert f"{submission}/dicom/folder 1/IM0001.dcm" in text.stdout
    report = json.loads(
        subprocess.run([str(MEDAL), "validate", str(submission), "--json"], capture_output=True, text=True).stdout
    )
    unreadable = sorted(i["file"] for i in report["issues"] if i["code"] == "dicom.unreadable")
    assert unreadable == [f"{submission}/dicom/folder {n}/IM0001.dcm" for n in (1, 2)]
    assert _clean(json.dumps(report))


def test_harvest_output_report_and_cache_never_name_the_patient(submission, tmp_path):
    """`medal harvest --json`, harvest-report.json, the harvest cache and the catalog: no patient-named path,
    on a first harvest and on a re-run from the cache."""
    out = tmp_path / "out"
    for _ in range(2):
        done = subprocess.run(
            [
                str(MEDAL),
                "harvest",
                str(submission),
                "--catalog",
                f"sqlite:///{tmp_path / 'c.db'}",
                "--out",
                str(out),
                "--json",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert _clean(done.stdout + done.stderr), done.stdout
    written = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "harvest-report.json" for p in written) and any(
        p.name == ".harvest-cache.json" for p in written
    )
    for path in written:
        assert _clean(path.read_bytes().decode("utf-8", "replace")), path
    report = json.loads(next(p for p in written if p.name == "harvest-report.json").read_text())
    assert "folder 1/IM0001.dcm" in json.dumps(report)
    for path in tmp_path.glob("c.db*"):
        assert not any(name.encode() in path.read_bytes() for name in NAMES), path


def test_uid_file_names_with_a_timestamp_are_masked():
    """File names that are vendor UIDs encoding a date (Siemens, Philips) or a Unix time (GE) are shown as
    'file N'; random UIDs (2.25.<integer>, a pydicom root without a date) stay as they are."""
    from medal_catalog.report import PathShower, identifying_component

    for name in (
        "1.3.12.2.1107.5.2.32.35162.2012021516003437519.dcm",
        "1.2.840.113619.2.408.5282380.5220731.23348.1516669692.164",
        "1.3.46.670589.11.17521.5.0.3124.2019031914261869232.dcm",
    ):
        assert identifying_component(name), name
    for name in (
        "2.25.201203151600343751912345678901234.dcm",
        "1.2.826.0.1.3680043.8.498.9036489466.dcm",
        "1.0.0",
        "v1.2.3.4",
    ):
        assert not identifying_component(name), name
    shown = PathShower(known=["s/1.3.12.2.1107.5.2.32.35162.2012021516003437519.dcm", "s/a.dcm"])
    assert shown.show("s/1.3.12.2.1107.5.2.32.35162.2012021516003437519.dcm") == "s/file 1"
