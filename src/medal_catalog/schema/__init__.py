"""The LinkML schema of the MEDAL domain and the artefacts generated from it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).parent
SCHEMA_PATH = SCHEMA_DIR / "medal.yaml"
GENERATED_DIR = SCHEMA_DIR / "generated"
JSON_SCHEMA_PATH = GENERATED_DIR / "medal.schema.json"
CONTEXT_PATH = GENERATED_DIR / "medal.context.jsonld"
SHACL_PATH = GENERATED_DIR / "medal.shacl.ttl"
REFERENCE_PATH = GENERATED_DIR / "medal.md"

#: Classes that are first-class catalog entries and may stand alone in a file (with ``type:``).
ENTRY_CLASSES = ("BenchmarkTask", "ImagingDataset", "ImagingSeries", "ReviewAssessment")
#: The container class whose lists hold entries, keyed by the list slot.
CONTAINER_CLASS = "MedalCatalog"
CONTAINER_SLOTS = {
    "tasks": "BenchmarkTask",
    "datasets": "ImagingDataset",
    "series": "ImagingSeries",
    "reviews": "ReviewAssessment",
}
#: Entry class -> the path segment of its URLs (``/api/tasks/...``, ``/id/tasks/...``): its container slot.
KIND_PATHS = {kind: slot for slot, kind in CONTAINER_SLOTS.items()}

__all__ = [
    "SCHEMA_PATH",
    "ENTRY_CLASSES",
    "CONTAINER_CLASS",
    "CONTAINER_SLOTS",
    "KIND_PATHS",
    "schema_view",
    "json_schema",
    "jsonld_context",
]


@lru_cache(maxsize=1)
def schema_view():
    """The schema as a cached linkml SchemaView (imports linkml lazily: it is slow to import)."""
    from linkml_runtime.utils.schemaview import SchemaView  # inline: linkml_runtime takes ~0.44 s to import

    return SchemaView(str(SCHEMA_PATH))


@lru_cache(maxsize=1)
def json_schema() -> dict[str, Any]:
    """The generated JSON Schema (root: MedalCatalog; every class under ``$defs``)."""
    return json.loads(JSON_SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def jsonld_context() -> dict[str, Any]:
    """The generated JSON-LD context document."""
    return json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))
