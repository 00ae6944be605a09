"""An entry as JSON-LD (our generated context, inline, plus schema.org / DCAT types) and as Turtle.

``@id`` is the entry's resolvable identifier ``{base}/id/{kind}/{id}`` (``/v{n}`` for an older version);
references to other entries (a task's datasets, a series' dataset, a review's task) become their identifiers.
The context travels inline, so neither we nor a client's JSON-LD processor ever fetches a remote context.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from medal_catalog.api.access import PATH_OF

#: RDF types per entry class: our own class and its schema.org / DCAT counterpart.
TYPES = {"BenchmarkTask": ["medal:BenchmarkTask", "schema:CreativeWork"],
         "ImagingDataset": ["dcat:Dataset", "schema:Dataset"],
         "ImagingSeries": ["medal:ImagingSeries", "schema:ImagingTest"],
         "ReviewAssessment": ["medal:ReviewAssessment", "schema:Review"]}
#: Slots that name other entries, and the kind of entry they name.
REFERENCES = {"datasets_used": "ImagingDataset", "dataset": "ImagingDataset", "task": "BenchmarkTask"}


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
