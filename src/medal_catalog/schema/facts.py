"""Facts of the schema that code needs at run time (class IRIs, enum values and their meanings), read straight from
medal.yaml so that no module keeps a hand copy of them.

This reads the yaml with PyYAML (about 20 ms, once per process) instead of linkml's SchemaView, which takes
seconds to import; :func:`medal_catalog.schema.schema_view` remains the tool for questions about inheritance.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from medal_catalog.schema import SCHEMA_PATH


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SCHEMA_PATH.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def prefixes() -> dict[str, str]:
    """Prefix -> namespace IRI, as the schema declares them."""
    return dict(_schema()["prefixes"])


def expand(curie: str) -> str:
    """The full IRI of a CURIE with one of the schema's prefixes (a full IRI is returned as it is)."""
    prefix, sep, local = curie.partition(":")
    namespace = prefixes().get(prefix) if sep else None
    return namespace + local if namespace and not local.startswith("//") else curie


def class_uri(name: str) -> str:
    """The ``class_uri`` CURIE of a class (e.g. ``medal:BenchmarkTask``)."""
    cls = _schema()["classes"][name]
    return cls.get("class_uri") or f"medal:{name}"


def class_mappings(name: str) -> tuple[str, ...]:
    """The class's ``exact_mappings`` and ``close_mappings`` CURIEs, in schema order."""
    cls = _schema()["classes"][name]
    return tuple([*(cls.get("exact_mappings") or ()), *(cls.get("close_mappings") or ())])


def slot_pattern(slot: str) -> str:
    """The ``pattern`` (a regular expression) the schema declares for a slot, e.g. ``id``."""
    return _schema()["slots"][slot]["pattern"]


def slot_description(slot: str) -> str | None:
    """The description the schema gives a slot."""
    return (_schema()["slots"].get(slot) or {}).get("description")


def type_description(slot: str) -> str | None:
    """The description of a slot's range when the range is one of the schema's own types (e.g. DicomUid)."""
    rng = (_schema()["slots"].get(slot) or {}).get("range")
    return ((_schema().get("types") or {}).get(rng) or {}).get("description") if rng else None


def enum_values(enum: str) -> tuple[str, ...]:
    """The permissible values of an enum, in schema order."""
    return tuple(_schema()["enums"][enum]["permissible_values"])


def enum_names() -> tuple[str, ...]:
    """The names of the schema's enums."""
    return tuple(_schema()["enums"])


def slot_range(slot: str) -> str | None:
    """The range a slot declares at schema level (an enum, class or type name), or None (the default range)."""
    return (_schema()["slots"].get(slot) or {}).get("range")


def enum_meanings(enum: str) -> dict[str, str]:
    """Permissible value -> its ``meaning`` CURIE, for the values that have one."""
    values = _schema()["enums"][enum]["permissible_values"]
    return {value: spec["meaning"] for value, spec in values.items() if spec and spec.get("meaning")}


def access_levels() -> tuple[str, ...]:
    """The dataset access levels (``AccessLevelEnum``), from the most open to the most closed."""
    return enum_values("AccessLevelEnum")


def slot_ranges(cls: str) -> dict[str, str]:
    """Slot -> range of a class, inherited slots included (``is_a`` and mixins first, in schema order): the
    class's ``slot_usage`` range before the slot's own, the schema's ``default_range`` when neither gives one, and
    a schema type resolved to the LinkML built-in type it derives from (``DicomUid`` -> ``string``). Enum and class
    ranges keep their names."""
    schema = _schema()
    spec = schema["classes"][cls]
    out: dict[str, str] = {}
    for parent in [spec.get("is_a"), *(spec.get("mixins") or ())]:
        if parent:
            out.update(slot_ranges(parent))
    usage = spec.get("slot_usage") or {}
    for slot in spec.get("slots") or ():
        declared = (usage.get(slot) or {}).get("range") or (schema["slots"].get(slot) or {}).get("range")
        out[slot] = _builtin_type(declared or schema.get("default_range", "string"))
    return out


def _builtin_type(name: str) -> str:
    types = _schema().get("types") or {}
    while name in types and types[name].get("typeof"):
        name = types[name]["typeof"]
    return name
