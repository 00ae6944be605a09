"""Check records against the generated JSON Schema with a compiled validator (jsonschema-rs), compiled once.

Verdicts equal `linkml-validate`'s on the same (JSON) records, which validates with the Python `jsonschema`
package and its format checker. Two things keep the compiled validator's semantics the same: format checks are
jsonschema's own (mirrored in formats.py, passed in as callbacks), and patterns are adapted to Python's `re`,
where `$` also matches before a final newline. The parity test and `benchmarks/validate.py` compare verdicts.

`SchemaChecker.gate` compiles the schema together with other checks' JSON Schema twins (rules.py, fair.py) into one
validator that clears, in one call, the entries on which none of them would find anything.
"""

from __future__ import annotations

import difflib

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator, Sequence

import jsonschema_rs

from medal_catalog.report import Issue, Severity, record_issue
from medal_catalog.schema import json_schema
from medal_catalog.validators.formats import FORMATS, GATE_PATTERNS
from medal_catalog.schema import facts

E = Severity.ERROR


@dataclass(frozen=True)
class Gate:
    """JSON Schema that a record satisfies only when a group of checks would find nothing in it.

    ``schema`` applies to the record, ``properties`` to every property of that name in every class, ``formats`` are
    the custom formats they use, and each ``residual`` test (True: nothing found) covers what a schema cannot say.
    A gate may refuse records its checks would pass (they then take the full path), never the other way round.
    """

    schema: dict = field(default_factory=dict)
    properties: dict[str, dict] = field(default_factory=dict)
    formats: dict[str, Callable[[str], bool]] = field(default_factory=dict)
    residual: tuple[Callable[[dict], bool], ...] = ()


def all_of(schemas: Sequence[dict]) -> dict:
    """The conjunction of ``schemas`` (an empty allOf is not valid JSON Schema)."""
    return {"allOf": list(schemas)} if schemas else {}


def _formats_as_patterns(node: Any) -> Any:
    """A copy of the schema whose formats that have a GATE_PATTERNS twin are checked by that pattern instead.

    Only for the gate: the pattern accepts fewer strings than the format, never more, and needs no Python call.
    """
    if isinstance(node, dict):
        out = {k: _formats_as_patterns(v) for k, v in node.items()}
        twin = GATE_PATTERNS.get(node.get("format")) if isinstance(node.get("format"), str) else None
        if twin is not None:
            del out["format"]
            out = {"allOf": [out, {"pattern": twin}]}
        return out
    if isinstance(node, list):
        return [_formats_as_patterns(v) for v in node]
    return node


def _python_dollar(node: Any) -> Any:
    """A copy of the schema whose patterns end in `\\n?$`: what `$` means to Python's re.search."""
    if isinstance(node, dict):
        out = {k: _python_dollar(v) for k, v in node.items()}
        pattern = node.get("pattern")
        if isinstance(pattern, str) and pattern.endswith("$") and not pattern.endswith("\\$"):
            out["pattern"] = pattern[:-1] + "\\n?$"
        return out
    if isinstance(node, list):
        return [_python_dollar(v) for v in node]
    return node


class SchemaChecker:
    """Validates entry records of any entry class against the generated schema, compiled once per class."""

    def __init__(self) -> None:
        schema = json_schema()
        self._meta = schema["$schema"]
        self._defs = schema["$defs"]
        self._python_defs = _python_dollar(self._defs)
        self._validators: dict[str, Any] = {}

    def _validator(self, cls: str) -> Any:
        # Compiled on first use: a run compiles only the classes its files hold.
        validator = self._validators.get(cls)
        if validator is None:
            validator = self._validators[cls] = jsonschema_rs.Draft201909Validator(
                {"$schema": self._meta, "$defs": self._python_defs, "$ref": f"#/$defs/{cls}"},
                formats=FORMATS,
                validate_formats=True,
            )
        return validator

    def is_valid(self, cls: str, record: Any) -> bool:
        """Fast yes/no answer."""
        return self._validator(cls).is_valid(record)

    def gate(self, cls: str, gates: Sequence[Gate]) -> Callable[[Any], bool]:
        """A test that holds only for valid ``cls`` records that also pass every gate (compiled into one validator)."""
        extra: dict[str, list[dict]] = {}
        for gate in gates:
            for name, sub in gate.properties.items():
                extra.setdefault(name, []).append(sub)
        defs = {}
        for name, node in _formats_as_patterns(self._python_defs).items():
            props = node.get("properties") if isinstance(node, dict) else None
            if isinstance(props, dict) and extra.keys() & props.keys():
                node = dict(
                    node,
                    properties={
                        key: {"allOf": [value, *extra[key]]} if key in extra else value for key, value in props.items()
                    },
                )
            defs[name] = node
        formats = dict(FORMATS)
        for gate in gates:
            formats.update(gate.formats)
        validator = jsonschema_rs.Draft201909Validator(
            {"$schema": self._meta, "$defs": defs, "allOf": [{"$ref": f"#/$defs/{cls}"}, *(g.schema for g in gates)]},
            formats=formats,
            validate_formats=True,
        )
        is_valid = validator.is_valid
        residual = tuple(test for gate in gates for test in gate.residual)
        if not residual:
            return is_valid
        # Spelled out for the usual counts: this runs for every entry, and all() over a generator costs as much as
        # a residual test.
        if len(residual) == 1:
            (first,) = residual
            return lambda record: is_valid(record) and first(record)
        if len(residual) == 2:
            first, second = residual
            return lambda record: is_valid(record) and first(record) and second(record)
        if len(residual) == 3:
            first, second, third = residual
            return lambda record: is_valid(record) and first(record) and second(record) and third(record)
        return lambda record: is_valid(record) and all(check(record) for check in residual)

    def problems(self, cls: str, record: Any) -> list[Issue]:
        """Every schema problem of ``record`` as class ``cls``: errors located within the record and explained;
        empty when valid."""
        validator = self._validator(cls)
        if validator.is_valid(record):
            return []
        return [p for error in validator.iter_errors(record) for p in self._explain(cls, error)]

    def _explain(self, cls: str, error: Any) -> Iterator[Issue]:
        """Turn one compiled-validator error into located problems whose messages never quote the value."""
        parts = list(error.instance_path)
        where = _pointer(parts)
        name = _field_name(parts)
        kind = error.kind
        kname = type(kind).__name__
        if kname == "Required":
            field = kind.property
            yield record_issue(
                E,
                "schema.required",
                f"{where}/{_escape(field)}",
                f"`{field}` is required here",
                _join(self._describe(cls, [*parts, field]), self._shape(cls, [*parts, field])),
            )
        elif kname == "AdditionalProperties":
            allowed = self._properties(cls, parts)
            for key in kind.unexpected:
                close = ", ".join(_closest(key, allowed)) or None
                yield record_issue(
                    E,
                    "schema.unknown-field",
                    f"{where}/{_escape(key)}",
                    f"`{key}` is not a field of this record (its value is not stored)",
                    f"Did you mean: {close}?" if close else "Remove it, or check its spelling.",
                )
        elif kname == "Enum":
            allowed = [str(v) for v in kind.options if v is not None]
            shown = ", ".join(allowed[:25]) + (", ..." if len(allowed) > 25 else "")
            close = _closest(error.instance, allowed) if isinstance(error.instance, str) else []
            yield record_issue(
                E,
                "schema.enum",
                where,
                f"`{name}` has a value that is not allowed",
                (f"Did you mean {' or '.join(close)}? " if close else "") + f"Allowed: {shown}",
            )
        elif kname == "Pattern":
            pattern = kind.pattern.replace("\\n?$", "$")
            # The format in words (the slot's type description); the pattern itself only where none is written.
            form = _type_description(name) or f"Expected to match {pattern}."
            yield record_issue(
                E,
                "schema.pattern",
                where,
                f"`{name}` is not in the required format",
                _join(self._describe(cls, parts), form),
            )
        elif kname == "Format":
            yield record_issue(
                E,
                "schema.format",
                where,
                f"`{name}` is not a valid {kind.format}",
                "Dates are written YYYY-MM-DD; times YYYY-MM-DDThh:mm:ssZ; URLs with their scheme.",
            )
        elif kname == "Type":
            types = [str(t) for t in (kind.types if isinstance(kind.types, list) else [kind.types]) if t != "null"]
            yield record_issue(
                E,
                "schema.type",
                where,
                f"`{name}` must be of type {' or '.join(types) or 'null'}",
                _join(self._describe(cls, parts), self._shape(cls, parts) if "object" in types else None),
            )
        elif kname in ("Minimum", "Maximum", "ExclusiveMinimum", "ExclusiveMaximum"):
            words = {"Minimum": ">=", "Maximum": "<=", "ExclusiveMinimum": ">", "ExclusiveMaximum": "<"}[kname]
            yield record_issue(
                E, "schema.range", where, f"`{name}` must be {words} {kind.limit}", self._describe(cls, parts)
            )
        elif kname in ("MinItems", "MaxItems"):
            yield record_issue(
                E, "schema.cardinality", where, f"`{name}` has too {'few' if kname == 'MinItems' else 'many'} items"
            )
        elif kname in ("AnyOf", "OneOfNotValid") and kind.context:
            # Optional inlined objects are anyOf [object, null]: the null branch's complaint is noise.
            branches = [
                b
                for b in kind.context
                if not (len(b) == 1 and type(b[0].kind).__name__ == "Type" and list(b[0].kind.types) == ["null"])
            ]
            for branch in branches or kind.context[:1]:
                for sub in branch:
                    yield from self._explain(cls, sub)
        else:
            code = re.sub(r"(?<!^)(?=[A-Z])", "-", kname).lower()
            yield record_issue(E, f"schema.{code}", where, f"`{name}` violates the schema rule `{kname}`")

    def _node(self, cls: str, parts: list) -> dict | None:
        """The schema of the value at ``parts`` within a ``cls`` record (following $ref, anyOf and items)."""
        node: Any = self._defs.get(cls)
        for part in parts:
            node = self._deref(node)
            if node is None:
                return None
            if isinstance(part, int):
                node = node.get("items")
            else:
                node = node.get("properties", {}).get(part)
        return node

    def _deref(self, node: Any) -> dict | None:
        while isinstance(node, dict):
            if "$ref" in node:
                node = self._defs.get(node["$ref"].rsplit("/", 1)[-1])
            elif "anyOf" in node:
                node = next((o for o in node["anyOf"] if o != {"type": "null"}), None)
            else:
                return node
        return None

    def _describe(self, cls: str, parts: list) -> str | None:
        node = self._node(cls, parts)
        return node.get("description") if isinstance(node, dict) else None

    def _shape(self, cls: str, parts: list) -> str | None:
        """For a value that is an object (or a list of them): the keys it takes, required ones first, in words."""
        node = self._deref(self._node(cls, parts))
        if isinstance(node, dict) and node.get("type") == "array":
            node = self._deref(node.get("items"))
        props = (node or {}).get("properties") if isinstance(node, dict) else None
        if not props:
            return None
        required = [k for k in node.get("required", []) if k in props]
        optional = [k for k in props if k not in required]
        keys = [f"`{k}` (required)" for k in required] + [f"`{k}`" for k in optional[: 12 - len(required[:12])]]
        more = len(required) + len(optional) - len(keys)
        return "It is an object with the keys " + ", ".join(keys) + (f" and {more} more" if more > 0 else "") + "."

    def _properties(self, cls: str, parts: list) -> set[str]:
        node = self._deref(self._node(cls, parts))
        return set((node or {}).get("properties", {}))


@lru_cache(maxsize=1)
def schema_checker() -> SchemaChecker:
    """The process-wide checker (compiling a class's validator takes a few milliseconds)."""
    return SchemaChecker()


def _escape(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _pointer(parts) -> str:
    return "".join("/" + _escape(p) for p in parts)


def _field_name(parts: list) -> str:
    names = [str(p) for p in parts if not isinstance(p, int)]
    return names[-1] if names else "the record"


def _closest(given: str, allowed) -> list[str]:
    """The allowed names or values a near-miss most likely meant: the same but for case, spaces or hyphens
    (`clinical question` -> clinical_question, `ct` -> CT), a prefix (`MRI` -> MR), or a close spelling."""

    def norm(text: str) -> str:
        return re.sub(r"[\s-]+", "_", str(text).strip()).lower()

    allowed = [str(a) for a in allowed]
    key = norm(given)
    same = [a for a in allowed if norm(a) == key]
    if same:
        return same
    prefix = [
        a
        for a in allowed
        if len(norm(a)) >= 2
        and (key.startswith(norm(a)) or norm(a).startswith(key))
        and abs(len(norm(a)) - len(key)) <= 2
    ]
    if prefix:
        return sorted(prefix, key=len, reverse=True)[:3]
    by_norm = {norm(a): a for a in allowed}
    close = difflib.get_close_matches(key, list(by_norm), n=3, cutoff=0.75)
    words = [a for a in allowed if set(norm(a).split("_")) & set(key.split("_")) - {""}] if "_" in key else []
    return list(dict.fromkeys([by_norm[c] for c in close] + sorted(words)))[:5]


def _join(*parts: str | None) -> str | None:
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return text or None


def _type_description(slot: str) -> str | None:
    """The description of a slot's range when it is one of the schema's own types (DicomUid, RorId, ...)."""

    return facts.type_description(slot)
