"""A short, machine-readable summary of the schema for `medal schema summary`."""

from __future__ import annotations

from typing import Any

from medal_catalog.schema import ENTRY_CLASSES, SCHEMA_PATH, schema_view


def summarise() -> dict[str, Any]:
    """Counts of classes, slots and enums, and per entry class its slot count and URI."""
    sv = schema_view()
    entries = []
    for name in ENTRY_CLASSES:
        slots = sv.class_induced_slots(name)
        entries.append(
            {
                "name": name,
                "uri": sv.get_uri(name, expand=True),
                "slot_count": len(slots),
                "required_count": sum(bool(s.required) for s in slots),
            }
        )
    return {
        "title": sv.schema.title,
        "version": sv.schema.version,
        "path": str(SCHEMA_PATH),
        "class_count": len(sv.all_classes(imports=False)),
        "slot_count": len(sv.all_slots(imports=False)),
        "enum_count": len(sv.all_enums(imports=False)),
        "entries": entries,
    }
