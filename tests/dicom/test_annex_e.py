"""The vendored PS3.15 Annex E table and the CID 7050 codes: they agree with pydicom's dictionary and the schema."""

from __future__ import annotations

from pydicom.datadict import keyword_for_tag

from medal_catalog.dicom.annex_e import ANNEX_E, CID_7050, OPTION_RETAINS
from medal_catalog.schema.facts import enum_values


def test_annex_e_rows_agree_with_the_data_dictionary():
    """Every vendored Annex E row names the keyword that pydicom's dictionary gives its tag."""
    for tag, entry in ANNEX_E.items():
        if "x" not in entry.tag:
            assert keyword_for_tag(tag) == entry.keyword, entry.tag
    named = {e.keyword for e in ANNEX_E.values()}
    assert {
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "PatientAddress",
        "OtherPatientIDs",
        "OtherPatientIDsSequence",
        "InstitutionName",
        "InstitutionAddress",
        "StationName",
        "DeviceSerialNumber",
        "OperatorsName",
        "PerformingPhysicianName",
        "ReferringPhysicianName",
        "PatientComments",
        "ImageComments",
        "StudyDate",
        "AccessionNumber",
    } <= named


def test_cid_7050_has_every_code_of_the_profile_and_its_options():
    """All thirteen CID 7050 codes (113100 Basic Profile to 113112 Retain Institution Identity) map to a
    DeidentificationOptionEnum value, each to a different one; a code lost from the schema fails here."""
    assert sorted(CID_7050) == [str(code) for code in range(113100, 113113)]
    assert CID_7050["113100"] == "basic_profile" and CID_7050["113111"] == "retain_safe_private"
    assert sorted(CID_7050.values()) == sorted(enum_values("DeidentificationOptionEnum"))
    assert set(OPTION_RETAINS.values()) <= set(CID_7050.values())
