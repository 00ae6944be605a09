"""`medal validate` reports exactly the documented errors for every invalid example and none for valid ones."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from medal_catalog.report import Severity
from medal_catalog.validators.submission import validate_paths

from conftest import EXAMPLES

INVALID = sorted(p for p in (EXAMPLES / "invalid").glob("*.yaml") if p.name != "EXPECTED.yaml")


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_example_reports_exactly_the_golden_errors(path, expected_invalid):
    """The errors (code and JSON pointer) equal the file's entry in EXPECTED.yaml, no more, no fewer."""
    report = validate_paths([path])
    got = sorted((i.code, i.pointer) for i in report.issues if i.severity is Severity.ERROR)
    want = sorted((e["code"], e["pointer"]) for e in expected_invalid[path.name]["errors"])
    assert got == want
    assert report.exit_code() == 1


@pytest.mark.parametrize("path", sorted((EXAMPLES / "valid").glob("*.yaml")), ids=lambda p: p.name)
def test_valid_single_file_examples_have_no_errors(path):
    """Single-file valid examples validate without errors."""
    report = validate_paths([path])
    assert [i for i in report.issues if i.severity is Severity.ERROR] == []
    assert report.entries and all(e.valid for e in report.entries)


def test_cli_json_shape_and_exit_codes():
    """--json prints {valid, summary, issues, entries}; exit 1 on errors, 2 on a missing path."""
    bad = EXAMPLES / "invalid" / "nmds-consent.yaml"
    out = subprocess.run(
        [sys.executable, "-m", "medal_catalog", "validate", "--json", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert set(report) == {"valid", "summary", "issues", "entries"}
    assert report["valid"] is False and report["summary"]["errors"] == 1
    error = next(i for i in report["issues"] if i["severity"] == "error")
    assert error["code"] == "consent.nmds" and error["pointer"] == "/consent/duo_modifiers/0"
    assert error["line"] == 7 and error["file"].endswith("nmds-consent.yaml") and error["hint"]
    assert report["entries"][0]["fair"]["overall"] < 1
    missing = subprocess.run(
        [sys.executable, "-m", "medal_catalog", "validate", "no/such/path"], capture_output=True, text=True, timeout=120
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_strict_fails_on_warnings():
    """A file with only warnings exits 0, and 1 with --strict."""
    ok = EXAMPLES / "valid" / "cxr-pneumothorax-triage.yaml"
    plain = subprocess.run(
        [sys.executable, "-m", "medal_catalog", "validate", "-q", str(ok)], capture_output=True, text=True, timeout=120
    )
    strict = subprocess.run(
        [sys.executable, "-m", "medal_catalog", "validate", "--strict", str(ok)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert plain.returncode == 0 and "valid" in plain.stdout
    assert strict.returncode == 1


def test_report_never_quotes_offending_values():
    """The unknown `patient_name` field is reported by name, its value appears nowhere in the report."""
    report = validate_paths([EXAMPLES / "invalid" / "unknown-field-patient-name.yaml"])
    assert "Doe" not in json.dumps(report.to_dict())
