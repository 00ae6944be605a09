"""Synthetic DICOM for the harvester and PHI audit tests: good files made with pydicom, hostile ones byte by byte.

The identifying values below are invented; tests assert that none of them reaches any output.
"""

from __future__ import annotations

import struct
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

#: Invented identifying values planted in synthetic headers (plain tags, nested sequences, private tags).
PHI = {
    "PatientName": "Quixwell^Marguerite",
    "PatientID": "MRN4471902",
    "PatientBirthDate": "19610317",
    "InstitutionName": "Saint Zebulon Infirmary",
    "InstitutionAddress": "17 Larkspur Crescent Dunmore",
    "StationName": "ZEBMR07",
    "DeviceSerialNumber": "SN55821",
    "OperatorsName": "Thistlewood^Amos",
    "ReferringPhysicianName": "Oxenford^Beatrix",
    "nested": "Pemberley^Octavia",
    "private": "Quillonxq memo 8812zz",
}


def code_item(value: str, meaning: str = "") -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "DCM", meaning or value
    return item


def mr_dataset(
    *,
    subject: str = "s1",
    study: str = "st1",
    series: str = "se1",
    number: int = 1,
    instance: int = 1,
    phi: bool = False,
    deidentified: bool = False,
    **extra: object,
) -> Dataset:
    """A small MR instance; ``phi`` plants PHI values, ``deidentified`` declares Annex E de-identification."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = MRImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[subject, study, series, str(instance)])
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid(entropy_srcs=[subject, study])
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=[subject, study, series])
    ds.Modality = "MR"
    ds.SeriesNumber = number
    ds.InstanceNumber = instance
    ds.Manufacturer = "ACME"
    ds.ManufacturerModelName = "Magneto 3000"
    ds.MagneticFieldStrength = 3.0
    ds.SliceThickness = 2.5
    ds.PixelSpacing = [0.9, 0.9]
    ds.RepetitionTime = 2000.0
    ds.EchoTime = 30.0
    ds.Rows = ds.Columns = 4
    ds.BodyPartExamined = "BRAIN"
    ds.SeriesDescription = "T1 axial"
    ds.StudyDescription = "MR head"
    ds.PatientSex = "F"
    ds.PatientAge = "047Y"
    if phi:
        ds.PatientName = PHI["PatientName"]
        ds.PatientID = PHI["PatientID"]
        ds.PatientBirthDate = PHI["PatientBirthDate"]
        ds.InstitutionName = PHI["InstitutionName"]
        ds.InstitutionAddress = PHI["InstitutionAddress"]
        ds.StationName = PHI["StationName"]
        ds.DeviceSerialNumber = PHI["DeviceSerialNumber"]
        ds.OperatorsName = PHI["OperatorsName"]
        ds.ReferringPhysicianName = PHI["ReferringPhysicianName"]
        request = Dataset()
        request.RequestedProcedureID = "RQ1"
        inner = Dataset()
        inner.PersonName = PHI["nested"]
        request.ContentSequence = Sequence([inner])
        ds.RequestAttributesSequence = Sequence([request])
        ds.add_new(0x00290010, "LO", "ACME PRIVATE")
        ds.add_new(0x00291010, "LT", PHI["private"])
    else:
        ds.PatientName = ""
        ds.PatientID = ""
    if deidentified:
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = "test profile"
        ds.DeidentificationMethodCodeSequence = Sequence(
            [code_item("113100"), code_item("113107"), code_item("113108")]
        )
        ds.LongitudinalTemporalInformationModified = "MODIFIED"
        ds.StudyDate = "20000101"
    for keyword, value in extra.items():
        setattr(ds, keyword, value)
    ds.PixelData = b"\x00\x00" * 16
    ds["PixelData"].VR = "OW"
    return ds


def write(ds: Dataset, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


# --- raw bytes for hostile files ------------------------------------------------------------------------------
def element(group: int, elem: int, vr: bytes, value: bytes = b"", length: int | None = None) -> bytes:
    """One explicit VR little endian element; ``length`` overrides the true value length (lies welcome)."""
    n = len(value) if length is None else length
    if vr in (b"OB", b"OW", b"SQ", b"UN", b"UT", b"UC", b"UR", b"OD", b"OF", b"OL", b"OV", b"SV", b"UV"):
        return struct.pack("<HH2sHL", group, elem, vr, 0, n) + value
    if vr in (
        b"AE",
        b"AS",
        b"AT",
        b"CS",
        b"DA",
        b"DS",
        b"DT",
        b"FL",
        b"FD",
        b"IS",
        b"LO",
        b"LT",
        b"PN",
        b"SH",
        b"SL",
        b"SS",
        b"ST",
        b"TM",
        b"UI",
        b"UL",
        b"US",
    ):
        return struct.pack("<HH2sH", group, elem, vr, n) + value
    return struct.pack("<HH2sH", group, elem, vr, n) + value  # an unknown VR, written like a short one


def part10(body: bytes, ts: str = "1.2.840.10008.1.2.1") -> bytes:
    """Preamble, DICM and a minimal meta group in front of ``body``."""
    uid = ts.encode() + (b"\x00" if len(ts) % 2 else b"")
    meta = element(0x0002, 0x0010, b"UI", uid)
    return b"\x00" * 128 + b"DICM" + element(0x0002, 0x0000, b"UL", struct.pack("<L", len(meta))) + meta + body


def item(content: bytes, undefined: bool = False) -> bytes:
    if undefined:
        return struct.pack("<HHL", 0xFFFE, 0xE000, 0xFFFFFFFF) + content + struct.pack("<HHL", 0xFFFE, 0xE00D, 0)
    return struct.pack("<HHL", 0xFFFE, 0xE000, len(content)) + content


def nested(depth: int) -> bytes:
    """Sequences nested ``depth`` levels deep, every level of undefined length and properly closed."""
    inner = element(0x0008, 0x0060, b"CS", b"MR")
    for _ in range(depth):
        sq = struct.pack("<HH2sHL", 0x0040, 0xA730, b"SQ", 0, 0xFFFFFFFF)
        inner = sq + item(inner, undefined=True) + struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    return inner


def minimal_body() -> bytes:
    """A tiny valid data set (no pixels) that hostile files extend."""
    return (
        element(0x0008, 0x0016, b"UI", MRImageStorage.encode() + b"\x00")
        + element(0x0008, 0x0060, b"CS", b"MR")
        + element(0x0020, 0x000D, b"UI", b"1.2.3.4")
        + element(0x0020, 0x000E, b"UI", b"1.2.3.4.5\x00")
    )
