"""The checks that trust no declaration (dicom/crosscheck.py) and the catalog's own rewrite (dicom/deidentify.py),
on synthetic files and on the real GE and Philips MR series in ../shared/data/dicom."""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
import pytest
from pydicom.sequence import Sequence

from dicom_samples import PHI, code_item, mr_dataset, write
from medal_catalog.dicom.audit import audit_content, audit_file
from medal_catalog.dicom.crosscheck import is_dummy_name, vendor_root
from medal_catalog.dicom.deidentify import Deidentifier, RewriteError, dataset_key, plan

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "dicom"
if not REAL.is_dir():
    REAL = Path("/work/shared/data/dicom")
GE_SERIES = REAL / "ge" / "01_Ax_DWI_TENSOR_R2"
PHILIPS_SERIES = REAL / "philips" / "Magdeburg_2014_fmri"
real = pytest.mark.skipif(not GE_SERIES.is_dir(), reason="the shared real DICOM is not here")


def declares_only(tmp_path: Path) -> Path:
    """The file of issue 15: everything declared, the identifying values still there, a GE series UID."""
    ds = mr_dataset(phi=True, deidentified=True)
    del ds[0x00291010], ds[0x00290010]  # private tags stripped
    for keyword in ("InstitutionAddress", "OperatorsName", "ReferringPhysicianName", "RequestAttributesSequence"):
        delattr(ds, keyword)  # "five other tags removed"
    ds.SeriesInstanceUID = "1.2.840.113619.2.408.5282380.5220731.23348.1516669692.164"
    ds.StudyDate = "20180123"  # the day that UID's Unix time encodes
    return write(ds, tmp_path / "declared.dcm")


def test_a_file_that_only_declares_deidentification_is_reported_with_each_identifying_attribute(tmp_path):
    """Declarations do not hide PatientName, PatientID, InstitutionName, StationName, DeviceSerialNumber, the
    unshifted StudyDate or the vendor's SeriesInstanceUID: each is an error with its tag, no value shown."""
    audit = audit_file(declares_only(tmp_path))
    found = {f.keyword: f.reason for f in audit.findings}
    assert found["PatientName"] == "person-name"
    assert found["PatientID"] and found["StationName"] and found["DeviceSerialNumber"]
    assert "InstitutionName" in found
    assert found["SeriesInstanceUID"] == "vendor-uid"
    assert found["StudyDate"] == "dates-not-shifted"
    text = repr(audit.to_dict())
    assert not any(value in text for value in (PHI["PatientName"], PHI["PatientID"], PHI["StationName"]))


def test_a_name_in_a_description_declared_clean_is_an_error_naming_the_tag(tmp_path):
    """Clean Descriptors declared, a ProtocolName and an ImageComments holding the surname: both flagged."""
    ds = mr_dataset(phi=True, deidentified=True, ProtocolName="Quixwell brain", ImageComments="pt 19610317 ok")
    ds.DeidentificationMethodCodeSequence = Sequence([code_item("113100"), code_item("113105")])
    found = {f.keyword: (f.reason, f.tag) for f in audit_file(write(ds, tmp_path / "a.dcm")).findings}
    assert found["ProtocolName"] == ("identifying-token", "(0018,1030)")
    assert found["ImageComments"][0] == "identifying-token"


def test_dummy_names_and_vendor_roots():
    """Dummies pass, real-looking names do not; the shipped roots include the four of the issue."""
    assert all(is_dummy_name(v) for v in ("", "ANONYMIZED", "Anonymous^", "Subject^001", "ANON0042", "PAT 12"))
    assert not any(is_dummy_name(v) for v in ("Quixwell^Marguerite", "Li^Ng", "fMRI"))
    assert {
        vendor_root(u) for u in ("1.2.840.113619.2.1", "1.3.12.2.1107.5.2", "1.3.46.670589.11", "1.2.392.200036.9116.2")
    } >= {"GE Healthcare", "Philips Healthcare"}
    assert vendor_root("2.25.1234") is None and vendor_root("1.2.840.1136190") is None


def rewritten(data: bytes, options=("basic_profile",), key: bytes = b"k" * 32) -> bytes:
    return Deidentifier(key, plan({"profile_options": list(options)})).rewrite(data)


def test_the_rewrite_leaves_nothing_the_audit_finds_and_keeps_the_pixels(tmp_path):
    """The declared-only file rewritten: the audit finds nothing, no planted value is in the bytes, pixel data
    are the same, (0012,0064) lists what was applied."""
    source = declares_only(tmp_path).read_bytes()
    out = rewritten(source, ("basic_profile", "retain_longitudinal_modified_dates", "retain_device_identity"))
    count, flagged = audit_content(out, "s/00001.dcm")
    assert count == 1 and flagged == []
    for value in (*PHI.values(), "113619", "20180123", "19610317"):
        assert value.encode() not in out
    before, after = pydicom.dcmread(io.BytesIO(source)), pydicom.dcmread(io.BytesIO(out))
    assert after.PixelData == before.PixelData
    assert [i.CodeValue for i in after.DeidentificationMethodCodeSequence] == ["113100", "113107"]
    assert after.PatientIdentityRemoved == "YES" and after.LongitudinalTemporalInformationModified == "MODIFIED"
    assert after.file_meta.MediaStorageSOPInstanceUID == after.SOPInstanceUID
    assert after.PatientSex == "" or "PatientSex" not in after  # characteristics not retained unless declared


def test_uids_are_replaced_the_same_way_in_every_file_and_run(tmp_path):
    """Same input UID, same output UID (series group, the manifest joins); another key, another UID."""
    a = write(mr_dataset(instance=1, phi=True), tmp_path / "a.dcm").read_bytes()
    b = write(mr_dataset(instance=2, phi=True), tmp_path / "b.dcm").read_bytes()
    ra, rb = (pydicom.dcmread(io.BytesIO(rewritten(x))) for x in (a, b))
    assert ra.SeriesInstanceUID == rb.SeriesInstanceUID != pydicom.dcmread(io.BytesIO(a)).SeriesInstanceUID
    assert ra.SOPInstanceUID != rb.SOPInstanceUID
    assert rewritten(a) == rewritten(a)
    assert pydicom.dcmread(io.BytesIO(rewritten(a, key=b"x" * 32))).SeriesInstanceUID != ra.SeriesInstanceUID


def test_options_retain_what_they_say(tmp_path):
    """Patient characteristics and a clean description survive only with their options; dates shift by one
    offset across files."""
    ds = mr_dataset(phi=True, StudyDate="20200110", SeriesDate="20200112")
    source = write(ds, tmp_path / "a.dcm").read_bytes()
    plain = pydicom.dcmread(io.BytesIO(rewritten(source)))
    assert not plain.get("PatientAge") and not plain.get("StudyDate") and "SeriesDescription" not in plain
    kept = Deidentifier(
        b"k" * 32,
        plan(
            {
                "profile_options": [
                    "retain_patient_characteristics",
                    "clean_descriptors",
                    "retain_longitudinal_modified_dates",
                ]
            }
        ),
    ).rewrite(source, {"SeriesDescription": "T1 axial", "StudyDescription": None})
    after = pydicom.dcmread(io.BytesIO(kept))
    assert after.PatientAge == "047Y" and after.SeriesDescription == "T1 axial" and "StudyDescription" not in after
    assert after.StudyDate != "20200110"
    import datetime as dt

    gap = dt.datetime.strptime(after.SeriesDate, "%Y%m%d") - dt.datetime.strptime(after.StudyDate, "%Y%m%d")
    assert gap.days == 2


def test_a_file_pydicom_cannot_read_is_refused_not_forced():
    """No preamble and no DICM: the rewrite refuses rather than guessing (never dcmread(force=True))."""
    with pytest.raises(RewriteError):
        rewritten(b"\x08\x00\x05\x00CS\x0a\x00ISO_IR 100" + b"\x00" * 64)


@real
@pytest.mark.parametrize("series", [GE_SERIES, PHILIPS_SERIES], ids=["ge", "philips"])
def test_real_vendor_series_rewritten_clean_and_consistent(series):
    """Real GE and Philips MR files: the originals hold identifying values; the rewritten ones pass the audit,
    hold none of the originals' identifying values or vendor UIDs, and keep one series UID."""
    files = sorted(p for p in series.iterdir() if p.is_file())[:6]
    deid = Deidentifier(dataset_key("real-test"), plan({"profile_options": ["retain_longitudinal_modified_dates"]}))
    outputs, series_uids = [], set()
    for path in files:
        original = pydicom.dcmread(path, stop_before_pixels=True)
        assert audit_file(path).flagged
        out = deid.rewrite(path.read_bytes())
        assert audit_content(out, "x/00001.dcm")[1] == []
        values = [
            str(original.get(k, ""))
            for k in (
                "InstitutionName",
                "StationName",
                "DeviceSerialNumber",
                "StudyInstanceUID",
                "SeriesInstanceUID",
                "SOPInstanceUID",
                "PatientID",
                "StudyDate",
                "PatientBirthDate",
            )
        ]
        for value in filter(None, values):
            assert value.encode() not in out
        assert b"1.2.840.113619" not in out and b"1.3.46.670589" not in out
        series_uids.add(pydicom.dcmread(io.BytesIO(out)).SeriesInstanceUID)
        outputs.append(out)
    assert len(series_uids) == 1


def test_private_tags_inside_a_sequence_encoded_as_un_are_removed_not_the_file(tmp_path):
    """A ReferencedImageSequence written with VR UN (as some exports do) holding a private tag: the served copy
    cleans it inside the sequence and keeps the file, instead of failing its own audit and leaving the file out."""
    import struct

    from medal_catalog.dicom.deidentify import served_copy

    def implicit(group: int, element: int, value: bytes) -> bytes:
        value += b"\x00" * (len(value) % 2)
        return struct.pack("<HHI", group, element, len(value)) + value

    item = (
        implicit(0x0008, 0x1150, b"1.2.840.10008.5.1.4.1.1.4")
        + implicit(0x0008, 0x1155, b"1.2.3.4.5")
        + implicit(0x0009, 0x0010, b"SECRETVENDOR")
        + implicit(0x0009, 0x1001, b"ROE^RICHARD")
    )
    raw = struct.pack("<HHI", 0xFFFE, 0xE000, len(item)) + item
    # pydicom writes a known sequence as SQ whatever it is given: the UN element goes into the bytes by hand, in tag
    # order before (0010,0010), explicit VR little endian.
    data = write(mr_dataset(subject="u1"), tmp_path / "un.dcm").read_bytes()
    at = data.index(b"\x10\x00\x10\x00PN")
    data = (
        data[:at] + struct.pack("<HH", 0x0008, 0x1140) + b"UN\x00\x00" + struct.pack("<I", len(raw)) + raw + data[at:]
    )
    assert pydicom.dcmread(io.BytesIO(data))[0x00081140].VR in ("UN", "SQ")
    copy, why = served_copy(data, "s/00001.dcm", Deidentifier(b"k" * 16, plan({})), "NO")
    assert copy is not None, why
    out = pydicom.dcmread(io.BytesIO(copy))
    assert b"ROE^RICHARD" not in copy and b"SECRETVENDOR" not in copy
    assert len(out.ReferencedImageSequence) == 1
