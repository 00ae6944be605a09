"""schema.facts reads medal.yaml; the few copies kept for start-up speed are pinned to it here."""

from __future__ import annotations

import re

from medal_catalog.schema import facts, schema_view


def test_facts_agree_with_linkml_schemaview():
    """The yaml read by facts gives what linkml's SchemaView gives: class IRIs, enum values, the id pattern."""
    view = schema_view()
    for name in ("BenchmarkTask", "ImagingDataset", "ImagingSeries", "ReviewAssessment"):
        assert facts.class_uri(name) == view.get_class(name).class_uri
    assert list(facts.enum_values("AccessLevelEnum")) == list(view.get_enum("AccessLevelEnum").permissible_values)
    assert facts.slot_pattern("id") == view.get_slot("id").pattern
    assert facts.expand("DUO:0000004") == "http://purl.obolibrary.org/obo/DUO_0000004"


def test_the_entry_id_copies_are_the_schemas():
    """`medal harvest --dataset`, the Croissant mapping and the submissions route accept exactly the schema's ids."""
    from medal_catalog.cli.harvest import ENTRY_ID as CLI_ENTRY_ID
    from medal_catalog.croissant.mapping import ENTRY_ID

    pattern = facts.slot_pattern("id")
    assert CLI_ENTRY_ID.pattern == pattern and ENTRY_ID.pattern == pattern
    assert re.match(pattern, "ct-lung.v2") and not re.match(pattern, "CT Lung")
