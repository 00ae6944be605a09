"""validate warns a contributor, before harvest, about what would otherwise be lost silently: DICOM files no
file set includes, an open dataset's images that cannot be served, and missing consent, ethics or
de-identification for a dataset of patients' images."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from medal_catalog.cli import main
from medal_catalog.validators.submission import validate_paths
from submission_fill import GE_SERIES, PHILIPS_SERIES, fill

real = pytest.mark.skipif(not GE_SERIES.is_dir(), reason="the shared real DICOM is not here")


def _made(tmp_path):
    folder = tmp_path / "s"
    assert CliRunner().invoke(main, ["init", "submission", str(folder)]).exit_code == 0
    fill(folder, PHILIPS_SERIES)
    return folder


def _edit(folder, change):
    data = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
    change(data)
    (folder / "dataset.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


def _codes(folder):
    return {i.code: i for i in validate_paths([folder]).issues}


@real
def test_dicom_named_unlike_the_includes_pattern_is_one_warning_with_the_pattern_to_add(tmp_path):
    """GE files named i22.MRDC.1 beside the declared dicom/**/*.dcm: one warning on the dataset with the count,
    the first paths and a pattern that takes them; with that pattern, the warning is gone."""
    folder = _made(tmp_path)
    shutil.copytree(GE_SERIES, folder / "dicom" / GE_SERIES.name)
    found = [i for i in validate_paths([folder]).issues if i.code == "distribution.undeclared-dicom"]
    assert len(found) == 1 and found[0].severity.value == "warning" and found[0].pointer == "/distribution"
    assert found[0].message.startswith("14 DICOM files") and "i22.MRDC.1" in found[0].message
    assert "and 11 more" in found[0].message and "includes: dicom/**/*" in found[0].hint
    _edit(folder, lambda d: d["distribution"][0].update(includes="dicom/**/*"))
    assert "distribution.undeclared-dicom" not in _codes(folder)


@real
def test_an_open_dataset_without_burned_in_declared_no_is_told_at_validate_naming_the_slot(tmp_path):
    """validate says what harvest would (the images not kept) and names deidentification.burned_in_annotation."""
    folder = _made(tmp_path)
    _edit(folder, lambda d: d["deidentification"].pop("burned_in_annotation"))
    issue = _codes(folder)["dicom.burned-in-not-declared"]
    assert issue.severity.value == "warning" and issue.pointer == "/deidentification/burned_in_annotation"
    assert "deidentification.burned_in_annotation" in issue.message and '"NO"' in issue.hint


@real
def test_missing_consent_ethics_and_deidentification_warn_for_dicom_and_stay_infos_otherwise(tmp_path):
    """A dataset holding DICOM without consent, ethics approval or de-identification: three warnings; the same
    dataset declaring no DICOM (no file set, no DICOM format): consent and de-identification stay infos and no
    ethics warning."""
    folder = _made(tmp_path)
    _edit(folder, lambda d: [d.pop(k, None) for k in ("consent", "deidentification", "ethics_approval")])
    codes = _codes(folder)
    assert {
        codes[c].severity.value
        for c in ("fair.missing-consent", "fair.missing-deidentification", "fair.missing-ethics")
    } == {"warning"}
    assert codes["fair.missing-ethics"].hint.startswith("Add `ethics_approval`")
    shutil.rmtree(folder / "dicom")

    def no_dicom(d):
        d["file_formats"] = ["text/csv"]
        d["distribution"] = d["distribution"][1:]
        d["access_level"] = "controlled"
        d["license"] = {
            "spdx_id": "LicenseRef-MEDAL-DUA-1.0",
            "dua_required": True,
            "dua_url": "https://example.org/dua",
        }

    _edit(folder, no_dicom)
    codes = _codes(folder)
    assert codes["fair.missing-consent"].severity.value == "info" and "fair.missing-ethics" not in codes
