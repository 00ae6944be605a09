"""Turn a catalog entry into the flat document both search backends index (one flattener, so they agree)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from medal_catalog.search.fields import FIELDS, NESTED, canonical


def _values(node: Any, path: list[str]) -> Iterable[Any]:
    """Every value at a dotted path, walking through lists (``series.modality`` yields each series' modality)."""
    if isinstance(node, list):
        for item in node:
            yield from _values(item, path)
        return
    if not path:
        if node is not None and node != "":
            yield node
        return
    if isinstance(node, Mapping) and path[0] in node:
        yield from _values(node[path[0]], path[1:])


def _unique(values: Iterable[Any]) -> list[Any]:
    seen: list[Any] = []
    hashed: set[Any] = set()
    for value in values:
        try:
            if value in hashed:
                continue
            hashed.add(value)
        except TypeError:  # a mapping or list: compared by equality, as before
            if value in seen:
                continue
        seen.append(value)
    return seen


@lru_cache(maxsize=1)
def _field_paths() -> tuple[tuple[Any, tuple[list[str], ...]], ...]:
    """Each indexed field with its source paths split once (flatten runs a million times in a bulk harvest)."""
    return tuple(
        (field, tuple(source.split(".") for source in field.sources))
        for field in FIELDS
        if field.role != "meta" and field.name != "type"
    )


def _body_part_term(label: str) -> str:
    """An anatomy label as a DICOM BodyPartExamined term: "Lung structure" -> LUNG, "Brain" -> BRAIN
    (SNOMED's "structure" suffix dropped; CID 4031 terms are upper case without spaces)."""
    words = [w for w in "".join(ch if ch.isalnum() else " " for ch in label).upper().split()]
    if len(words) > 1 and words[-1] == "STRUCTURE":
        words = words[:-1]
    return "".join(words)


def label_of(entry: Mapping[str, Any]) -> str:
    """A one-line display title for any entry, including the ones without a ``title`` slot."""
    if entry.get("title"):
        return str(entry["title"])
    kind = entry.get("type")
    if kind == "ImagingSeries":
        parts = [entry.get("modality"), entry.get("body_part"), f"series {entry.get('series_number', '')}".strip()]
        head = " ".join(str(p) for p in parts if p)
        return f"{head}: {entry['series_description']}" if entry.get("series_description") else head
    if kind == "ReviewAssessment":
        reviewer = (entry.get("reviewer") or {}).get("name", "?")
        return f"Review of {entry.get('task', '?')} by {reviewer} ({entry.get('recommendation', '')})"
    return str(entry.get("id", ""))


def nested_slots() -> tuple[str, ...]:
    """The slots of nested series indexed under a dataset, as the generated mapping lists them."""
    # inline: `medal --help` does not need search.mapping at start-up
    from medal_catalog.search.mapping import load_mapping

    return tuple(load_mapping()["mappings"]["properties"]["series"]["properties"])


def flatten(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The index document of a validated entry (JSON-mode dict): meta, text, facet and range fields, nested series.

    Text, facet and range fields are lists of distinct values (empty ones omitted); ``key``, ``id``, ``type`` and
    ``label`` are single strings.
    """
    kind, entry_id = entry["type"], entry["id"]
    doc: dict[str, Any] = {"key": f"{kind}:{entry_id}", "id": entry_id, "type": kind, "label": label_of(entry)}
    for field, paths in _field_paths():
        present = [path for path in paths if path[0] in entry]
        if not present:
            continue
        values = _unique(v for path in present for v in _values(entry, path))
        if field.role == "facet":
            # One spelling per value ("Chest" from a non-conforming header counts as CHEST), as filters write it.
            values = _unique(canonical(field.name, str(v)) for v in values)
        if values:
            doc[field.name] = [str(v) for v in values] if field.role in ("text", "facet") else values
    anatomy = [
        _body_part_term(c["label"]) for c in entry.get("anatomy") or () if isinstance(c, Mapping) and c.get("label")
    ]
    if anatomy:
        doc["body_part"] = _unique([*doc.get("body_part", []), *anatomy])
    for slot in NESTED:
        items = entry.get(slot)
        if isinstance(items, list) and items:
            keep = nested_slots()
            doc[slot] = [{k: v for k, v in item.items() if k in keep and v is not None} for item in items]
    return doc
