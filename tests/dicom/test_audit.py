"""The PS3.15 Annex E audit: what it flags, what it keeps, and that it never carries a value."""

from __future__ import annotations

import json
import os

import pydicom
import pytest
from dicom_samples import PHI, code_item, element, minimal_body, mr_dataset, part10, write
from pydicom.sequence import Sequence

from medal_catalog.dicom.annex_e import CID_7050
from medal_catalog.dicom.audit import PhiAudit, audit_dataset, audit_file
from medal_catalog.dicom.header import FileProblem


def keywords(audit: PhiAudit) -> set[str]:
    return {f.keyword for f in audit.findings}


def test_phi_in_plain_nested_and_private_tags_is_flagged_without_values(tmp_path):
    """Plain, nested and private identifying attributes are all found, and no value appears in the audit."""
    audit = audit_file(write(mr_dataset(phi=True), tmp_path / "a.dcm"))
    assert isinstance(audit, PhiAudit) and audit.flagged
    assert {
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "InstitutionName",
        "InstitutionAddress",
        "StationName",
        "DeviceSerialNumber",
        "OperatorsName",
        "ReferringPhysicianName",
        "PersonName",
        "ContentSequence",
        "RequestAttributesSequence",
        "PrivateTag",
    } <= keywords(audit)
    assert any(f.tag == "(0029,xxxx)" for f in audit.findings)
    dumped = json.dumps(audit.to_dict()) + repr(audit)
    for value in PHI.values():
        for part in value.replace("^", " ").split():
            assert part not in dumped


def test_declared_deidentification_is_read_and_clean_file_has_no_findings(tmp_path):
    """PatientIdentityRemoved, the CID 7050 options and LTIM are reported; a clean file has no findings."""
    audit = audit_file(write(mr_dataset(deidentified=True), tmp_path / "a.dcm"))
    assert audit.findings == ()
    assert audit.patient_identity_removed is True
    assert audit.profile_options == (
        "basic_profile",
        "retain_longitudinal_modified_dates",
        "retain_patient_characteristics",
    )
    assert audit.longitudinal_temporal_information_modified == "MODIFIED"
    assert audit.series_description == "T1 axial" and audit.study_description == "MR head"
    assert set(CID_7050.values()) <= {"basic_profile", *CID_7050.values()}


def test_dates_are_flagged_unless_longitudinal_information_was_modified(tmp_path):
    """A study date counts as identifying until LongitudinalTemporalInformationModified says MODIFIED."""
    ds = mr_dataset(deidentified=True)
    ds.LongitudinalTemporalInformationModified = "UNMODIFIED"
    audit = audit_file(write(ds, tmp_path / "a.dcm"))
    assert [f.reason for f in audit.findings if f.keyword == "StudyDate"] == ["dates-not-modified"]


def test_private_tags_pass_only_with_retain_safe_private(tmp_path):
    """Private groups are flagged unless the Retain Safe Private option (113111) is declared."""
    ds = mr_dataset(deidentified=True)
    ds.add_new(0x00190010, "LO", "ACME")
    ds.add_new(0x00191001, "DS", "1.5")
    assert "PrivateTag" in keywords(audit_file(write(ds, tmp_path / "a.dcm")))
    ds.DeidentificationMethodCodeSequence.append(code_item("113111"))
    assert "PrivateTag" not in keywords(audit_file(write(ds, tmp_path / "b.dcm")))


@pytest.mark.parametrize(
    ("modality", "burned", "flagged"),
    [("US", None, True), ("US", "YES", True), ("US", "NO", False), ("MR", None, False), ("MR", "YES", True)],
)
def test_burned_in_annotation(tmp_path, modality, burned, flagged):
    """BurnedInAnnotation YES is flagged, and so is its absence on modalities that burn text in."""
    ds = mr_dataset(deidentified=True, Modality=modality)
    if burned:
        ds.BurnedInAnnotation = burned
    audit = audit_file(write(ds, tmp_path / "a.dcm"))
    assert ("BurnedInAnnotation" in keywords(audit)) is flagged
    assert audit.burned_in_annotation == (burned or "UNKNOWN")


def test_description_with_a_token_of_the_patient_name_is_dropped(tmp_path):
    """A series description naming the patient is flagged and dropped, also when Clean Descriptors is declared
    (issue 15: the declaration used to keep the name)."""
    ds = mr_dataset(phi=True, SeriesDescription="Marguerite follow-up T2")
    audit = audit_file(write(ds, tmp_path / "a.dcm"))
    assert audit.series_description is None
    assert [f.reason for f in audit.findings if f.keyword == "SeriesDescription"] == ["identifying-token"]
    assert audit.study_description == "MR head"
    ds.DeidentificationMethodCodeSequence = Sequence([code_item("113105")])
    declared_clean = audit_file(write(ds, tmp_path / "b.dcm"))
    assert declared_clean.series_description is None
    assert "SeriesDescription" in {f.keyword for f in declared_clean.findings}


def test_unmodified_uids_are_flagged_when_identity_removal_is_not_declared(tmp_path):
    """Original UIDs may embed serial numbers: flagged unless PatientIdentityRemoved is YES."""
    assert "SeriesInstanceUID" in keywords(audit_file(write(mr_dataset(), tmp_path / "a.dcm")))
    assert "SeriesInstanceUID" not in keywords(audit_file(write(mr_dataset(deidentified=True), tmp_path / "b.dcm")))


def test_audit_dataset_matches_audit_file(tmp_path):
    """Auditing a pydicom Dataset in memory gives exactly the audit of the file it came from."""
    path = write(mr_dataset(phi=True), tmp_path / "a.dcm")
    assert audit_dataset(pydicom.dcmread(path)) == audit_file(path)


def test_audit_file_reports_unreadable_input_as_problems(tmp_path):
    """Non-DICOM, empty and truncated files come back as FileProblems with a reason, never an exception."""
    (tmp_path / "text.dcm").write_text("hello, not an image")
    (tmp_path / "empty.dcm").write_bytes(b"")
    (tmp_path / "cut.dcm").write_bytes(part10(minimal_body() + element(0x0010, 0x0010, b"PN", b"AB" * 40))[:-30])
    for name, not_dicom in (("text.dcm", True), ("empty.dcm", True), ("cut.dcm", False)):
        problem = audit_file(tmp_path / name)
        assert isinstance(problem, FileProblem) and problem.not_dicom is not_dicom, name
    assert "truncated" in audit_file(tmp_path / "cut.dcm").reason
    assert "empty" in audit_file(tmp_path / "empty.dcm").reason
    assert isinstance(audit_file(tmp_path / "missing.dcm"), FileProblem)
    assert os.path.exists(tmp_path / "text.dcm")
