"""Fill a `medal init submission` template as a contributor would, around a copy of a real DICOM series."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import yaml

#: A real Philips fMRI series of 27 small files (436 KB) and a real GE series named i22.MRDC.1, ... (no suffix).
DICOM_ROOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "dicom"
if not DICOM_ROOT.is_dir():  # a worktree sits one level deeper than the main checkout
    DICOM_ROOT = Path("/work/shared/data/dicom")
PHILIPS_SERIES = DICOM_ROOT / "philips" / "Magdeburg_2014_fmri"
GE_SERIES = DICOM_ROOT / "ge" / "01_Ax_DWI_TENSOR_R2"
LABELS = b"case_id,split,label\ncase-001,test_hidden,1\n"


def fill(folder: Path, series: Path, *, access_level: str = "open") -> None:
    """Replace every FILL IN of the task and dataset written by `medal init submission FOLDER`, copy ``series``
    into FOLDER/dicom/, and declare it (dicom/**/*.dcm) with a label table; the dataset is open under CC-BY-4.0
    with burned-in annotation declared NO."""
    task = yaml.safe_load((folder / "task.yaml").read_text(encoding="utf-8"))
    task.update(
        title="Language mapping on task fMRI",
        description="Locate language cortex before resection.",
        clinical_question="Does the language area lie within 1 cm of the planned resection margin?",
        clinical_rationale="Pre-surgical mapping spares language function.",
        target_conditions=[{"code_system": "SNOMEDCT", "code": "126952004", "label": "Neoplasm of brain"}],
        anatomy=[{"code_system": "SNOMEDCT", "code": "12738006", "label": "Brain structure"}],
        input_spec={"description": "One EPI series per patient."},
        metrics=[{"name": "auroc", "role": "primary"}],
        submitter={"name": "Amira Haddad"},
        keywords=["fMRI", "language", "presurgical"],
        version="1.0.0",
        citation="Haddad A. fMRI language mapping (MEDAL), version 1.0.0.",
    )
    (folder / "task.yaml").write_text(yaml.safe_dump(task, sort_keys=False), encoding="utf-8")
    dataset = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
    (folder / "labels.csv").write_bytes(LABELS)
    shutil.copytree(series, folder / "dicom" / series.name, dirs_exist_ok=True)
    license_ = (
        {"spdx_id": "CC-BY-4.0"}
        if access_level == "open"
        else dataset["license"] | {"spdx_id": "LicenseRef-MEDAL-DUA-1.0"}
    )
    dataset.update(
        title="Philips EPI series",
        description="One fMRI EPI series.",
        version="1.0.0",
        keywords=["fMRI", "EPI", "Philips"],
        body_parts=["BRAIN"],
        access_level=access_level,
        license=license_,
        file_formats=["application/dicom", "text/csv"],
        deidentification={
            "burned_in_annotation": "NO",
            "patient_identity_removed": True,
            "profile_options": ["basic_profile"],
        },
        distribution=[
            {
                "name": "images",
                "distribution_kind": "file_set",
                "includes": "dicom/**/*.dcm",
                "media_type": "application/dicom",
            },
            {
                "name": "labels",
                "distribution_kind": "file",
                "path": "labels.csv",
                "media_type": "text/csv",
                "sha256": hashlib.sha256(LABELS).hexdigest(),
            },
        ],
        citation="Haddad A. Philips EPI series (MEDAL), version 1.0.0.",
    )
    (folder / "dataset.yaml").write_text(yaml.safe_dump(dataset, sort_keys=False), encoding="utf-8")
