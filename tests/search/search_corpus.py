"""The search tests' corpus, index helpers and fixtures (imported by the test modules, not a conftest, so that the
suite's top-level ``from conftest import ...`` keeps meaning tests/conftest.py).

The Elasticsearch side runs against an osmem-server started here on a free port, or against ELASTICSEARCH_URL.
"""

from __future__ import annotations

import os
import uuid

import pytest

from medal_catalog.search.document import flatten
from medal_catalog.store.base import validate_entry


def _series(ident, modality, body_part, manufacturer, model, thickness, field, description, dataset):
    entry = {
        "type": "ImagingSeries",
        "id": ident,
        "dataset": dataset,
        "series_instance_uid": f"1.2.826.0.1.{len(ident)}",
        "modality": modality,
        "body_part": body_part,
        "manufacturer": manufacturer,
        "manufacturer_model_name": model,
        "slice_thickness": thickness,
        "instance_count": 120,
        "series_description": description,
        "deidentification_status": "clean",
    }
    if field is not None:
        entry["magnetic_field_strength"] = field
    return entry


PERSON = {"name": "Dr Ada Example"}

CORPUS = [
    {
        "type": "BenchmarkTask",
        "id": "glioma-seg",
        "title": "Glioma segmentation in brain MR",
        "description": "Delineate enhancing tumour, oedema and necrosis on multiparametric MR.",
        "clinical_question": "Where are the tumour sub-regions?",
        "task_type": "segmentation",
        "clinical_specialty": "neuroradiology",
        "modalities": ["MR"],
        "status": "accepted",
        "submitter": PERSON,
        "keywords": ["glioma", "neuro-oncology"],
        "created": "2024-02-01",
        "modified": "2024-05-01",
        "anatomy": [{"code_system": "UBERON", "code": "0000955", "label": "brain"}],
        "target_conditions": [{"code_system": "SNOMEDCT", "code": "393563007", "label": "glioblastoma"}],
        "datasets_used": ["brain-mr"],
    },
    {
        "type": "BenchmarkTask",
        "id": "lung-nodule",
        "title": "Lung nodule detection on chest CT",
        "description": "Find every solid nodule larger than four millimetres.",
        "clinical_question": "Which nodules need follow-up?",
        "task_type": "detection",
        "clinical_specialty": "pulmonology",
        "modalities": ["CT"],
        "status": "submitted",
        "submitter": PERSON,
        "keywords": ["screening"],
        "created": "2023-11-20",
        "target_conditions": [{"code_system": "SNOMEDCT", "code": "427359005", "label": "pulmonary nodule"}],
        "datasets_used": ["chest-ct"],
    },
    {
        "type": "BenchmarkTask",
        "id": "stroke-triage",
        "title": "Acute stroke triage",
        "description": "Decide from brain imaging whether thrombectomy is indicated.",
        "clinical_question": "Is there a large vessel occlusion?",
        "task_type": "classification",
        "clinical_specialty": "emergency_medicine",
        "modalities": ["CT", "MR"],
        "status": "under_review",
        "submitter": PERSON,
        "created": "2025-01-10",
    },
    {
        "type": "ImagingDataset",
        "id": "brain-mr",
        "title": "Brain tumour MR collection",
        "description": "Pre-operative multiparametric scans of adults with glioma.",
        "access_level": "open",
        "license": {"spdx_id": "CC-BY-4.0"},
        "modalities": ["MR"],
        "body_parts": ["BRAIN"],
        "subject_count": 120,
        "series_count": 480,
        "countries": ["DE"],
        "publication_status": "unpublished",
        "created": "2021-03-01",
        "acquisition": {
            "manufacturers": ["SIEMENS"],
            "models": ["Prisma"],
            "field_strengths": [3.0],
            "slice_thickness_range": {"minimum": 1.0, "maximum": 5.0},
        },
        "series": [_series("bm-1", "MR", "BRAIN", "SIEMENS", "Prisma", 1.0, 3.0, "T1 MPRAGE", "brain-mr")],
    },
    {
        "type": "ImagingDataset",
        "id": "chest-ct",
        "title": "Chest CT screening cohort",
        "description": "Low-dose screening examinations with reader annotations.",
        "access_level": "controlled",
        "license": {"spdx_id": "CC-BY-NC-4.0", "dua_required": True},
        "modalities": ["CT"],
        "body_parts": ["CHEST"],
        "subject_count": 800,
        "series_count": 1600,
        "countries": ["NL", "BE"],
        "publication_status": "published",
        "created": "2019-06-15",
        "acquisition": {"manufacturers": ["GE MEDICAL SYSTEMS", "Canon"]},
    },
    _series("s-mr-t1", "MR", "BRAIN", "SIEMENS", "Prisma", 1.0, 3.0, "T1 MPRAGE sagittal", "brain-mr"),
    _series("s-mr-flair", "MR", "BRAIN", "SIEMENS", "Skyra", 3.0, 3.0, "FLAIR axial", "brain-mr"),
    _series("s-mr-15", "MR", "HEAD", "Philips", "Ingenia", 5.0, 1.5, "T2 axial", "brain-mr"),
    _series("s-ct-lung", "CT", "CHEST", "GE MEDICAL SYSTEMS", "Revolution", 1.25, None, "lung kernel thin", "chest-ct"),
    _series("s-ct-soft", "CT", "CHEST", "Canon", "Aquilion", 5.0, None, "soft tissue", "chest-ct"),
    {
        "type": "ReviewAssessment",
        "id": "review-1",
        "task": "glioma-seg",
        "reviewer": PERSON,
        "review_date": "2024-06-01",
        "clinical_relevance_score": 5,
        "unmet_need_score": 4,
        "patient_impact_score": 4,
        "recommendation": "accept",
        "conflict_of_interest": False,
    },
]


def corpus_docs() -> list[dict]:
    """The corpus as validated, flattened index documents."""
    docs = []
    for entry in CORPUS:
        checked = validate_entry(entry)
        assert not checked.problems, checked.problems
        docs.append(flatten(checked.document))
    return docs


def es_options() -> dict:
    """Index options: against osmem, which refuses the client's ``compatible-with=9`` media types, plain JSON
    (MEDAL_ELASTICSEARCH_COMPAT=json); a real Elasticsearch gets the client's own."""
    if os.environ.get("ELASTICSEARCH_URL"):
        return {}
    return {"compat": "json"}


def make_index(kind: str, tmp_path, es_url: str | None):
    """An empty index of the given backend: FTS5 in a fresh file, or a fresh alias on the ES node."""
    from medal_catalog.search import open_index

    if kind == "sqlite":
        return open_index(f"sqlite:///{tmp_path / 'catalog.db'}")
    return open_index(f"{es_url}/contract-{uuid.uuid4().hex[:10]}", **es_options())


def drop(index) -> None:
    """Close an index made by the tests; on Elasticsearch also delete its indices (a real cluster stays clean)."""
    alias = getattr(index, "alias", None)
    if alias is not None:
        index.client.indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
    index.close()


@pytest.fixture(scope="session")
def es_url():
    """An Elasticsearch-compatible node: ELASTICSEARCH_URL, or an osmem-server started on a free port."""
    if os.environ.get("ELASTICSEARCH_URL"):
        yield os.environ["ELASTICSEARCH_URL"].rstrip("/")
        return
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    try:
        yield server.url
    finally:
        server.close()


@pytest.fixture(scope="module", params=["sqlite", "elasticsearch"])
def loaded(request, tmp_path_factory):
    """Each backend holding the corpus (built with ``rebuild``), shared by a module's read-only tests."""
    es = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    index = make_index(request.param, tmp_path_factory.mktemp(request.param), es)
    index.rebuild(corpus_docs())
    yield index
    drop(index)
