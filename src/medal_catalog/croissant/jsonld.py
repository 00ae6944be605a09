"""Safe JSON-LD processing of untrusted input: only the contexts we ship, never the network or the disk.

A JSON-LD document may name its ``@context`` (or a scoped context, or an ``@import``) by URL, and every processor
we use would then fetch it: pyld through its document loader, rdflib (and so mlcroissant) through urllib, which
also reads ``file:`` URLs. Here a context URL is served only when it is one we ship (Croissant 1.0 and 1.1,
schema.org, our own; see ``data/contexts/README.md``); anything else is refused, never fetched or read.

- :func:`inline_contexts` replaces every shipped context reference by its shipped copy and refuses the rest;
  :func:`expand` (pyld) and :func:`to_rdflib_graph` (rdflib) process a document only after that.
- :func:`document_loader` is the pyld loader behind it; :func:`guard_rdflib` makes rdflib's own context fetching
  serve shipped copies and refuse the rest, for the whole process (installed by the functions here, and kept:
  nothing in the catalog may fetch a context).
- :func:`unsafe_locations` lists the file locations of a Croissant document that would make mlcroissant read
  outside the submission folder or go to the network; :func:`load_croissant` returns a document mlcroissant can
  parse safely (or raises), and :func:`open_croissant` an ``mlcroissant.Dataset`` reading only inside the folder.

Messages never quote the offending value (it may identify a patient); they give its JSON pointer.
"""

from __future__ import annotations

import json
import os
import re
import tarfile
import zipfile
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from medal_catalog.errors import InputError

#: Shipped documents (package resources) and the context URLs they answer for, as (host, path without trailing
#: slash); http and https are the same here.
_SHIPPED_FILES = {
    "croissant-1.0": "data/contexts/croissant-1.0.jsonld",
    "croissant-1.1": "data/contexts/croissant-1.1.jsonld",
    "schema.org": "data/contexts/schema-org.jsonld",
    "medal": "schema/generated/medal.context.jsonld",
}
_SHIPPED_URLS: dict[tuple[str, str], str] = {
    **{
        ("mlcommons.org", f"/croissant/{v}{tail}"): f"croissant-{v}"
        for v in ("1.0", "1.1")
        for tail in ("", "/context.json", "/context.jsonld")
    },
    ("mlcommons.org", "/croissant"): "croissant-1.1",
    **{("schema.org", path): "schema.org" for path in ("", "/docs/jsonldcontext.json", "/docs/jsonldcontext.jsonld")},
    **{("w3id.org", f"/medal/schema/{name}"): "medal" for name in ("context.jsonld", "medal.context.jsonld")},
}

#: Context URLs served from the shipped copies (one spelling each; the http variants are served too).
SHIPPED_CONTEXT_URLS: tuple[str, ...] = tuple(sorted(f"https://{host}{path or '/'}" for host, path in _SHIPPED_URLS))

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class UnsafeLocation(str):
    """One refused reference: ``"<pointer>: <reason>"``, with ``pointer``, ``reason`` and ``kind`` ('context' for
    a context we do not ship, 'location' for a file location outside the submission) as attributes."""

    pointer: str
    reason: str
    kind: str

    def __new__(cls, pointer: str, reason: str, kind: str = "location") -> UnsafeLocation:
        self = super().__new__(cls, f"{pointer or '/'}: {reason}")
        self.pointer, self.reason, self.kind = pointer, reason, kind
        return self


class UnsafeJsonLdError(InputError):
    """A document names a context we do not ship, or a location outside its folder; nothing was fetched or read.

    ``locations`` lists every refused reference (each an :class:`UnsafeLocation`)."""

    def __init__(self, locations: list[UnsafeLocation]):
        self.locations = list(locations)
        shown = "; ".join(self.locations[:5]) + (
            f"; and {len(self.locations) - 5} more" if len(self.locations) > 5 else ""
        )
        super().__init__(f"refused unsafe JSON-LD references (nothing was fetched or read): {shown}")


# --- shipped contexts -----------------------------------------------------------------------------------------


def _url_key(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or parts.query or parts.fragment:
        return None
    return parts.netloc.lower(), parts.path.rstrip("/")


@lru_cache(maxsize=None)
def _shipped_text(name: str) -> str:
    return resources.files("medal_catalog").joinpath(_SHIPPED_FILES[name]).read_text("utf-8")


def shipped_document(url: str) -> dict[str, Any] | None:
    """A fresh copy of the shipped document (``{"@context": ...}``) served for ``url``, or None if we ship none."""
    key = _url_key(url) if isinstance(url, str) else None
    name = _SHIPPED_URLS.get(key) if key else None
    return None if name is None else json.loads(_shipped_text(name))


def _refusal_reason(url: Any) -> str:
    if not isinstance(url, str):
        return "not a context"
    scheme = _SCHEME.match(url)
    if scheme is None:
        return "a relative context reference; only the contexts medal ships are used, and never fetched or read"
    if scheme.group(0).lower() == "file:":
        return "a file: context; files are never read for JSON-LD contexts"
    return "a remote context that medal does not ship; it is never fetched"


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """pyld document loader: the shipped copy for a shipped context URL; every other URL raises pyld's
    ``JsonLdError`` (code 'loading document failed') without any fetch or file read."""
    from pyld.jsonld import JsonLdError  # inline: pyld takes ~0.27 s to import

    document = shipped_document(url)
    if document is None:
        raise JsonLdError(
            f"refused to load a JSON-LD document: {_refusal_reason(url)}",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": document}


# --- inlining -------------------------------------------------------------------------------------------------


def _escape(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _node(value: Any, pointer: str, refused: list[UnsafeLocation]) -> Any:
    """Any JSON value, with the contexts it carries (``@context`` at any depth) inlined."""
    if isinstance(value, list):
        return [_node(v, f"{pointer}/{i}", refused) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    return {
        key: (
            _context(v, f"{pointer}/{_escape(key)}", refused)
            if key == "@context"
            else _node(v, f"{pointer}/{_escape(key)}", refused)
        )
        for key, v in value.items()
    }


def _context(value: Any, pointer: str, refused: list[UnsafeLocation]) -> Any:
    """A context value (URL, object, array or null), with URLs replaced by shipped copies or refused."""
    if isinstance(value, str):
        document = shipped_document(value)
        if document is None:
            refused.append(UnsafeLocation(pointer, _refusal_reason(value), "context"))
            return value
        return _context(document.get("@context", {}), pointer, refused)
    if isinstance(value, list):
        return [_context(v, f"{pointer}/{i}", refused) for i, v in enumerate(value)]
    if isinstance(value, dict):
        imported = value.get("@import")
        if isinstance(imported, str):
            # @import: the imported context's definitions, overridden by this context's own entries.
            document = shipped_document(imported)
            base = document.get("@context") if document else None
            if not isinstance(base, dict):
                refused.append(UnsafeLocation(f"{pointer}/@import", _refusal_reason(imported), "context"))
            else:
                value = {**base, **{k: v for k, v in value.items() if k != "@import"}}
        # Term definitions may carry scoped contexts; _node finds their @context keys.
        return _node(value, pointer, refused)
    return value


def inline_contexts(document: Any) -> Any:
    """A copy of ``document`` in which every context given by URL (top-level, nested, scoped, ``@import``) is
    replaced by the shipped copy; raises :class:`UnsafeJsonLdError` naming every other one (none is fetched).

    Note: ``@context`` keys inside ``@json`` literals are treated like any other (a refused URL there is refused).
    """
    refused: list[UnsafeLocation] = []
    out = _node(document, "", refused)
    if refused:
        raise UnsafeJsonLdError(refused)
    return out


# --- processors -----------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _pyld_cache():
    # pyld's module-wide context cache is shared with every other caller in the process (and with whatever
    # loader they used); ours only ever holds shipped or inline contexts.
    from cachetools import LRUCache

    return LRUCache(maxsize=100)


def expand(document: dict | list, base: str | None = None) -> list:
    """The expanded form of ``document`` (pyld), using only shipped contexts; raises :class:`UnsafeJsonLdError`
    for any other context reference. ``document`` must be parsed JSON, never a URL."""
    # inline: pyld takes ~0.27 s to import
    from pyld import jsonld
    from pyld.context_resolver import ContextResolver

    if not isinstance(document, (dict, list)):
        raise TypeError("expand() takes a parsed JSON-LD document (dict or list), never a URL or path")
    inlined = inline_contexts(document)
    options: dict[str, Any] = {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_pyld_cache(), document_loader),
    }
    if base is not None:
        options["base"] = base
    return jsonld.expand(inlined, options)


def _rdflib_source_to_json(source: Any, fragment_id: Any = None, extract_all_scripts: Any = False):
    """Stand-in for rdflib's context fetch: shipped copies only, never urllib or a file."""
    document = shipped_document(source) if isinstance(source, str) else None
    if document is None:
        raise UnsafeJsonLdError([UnsafeLocation("", _refusal_reason(source), "context")])
    return document, None


def guard_rdflib() -> None:
    """Make rdflib's JSON-LD parser serve shipped contexts and refuse every other context URL, process-wide.

    rdflib fetches remote (and ``file:``) contexts with urllib from ``rdflib.plugins.shared.jsonld.context``;
    mlcroissant parses Croissant with rdflib, so this covers it too. Idempotent."""
    from rdflib.plugins.shared.jsonld import context as rdflib_context  # inline: rdflib takes ~0.13 s to import

    rdflib_context.source_to_json = _rdflib_source_to_json


def to_rdflib_graph(document: dict | list, base: str | None = None):
    """An ``rdflib.Graph`` of ``document`` (rdflib's JSON-LD parser), using only shipped contexts; raises
    :class:`UnsafeJsonLdError` for any other context reference."""
    import rdflib  # inline: rdflib takes ~0.13 s to import

    if not isinstance(document, (dict, list)):
        raise TypeError("to_rdflib_graph() takes a parsed JSON-LD document (dict or list), never a URL or path")
    guard_rdflib()
    inlined = inline_contexts(document)
    graph = rdflib.Graph()
    graph.parse(data=json.dumps(inlined), format="json-ld", base=base)
    return graph


# --- Croissant file locations ---------------------------------------------------------------------------------


def _local_name(key: str) -> str:
    return re.split(r"[:/#]", key)[-1]


def _outside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) != root


def _lexical_problem(value: str) -> str | None:
    """Why a location is unsafe whatever the disk holds: a URL, an absolute path, or ``..`` out of its folder."""
    scheme = _SCHEME.match(value)
    if scheme is not None:
        name = scheme.group(0)[:-1].lower()
        if name == "file":
            return "a file: URL; files outside the submission are never read"
        return f"a URL ({name}); data locations must be files in the submission, nothing is fetched"
    if value.startswith(("/", "\\")) or PurePosixPath(value).is_absolute():
        return "an absolute path; data locations must be relative to the submission folder"
    if os.path.normpath(value).split(os.sep)[0] == "..":
        return "a path that leads out of the submission folder"
    return None


def _archive_problem(path: str) -> str | None:
    """Why extracting this archive (as mlcroissant does, without a filter) could write or read outside."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
            links = []
        elif tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                members = archive.getmembers()
            names = [m.name for m in members]
            links = [m.linkname for m in members if m.issym() or m.islnk()]
        else:
            return None
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError):
        return None  # unreadable archives are reported when mlcroissant (or the file check) reads them
    if any(_lexical_problem(n) for n in names):
        return "an archive with a member whose path leads out of its folder"
    if links:
        return "an archive with a symbolic or hard link member"
    return None


def _disk_problem(value: str, root: str) -> str | None:
    """Why a relative location is unsafe on disk: a symlink out of the folder, or an archive that escapes."""
    real = os.path.realpath(os.path.join(root, value))
    if _outside(real, root):
        return "a symbolic link that leads out of the submission folder"
    if os.path.isdir(real):
        for here, dirs, files in os.walk(real, followlinks=False):
            for name in dirs + files:
                candidate = os.path.join(here, name)
                if os.path.islink(candidate) and _outside(os.path.realpath(candidate), root):
                    return "a folder holding a symbolic link that leads out of the submission folder"
        return None
    if os.path.isfile(real):
        return _archive_problem(real)
    return None


def _location_problem(value: str, root: str, contained: bool, pattern: bool) -> str | None:
    """Why one location is unsafe: lexically always; on disk only for a file path of its own (a pattern, or a path
    inside an archive, names nothing on disk)."""
    problem = _lexical_problem(value)
    if problem is None and not contained and not pattern:
        problem = _disk_problem(value, root)
    return problem


def _locations_in_json(data: Any, root: str) -> list[UnsafeLocation]:
    out: list[UnsafeLocation] = []

    def check(value: Any, pointer: str, contained: bool, pattern: bool) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                check(item, f"{pointer}/{i}", contained, pattern)
            return
        if not isinstance(value, str):
            return
        problem = _location_problem(value, root, contained, pattern)
        if problem:
            out.append(UnsafeLocation(pointer, problem))

    def walk(value: Any, pointer: str) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{pointer}/{i}")
            return
        if not isinstance(value, dict):
            return
        names = {key: _local_name(key) for key in value if isinstance(key, str)}
        contained = "containedIn" in names.values()
        for key, item in value.items():
            here = f"{pointer}/{_escape(key)}"
            name = names.get(key)
            if name == "contentUrl":
                check(item, here, contained, pattern=False)
            elif name in ("includes", "excludes"):
                check(item, here, contained, pattern=True)
            elif key != "@context":
                walk(item, here)

    walk(data, "")
    return out


def _locations_in_metadata(metadata: Any, root: str) -> list[UnsafeLocation]:
    """The same checks on what mlcroissant parsed (catches locations given under aliased terms)."""
    out: list[UnsafeLocation] = []
    for i, node in enumerate(getattr(metadata, "distribution", None) or []):
        contained = bool(getattr(node, "contained_in", None))
        url = getattr(node, "content_url", None)
        values = [("contentUrl", url, False)] if isinstance(url, str) else []
        values += [(key, v, True) for key in ("includes", "excludes") for v in getattr(node, key, None) or []]
        for key, value, pattern in values:
            if not isinstance(value, str):
                continue
            problem = _location_problem(value, root, contained, pattern)
            if problem:
                out.append(UnsafeLocation(f"/distribution/{i}/{key}", problem))
    return out


def unsafe_locations(data: Any, folder: Path | str) -> list[UnsafeLocation]:
    """The data locations of a Croissant document that mlcroissant would fetch or read outside ``folder``: URLs
    (http, file, any scheme), absolute paths, paths with ``..`` or through symbolic links out of the folder,
    folders holding such links, and archives whose members would extract outside. Empty when all are safe.

    ``data`` is the JSON document (contentUrl / includes / excludes at any depth) or an mlcroissant ``Metadata``
    (its distribution). Nothing outside ``folder`` is opened to decide."""
    root = os.path.realpath(folder)
    if hasattr(data, "distribution") and not isinstance(data, dict):
        return _locations_in_metadata(data, root)
    return _locations_in_json(data, root)


def _single_context(data: dict[str, Any]) -> dict[str, Any]:
    """mlcroissant wants one @context object: merge an array of (inlined) contexts, later entries winning."""
    context = data.get("@context")
    if isinstance(context, list) and all(c is None or isinstance(c, dict) for c in context):
        merged: dict[str, Any] = {}
        for item in context:
            merged = {} if item is None else {**merged, **item}
        data["@context"] = merged
    return data


def load_croissant(data: dict[str, Any], folder: Path | str) -> dict[str, Any]:
    """A copy of the Croissant document ``data`` that mlcroissant can parse without reaching the network or the
    disk outside ``folder``: shipped contexts inlined (an array of contexts merged into one object), and no
    unsafe data location. Raises :class:`UnsafeJsonLdError` listing every refused context and location."""
    if not isinstance(data, dict):
        raise InputError("a Croissant document is a JSON object")
    refused: list[UnsafeLocation] = []
    inlined = _node(data, "", refused)  # a new tree of containers; the leaves are immutable
    refused += unsafe_locations(inlined, folder)
    if refused:
        raise UnsafeJsonLdError(refused)
    guard_rdflib()
    return _single_context(inlined)


def open_croissant(data: dict[str, Any], folder: Path | str):
    """An ``mlcroissant.Dataset`` of ``data`` whose local files resolve inside ``folder``, after
    :func:`load_croissant` and a second look at the locations mlcroissant itself parsed; raises
    :class:`UnsafeJsonLdError` (or mlcroissant's ``ValidationError``)."""
    import mlcroissant as mlc  # inline: mlcroissant takes ~1.7 s to import
    from etils import epath  # inline: etils.epath takes ~0.15 s to import
    from mlcroissant._src.core.context import Context  # inline: mlcroissant takes ~1.7 s to import
    from mlcroissant._src.structure_graph.nodes.metadata import Metadata  # inline: mlcroissant takes ~1.7 s to import

    safe = load_croissant(data, folder)
    ctx = Context()
    ctx.folder = epath.Path(os.path.realpath(folder))
    metadata = Metadata.from_json(ctx=ctx, json_=safe)
    unsafe = unsafe_locations(metadata, folder)
    if unsafe:
        raise UnsafeJsonLdError(unsafe)
    return mlc.Dataset.from_metadata(metadata)
