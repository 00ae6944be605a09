"""The index fields cover every searchable slot, and the generated mapping types them from the schema."""

from __future__ import annotations

from medal_catalog.schema import ENTRY_CLASSES, schema_view
from medal_catalog.search.fields import FIELDS, NESTED
from medal_catalog.search.mapping import load_mapping, render_mapping, search_role


def test_every_annotated_slot_of_an_entry_lands_in_an_index_field():
    """A slot annotated search: fulltext|facet|range is a step of some index field's source path."""
    view = schema_view()
    covered = {step for field in FIELDS for source in field.sources for step in source.split(".")}
    missing = set()
    for cls in ENTRY_CLASSES:
        for name in view.class_slots(cls):
            if search_role(view.induced_slot(name, cls)) and name not in covered:
                missing.add(f"{cls}.{name}")
    for cls in ("AcquisitionSummary", "License", "CodedConcept"):
        for name in view.class_slots(cls):
            if search_role(view.induced_slot(name, cls)) and name not in covered:
                missing.add(f"{cls}.{name}")
    assert missing == set()


def test_mapping_types_follow_slot_ranges():
    """Facets are keywords, text is analysed text, counts are long, measurements double, dates date."""
    properties = render_mapping()["mappings"]["properties"]
    assert properties["modality"]["type"] == "keyword"
    assert properties["title"]["type"] == "text" and properties["title"]["fields"]["raw"]["type"] == "keyword"
    assert properties["subject_count"]["type"] == "long"
    assert properties["slice_thickness"]["type"] == "double"
    assert properties["created"]["type"] == "date"
    assert properties[next(iter(NESTED))]["type"] == "nested"
    assert properties["series"]["properties"]["magnetic_field_strength"]["type"] == "double"


def test_the_backends_read_the_committed_artefact():
    """load_mapping() (what the backends use) equals what the schema generates now."""
    assert load_mapping() == render_mapping()
