"""Realistic synthetic MEDAL records (datasets and tasks) for benchmarks and parity tests.

Deterministic for a seed. ``invalid_share`` of the records carry exactly one schema violation of a rotating kind
(missing required field, bad enum, bad pattern, wrong type, out of range, unknown field, bad date format); the
others are complete, rule-clean records. Dates are ISO strings, as in JSON.
"""

from __future__ import annotations

import random
from typing import Any

MODALITIES = ["CT", "MR", "PT", "DX", "CR", "MG", "US", "XA", "NM"]
BODY_PARTS = {
    "CT": ["CHEST", "ABDOMEN", "HEAD", "PELVIS"],
    "MR": ["BRAIN", "KNEE", "PROSTATE", "HEART", "SPINE"],
    "PT": ["WHOLEBODY"],
    "DX": ["CHEST", "HIP", "HAND"],
    "CR": ["CHEST"],
    "MG": ["BREAST"],
    "US": ["LIVER", "THYROID", "HEART"],
    "XA": ["HEART"],
    "NM": ["HEART", "BONE"],
}
VENDORS = [
    ("SIEMENS", "SOMATOM Force"),
    ("GE MEDICAL SYSTEMS", "DISCOVERY MR750"),
    ("Philips", "Ingenia"),
    ("Canon Medical Systems", "Aquilion ONE"),
    ("SIEMENS", "MAGNETOM Prisma"),
]
CONDITIONS = [
    ("363358000", "Malignant tumor of lung"),
    ("94225005", "Secondary malignant neoplasm of brain"),
    ("36118008", "Pneumothorax"),
    ("230690007", "Cerebrovascular accident"),
    ("254900004", "Carcinoma of prostate"),
    ("254837009", "Malignant neoplasm of breast"),
    ("59282003", "Pulmonary embolism"),
    ("74400008", "Appendicitis"),
]
COUNTRIES = ["GB", "DE", "FR", "ES", "IT", "NL", "SE", "US", "CA", "BR", "GH", "NG", "KE", "IN", "JP", "CN", "AU"]
TASK_TYPES = [
    "classification",
    "detection",
    "segmentation",
    "regression",
    "prognosis",
    "report_generation",
    "visual_question_answering",
    "retrieval",
]
SPECIALTIES = ["radiology", "neuroradiology", "oncology", "cardiology", "pulmonology", "emergency_medicine"]
LICENSES = [
    ("CC-BY-4.0", "open"),
    ("CC0-1.0", "open"),
    ("CC-BY-NC-4.0", "registered"),
    ("LicenseRef-MEDAL-DUA-1.0", "controlled"),
    ("LicenseRef-MEDAL-DUA-1.0", "hidden_test"),
]
ORCIDS = [
    "https://orcid.org/0000-0002-1825-0097",
    "https://orcid.org/0000-0001-5109-3700",
    "https://orcid.org/0000-0002-1694-233X",
]
WORDS = (
    "scan screening follow-up lesion nodule tumour cohort retrospective prospective multicentre contrast "
    "acquisition protocol reader annotation consensus emergency triage staging response"
).split()

BREAKS = ["missing-title", "bad-enum", "bad-pattern", "wrong-type", "out-of-range", "unknown-field", "bad-date"]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_dataset(rng: random.Random, i: int) -> dict[str, Any]:
    """One complete, valid ImagingDataset record."""
    modality = rng.choice(MODALITIES)
    vendor, model = rng.choice(VENDORS)
    subjects = rng.randint(20, 4000)
    studies = subjects + rng.randint(0, subjects)
    series = studies * rng.randint(1, 6)
    female = rng.randint(0, subjects)
    spdx, access = rng.choice(LICENSES)
    year = rng.randint(2012, 2023)
    record = {
        "type": "ImagingDataset",
        "id": f"ds-{i:06d}",
        "title": f"{modality} {rng.choice(BODY_PARTS[modality]).lower()} cohort {i}",
        "description": _text(rng, 30),
        "version": f"1.{rng.randint(0, 9)}.0",
        "keywords": rng.sample(WORDS, 4),
        "modalities": [modality],
        "body_parts": [rng.choice(BODY_PARTS[modality])],
        "file_formats": ["application/dicom"],
        "subject_count": subjects,
        "study_count": studies,
        "series_count": series,
        "instance_count": series * rng.randint(1, 400),
        "byte_size": series * rng.randint(10**6, 10**8),
        "acquisition": {
            "manufacturers": [vendor],
            "models": [model],
            "slice_thickness_range": {"minimum": 0.6, "maximum": round(rng.uniform(0.6, 5), 1)},
        },
        "population": {
            "sex_counts": {"female": female, "male": subjects - female, "other": 0, "unknown": 0},
            "age_range": {"minimum": 18, "maximum": rng.randint(60, 95)},
        },
        "countries": rng.sample(COUNTRIES, rng.randint(1, 3)),
        "site_count": rng.randint(1, 12),
        "collection_period": {"start_date": f"{year}-01-01", "end_date": f"{year + 1}-12-31"},
        "publication_status": "unpublished",
        "access_level": access,
        "license": {
            "spdx_id": spdx,
            "url": "https://example.org/licence",
            "dua_required": access in ("controlled", "hidden_test"),
            "dua_url": "https://example.org/dua",
        },
        "consent": {
            "consent_type": "broad",
            "duo_permission": "HMB",
            "duo_modifiers": ["IRB"],
            "allows_algorithm_development": True,
        },
        "ethics_approval": {
            "committee": "Regional research ethics committee",
            "reference": f"REC-{i}",
            "approval_date": f"{year}-01-01",
            "country": "GB",
        },
        "provenance": {"contributors": [{"name": "Data Curator", "orcid": rng.choice(ORCIDS)}]},
        "deidentification": {"patient_identity_removed": True, "profile_options": ["basic_profile"]},
        "distribution": [
            {
                "name": "images",
                "distribution_kind": "file_set",
                "includes": "dicom/**/*.dcm",
                "url": f"https://data.example.org/medal/ds-{i:06d}/",
                "media_type": "application/dicom",
            }
        ],
        "responsible_ai": {"data_biases": [_text(rng, 8)], "data_limitations": [_text(rng, 8)]},
        "created": "2026-01-15",
        "modified": "2026-02-01",
        "citation": f"MEDAL dataset {i}",
    }
    return record


def make_task(rng: random.Random, i: int) -> dict[str, Any]:
    """One complete, valid BenchmarkTask record."""
    modality = rng.choice(MODALITIES)
    code, label = rng.choice(CONDITIONS)
    task = {
        "type": "BenchmarkTask",
        "id": f"task-{i:06d}",
        "title": f"{label} on {modality} ({i})",
        "description": _text(rng, 30),
        "clinical_question": f"Does this {modality} show {label.lower()}?",
        "clinical_rationale": _text(rng, 12),
        "unmet_need": _text(rng, 10),
        "expected_patient_impact": _text(rng, 8),
        "task_type": rng.choice(TASK_TYPES),
        "clinical_specialty": rng.choice(SPECIALTIES),
        "target_conditions": [{"code_system": "SNOMEDCT", "code": code, "label": label}],
        "modalities": [modality],
        "anatomy": [{"code_system": "SNOMEDCT", "code": "39607008", "label": "Lung structure"}],
        "input_spec": {"description": "One imaging study."},
        "output_spec": {"description": "One label."},
        "reference_standard": {"method": "expert_consensus", "reader_count": 3},
        "metrics": [{"name": "AUROC", "role": "primary", "higher_is_better": True}],
        "splits": [
            {"name": "test_hidden", "size": rng.randint(50, 2000), "labels_hidden": True, "labels_published": False}
        ],
        "datasets_used": [f"ds-{i:06d}"],
        "status": "submitted",
        "submitter": {"name": "Task Submitter", "orcid": rng.choice(ORCIDS), "email": "submitter@example.org"},
        "keywords": rng.sample(WORDS, 4),
        "version": "1.0.0",
        "created": "2026-03-01",
        "citation": f"MEDAL task {i}",
    }
    # A coded primary metric that fits the task type (no random draw, so the records stay what they were).
    name, code = PRIMARY_OF_TYPE.get(task["task_type"], ("AUROC", "auroc"))
    task["metrics"] = [{"name": name, "metric": code, "role": "primary", "higher_is_better": code != "mae"}]
    return task


PRIMARY_OF_TYPE = {"segmentation": ("Dice", "dsc"), "detection": ("F1", "fbeta"), "regression": ("MAE", "mae")}


def break_record(record: dict[str, Any], kind: str) -> dict[str, Any]:
    """Introduce exactly one schema violation of ``kind``."""
    record = dict(record)
    if kind == "missing-title":
        del record["title"]
    elif kind == "bad-enum":
        record["modalities"] = ["MRI"]
    elif kind == "bad-pattern":
        record["id"] = "Not An Id!"
    elif kind == "wrong-type":
        record["version"] = 3 if record["type"] == "BenchmarkTask" else record["version"]
        if record["type"] == "ImagingDataset":
            record["subject_count"] = "many"
    elif kind == "out-of-range":
        if record["type"] == "ImagingDataset":
            record["site_count"] = -1
        else:
            record["reference_standard"] = {"method": "expert_consensus", "reader_count": -2}
    elif kind == "unknown-field":
        record["patient_name"] = "Doe^Jane"
    elif kind == "bad-date":
        record["created"] = "15/01/2026"
    return record


def make_records(n: int, kind: str, invalid_share: float = 0.01, seed: int = 7) -> tuple[list[dict], set[int]]:
    """``n`` records of ``kind`` ('dataset' or 'task') and the indexes of the broken ones."""
    rng = random.Random(seed)
    make = make_dataset if kind == "dataset" else make_task
    step = max(1, round(1 / invalid_share)) if invalid_share else 0
    records, broken = [], set()
    for i in range(n):
        record = make(rng, i)
        if step and i % step == step // 2:
            record = break_record(record, BREAKS[len(broken) % len(BREAKS)])
            broken.add(i)
        records.append(record)
    return records, broken
