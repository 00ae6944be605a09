#!/usr/bin/env python3
"""Write the small synthetic DICOM files bundled with the examples (deterministic; run from the repo root).

The series are synthetic phantoms, not patient data: tiny images with realistic, de-identified headers
(PatientIdentityRemoved YES, Annex E Basic Profile with options declared, shifted dates), so that the examples
can be harvested and audited on any machine without ../shared.
"""

from __future__ import annotations

import math
import zlib
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, MRImageStorage, generate_uid

ROOT = Path(__file__).parent
SIZE = 16


def _uid(*parts: object) -> str:
    return generate_uid(entropy_srcs=["medal-demo", *map(str, parts)])


def _code(value: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = "DCM"
    item.CodeMeaning = meaning
    return item


def _pixels(key: str) -> bytes:
    """A smooth 16x16 blob, placed and scaled by ``key`` (subject, series, instance): no two demo images are the
    same, as no two real ones are (the catalog finds identical images across datasets by their pixel digests);
    bytes of unsigned 16-bit little-endian values."""
    seed = zlib.crc32(key.encode())
    row, col, peak = 5 + seed % 7, 5 + (seed >> 3) % 7, 300 + (seed >> 6) % 400
    out = bytearray()
    for r in range(SIZE):
        for c in range(SIZE):
            v = int(1000 + peak * math.exp(-((r - row) ** 2 + (c - col) ** 2) / 18.0))
            out += v.to_bytes(2, "little")
    return bytes(out)


def write_series(folder: Path, *, subject: str, sex: str, age: str, modality: str, series_number: int,
                 description: str, instances: int, study_description: str, **acq: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    study_uid = _uid(subject, "study")
    series_uid = _uid(subject, "series", series_number)
    sop_class = CTImageStorage if modality == "CT" else MRImageStorage
    for i in range(1, instances + 1):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = sop_class
        meta.MediaStorageSOPInstanceUID = _uid(subject, series_number, i)
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = sop_class
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.Modality = modality
        ds.SeriesNumber = series_number
        ds.InstanceNumber = i
        ds.SeriesDescription = description
        ds.StudyDescription = study_description
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        # De-identified per PS3.15 Annex E: dummy-empty identity, shifted dates, options declared.
        ds.PatientName = ""
        ds.PatientID = ""
        ds.PatientSex = sex
        ds.PatientAge = age
        ds.StudyDate = "20000101"
        ds.SeriesDate = "20000101"
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = "MEDAL demo generator, PS3.15 Basic Profile + options"
        ds.DeidentificationMethodCodeSequence = Sequence([
            _code("113100", "Basic Application Confidentiality Profile"),
            _code("113105", "Clean Descriptors Option"),
            _code("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
            _code("113108", "Retain Patient Characteristics Option"),
        ])
        ds.LongitudinalTemporalInformationModified = "MODIFIED"
        ds.BurnedInAnnotation = "NO"
        for keyword, value in acq.items():
            setattr(ds, keyword, value)
        ds.SliceLocation = float(i) * float(acq.get("SliceThickness", 1.0))
        ds.ImagePositionPatient = [0.0, 0.0, ds.SliceLocation]
        ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        ds.Rows = SIZE
        ds.Columns = SIZE
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated = 16
        ds.BitsStored = 12
        ds.HighBit = 11
        ds.PixelRepresentation = 0
        ds.PixelData = _pixels(f"{subject}/{series_number}/{i}")
        ds.save_as(folder / f"{i:04d}.dcm", enforce_file_format=True)


def main() -> None:
    ct = ROOT / "valid" / "ct-lung-nodule-malignancy" / "dicom"
    for n, (subject, sex, age) in enumerate([("lung-001", "F", "064Y"), ("lung-002", "M", "071Y")], start=1):
        write_series(ct / subject / "chest", subject=subject, sex=sex, age=age, modality="CT", series_number=2,
                     description="CHEST 1.0 B60f", study_description="CT CHEST LOW DOSE", instances=4,
                     BodyPartExamined="CHEST", Manufacturer="SIEMENS", ManufacturerModelName="SOMATOM Force",
                     SliceThickness=1.0, PixelSpacing=[0.7, 0.7], KVP=120.0, ConvolutionKernel="Br60f")
    mr = ROOT / "valid" / "mr-brain-metastasis-segmentation" / "dicom"
    for subject, sex, age in [("brain-001", "M", "058Y")]:
        write_series(mr / subject / "t1c", subject=subject, sex=sex, age=age, modality="MR", series_number=5,
                     description="T1 MPRAGE post-contrast", study_description="MR BRAIN W CONTRAST", instances=3,
                     BodyPartExamined="BRAIN", Manufacturer="GE MEDICAL SYSTEMS",
                     ManufacturerModelName="DISCOVERY MR750", MagneticFieldStrength=3.0, SliceThickness=1.2,
                     PixelSpacing=[0.94, 0.94], RepetitionTime=8.2, EchoTime=3.2)
        write_series(mr / subject / "flair", subject=subject, sex=sex, age=age, modality="MR", series_number=6,
                     description="Ax T2 FLAIR", study_description="MR BRAIN W CONTRAST", instances=3,
                     BodyPartExamined="BRAIN", Manufacturer="GE MEDICAL SYSTEMS",
                     ManufacturerModelName="DISCOVERY MR750", MagneticFieldStrength=3.0, SliceThickness=5.0,
                     PixelSpacing=[0.47, 0.47], RepetitionTime=9000.0, EchoTime=120.0)

    # The open demo (examples/open/): three abdominal CT series an anonymous ML researcher may load.
    kub = ROOT / "open" / "ct-kidney-stone-detection" / "dicom"
    for subject, sex, age in [("kub-001", "F", "045Y"), ("kub-002", "M", "052Y"), ("kub-003", "M", "038Y")]:
        write_series(kub / subject / "abdomen", subject=subject, sex=sex, age=age, modality="CT", series_number=3,
                     description="KUB 2.0 Br40", study_description="CT ABDOMEN PELVIS WO CONTRAST", instances=3,
                     BodyPartExamined="ABDOMEN", Manufacturer="SIEMENS", ManufacturerModelName="SOMATOM Force",
                     SliceThickness=2.0, PixelSpacing=[0.8, 0.8], KVP=120.0, ConvolutionKernel="Br40")


if __name__ == "__main__":
    main()
