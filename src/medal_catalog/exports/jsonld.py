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
REFERENCES = {
    slot: kind
    for cls in ENTRY_CLASSES
    for slot, kind in slot_ranges(cls).items()
    if kind in ENTRY_CLASSES and slot not in CONTAINER_SLOTS
}


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
    out: dict[str, Any] = {
        "@context": {**context(), "@base": f"{base}/id/{PATH_OF[kind]}/"},
        "@id": identifier(base, kind, document["id"], version),
        "@type": TYPES[kind],
    }
    for key, value in document.items():
        if key in ("type", "id"):
            continue
        out[key] = _linked(base, key, value)
    if version is not None:
        out["dcterms:isVersionOf"] = {"@id": identifier(base, kind, document["id"])}
    return out


def _linked(base: str, key: str, value: Any) -> Any:
    """A slot's value with every reference to an entry as that entry's identifier, nested objects included (a
    task's ``labels.dataset``), so that none is read relative to the holder's ``@base``."""
    target = REFERENCES.get(key)
    if target is not None and isinstance(value, str):
        return identifier(base, target, value)
    if target is not None and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [identifier(base, target, v) for v in value]
    if isinstance(value, dict):
        return {k: _linked(base, k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_linked(base, key, v) if isinstance(v, (dict, list)) else v for v in value]
    return value


def to_turtle(jsonld: dict[str, Any]) -> str:
    """The Turtle serialisation of a JSON-LD document whose context is inline."""
    from rdflib import Graph  # inline: rdflib takes ~0.13 s to import

    graph = Graph()
    graph.parse(data=json.dumps(jsonld), format="json-ld")
    return graph.serialize(format="turtle")
