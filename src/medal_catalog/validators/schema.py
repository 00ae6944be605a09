"""Check records against the generated JSON Schema: a compiled validator first, jsonschema for the details.

Verdicts equal `linkml-validate`'s on the same (JSON) records: both use the JSON Schema generated from
medal.yaml with closed classes and jsonschema's format checker. The compiled validator (jsonschema-rs) only
answers "valid?"; it calls jsonschema's format checks (mirrored in formats.py) so it cannot be more lenient, and every record it
rejects is re-checked by jsonschema, whose errors are final and give the detailed, located messages.
(formats.py mirrors jsonschema's format checks so that the common, valid case never imports jsonschema.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator

import jsonschema_rs

from medal_catalog.schema import ENTRY_CLASSES, json_schema
from medal_catalog.validators.formats import FORMATS

if TYPE_CHECKING:
    import jsonschema


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One schema violation: a stable code, the JSON pointer (relative to the record), a message and a hint."""

    code: str
    pointer: str
    message: str
    hint: str | None = None


class SchemaChecker:
    """Validates entry records of any entry class against the generated schema, compiled once per class."""

    def __init__(self) -> None:
        schema = json_schema()
        self._defs = schema["$defs"]
        self._fast: dict[str, Any] = {}
        self._roots = {cls: {"$schema": schema["$schema"], "$defs": self._defs, "$ref": f"#/$defs/{cls}"}
                       for cls in ENTRY_CLASSES}
        self._fast = {cls: jsonschema_rs.Draft201909Validator(root, formats=FORMATS, validate_formats=True)
                      for cls, root in self._roots.items()}

    def is_valid(self, cls: str, record: Any) -> bool:
        """Fast yes/no answer (compiled validator); on no, call :meth:`problems` for the definitive list."""
        return self._fast[cls].is_valid(record)

    def problems(self, cls: str, record: Any) -> list[SchemaProblem]:
        """Every schema problem of ``record`` as class ``cls``; empty when valid."""
        if self._fast[cls].is_valid(record):
            return []
        return [p for error in self._slow(cls).iter_errors(record) for p in _explain(error, self._defs)]

    @lru_cache(maxsize=None)  # noqa: B019 - one checker per process, kept for its lifetime
    def _slow(self, cls: str):
        """The jsonschema validator for ``cls``, built (and jsonschema imported) only when a record fails."""
        import jsonschema

        validator = jsonschema.Draft201909Validator
        return validator(self._roots[cls], format_checker=validator.FORMAT_CHECKER)


@lru_cache(maxsize=1)
def schema_checker() -> SchemaChecker:
    """The process-wide checker (compiling the validators takes a few tens of milliseconds)."""
    return SchemaChecker()


def _pointer(parts) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _slot_doc(error: jsonschema.ValidationError, defs: dict, name: str | None = None) -> str | None:
    """The schema description of the offending slot, from the error's schema (or its parent's properties)."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if name is not None:
        prop = schema.get("properties", {}).get(name, {})
        return prop.get("description")
    return schema.get("description")


def _field_name(parts: list) -> str:
    names = [str(p) for p in parts if not isinstance(p, int)]
    return names[-1] if names else "the record"


def _explain(error: jsonschema.ValidationError, defs: dict) -> Iterator[SchemaProblem]:
    """Turn one jsonschema error into located problems whose messages never quote the offending value."""
    parts = list(error.absolute_path)
    where = _pointer(parts)
    name = _field_name(parts)
    kind = error.validator
    if kind == "required":
        missing = [m for m in error.validator_value if not isinstance(error.instance, dict) or m not in error.instance]
        for field in missing:
            yield SchemaProblem("schema.required", f"{where}/{field}", f"`{field}` is required here",
                                _slot_doc(error, defs, field))
    elif kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extras = [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []
        for key in extras:
            close = ", ".join(sorted(a for a in allowed if _similar(a, key))) or None
            yield SchemaProblem("schema.unknown-field", f"{where}/{_pointer([key])[1:]}",
                                f"`{key}` is not a field of this record (its value is not stored)",
                                f"Did you mean: {close}?" if close else "Remove it, or check its spelling.")
    elif kind == "enum":
        allowed = [str(v) for v in error.validator_value if v is not None]
        shown = ", ".join(allowed[:25]) + (", ..." if len(allowed) > 25 else "")
        yield SchemaProblem("schema.enum", where, f"`{name}` has a value that is not allowed", f"Allowed: {shown}")
    elif kind == "pattern":
        yield SchemaProblem("schema.pattern", where, f"`{name}` is not in the required format",
                            f"Expected to match {error.validator_value}. {_slot_doc(error, defs) or ''}".strip())
    elif kind == "format":
        yield SchemaProblem("schema.format", where, f"`{name}` is not a valid {error.validator_value}",
                            "Dates are written YYYY-MM-DD; times YYYY-MM-DDThh:mm:ss; URLs with their scheme.")
    elif kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        expected = [t for t in expected if t != "null"]
        yield SchemaProblem("schema.type", where, f"`{name}` must be of type {' or '.join(expected)}",
                            _slot_doc(error, defs))
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kind]
        yield SchemaProblem("schema.range", where, f"`{name}` must be {words} {error.validator_value}",
                            _slot_doc(error, defs))
    elif kind in ("minItems", "maxItems"):
        yield SchemaProblem("schema.cardinality", where, f"`{name}` has too {'few' if kind == 'minItems' else 'many'} "
                            f"items ({kind} {error.validator_value})")
    elif kind in ("anyOf", "oneOf", "allOf") and error.context:
        from jsonschema.exceptions import best_match

        # Optional inlined objects are anyOf [object, null]: the null branch's complaint is noise.
        real = [e for e in error.context if e.schema != {"type": "null"}]
        for sub in real or [best_match(error.context)]:
            yield from _explain(sub, defs)
    else:
        yield SchemaProblem(f"schema.{re.sub(r'[^a-z]+', '-', str(kind).lower())}", where,
                            f"`{name}` violates the schema rule `{kind}`")


def _similar(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a in b or b in a or len(set(a.split("_")) & set(b.split("_"))) > 0
