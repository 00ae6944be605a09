"""The Elasticsearch index mapping, generated from the LinkML schema and the index field table.

``render_mapping()`` walks each field's source slots through the schema: text fields become ``text``, facets
``keyword``, ranges ``long``/``double``/``date`` from the slots' ranges; the inlined series of a dataset become a
``nested`` object of the ImagingSeries slots that carry a ``search`` annotation. ``medal schema generate`` writes
the result to ``schema/generated/medal.es-mapping.json``; the backends read that file and never import linkml.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from medal_catalog.schema import ENTRY_CLASSES, GENERATED_DIR
from medal_catalog.search.fields import DATE_FIELDS, FIELDS, NESTED
from medal_catalog.schema import schema_view

MAPPING_PATH = GENERATED_DIR / "medal.es-mapping.json"
_HEADER = (
    "GENERATED from src/medal_catalog/schema/medal.yaml and src/medal_catalog/search/fields.py by "
    "`medal schema generate`. Do not edit."
)
_NUMERIC = {"integer": "long", "float": "double", "double": "double", "decimal": "double", "Score": "long"}
_DATES = {"date": "date", "datetime": "date"}
ANALYZER = {"medal_text": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]}}


def _slot_range(view: Any, path: str) -> str:
    """The range of the last slot of a dotted path, starting from whichever entry class has the first slot."""
    names = path.split(".")
    for start in ENTRY_CLASSES:
        cls: str | None = start
        found = None
        for name in names:
            if cls is None or name not in view.class_slots(cls):
                found = None
                break
            found = view.induced_slot(name, cls)
            cls = found.range if found.range in view.all_classes() else None
        if found is not None:
            rng: str = found.range or view.schema.default_range or "string"
            # Custom types (CountryCode, Score) resolve to their base type.
            while rng in view.all_types() and rng not in _NUMERIC and rng not in _DATES:
                parent = view.get_type(rng).typeof
                if not parent:
                    break
                rng = parent
            return rng
    raise ValueError(f"index field source {path!r} is not a slot path of any entry class")


def search_role(slot_def: Any) -> str | None:
    """The value of a slot's ``search`` annotation (fulltext, facet, range), or None."""
    annotation = getattr(slot_def.annotations, "search", None) if slot_def.annotations else None
    return getattr(annotation, "value", annotation)


def _range_type(view: Any, field_name: str, sources: tuple[str, ...]) -> str:
    types = {_NUMERIC.get(r) or _DATES.get(r) or r for r in (_slot_range(view, s) for s in sources)}
    if types == {"date"}:
        if field_name not in DATE_FIELDS:
            raise ValueError(f"range field {field_name} holds dates: add it to DATE_FIELDS")
        return "date"
    if types <= {"long", "double"}:
        return "double" if "double" in types else "long"
    raise ValueError(f"range field {field_name} mixes or lacks numeric ranges: {sorted(types)}")


def _text() -> dict[str, Any]:
    return {"type": "text", "analyzer": "medal_text"}


def render_mapping() -> dict[str, Any]:
    """Index settings and mappings for Elasticsearch/OpenSearch, derived from the schema."""

    view = schema_view()
    properties: dict[str, Any] = {}
    for field in FIELDS:
        for source in field.sources:
            _slot_range(view, source)  # every source must exist in the schema
        if field.role == "meta":
            properties[field.name] = {"type": "keyword"}
        elif field.role == "text":
            properties[field.name] = _text()
            if field.name == "title":
                properties[field.name]["fields"] = {"raw": {"type": "keyword"}}
        elif field.role == "facet":
            properties[field.name] = {"type": "keyword"}
        else:
            properties[field.name] = {"type": _range_type(view, field.name, field.sources)}
    for slot, cls in NESTED.items():
        nested: dict[str, Any] = {}
        for name in view.class_slots(cls):
            slot_def = view.induced_slot(name, cls)
            role = search_role(slot_def)
            if role == "fulltext":
                nested[name] = _text()
            elif role == "facet":
                nested[name] = {"type": "keyword"}
            elif role == "range":
                nested[name] = {"type": _range_type(view, name, (f"{slot}.{name}",))}
        properties[slot] = {"type": "nested", "properties": nested}
    return {
        "_comment": _HEADER,
        "settings": {"analysis": {"analyzer": ANALYZER}},
        "mappings": {"dynamic": False, "properties": properties},
    }


def render_mapping_json() -> str:
    """The mapping artefact's text, as written to ``medal.es-mapping.json``."""
    return json.dumps(render_mapping(), indent=2) + "\n"


@lru_cache(maxsize=1)
def load_mapping() -> dict[str, Any]:
    """The generated mapping artefact (settings and mappings), read once."""
    mapping: dict[str, Any] = json.loads(MAPPING_PATH.read_text(encoding="utf-8"))
    return mapping
