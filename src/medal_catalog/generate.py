"""Generate every artefact derived from medal.yaml, and detect drift between them and the yaml.

Run ``medal schema generate`` after editing the yaml; ``medal schema generate --check`` (and the test suite) fail
when a generated file no longer matches what the yaml produces.
"""

from __future__ import annotations

import logging
from pathlib import Path

from medal_catalog.schema import CONTEXT_PATH, GENERATED_DIR, JSON_SCHEMA_PATH, REFERENCE_PATH, SCHEMA_PATH, SHACL_PATH
from medal_catalog.schema.reference import render_reference
from medal_catalog.search.mapping import render_mapping_json

MODEL_PATH = Path(__file__).parent / "model" / "medal.py"

_HEADER = (
    "GENERATED from src/medal_catalog/schema/medal.yaml by `medal schema generate`. Do not edit: "
    "edit the yaml and regenerate."
)


def _pydantic() -> str:
    from linkml.generators.pydanticgen import PydanticGenerator  # inline: linkml's generators take seconds to import

    code = PydanticGenerator(str(SCHEMA_PATH)).serialize()
    return f"# {_HEADER}\n# ruff: noqa\n{code}"


def _json_schema() -> str:
    # inline: linkml's generators take seconds to import
    from linkml.generators.jsonschemagen import JsonSchemaGenerator

    return JsonSchemaGenerator(str(SCHEMA_PATH), top_class="MedalCatalog", indent=2).serialize() + "\n"


def _context() -> str:
    # inline: linkml's generators take seconds to import
    from linkml.generators.jsonldcontextgen import ContextGenerator

    return ContextGenerator(str(SCHEMA_PATH)).serialize() + "\n"


def _shacl() -> str:
    from linkml.generators.shaclgen import ShaclGenerator  # inline: linkml's generators take seconds to import

    return f"# {_HEADER}\n" + ShaclGenerator(str(SCHEMA_PATH)).serialize()


def _reference() -> str:
    return render_reference()


def _es_mapping() -> str:
    return render_mapping_json()


ARTEFACTS = {
    MODEL_PATH: _pydantic,
    JSON_SCHEMA_PATH: _json_schema,
    CONTEXT_PATH: _context,
    SHACL_PATH: _shacl,
    REFERENCE_PATH: _reference,
    GENERATED_DIR / "medal.es-mapping.json": _es_mapping,
}


def render_all() -> dict[Path, str]:
    """Every generated artefact's expected content, keyed by its path in the source tree."""
    # linkml's generators log warnings about harmless things (prefix overrides); keep the CLI output clean.
    logging.getLogger("linkml").setLevel(logging.ERROR)
    logging.getLogger("linkml_runtime").setLevel(logging.ERROR)
    # Generators embed the schema's absolute path; keep artefacts identical whatever the checkout's location.
    return {path: make().replace(str(SCHEMA_PATH), SCHEMA_PATH.name) for path, make in ARTEFACTS.items()}


def write_all() -> list[Path]:
    """Write every artefact; return the paths whose content changed."""
    changed = []
    for path, text in render_all().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def drifted() -> list[Path]:
    """The artefacts whose file on disk differs from what the yaml generates now."""
    return [
        path for path, text in render_all().items() if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
