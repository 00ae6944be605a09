"""The fast path (compiled gates for clean entries and for entries that only lack recommended fields, slices of large
files in workers) reports exactly what the full path reports: same issues (codes, pointers, severities, messages,
hints), same FAIR scores, same verdicts."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import random
import sys

import jsonschema_rs
import pytest

from benchmarks.synthetic_records import make_records
from medal_catalog.documents import read_document
from medal_catalog.validators import entries, run, submission
from medal_catalog.validators.formats import GATE_PATTERNS, is_date, is_uri
from medal_catalog.validators.rules import _PHI_WORDS, _SUSPECT_GATE, _not_after
from medal_catalog.validators.entries import _check_entry_fully, _clean_test, _rules_clean_test, check_entry
from medal_catalog.validators.submission import validate_paths

from conftest import EXAMPLES

TODAY = "2026-11-22"

#: Values that sit on either side of some rule, FAIR check or format.
VALUES = [
    None,
    "",
    [],
    {},
    0,
    -1,
    1,
    2,
    3.0,
    10**6,
    True,
    False,
    "x",
    "NMDS",
    "IRB",
    "waiver",
    "opt_out",
    "broad",
    "open",
    "controlled",
    "registered",
    "hidden_test",
    "published",
    "unpublished",
    "partially_published",
    "primary",
    "secondary",
    "2026-11-22",
    "2026-11-23",
    "2026-11-21",
    "2027-01-01",
    "2099-12-31",
    "1999-02-29",
    "2024-02-29",
    "0999-01-01",
    "2026-11-22T10:00:00Z",
    "2026-11-23T00:00:00Z",
    "2026-1",
    "GB",
    "EU",
    "gb",
    "GB\n",
    "CC-BY-4.0",
    "CC0-1.0",
    "GPL-2.0",
    "CC-BY-NC-4.0",
    "CC-BY-ND-4.0",
    "LicenseRef-Site-Terms",
    "LicenseRef-x\n",
    "Apache 2",
    "https://orcid.org/0000-0002-1825-0097",
    "https://orcid.org/0000-0002-1825-0098",
    "https://orcid.org/0000-0002-1694-233X",
    "10.1234/abc",
    "https://example.org/x",
    "https://example.org/a b",
    "https://user@example.org/",
    "http://[::1]/x",
    "https://example.org/%41",
    "mailto:someone@example.org",
    "Patient DOB 03/04/1961, see chart.",
    "MRN 12345",
    "date of bİrth",
    "İ",
    "٣/٤",
    "a record of names",
    "1-2",
    "x" * 99,
    "x" * 100,
    " " * 50 + "x" * 99,
    "\x1c" + "x" * 100,
    ["IRB", "NMDS"],
    ["a", "b"],
    ["a", "b", "c"],
    ["GB", "XX"],
    [{"name": "A", "role": "secondary"}],
    [{"doi": "10.1234/abc", "describes_this_data": True}],
    {"female": 1, "male": 1, "other": 0, "unknown": 0},
    [{"minimum": 0, "maximum": 10, "count": 10**6}],
    {"minimum": 5, "maximum": 1},
    {"minimum": 5, "maximum": 1.0},
    {"start_date": "2022-01-01", "end_date": "2021-01-01"},
]
#: Where the rules, FAIR checks and formats look (and a few places where they do not).
PATHS = {
    "dataset": [
        "consent",
        "consent.duo_modifiers",
        "consent.allows_algorithm_development",
        "consent.consent_type",
        "ethics_approval",
        "ethics_approval.approval_date",
        "ethics_approval.country",
        "license.spdx_id",
        "license.dua_required",
        "license.dua_url",
        "license.url",
        "license",
        "access_level",
        "publication_status",
        "doi",
        "related_publications",
        "subject_count",
        "study_count",
        "series_count",
        "instance_count",
        "population.sex_counts",
        "population.sex_counts.female",
        "population.age_bins",
        "population.age_range",
        "population",
        "acquisition.slice_thickness_range",
        "acquisition.slice_thickness_range.maximum",
        "acquisition.pixel_spacing_range",
        "collection_period",
        "collection_period.start_date",
        "collection_period.end_date",
        "created",
        "modified",
        "countries",
        "provenance.contributors",
        "provenance.contributors.0.orcid",
        "provenance.contributors.0.affiliation",
        "provenance",
        "description",
        "data_use_conditions",
        "keywords",
        "version",
        "citation",
        "distribution",
        "distribution.0.url",
        "modalities",
        "body_parts",
        "file_formats",
        "deidentification",
        "responsible_ai",
        "title",
        "id",
        "site_count",
    ],
    "task": [
        "splits",
        "splits.0.labels_hidden",
        "splits.0.labels_published",
        "metrics",
        "metrics.0.role",
        "submitter",
        "submitter.orcid",
        "submitter.email",
        "submitter.affiliation",
        "target_conditions",
        "datasets_used",
        "anatomy",
        "input_spec",
        "output_spec",
        "reference_standard",
        "clinical_rationale",
        "description",
        "keywords",
        "version",
        "citation",
        "created",
        "modified",
        "status",
        "title",
    ],
}


def _outcome(fn, cls, record):
    try:
        return fn(cls, record, TODAY)
    except Exception as exc:  # noqa: BLE001 - both paths must fail alike, too
        return type(exc)


def _set(record: dict, dotted: str, value) -> None:
    """Set (or, with _DELETE, remove) the value at a dotted path, if the path still leads somewhere."""
    *parents, leaf = dotted.split(".")
    node = record
    for key in [*parents, leaf]:
        if isinstance(node, list) != key.isdigit() or (isinstance(node, list) and int(key) >= len(node)):
            return
        if not isinstance(node, (dict, list)):
            return
        if key is leaf:
            break
        node = node[int(key)] if isinstance(node, list) else node.get(key)
    if isinstance(node, list):
        node[int(leaf)] = None if value is _DELETE else value
    elif value is _DELETE:
        node.pop(leaf, None)
    else:
        node[leaf] = value


_DELETE = object()


def _mutants(kind: str, n: int, seed: int):
    """Every value of VALUES (or removal) at every path of PATHS, then ``n`` records with several such changes."""
    base, _ = make_records(40, kind, invalid_share=0.1, seed=seed)
    rng = random.Random(seed)
    for i, (path, value) in enumerate((p, v) for p in PATHS[kind] for v in [*VALUES, _DELETE]):
        record = copy.deepcopy(base[i % len(base)])
        _set(record, path, value if value is _DELETE else copy.deepcopy(value))
        yield record
    for _ in range(n):
        record = copy.deepcopy(rng.choice(base))
        for _ in range(rng.choice([2, 2, 3, 4])):
            value = rng.choice([*VALUES, _DELETE])
            _set(record, rng.choice(PATHS[kind]), value if value is _DELETE else copy.deepcopy(value))
        yield record


@pytest.mark.slow
@pytest.mark.parametrize("kind, cls", [("dataset", "ImagingDataset"), ("task", "BenchmarkTask")])
def test_fast_path_equals_full_path_on_synthetic_and_mutated_records(kind, cls):
    """On the benchmark's records (valid and broken) and thousands of mutants near every rule, results are identical."""
    records, _ = make_records(300, kind, invalid_share=0.05, seed=11)
    fast_hits = fair_only = 0
    for record in [*records, *_mutants(kind, 2000, seed=5)]:
        fast, full = _outcome(check_entry, cls, record), _outcome(_check_entry_fully, cls, record)
        assert fast == full, json.dumps(record)[:2000]
        fast_hits += _clean_test(cls, TODAY)(record)
        fair_only += not _clean_test(cls, TODAY)(record) and _rules_clean_test(cls, TODAY)(record)
    assert fast_hits > 400 and fair_only > 50  # both gates really are exercised, not just refused


def test_fast_path_equals_full_path_on_examples():
    """Every entry of examples/valid and examples/invalid gets the same result from both paths."""
    files = [p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.name != "EXPECTED.yaml"]
    seen = 0
    for path in files:
        try:
            doc = read_document(path)
        except Exception:  # noqa: BLE001 - the malformed example
            continue
        if doc.kind in ("croissant", "other"):
            continue
        for ref in doc.entries():
            assert _outcome(check_entry, ref.cls, ref.data) == _outcome(_check_entry_fully, ref.cls, ref.data), path
            seen += 1
    assert seen >= 20


def test_gate_refuses_each_rule_example():
    """Each rule's failing example (tests/validators/test_rules.py) is refused by the gate, so it is explained."""
    from test_rules import test_rule_passes_good_and_flags_bad as pinned

    for good, bad, _code in pinned.pytestmark[0].args[1]:
        assert not _clean_test("ImagingDataset", TODAY)(bad)
        assert check_entry("ImagingDataset", good, TODAY) == _check_entry_fully("ImagingDataset", good, TODAY)


def test_every_rule_has_a_gate_twin():
    """A rule added to RULES without its JSON Schema twin would let the gate pass what the rule flags: it cannot."""
    from medal_catalog.validators.rules import _TWINS, RULES, policy_gate

    assert {rule for rules in RULES.values() for rule in rules} <= set(_TWINS)
    for cls in RULES:
        policy_gate(cls, TODAY)


def test_suspect_text_pattern_covers_the_screen():
    """The gate's free-text pattern matches whatever free_text_rules' cheap screen lets through (all of Unicode)."""
    validator = jsonschema_rs.Draft201909Validator({"pattern": _SUSPECT_GATE})
    ascii_letters = set("abcdefghijklmnopqrstuvwxyz")
    for code in range(0x80, sys.maxunicode + 1):
        ch = chr(code)
        if set(ch.lower()) & ascii_letters:  # lower-casing makes an ASCII letter: (?i) must fold it, or it is listed
            assert ch in ("\u0130", "\u212a"), hex(code)
        if ch.isdecimal():  # Python's \d on str
            assert validator.is_valid(f"{ch}/{ch}"), hex(code)
    assert validator.is_valid("\u0130")
    for word in _PHI_WORDS:
        for variant in (word, word.upper(), word.title(), word.replace("k", "\u212a").upper()):
            assert validator.is_valid(f"a {variant} b"), variant


def test_gate_format_patterns_accept_only_what_the_formats_accept():
    """Dates and URIs the gate's patterns accept are dates and URIs for the formats linkml-validate uses."""
    rng = random.Random(3)
    date = jsonschema_rs.Draft201909Validator({"pattern": GATE_PATTERNS["date"]})
    day = dt.date(1000, 1, 1)
    while day.year < 3000:
        text = day.isoformat()
        assert date.is_valid(text) == (text[5:] != "02-29"), text
        day += dt.timedelta(days=rng.randint(1, 40))
    for _ in range(20000):
        text = "".join(rng.choice("0123456789-\n ") for _ in range(rng.choice([9, 10, 10, 11])))
        if date.is_valid(text):
            assert is_date(text), text
    uri = jsonschema_rs.Draft201909Validator({"pattern": GATE_PATTERNS["uri"]})
    alphabet = "ab:/?#[]@!$&'()*+,;=-._~%41 \n\u00e9"
    for _ in range(20000):
        text = rng.choice(["https://", "http://", "a:", "x+y://", ""]) + "".join(
            rng.choice(alphabet) for _ in range(rng.randint(0, 12))
        )
        assert is_uri(text) == _rfc3987_uri(text), text
        if uri.is_valid(text):
            assert is_uri(text), text


def _rfc3987_uri(text: str) -> bool:
    import rfc3987

    try:
        return bool(rfc3987.parse(text, rule="URI"))
    except ValueError:
        return False


def test_not_after_today_pattern():
    """The date.future twin accepts only strings whose first ten characters are not after today."""
    rng = random.Random(4)
    for today in ("2026-11-22", "2020-01-01", "2009-09-09", "2030-10-30"):
        validator = jsonschema_rs.Draft201909Validator(_not_after(today))
        for _ in range(5000):
            text = "".join(rng.choice("0123456789-") for _ in range(10)) + rng.choice(["", "T00:00:00Z", "x"])
            if rng.random() < 0.5:  # near today: its first k characters, then anything
                k = rng.randint(0, 10)
                text = today[:k] + text[k:]
            if validator.is_valid(text):
                assert text[:10] <= today, (today, text)
        assert validator.is_valid(today) and validator.is_valid(today + "T23:59:59Z")
        assert not validator.is_valid("2999-12-31") and not validator.is_valid(today[:8] + "9" + today[9])


def _report(paths):
    return validate_paths(paths, today=dt.date.fromisoformat(TODAY)).to_dict()


def _full_serial_report(monkeypatch, paths):
    with monkeypatch.context() as m:
        m.setattr(submission, "PARALLEL_MIN_BYTES", 10**15)
        m.setattr(entries, "_clean_test", lambda cls, today: lambda record: False)
        m.setattr(entries, "_rules_clean_test", lambda cls, today: lambda record: False)
        return _report(paths)


@pytest.fixture
def three_workers(monkeypatch):
    """Three worker processes, even on a smaller machine and for less than a megabyte of metadata."""
    if not hasattr(os, "fork"):
        pytest.skip("worker processes need fork")
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    monkeypatch.setattr(submission, "PARALLEL_MIN_BYTES", 1)


@pytest.mark.usefixtures("three_workers")
def test_sliced_parallel_report_equals_full_serial_report(tmp_path, monkeypatch):
    """Benchmark-like files cut into slices for three workers give the full, serial path's report, byte for byte."""
    paths = []
    for kind, n in (("dataset", 300), ("task", 400)):  # just beyond MAX_POSITION_BYTES: sliced
        records, broken = make_records(n, kind, invalid_share=0.05, seed=9)
        records[250]["id"] = records[10]["id"]  # a duplicate id across slices
        path = tmp_path / f"{kind}s.json"
        path.write_text(json.dumps(records), encoding="utf-8")
        paths.append(path)
    small = tmp_path / "one.json"
    small.write_text(json.dumps(make_records(3, "task", 0, seed=1)[0]), encoding="utf-8")
    paths.append(small)
    assert all(p.stat().st_size > run.MAX_POSITION_BYTES for p in paths[:2])
    assert len(submission._slices(0, paths[0], paths[0].stat().st_size, 3)) == 3
    assert _report(paths) == _full_serial_report(monkeypatch, paths)


@pytest.mark.usefixtures("three_workers")
def test_slices_that_are_not_whole_entries_fall_back(tmp_path, monkeypatch):
    """A cut inside an entry (a nested list of objects that start like entries) or a list holding a non-entry is
    noticed, and the file is read as a whole: same report as the serial path."""
    records, _ = make_records(2, "dataset", 0, seed=2)
    records[0]["extra"] = [{"type": i} for i in range(60000)]  # the whole middle of the file
    nested = tmp_path / "nested.json"
    nested.write_text(json.dumps(records), encoding="utf-8")
    mixed = tmp_path / "mixed.json"
    tasks = [*make_records(300, "task", 0, seed=2)[0], 7, *make_records(300, "task", 0, seed=3)[0]]
    mixed.write_text(json.dumps(tasks), encoding="utf-8")
    whole = []  # files the parent itself reads: here, only after the workers' slices failed
    check_job = submission._check_job
    monkeypatch.setattr(submission, "_check_job", lambda job, today: whole.append(job) or check_job(job, today))
    for path in (nested, mixed):
        assert path.stat().st_size > run.MAX_POSITION_BYTES
        whole.clear()
        sliced = _report([path])
        assert len(whole) == 1
        assert sliced == _full_serial_report(monkeypatch, [path])
