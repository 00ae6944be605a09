"""Our schema verdicts equal linkml-validate's on the same JSON records (valid and broken in every way)."""

from __future__ import annotations

import pytest
from linkml.validator import Validator
from linkml.validator.plugins import JsonschemaValidationPlugin

from benchmarks.synthetic_records import BREAKS, make_records
from medal_catalog.schema import SCHEMA_PATH
from medal_catalog.validators.schema import schema_checker


@pytest.mark.parametrize("kind, cls", [("dataset", "ImagingDataset"), ("task", "BenchmarkTask")])
def test_same_records_flagged_as_linkml_validate(kind, cls):
    """Across 140 records (every kind of break), the set of rejected records is identical."""
    records, broken = make_records(140, kind, invalid_share=0.1, seed=3)
    assert len(broken) >= len(BREAKS)
    linkml = Validator(str(SCHEMA_PATH), validation_plugins=[JsonschemaValidationPlugin(closed=True)])
    theirs = {i for i, r in enumerate(records) if linkml.validate(r, target_class=cls).results}
    ours = {i for i, r in enumerate(records) if schema_checker().problems(cls, r)}
    assert ours == theirs == broken


def test_edge_cases_agree_with_linkml_validate():
    """Python-regex and number edge cases: a trailing newline before `$`, integral floats, leap days."""
    base = make_records(1, "dataset", invalid_share=0)[0][0]
    variants = [
        dict(base, id=base["id"] + "\n"),
        dict(base, subject_count=float(base["subject_count"])),
        dict(base, created="2024-02-29"),
        dict(base, created="2023-02-29"),
        dict(base, subject_count=True),
        dict(base, countries=["gb"]),
        dict(base, version=""),
    ]
    linkml = Validator(str(SCHEMA_PATH), validation_plugins=[JsonschemaValidationPlugin(closed=True)])
    theirs = [bool(linkml.validate(v, target_class="ImagingDataset").results) for v in variants]
    ours = [bool(schema_checker().problems("ImagingDataset", v)) for v in variants]
    assert ours == theirs
