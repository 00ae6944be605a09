"""An entry as JSON-LD (our generated context, inline, plus the schema's class IRIs and mappings) and as Turtle.

``@id`` is the entry's resolvable identifier ``{base}/id/{kind}/{id}`` (``/v{n}`` for an older version);
references to other entries (a task's datasets, a series' dataset, a review's task) become their identifiers.
The context travels inline, so neither we nor a client's JSON-LD processor ever fetches a remote context.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from medal_catalog.schema import CONTAINER_SLOTS, ENTRY_CLASSES, KIND_PATHS as PATH_OF
from medal_catalog.schema.facts import class_mappings, class_uri, slot_ranges

#: RDF types per entry class, as the schema says: its class_uri, then its exact and close mappings.
TYPES = {kind: [class_uri(kind), *class_mappings(kind)] for kind in ENTRY_CLASSES}
#: Slots of an entry that name other entries (their range is an entry class), and the kind of entry they name;
#: a container's lists hold entries rather than name them.
REFERENCES = {slot: kind for cls in ENTRY_CLASSES for slot, kind in slot_ranges(cls).items()
              if kind in ENTRY_CLASSES and slot not in CONTAINER_SLOTS}


@lru_cache(maxsize=1)
def context() -> dict[str, Any]:
    """The generated JSON-LD context (the inner ``@context`` object)."""
    text = resources.files("medal_catalog.schema").joinpath("generated/medal.context.jsonld").read_text("utf-8")
    return json.loads(text)["@context"]


def identifier(base: str, kind: str, entry_id: str, version: int | None = None) -> str:
    tail = f"/v{version}" if version is not None else ""
    return f"{base}/id/{PATH_OF[kind]}/{entry_id}{tail}"


def to_jsonld(document: dict[str, Any], base: str, version: int | None = None) -> dict[str, Any]:
    """The JSON-LD form of an (already redacted) entry document."""
    kind = document["type"]
    # An explicit @base: ids of nested objects (a harvest run) resolve the same in every processor, never
    # against a server path or a processor's default.
    out: dict[str, Any] = {"@context": {**context(), "@base": f"{base}/id/{PATH_OF[kind]}/"},
                           "@id": identifier(base, kind, document["id"], version),
                           "@type": TYPES[kind]}
    for key, value in document.items():
        if key in ("type", "id"):
            continue
        target = REFERENCES.get(key)
        if target is not None:
            value = ([identifier(base, target, v) for v in value] if isinstance(value, list)
                     else identifier(base, target, value))
        out[key] = value
    if version is not None:
        out["dcterms:isVersionOf"] = {"@id": identifier(base, kind, document["id"])}
    return out


def to_turtle(jsonld: dict[str, Any]) -> str:
    """The Turtle serialisation of a JSON-LD document whose context is inline."""
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=json.dumps(jsonld), format="json-ld")
    return graph.serialize(format="turtle")
