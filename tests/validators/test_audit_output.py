"""`medal validate` on real DICOM tells each identifying attribute once, with where it is, not once per file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from medal_catalog.cli import main

SHARED = Path(os.environ.get("MEDAL_SHARED_DICOM", "/work/shared/data/dicom"))
pytestmark = pytest.mark.skipif(
    not (SHARED / "philips").is_dir(), reason=f"real Philips DICOM not present at {SHARED} (set MEDAL_SHARED_DICOM)"
)


def test_the_philips_audit_is_grouped_per_attribute():
    """Fewer than 100 lines by default, each finding's attribute named once with its file count; --details lists
    every file; --json keeps every issue."""
    folder = str(SHARED / "philips")
    grouped = CliRunner().invoke(main, ["validate", folder])
    detailed = CliRunner().invoke(main, ["validate", folder, "--details"])
    as_json = json.loads(CliRunner().invoke(main, ["validate", folder, "--json"]).output)
    lines = grouped.output.splitlines()
    phi = [i for i in as_json["issues"] if i["code"] == "dicom.phi"]
    assert len(lines) < 100 and len(phi) > 1000
    assert sum("PatientName" in line for line in lines) == 1
    assert any(" in 680 files of 1 folder " in line for line in lines)
    assert len(detailed.output.splitlines()) > len(phi) and grouped.exit_code == detailed.exit_code == 1
