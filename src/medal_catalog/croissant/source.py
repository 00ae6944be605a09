"""The record sets of an imported Croissant, served by the catalog: the kept original's distribution and recordSet
with every local file location pointing at the copy the catalog keeps.

When an open dataset is imported from a Croissant file whose data files sit next to it, the catalog keeps the
original document and those files (see reading.collect_files). A FileObject's local ``contentUrl`` becomes the
catalog URL of its kept copy. A FileSet read from the local folder (``includes`` without ``containedIn``) cannot be
listed over HTTP, so its files are kept as one zip (:func:`fileset_archive_path`) and the exported FileSet is
``containedIn`` that archive: mlcroissant extracts it and sees the same relative paths as in the original folder.
Remote locations, and local ones the catalog does not keep (controlled data, API submissions), stay as they were.
Loading the export therefore yields the records that loading the original yields, except for a file that a task
names as its label table: it may hold a hidden split's labels, so it is left out, with every record set that
reads it (the task's own Croissant serves its cases and published labels).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote
import io
import zipfile

from medal_catalog.croissant.vocabulary import (
    DUO,
    FILE_PROPERTY_COLUMNS,
    RAI,
    TABLE_FORMATS,
    as_list,
    fileset_archive_path,
    fileset_table_path,
    local_name,
    local_path,
    node_id,
    node_kind,
)


#: The query that asks the catalog's files route for a kept file as a zip holding it at its path (see below).
AS_ZIP = "as=zip"


def one_file_zip(path: str, data: bytes) -> bytes:
    """A zip holding ``data`` at ``path``, the same bytes every time (fixed date, stored): what the files route
    serves for ``?as=zip``, and what an export's checksum is computed over."""

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        archive.writestr(info, data)
    return out.getvalue()


def _named_by_file_property(record_sets: Iterable[Any]) -> set[str]:
    """The FileObjects whose file name or path a field extracts (``fileProperty`` filename or fullpath)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            source, extract = node.get("fileObject"), node.get("extract")
            if isinstance(extract, dict) and extract.get("fileProperty") in ("filename", "fullpath"):
                target = source.get("@id") if isinstance(source, dict) else source
                if isinstance(target, str):
                    found.add(target)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(list(record_sets))
    return found


def source_parts(
    source: Mapping[str, Any], files_base: str, kept: Mapping[str, str], withheld: Iterable[str] = (), read: Any = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The original ``distribution`` and ``recordSet``, with local locations rewritten to ``files_base`` + path
    for every path in ``kept`` (kept path -> sha256); archive FileObjects are added for kept local FileSets.
    FileObjects at a ``withheld`` local path are left out, with every node that depends on them.

    A kept FileObject whose file name or path a field extracts (coco's ``captions/split`` comes from
    ``captions_train2014.json`` by a regex) is served inside a one-file zip at its original path (``read(path)``
    gives its bytes; without ``read``, it is left as it is): mlcroissant names a file it downloads
    ``croissant-<hash of the URL>``, but a file it extracts from an archive by its path, so the records stay those
    of the original."""
    base = files_base if files_base.endswith("/") else files_base + "/"
    distribution, record_sets = _without(
        [copy.deepcopy(d) for d in as_list(source.get("distribution")) if isinstance(d, dict)],
        [copy.deepcopy(r) for r in as_list(source.get("recordSet")) if isinstance(r, dict)],
        set(withheld),
    )
    taken = {i for d in distribution if (i := node_id(d))}
    archives, tables = [], {}
    by_name = _named_by_file_property(record_sets) if read is not None else set()
    for node in distribution:
        kind = node_kind(node)
        if kind == "FileObject" and not node.get("containedIn"):
            path = local_path(node.get("contentUrl"))
            if path is not None and path in kept:
                node["contentUrl"] = base + quote(path)
                # The kept copy's digest: the catalog may have rewritten it (DICOM is de-identified on import).
                node.pop("md5", None)
                node["sha256"] = kept[path]
                data = read(path) if node_id(node) in by_name else None
                if data is not None:
                    archive_id = _unique(f"{node_id(node)}-archive", taken)
                    taken.add(archive_id)
                    archives.append(
                        {
                            "@type": "cr:FileObject",
                            "@id": archive_id,
                            "name": archive_id,
                            "description": f"{path} in a zip, so that its name reaches mlcroissant.",
                            "contentUrl": f"{base}{quote(path)}?{AS_ZIP}",
                            "encodingFormat": "application/zip",
                            "sha256": hashlib.sha256(one_file_zip(path, data)).hexdigest(),
                        }
                    )
                    node["containedIn"] = {"@id": archive_id}
                    node["contentUrl"] = path
        elif kind == "FileSet" and not node.get("containedIn") and node_id(node):
            path = fileset_archive_path(node_id(node))
            table = next(
                (
                    fileset_table_path(node_id(node), suffix)
                    for suffix in TABLE_FORMATS
                    if fileset_table_path(node_id(node), suffix) in kept
                ),
                None,
            )
            if table is not None:
                tables[node_id(node)] = table
            elif path in kept:
                archive_id = _unique(f"{node_id(node)}-archive", taken)
                archives.append(
                    {
                        "@type": "cr:FileObject",
                        "@id": archive_id,
                        "name": archive_id,
                        "description": "The files of this file set, kept by the catalog as one zip.",
                        "contentUrl": base + quote(path),
                        "encodingFormat": "application/zip",
                        "sha256": kept[path],
                    }
                )
                node["containedIn"] = {"@id": archive_id}
    if tables:
        # mlcroissant 1.1.1 reads the content of a FileSet's files only from a local folder (or a git host): over
        # HTTP it lists the files of an archive but never reads their rows. So a local FileSet whose rows are read
        # becomes one FileObject (same @id) over the kept table of all its rows, whose file-property columns
        # stand in for fileProperty extraction; the records are the same.
        distribution = [
            _as_table(d, base, tables, kept) if node_id(d) in tables and node_kind(d) == "FileSet" else d
            for d in distribution
        ]
        record_sets = [_from_table(r, set(tables)) for r in record_sets]
    return distribution + archives, record_sets


#: Keys whose string value names another node (Croissant 1.0/1.1 write ``{"@id": ...}``; older documents a name).
_REFERENCE_KEYS = ("fileObject", "fileSet", "distribution", "containedIn", "field", "recordSet")


def _without(
    distribution: list[dict[str, Any]], record_sets: list[dict[str, Any]], withheld: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``distribution`` and ``record_sets`` without the FileObjects at a withheld local path, and without every
    node that refers to a node left out (a field's id is ``record set/field``), until none does."""
    if not withheld:
        return distribution, record_sets
    gone = {
        node_id(d)
        for d in distribution
        if node_kind(d) == "FileObject" and not d.get("containedIn") and local_path(d.get("contentUrl")) in withheld
    }
    gone.discard(None)
    while True:
        more = {
            node_id(n)
            for n in (*distribution, *record_sets)
            if node_id(n) not in gone
            and any(ref in gone or ref.split("/", 1)[0] in gone for ref in _references(n, top=True))
        }
        if not more:
            break
        gone |= more
    return ([d for d in distribution if node_id(d) not in gone], [r for r in record_sets if node_id(r) not in gone])


def _references(node: Any, top: bool = False) -> Iterable[str]:
    """The ids of the nodes that ``node`` refers to (its own id excepted)."""
    if isinstance(node, list):
        for item in node:
            yield from _references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@id" and not top and isinstance(value, str):
                yield value
            elif key in _REFERENCE_KEYS and isinstance(value, str):
                yield value
            elif key != "@context":
                yield from _references(value)


def _as_table(node: dict[str, Any], base: str, tables: Mapping[str, str], kept: Mapping[str, str]) -> dict[str, Any]:
    path = tables[node_id(node)]
    out = {k: v for k, v in node.items() if k not in ("@type", "includes", "excludes", "containedIn")}
    out.update(
        {
            "@type": "cr:FileObject",
            "contentUrl": base + quote(path),
            "encodingFormat": TABLE_FORMATS[path.rsplit(".", 1)[-1]],
            "sha256": kept[path],
        }
    )
    return out


def _from_table(node: Any, table_ids: set[str]) -> Any:
    """A copy of a record set whose sources read the rewritten FileSets as their tables."""
    if isinstance(node, list):
        return [_from_table(v, table_ids) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _from_table(v, table_ids) for k, v in node.items()}
    for key in ("fileSet", "distribution"):
        ref = out.get(key)
        ref_id = ref.get("@id") if isinstance(ref, dict) else ref
        if ref_id in table_ids and isinstance(out.get("extract"), dict):
            del out[key]
            out["fileObject"] = {"@id": ref_id}
            prop = out["extract"].get("fileProperty")
            if prop in FILE_PROPERTY_COLUMNS:
                out["extract"] = {
                    **{k: v for k, v in out["extract"].items() if k != "fileProperty"},
                    "column": FILE_PROPERTY_COLUMNS[prop],
                }
    return out


def merge_source(
    doc: dict[str, Any],
    source: Mapping[str, Any],
    files_base: str,
    kept: Mapping[str, str],
    has_series: bool,
    withheld: Iterable[str] = (),
    read: Any = None,
) -> dict[str, Any]:
    """``doc`` (a dataset's Croissant as croissant/writing.py makes it) with the imported original's
    distribution and record sets added; the catalog's own nodes are renamed where an @id clashes, and its empty
    ``series`` record set is left out when the original has one of that name. Terms of the original's @context
    that ours lacks are added (ours wins on a clash), and what the catalog does not model is carried over from the
    original: non-DUO ``usageInfo``, RAI properties the export does not fill, ``sameAs``, organisations among the
    creators."""
    distribution, record_sets = source_parts(source, files_base, kept, withheld, read)
    theirs = {i for node in (*distribution, *record_sets) if (i := node_id(node))}
    ours_dist = [copy.deepcopy(d) for d in as_list(doc.get("distribution"))]
    ours_sets = [copy.deepcopy(r) for r in as_list(doc.get("recordSet"))]
    if "series" in theirs and not has_series:
        ours_sets = [r for r in ours_sets if node_id(r) != "series"]
    renamed = {}
    for node in (*ours_dist, *ours_sets):
        old = node_id(node)
        if old in theirs:
            new = _unique(f"medal-{old}", theirs | set(renamed.values()))
            renamed[old] = new
            node["@id"] = node["name"] = new
    if renamed:
        ours_sets = [_rename_refs(r, renamed) for r in ours_sets]
    out = dict(doc)
    out["@context"] = _merged_context(doc.get("@context"), source.get("@context"))
    out["distribution"] = ours_dist + distribution
    out["recordSet"] = ours_sets + record_sets
    _carry_over(out, source)
    return out


def _carry_over(out: dict[str, Any], source: Mapping[str, Any]) -> None:
    usage = [u for u in as_list(source.get("usageInfo")) if not (isinstance(u, str) and _is_duo(u, DUO))]
    if usage:
        out["usageInfo"] = [
            *as_list(out.get("usageInfo")),
            *[u for u in usage if u not in as_list(out.get("usageInfo"))],
        ]
    for key, value in source.items():
        rai = _rai_key(key)
        if rai and value not in (None, "", []):
            if rai not in out:
                out[rai] = copy.deepcopy(value)
            elif rai == "rai:personalSensitiveInformation" and value != out[rai]:
                out[rai] = [*as_list(value), *as_list(out[rai])]
    same = [u for u in as_list(source.get("sameAs")) if isinstance(u, str)]
    url = source.get("url")
    same += [url] if isinstance(url, str) and url not in same else []
    if same:
        out["sameAs"] = same
    orgs = [
        copy.deepcopy(c)
        for c in as_list(source.get("creator"))
        if isinstance(c, dict) and local_name(c.get("@type")) == "Organization"
    ]
    names = {c.get("name") for c in as_list(out.get("creator")) if isinstance(c, dict)}
    fresh = [o for o in orgs if o.get("name") not in names]
    if fresh:
        # The export's stand-in creator ("MEDAL contributors") gives way to the original's organisations.
        people = [
            c
            for c in as_list(out.get("creator"))
            if not (isinstance(c, dict) and c.get("name") == "MEDAL contributors")
        ]
        out["creator"] = people + fresh


def _rai_key(key: str) -> str | None:
    for prefix in ("rai:", RAI):
        if key.startswith(prefix):
            return "rai:" + key[len(prefix) :]
    return None


def _is_duo(value: str, duo_base: str) -> bool:
    return value.startswith(duo_base + "DUO_") or value.startswith("obo:DUO_") or value.startswith("DUO:")


def _merged_context(ours: Any, theirs: Any) -> Any:
    if not isinstance(ours, dict):
        return ours
    merged = dict(ours)
    merged.setdefault("containedIn", "cr:containedIn")  # Croissant 1.1 reads cr:containedIn only
    for item in as_list(theirs):
        if isinstance(item, dict):
            for term, definition in item.items():
                if term not in merged and term != "containedIn":
                    merged[term] = definition
    return merged


def _rename_refs(node: Any, renamed: Mapping[str, str]) -> Any:
    """A copy of our record set with @id references to renamed nodes (and their field prefixes) updated."""
    if isinstance(node, list):
        return [_rename_refs(v, renamed) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("@id", "name") and isinstance(value, str):
            head, sep, tail = value.partition("/")
            value = renamed.get(value, renamed[head] + sep + tail if sep and head in renamed else value)
        out[key] = _rename_refs(value, renamed)
    return out


def _unique(wanted: str, taken: set[str]) -> str:
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}-{n}", n + 1
    taken.add(name)
    return name
