"""The Croissant vocabulary follows the schema: the DUO codes and the series manifest's column types come from
medal.yaml, and the import's DUO permissions cover the schema's, so a code or slot the schema changes cannot leave
a stale copy behind."""

from __future__ import annotations

from medal_catalog.croissant.mapping import PERMISSIONS
from medal_catalog.croissant.vocabulary import DUO, duo_codes, duo_terms
from medal_catalog.croissant.writing import SERIES_FIELDS
from medal_catalog.schema.facts import enum_meanings, enum_values, expand, slot_ranges


def test_duo_codes_are_the_schema_enums_with_their_meanings():
    """Every DUO permission and modifier of the schema, and nothing else, maps to the term of its meaning."""
    codes = duo_codes()
    permissions, modifiers = enum_values("DuoPermissionEnum"), enum_values("DuoModifierEnum")
    assert list(codes) == [*permissions, *modifiers]
    meanings = {**enum_meanings("DuoPermissionEnum"), **enum_meanings("DuoModifierEnum")}
    assert {code: DUO + local for code, local in codes.items()} == {c: expand(m) for c, m in meanings.items()}
    assert codes["NRES"] == "DUO_0000004" and codes["IRB"] == "DUO_0000021"


def test_every_duo_permission_states_a_consent_type():
    """The import maps each DuoPermissionEnum value, and only those, to a consent type of ConsentTypeEnum."""
    assert set(PERMISSIONS) == set(enum_values("DuoPermissionEnum"))
    assert set(PERMISSIONS.values()) <= set(enum_values("ConsentTypeEnum"))


def test_duo_terms_of_a_consent():
    """A consent's permission comes first, then its modifiers; a code DUO lacks is left out."""
    consent = {"duo_permission": "HMB", "duo_modifiers": ["IRB", "NOT-A-CODE"]}
    assert duo_terms(consent) == [DUO + "DUO_0000006", DUO + "DUO_0000021"]
    assert duo_terms({}) == []


def test_series_fields_are_imaging_series_slots_typed_by_their_range():
    """Each manifest column is an ImagingSeries slot whose Croissant type is that of its range in the schema."""
    ranges = slot_ranges("ImagingSeries")
    croissant_type = {"integer": "sc:Integer", "float": "sc:Float", "boolean": "sc:Boolean"}
    assert set(SERIES_FIELDS) <= set(ranges)
    assert SERIES_FIELDS == {name: croissant_type.get(ranges[name], "sc:Text") for name in SERIES_FIELDS}
    assert (
        SERIES_FIELDS["series_number"],
        SERIES_FIELDS["kvp"],
        SERIES_FIELDS["modality"],
        SERIES_FIELDS["study_instance_uid"],
    ) == ("sc:Integer", "sc:Float", "sc:Text", "sc:Text")


def test_slot_ranges_resolve_inherited_slots_and_schema_types():
    """``id`` comes from CatalogEntry; DicomUid is a string; enums keep their names."""
    ranges = slot_ranges("ImagingSeries")
    assert ranges["id"] == "string" and ranges["series_instance_uid"] == "string"
    assert ranges["modality"] == "ModalityEnum" and ranges["instance_count"] == "integer"
