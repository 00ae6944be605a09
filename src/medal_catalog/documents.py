"""Read metadata documents (YAML, JSON, JSON-LD) safely and say what they hold.

Dates stay ISO strings (PyYAML would turn them into Python dates, which JSON Schema then rejects as
non-strings), bad bytes and syntax errors become located problems, and a pointer can be mapped back to its
line and column for reports.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Iterator

import orjson

from medal_catalog.report import Issue, Severity, record_issue
from medal_catalog.schema import CONTAINER_SLOTS, ENTRY_CLASSES

METADATA_SUFFIXES = {".yaml", ".yml", ".json", ".jsonld"}
#: Larger metadata candidates are treated as data files rather than parsed into memory.
MAX_METADATA_BYTES = 64 * 1024 * 1024
#: How deep lists and mappings may nest in a document. Real MEDAL and Croissant documents nest under 12 deep; the
#: validators, pyld and mlcroissant recurse per level, so a bound well below Python's recursion limit keeps a
#: hostile document (50,000 deep) an error instead of a RecursionError or a C-stack overflow.
MAX_DEPTH = 64
#: How many values (scalars, lists, mappings) a document may hold, counted before any object is built.
MAX_NODES = 4_000_000
#: How many values YAML aliases (``*name``) may add to a document in all: a "billion laughs" of nested aliases
#: expands a few hundred bytes into 10^9 values that every later step would walk.
MAX_ALIAS_NODES = 10_000


@lru_cache(maxsize=1)
def _loader() -> type:
    """A safe YAML loader that keeps timestamps as the strings they were written as.

    Made on first use: importing yaml takes longer than checking a JSON file of a thousand entries.
    """
    import yaml  # inline: PyYAML takes ~40 ms to import

    class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return _Loader


class DocumentError(Exception):
    """A file that cannot be read as a document, with a stable code and a location when known."""

    def __init__(
        self, code: str, message: str, line: int | None = None, column: int | None = None, hint: str | None = None
    ):
        super().__init__(message)
        self.code, self.message, self.line, self.column, self.hint = code, message, line, column, hint


@dataclass(slots=True)
class EntryRef:
    """One catalog entry inside a document: where it sits and which class it claims to be."""

    pointer: str
    cls: str
    data: dict[str, Any]


@dataclass
class Document:
    """A parsed metadata file."""

    path: Path
    display: str
    text: str
    data: Any
    syntax: str  # "yaml" or "json"
    problems: list[Issue] = field(default_factory=list)  # structural errors, located within the document

    @property
    def kind(self) -> str:
        """'entry', 'container', 'entry-list' or 'other' (not MEDAL metadata). Whether the document is Croissant
        is the Croissant format's question (croissant.reading.is_croissant), asked before this one."""
        data = self.data
        if isinstance(data, dict):
            if "type" in data:
                return "entry"
            if any(key in data for key in CONTAINER_SLOTS):
                return "container"
        if isinstance(data, list) and data and all(isinstance(x, dict) and "type" in x for x in data):
            return "entry-list"
        return "other"

    def entries(self) -> Iterator[EntryRef]:
        """The catalog entries the document holds, with their JSON pointers; records structural problems."""
        kind, data = self.kind, self.data
        if kind == "entry":
            yield EntryRef("", str(data["type"]), data)
        elif kind == "entry-list":
            for i, item in enumerate(data):
                yield EntryRef(f"/{i}", str(item["type"]), item)
        elif kind == "container":
            for key, value in data.items():
                cls = CONTAINER_SLOTS.get(key)
                if key == RECORD_SLOT:
                    self.problems += _check_decisions(value)
                    continue
                if cls is None:
                    self.problems.append(
                        record_issue(
                            Severity.ERROR,
                            "schema.unknown-field",
                            f"/{_escape(key)}",
                            f"`{key}` is not a list a MedalCatalog file can hold",
                        )
                    )
                    continue
                if not isinstance(value, list):
                    self.problems.append(
                        record_issue(
                            Severity.ERROR, "schema.type", f"/{key}", f"`{key}` must be a list of {cls} entries"
                        )
                    )
                    continue
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        yield EntryRef(f"/{key}/{i}", str(item.get("type", cls)), item)
                    else:
                        self.problems.append(
                            record_issue(
                                Severity.ERROR, "schema.type", f"/{key}/{i}", f"each item must be a {cls} object"
                            )
                        )

    @cached_property
    def _positions(self) -> dict[str, tuple[int, int]]:
        """JSON pointer -> (line, column), both 1-based, from a second, node-level parse (only when needed)."""
        import yaml  # inline: PyYAML takes ~40 ms to import

        try:
            root = yaml.compose(self.text, Loader=_loader())
        except yaml.YAMLError:
            return {}
        out: dict[str, tuple[int, int]] = {}

        def walk(node, pointer: str) -> None:
            out[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    child = f"{pointer}/{_escape(str(key.value))}"
                    out[child + "#key"] = (key.start_mark.line + 1, key.start_mark.column + 1)
                    walk(value, child)
            elif isinstance(node, yaml.SequenceNode):
                for i, value in enumerate(node.value):
                    walk(value, f"{pointer}/{i}")

        if root is not None:
            walk(root, "")
        return out

    def position(self, pointer: str | None) -> tuple[int | None, int | None]:
        """The line and column of the value at ``pointer``, or of its nearest existing parent."""
        if pointer is None:
            return None, None
        positions = self._positions
        probe = pointer
        while True:
            if probe in positions:
                return positions[probe]
            if probe + "#key" in positions:
                return positions[probe + "#key"]
            if not probe:
                return None, None
            probe = probe.rsplit("/", 1)[0]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def load_json(raw: bytes | str) -> Any:
    """Parse JSON text within the bounds above; raise DocumentError (``file.parse-error``, ``file.too-deep``,
    ``file.too-many-values``, ``file.too-large``) rather than RecursionError or an unbounded allocation."""
    raw = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(raw) > MAX_METADATA_BYTES:
        raise DocumentError("file.too-large", f"larger than {MAX_METADATA_BYTES // 2**20} MiB; not read as metadata")
    check_json_shape(raw)
    try:
        return orjson.loads(raw)  # several times faster than json on large catalogs
    except orjson.JSONDecodeError:
        pass
    try:
        # The standard parser gives the error's line and column (and takes what orjson refuses, such as
        # integers beyond 64 bits or a byte-order mark).
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DocumentError(
            "file.encoding",
            "the file is not UTF-8 text",
            hint="Save the file as UTF-8 (most editors offer this under 'Save as').",
        ) from exc
    except json.JSONDecodeError as exc:
        raise DocumentError(
            "file.parse-error",
            f"invalid JSON: {exc.msg}",
            exc.lineno,
            exc.colno,
            "Check brackets, commas and quotes around this position.",
        ) from exc
    except RecursionError:  # only reachable when MAX_DEPTH is raised past what the parser takes
        raise _too_deep() from None


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def check_json_shape(raw: bytes) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH or holding more than MAX_NODES values, from its bytes alone."""
    outside = _JSON_STRING.sub(b"0", raw)  # brackets inside strings do not nest
    if outside.count(b",") + outside.count(b"[") + outside.count(b"{") > MAX_NODES:
        raise _too_many(MAX_NODES)
    brackets = outside.translate(None, _NOT_BRACKETS)
    for _ in range(MAX_DEPTH):  # each pass removes the innermost level
        if not brackets:
            return
        brackets = brackets.replace(b"[]", b"").replace(b"{}", b"")
    if brackets and len(brackets.replace(b"[]", b"").replace(b"{}", b"")) < len(brackets):
        raise _too_deep()
    # what is left does not pair up: a syntax error the parser locates


def load_yaml(text: str) -> Any:
    """Parse YAML text (safe tags, timestamps kept as strings) within the bounds above, checked on the parser's
    events before any object is built; raise DocumentError as :func:`load_json` does."""
    import yaml  # inline: PyYAML takes ~40 ms to import

    if len(text) > MAX_METADATA_BYTES:
        raise DocumentError("file.too-large", f"larger than {MAX_METADATA_BYTES // 2**20} MiB; not read as metadata")
    try:
        _check_yaml_shape(text)
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "syntax error"
        raise DocumentError(
            "file.parse-error",
            f"invalid YAML: {problem}",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
            "Check indentation, brackets and quotes around this position.",
        ) from exc
    except yaml.YAMLError as exc:
        raise DocumentError("file.parse-error", f"invalid YAML: {exc}") from exc
    except RecursionError:
        raise _too_deep() from None


def _check_yaml_shape(text: str) -> None:
    """Count depth, values and what aliases add, on the event stream (libyaml's parser does not recurse)."""
    import yaml  # inline: PyYAML takes ~40 ms to import

    start = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    loader = _loader()(text)
    try:
        depth = nodes = added = 0
        sizes: dict[str, int] = {}  # anchor -> values under it
        open_: list[tuple[str | None, int]] = []
        while loader.check_event():
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                nodes += 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif kind in start:
                nodes += 1
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise _too_deep(mark.line + 1, mark.column + 1)
                open_.append((event.anchor, nodes))
            elif kind in end:
                depth -= 1
                anchor, first = open_.pop()
                if anchor:
                    sizes[anchor] = nodes - first + 1
            elif kind is yaml.AliasEvent:
                size = sizes.get(event.anchor, 1)
                nodes += size
                added += size
                if added > MAX_ALIAS_NODES:
                    mark = event.start_mark
                    raise DocumentError(
                        "file.too-many-aliases",
                        f"YAML aliases (*{event.anchor}) expand to more than {MAX_ALIAS_NODES:,} values",
                        mark.line + 1,
                        mark.column + 1,
                        "Write the values out instead of repeating anchors (&name) with aliases (*name).",
                    )
            if nodes > MAX_NODES:
                raise _too_many(MAX_NODES)
    finally:
        loader.dispose()


def _too_deep(line: int | None = None, column: int | None = None) -> DocumentError:
    return DocumentError(
        "file.too-deep",
        f"lists and mappings nested deeper than {MAX_DEPTH} levels",
        line,
        column,
        "MEDAL metadata nests a few levels deep: check for a runaway bracket or indentation.",
    )


def _too_many(limit: int) -> DocumentError:
    return DocumentError(
        "file.too-many-values",
        f"holds more than {limit:,} values; not read as metadata",
        hint="Split the catalog into several files.",
    )


def read_document(path: Path, display: str | None = None) -> Document:
    """Parse a YAML/JSON/JSON-LD file; raise DocumentError with a code and location when it cannot be read."""
    display = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError("file.unreadable", f"cannot read the file ({exc.strerror or exc})") from exc
    if len(raw) > MAX_METADATA_BYTES:
        raise DocumentError("file.too-large", f"larger than {MAX_METADATA_BYTES // 2**20} MiB; not read as metadata")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DocumentError(
            "file.encoding",
            "the file is not UTF-8 text",
            line,
            column,
            "Save the file as UTF-8 (most editors offer this under 'Save as').",
        ) from exc
    syntax = "json" if path.suffix.lower() in (".json", ".jsonld") else "yaml"
    data = load_json(raw) if syntax == "json" else load_yaml(text)
    return Document(path=path, display=display, text=text, data=data, syntax=syntax)


#: The MedalCatalog list that holds panel decisions: records of the panel, not entries (panel/decisions.py).
RECORD_SLOT = "decisions"


def _check_decisions(value: Any) -> list[Issue]:
    """Schema problems of a file's panel decisions (each a PanelDecision), located by pointer."""
    from pydantic import ValidationError  # inline: pydantic takes ~45 ms to import

    # inline: `medal validate FILE.yaml` does not need model.medal at start-up
    from medal_catalog.model.medal import PanelDecision

    if not isinstance(value, list):
        return [record_issue(Severity.ERROR, "schema.type", f"/{RECORD_SLOT}", "`decisions` must be a list")]
    problems = []
    for i, item in enumerate(value):
        try:
            PanelDecision.model_validate(item)
        except ValidationError as err:
            problems += [
                record_issue(
                    Severity.ERROR, "schema.decision", "/".join([f"/{RECORD_SLOT}/{i}", *map(str, e["loc"])]), e["msg"]
                )
                for e in err.errors()
            ]
    return problems


def is_entry_class(name: str) -> bool:
    """True when ``name`` is a class that may stand alone as a catalog entry."""
    return name in ENTRY_CLASSES
