"""Reading and checking a Croissant document and the local files it names, before anything is mapped or kept.

- :func:`is_croissant` says whether a parsed document is Croissant, :func:`is_croissant_file` whether a path holds
  one;
- :func:`location_problems` lists the file locations that would read outside the Croissant file's folder (no
  ``..``, absolute paths, ``file:`` URLs or symlinks out), :func:`validate` runs mlcroissant's own validation on a
  document whose contexts and locations are safe (see :mod:`medal_catalog.croissant.jsonld`);
- :func:`local_data_files`, :func:`dicom_paths` and :func:`collect_files` read the local files a distribution
  names (the last checking their declared checksums and sizes), inside the folder only.

Problems go to an ``issue(code, message, *, pointer, hint, severity)`` callable, so that each caller reports
them its own way.
"""

from __future__ import annotations

import base64
import binascii
import csv
import fnmatch
import hashlib
import io
import json
import logging
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from medal_catalog.croissant.jsonld import UnsafeJsonLdError, UnsafeLocation, load_croissant, unsafe_locations
from medal_catalog.croissant.vocabulary import (
    CROISSANT_NAMESPACE,
    FILE_PROPERTY_COLUMNS,
    TABLE_FORMATS,
    as_list,
    fileset_archive_path,
    fileset_table_path,
    local_path,
    node_id,
    node_kind,
)
from medal_catalog.documents import MAX_METADATA_BYTES, DocumentError, load_json
from medal_catalog.report import Severity

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
_UNITS = {
    "": 1,
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


# --- what a document is ---------------------------------------------------------------------------------------


def is_croissant(data: Any) -> bool:
    """True for a JSON-LD document that names Croissant: it has an ``@context``, and the Croissant namespace is in
    it or in its ``conformsTo`` (or ``dct:conformsTo``). A Croissant document that is not a valid dataset (no
    schema.org Dataset type, say) is still Croissant: mlcroissant's validation says what is wrong with it."""
    if not isinstance(data, dict) or "@context" not in data:
        return False
    blob = "".join(json.dumps(data.get(key, "")) for key in ("@context", "conformsTo", "dct:conformsTo"))
    return CROISSANT_NAMESPACE in blob


def is_croissant_file(path: Path) -> bool:
    """True for a .json/.jsonld file, no larger than a metadata file may be, whose content is Croissant."""
    if not path.is_file() or path.suffix.lower() not in (".json", ".jsonld"):
        return False
    try:
        return path.stat().st_size <= MAX_METADATA_BYTES and is_croissant(load_json(path.read_bytes()))
    except (OSError, ValueError, DocumentError):
        return False


# --- safety and validation --------------------------------------------------------------------------------


def location_problems(data: dict[str, Any], folder: Path) -> list[str]:
    """Every file location of the document that would make us (or mlcroissant) read outside ``folder``, as
    ``"<pointer>: <reason>"`` texts, sorted."""
    # Remote URLs are kept as locations, never fetched (mlcroissant validation reads no data), so only the local
    # locations the JSON-LD safety checks refuse count here.
    found: list[str] = [
        str(u)
        for u in unsafe_locations(data, folder)
        if not (getattr(u, "reason", "").startswith("a URL (") and not str(u).lower().count("file:"))
    ]
    root = folder.resolve()
    for i, node in enumerate(as_list(data.get("distribution"))):
        if not isinstance(node, dict):
            continue
        url = node.get("contentUrl")
        where = f"/distribution/{i}"
        if isinstance(url, str) and not node.get("containedIn"):
            if re.match(r"^file:", url, re.I):
                found.append(f"{where}/contentUrl: a file: URL is never read")
            elif not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
                rel = local_path(url)
                if rel is None:
                    found.append(f"{where}/contentUrl: a local path must stay inside the Croissant file's folder")
                elif (folder / rel).is_symlink() or (folder / rel).exists() and not inside(folder / rel, root):
                    found.append(f"{where}/contentUrl: the file is a link that leads out of the folder")
        for j, pattern in enumerate(as_list(node.get("includes"))):
            if isinstance(pattern, str) and (
                pattern.startswith("/") or ".." in pattern.split("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", pattern)
            ):
                found.append(f"{where}/includes: a file set pattern must stay inside the Croissant file's folder")
    return sorted(set(found))


def inside(path: Path, root: Path) -> bool:
    """True when ``path``, links resolved, is ``root`` (a resolved folder) or lies below it."""
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


@dataclass
class Validation:
    """What validating a Croissant document found: the contexts and locations refused before mlcroissant ran (it
    then did not run, or its parse was not used), else mlcroissant's errors and warnings, sorted, and why it could
    not read the document at all (``failure``), if so."""

    refused: list[UnsafeLocation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failure: str | None = None


def validate(data: Any, folder: Path) -> Validation:
    """mlcroissant's validation of the document ``data`` whose local files resolve inside ``folder``; nothing is
    fetched, and nothing outside ``folder`` is read (refused contexts and locations end it first)."""
    try:
        safe = load_croissant(data, folder)
    except UnsafeJsonLdError as exc:
        return Validation(refused=exc.locations)
    import mlcroissant as mlc  # inline: mlcroissant takes ~1.7 s to import
    from etils import epath  # inline: etils.epath takes ~0.15 s to import
    from mlcroissant._src.core.context import Context  # inline: mlcroissant takes ~1.7 s to import
    from mlcroissant._src.operation_graph.graph import OperationGraph  # inline: mlcroissant takes ~1.7 s to import
    from mlcroissant._src.structure_graph.nodes.metadata import Metadata  # inline: mlcroissant takes ~1.7 s to import

    ctx = Context()
    ctx.folder = epath.Path(folder)
    failure = None
    previous = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # mlcroissant logs its warnings too; we report them ourselves
    try:
        metadata = Metadata.from_json(ctx=ctx, json_=safe)
        # A second look in mlcroissant's own terms: a location given under an aliased term is caught here.
        unsafe = unsafe_locations(metadata, folder)
        if unsafe:
            return Validation(refused=unsafe)
        OperationGraph.from_nodes(ctx=ctx, metadata=metadata).check_graph(ctx=ctx)
    except mlc.ValidationError:
        pass  # the issues are in ctx.issues
    except Exception as exc:  # noqa: BLE001 - mlcroissant raises many kinds on malformed input
        failure = f"{type(exc).__name__}: {exc}"
    finally:
        logging.getLogger().setLevel(previous)
    return Validation(errors=sorted(ctx.issues.errors), warnings=sorted(ctx.issues.warnings), failure=failure)


# --- local files ---------------------------------------------------------------------------------------------


def collect_files(
    data: dict[str, Any],
    folder: Path,
    source: Path,
    dataset: dict[str, Any],
    files: dict[str, tuple[bytes, str]],
    issue,
    audited: Callable[[Any, str], bool],
) -> None:
    """Read the open dataset's local files (FileObjects by path; each local FileSet as one zip), checking
    declared checksums and sizes; a mismatch is an error. Every DICOM file in them (archives opened) must pass
    the Annex E audit: one that does not is an error, and nothing of its distribution is kept."""
    root = folder.resolve()
    for i, node in enumerate(as_list(data.get("distribution"))):
        if not isinstance(node, dict) or node.get("containedIn"):
            continue
        kind, where, media = node_kind(node), f"/distribution/{i}", _first(node.get("encodingFormat"))
        if kind == "FileObject":
            rel = local_path(node.get("contentUrl"))
            if rel is None:
                continue  # remote: it stays where it is
            target = folder / rel
            if not target.is_file() or not inside(target, root):
                issue(
                    "croissant.missing-file",
                    "the file the distribution names is not next to the Croissant file",
                    pointer=f"{where}/contentUrl",
                )
                continue
            content = target.read_bytes()
            if not checksums_match(node, content, issue, where) or not audited(content, rel):
                continue
            if rel in files:
                issue("croissant.path-clash", "two files would be kept under the same path", pointer=where)
                continue
            files[rel] = (content, media or "application/octet-stream")
        elif kind == "FileSet" and node.get("includes") and node_id(node):
            members = _fileset_members(
                folder, root, source, [p for p in as_list(node["includes"]) if isinstance(p, str)], issue, where
            )
            if not members:
                issue(
                    "croissant.empty-file-set",
                    "no file next to the Croissant file matches the file set's includes",
                    pointer=f"{where}/includes",
                    severity=Severity.WARNING,
                )
                continue
            if not all([audited(member, rel) for rel, member in members]):  # (every member reported)
                continue
            if _rows_read(data, node_id(node)):
                kept = _table(members, issue, where)
                if kept is not None:
                    files[fileset_table_path(node_id(node), kept[0])] = (kept[1], TABLE_FORMATS[kept[0]])
            else:
                files[fileset_archive_path(node_id(node))] = (_zip(members), "application/zip")
    dataset["byte_size"] = sum(len(content) for path, (content, _) in files.items() if path != source.name)


def dicom_paths(data: dict[str, Any], folder: Path, source: Path) -> list[Path]:
    """The local files holding the dataset's DICOM: DICOM FileObjects, the members of local DICOM FileSets, and
    the archives a DICOM FileSet is contained in (inside the folder only; links out are never followed)."""
    root = folder.resolve()
    nodes = [n for n in as_list(data.get("distribution")) if isinstance(n, dict)]
    by_id = {node_id(n): n for n in nodes}

    def local(node: dict[str, Any] | None) -> list[Path]:
        rel = local_path((node or {}).get("contentUrl"))
        target = folder / rel if rel else None
        return [target] if target is not None and target.is_file() and inside(target, root) else []

    paths: list[Path] = []
    for node in nodes:
        if not any("dicom" in m.lower() for m in as_list(node.get("encodingFormat")) if isinstance(m, str)):
            continue
        kind = node_kind(node)
        if kind == "FileObject" and not node.get("containedIn"):
            paths += local(node)
        elif kind == "FileSet":
            containers = as_list(node.get("containedIn"))
            for container in containers:
                paths += local(by_id.get(container.get("@id") if isinstance(container, dict) else container))
            if not containers:
                patterns = [p for p in as_list(node.get("includes")) if isinstance(p, str)]
                paths += [p for _, p in _fileset_members(folder, root, source, patterns, _ignore, "")]
    return sorted(set(paths))


def local_data_files(data: dict[str, Any], folder: Path, source: Path) -> list[tuple[str, Path]]:
    """Every local file the distribution names, as (path relative to ``folder``, path): FileObjects outside
    archives, and the members of FileSets read from the folder (inside it only; links out are never followed)."""
    root = folder.resolve()
    out: list[tuple[str, Path]] = []
    for node in as_list(data.get("distribution")):
        if not isinstance(node, dict) or node.get("containedIn"):
            continue
        kind = node_kind(node)
        if kind == "FileObject":
            rel = local_path(node.get("contentUrl"))
            target = folder / rel if rel else None
            if target is not None and target.is_file() and inside(target, root):
                out.append((rel, target))
        elif kind == "FileSet":
            patterns = [p for p in as_list(node.get("includes")) if isinstance(p, str)]
            out += _fileset_members(folder, root, source, patterns, _ignore, "")
    return sorted(set(out))


def _ignore(*_: Any, **__: Any) -> None:
    """An issue sink for a second look at what collect_files and location_problems already reported."""


def checksums_match(node: dict[str, Any], content: bytes, issue, where: str) -> bool:
    """True when ``content`` has the sha256 and md5 the node declares (a mismatch is an error); an exact
    contentSize that differs is a warning."""
    ok = True
    for algorithm in ("sha256", "md5"):
        declared = node.get(algorithm)
        if isinstance(declared, str) and declared:
            actual = hashlib.new(algorithm, content).hexdigest()
            if hex_digest(declared) != actual:
                issue(
                    f"croissant.{algorithm}-mismatch",
                    f"the file's {algorithm.upper()} differs from the declared {algorithm}",
                    pointer=f"{where}/{algorithm}",
                    hint=f"Recompute it (`{algorithm}sum`) after the file's last change.",
                )
                ok = False
    size = byte_size(node.get("contentSize"))
    if ok and size is not None and exact_size(node.get("contentSize")) and size != len(content):
        issue(
            "croissant.size-mismatch",
            f"the file has {len(content)} bytes, not the declared contentSize",
            pointer=f"{where}/contentSize",
            severity=Severity.WARNING,
        )
    return ok


def _fileset_members(
    folder: Path, root: Path, source: Path, patterns: list[str], issue, where: str
) -> list[tuple[str, Path]]:
    """The files a local FileSet includes, matched as mlcroissant matches them (fnmatch on the path relative to
    the folder); links are not followed out of the folder."""
    regexes = [re.compile(fnmatch.translate(p)) for p in patterns]
    members = []
    for base, dirs, names in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(base) / name
            rel = path.relative_to(folder).as_posix()
            if not any(r.match(rel) for r in regexes):
                continue
            if not inside(path, root) or not path.is_file():
                issue(
                    "croissant.unsafe-location",
                    "a file set member is a link that leads out of the folder",
                    pointer=f"{where}/includes",
                )
                continue
            members.append((rel, path))
    return members


def _rows_read(data: dict[str, Any], fileset_id: str) -> bool:
    """True when some field reads the content (columns, JSON paths) of the file set's files, not only their
    file properties."""
    for record_set in as_list(data.get("recordSet")):
        for fld in record_set_fields(record_set) if isinstance(record_set, dict) else []:
            source = fld.get("source") if isinstance(fld.get("source"), dict) else {}
            ref = source.get("fileSet") or source.get("distribution")
            ref = ref.get("@id") if isinstance(ref, dict) else ref
            extract = source.get("extract") if isinstance(source.get("extract"), dict) else {}
            if ref == fileset_id and ("column" in extract or "jsonPath" in extract):
                return True
    return False


def _table(members: list[tuple[str, Path]], issue, where: str) -> tuple[str, bytes] | None:
    """The rows of all the file set's tables as one table (CSV or parquet, as its files are), with each row's
    file properties in FILE_PROPERTY_COLUMNS: what the export serves in place of a FileSet over HTTP."""
    suffixes = {rel.rsplit(".", 1)[-1].lower() for rel, _ in members}
    if len(suffixes) != 1 or next(iter(suffixes)) not in TABLE_FORMATS:
        issue(
            "croissant.file-set-content",
            "the rows of a file set are read, but its files are not all CSV or all "
            "parquet: the catalog can keep and serve only such file sets",
            pointer=f"{where}/includes",
        )
        return None
    suffix, props = suffixes.pop(), list(FILE_PROPERTY_COLUMNS.values())
    if suffix == "csv":
        out, header = io.StringIO(), None
        writer = csv.writer(out, lineterminator="\n")
        for rel, path in members:
            reader = csv.reader(io.StringIO(path.read_text("utf-8")))
            first = next(reader, None)
            if header is None:
                header = first
                writer.writerow([*header, *props])
            elif first != header:
                issue(
                    "croissant.file-set-columns",
                    "the CSV files of a file set have different columns",
                    pointer=f"{where}/includes",
                )
                return None
            writer.writerows([*row, path.name, rel, rel] for row in reader)
        return suffix, out.getvalue().encode("utf-8")
    # inline: pyarrow takes ~0.3 s to import
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = []
    for rel, path in members:
        table = pq.read_table(path)
        for column, value in zip(props, (path.name, rel, rel)):
            table = table.append_column(column, pa.array([value] * table.num_rows, pa.string()))
        tables.append(table)
    buffer = io.BytesIO()
    pq.write_table(pa.concat_tables(tables, promote_options="default"), buffer)
    return suffix, buffer.getvalue()


def _zip(members: list[tuple[str, Path]]) -> bytes:
    """A deterministic zip (fixed times and modes, sorted) of the members, so equal files give equal digests."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, path in sorted(members):
            info = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


# --- document values ---------------------------------------------------------------------------------------


def record_set_fields(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A record set's fields, sub-fields included (depth first)."""
    out = []
    for fld in as_list(node.get("field")):
        if isinstance(fld, dict):
            out.append(fld)
            out.extend(record_set_fields({"field": fld.get("subField")}))
    return out


def byte_size(value: Any) -> int | None:
    """A contentSize in bytes (an integer, or a text such as "4.7 MB" or "12 KiB"); None when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    m = _SIZE.match(value) if isinstance(value, str) else None
    if not m or m.group(2).lower() not in _UNITS:
        return None
    return int(round(float(m.group(1)) * _UNITS[m.group(2).lower()]))


def exact_size(value: Any) -> bool:
    """True for a size in bytes (as opposed to a rounded "4.7 MB")."""
    m = _SIZE.match(value) if isinstance(value, str) else None
    return isinstance(value, int) or bool(m and m.group(2).lower() in ("", "b", "byte", "bytes"))


def hex_digest(value: str) -> str:
    """A digest as lower-case hex (Croissant also allows base64)."""
    if re.fullmatch(r"[0-9A-Fa-f]+", value):
        return value.lower()
    try:
        return base64.b64decode(value, validate=True).hex()
    except (binascii.Error, ValueError):
        return value


def _first(value: Any) -> str | None:
    return next((v for v in as_list(value) if isinstance(v, str)), None)
