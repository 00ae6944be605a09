"""The audit of files the catalog would keep and serve as they are (labels, archives, a Croissant's data): every
DICOM file in them, in zip and tar archives, nested or compressed, is audited by content, path included; what
cannot be audited counts as a problem, never as clean."""

from __future__ import annotations

import bz2
import gzip
import io
import tarfile
import zipfile

from medal_catalog.dicom.audit import audit_content

from dicom_samples import PHI, mr_dataset


def dicom(**kw) -> bytes:
    out = io.BytesIO()
    mr_dataset(**kw).save_as(out, enforce_file_format=True)
    return out.getvalue()


CLEAN, IDENTIFYING = dicom(deidentified=True), dicom(phi=True, series="se2")


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def tarred(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def members(problems):
    return sorted(p.member or "" for p in problems)


def test_plain_files():
    assert audit_content(CLEAN, "a.dcm") == (1, [])
    count, problems = audit_content(IDENTIFYING, "b.dcm")
    assert count == 1 and members(problems) == [""]
    assert {"PatientName", "PatientID"} <= {f.keyword for f in problems[0].audit.findings}
    assert audit_content(b"case_id,split\nc1,train\n", "labels.csv") == (0, [])


def test_zip_and_tar_members_nested_and_compressed():
    archive = zipped(
        {
            "dicom/se1/1.dcm": CLEAN,
            "dicom/se2/1.dcm": IDENTIFYING,
            "notes.txt": b"fine",
            "inner.tar": tarred({"x/1.dcm": IDENTIFYING, "x/2.dcm": CLEAN}, "w"),
        }
    )
    count, problems = audit_content(archive, "data.zip")
    assert count == 4
    assert members(problems) == ["dicom/se2/1.dcm", "inner.tar!x/1.dcm"]
    count, problems = audit_content(tarred({"a.dcm": CLEAN, "b.dcm": IDENTIFYING}), "data.tar.gz")
    assert count == 2 and members(problems) == ["b.dcm"]
    count, problems = audit_content(gzip.compress(IDENTIFYING), "b.dcm.gz")
    assert count == 1 and members(problems) == ["b.dcm"]
    assert audit_content(bz2.compress(b"a,b\n1,2\n"), "t.csv.bz2") == (0, [])


def test_a_member_path_naming_the_patient_is_not_repeated():
    surname = PHI["PatientName"].split("^")[0]
    count, problems = audit_content(zipped({"x.dcm": CLEAN, f"{surname}/1.dcm": IDENTIFYING}), "data.zip")
    assert count == 2 and members(problems) == ["member 2"]
    assert "FilePath" in {f.keyword for f in problems[0].audit.findings}
    assert surname not in repr(problems)


def test_what_cannot_be_audited_is_a_problem():
    count, problems = audit_content(b"PK\x03\x04" + b"\x00" * 100, "broken.zip")
    assert count == 0 and problems[0].reason.startswith("a zip archive that cannot be read")
    truncated = CLEAN[:200]
    count, problems = audit_content(zipped({"t.dcm": truncated}), "t.zip")
    assert count == 1 and problems[0].member == "t.dcm" and "cannot be read" in problems[0].reason
    deep = CLEAN
    for level in range(5):
        deep = zipped({f"level{level}.zip" if level else "1.dcm": deep})
    count, problems = audit_content(deep, "deep.zip")
    assert any("nested too deep" in (p.reason or "") for p in problems)
