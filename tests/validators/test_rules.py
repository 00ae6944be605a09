"""Each MEDAL policy rule: a passing and a failing record (the golden files pin the failing examples too)."""

from __future__ import annotations

import copy

import pytest

from medal_catalog.validators.rules import check_rules, orcid_checksum_ok

BASE = {
    "type": "ImagingDataset",
    "id": "ds-rules",
    "title": "Rules",
    "access_level": "registered",
    "license": {"spdx_id": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "consent": {"consent_type": "broad", "duo_permission": "HMB"},
}
TODAY = "2026-11-22"


def codes(record, cls="ImagingDataset"):
    return sorted(i.code for i in check_rules(cls, record, TODAY))


def with_(**changes):
    record = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = record
        *parents, leaf = dotted.split("__")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return record


def test_base_record_is_clean():
    """The base record breaks no rule."""
    assert codes(BASE) == []


@pytest.mark.parametrize(
    "good, bad, code",
    [
        (with_(consent__duo_modifiers=["IRB", "PUB"]), with_(consent__duo_modifiers=["IRB", "NMDS"]), "consent.nmds"),
        (
            with_(consent__allows_algorithm_development=True),
            with_(consent__allows_algorithm_development=False),
            "consent.no-algorithm-development",
        ),
        (
            with_(consent__consent_type="opt_out", ethics_approval={"committee": "REC", "reference": "1"}),
            with_(consent__consent_type="opt_out"),
            "consent.waiver-without-ethics",
        ),
        (with_(license__spdx_id="LicenseRef-Site-Terms"), with_(license__spdx_id="Apache 2"), "license.unknown-spdx"),
        (
            with_(access_level="open", license__spdx_id="CC0-1.0"),
            with_(access_level="open", license__spdx_id="CC-BY-ND-4.0"),
            "license.not-open",
        ),
        (
            with_(access_level="controlled", license__dua_required=True, license__dua_url="https://example.org/dua"),
            with_(access_level="controlled"),
            "license.controlled-without-dua",
        ),
        (
            with_(publication_status="unpublished"),
            with_(publication_status="unpublished", doi="10.1234/abc"),
            "publication.unpublished-with-doi",
        ),
        (
            with_(series_count=10, instance_count=10),
            with_(series_count=11, instance_count=10),
            "counts.series-exceed-instances",
        ),
        (with_(study_count=3, series_count=3), with_(study_count=4, series_count=3), "counts.studies-exceed-series"),
        (
            with_(subject_count=3, population__sex_counts={"female": 1, "male": 2, "other": 0, "unknown": 0}),
            with_(subject_count=3, population__sex_counts={"female": 1, "male": 1, "other": 0, "unknown": 0}),
            "counts.sex-mismatch",
        ),
        (
            with_(provenance__contributors=[{"name": "A", "orcid": "https://orcid.org/0000-0002-1694-233X"}]),
            with_(provenance__contributors=[{"name": "A", "orcid": "https://orcid.org/0000-0002-1694-2330"}]),
            "orcid.check-digit",
        ),
        (with_(countries=["GB", "GH"]), with_(countries=["GB", "EU"]), "country.unknown"),
        (with_(created="2026-11-22"), with_(created="2026-11-23"), "date.future"),
        (
            with_(collection_period={"start_date": "2020-01-01", "end_date": "2021-01-01"}),
            with_(collection_period={"start_date": "2022-01-01", "end_date": "2021-01-01"}),
            "range.inverted",
        ),
        (
            with_(description="Chest CT of 400 adults."),
            with_(description="Patient DOB 03/04/1961, see chart."),
            "phi.suspect-free-text",
        ),
    ],
)
def test_rule_passes_good_and_flags_bad(good, bad, code):
    """The good variant does not raise the rule's code; the bad one does."""
    assert code not in codes(good)
    assert code in codes(bad)


def test_task_rules():
    """Hidden-test labels published and a task without a primary metric are errors."""
    task = {
        "splits": [{"name": "test_hidden", "labels_hidden": True, "labels_published": False}],
        "metrics": [{"name": "AUROC", "metric": "auroc", "role": "primary"}],
    }
    assert codes(task, "BenchmarkTask") == []
    task["splits"][0]["labels_published"] = True
    task["metrics"][0]["role"] = "secondary"
    assert codes(task, "BenchmarkTask") == ["metrics.no-primary", "split.hidden-labels-published"]


def test_orcid_checksum():
    """ISO 7064 MOD 11-2, including the X check character."""
    assert orcid_checksum_ok("https://orcid.org/0000-0002-1825-0097")
    assert orcid_checksum_ok("0000-0002-1694-233X")
    assert not orcid_checksum_ok("0000-0002-1825-0098")
    assert not orcid_checksum_ok("0000-0002-1825")


def test_rules_tolerate_schema_broken_records():
    """Records with wrong types do not crash the rules."""
    weird = {
        "consent": "yes",
        "license": ["x"],
        "population": {"sex_counts": {"female": "a"}},
        "countries": "GB",
        "subject_count": "many",
        "splits": "none",
    }
    check_rules("ImagingDataset", weird, TODAY)
    check_rules("BenchmarkTask", weird, TODAY)
