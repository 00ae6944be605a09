"""Import a Croissant (1.0 or 1.1) dataset description as an ImagingDataset, keeping the original document.

The file is checked with mlcroissant (our validator) and its local file locations are checked before anything is
read: a location must stay inside the Croissant file's folder (no ``..``, absolute paths, ``file:`` URLs or
symlinks out). The dataset's metadata is mapped to the MEDAL schema (licence as SPDX, creators with ORCID,
distribution with checksums, record-set summaries, RAI notes, DUO consent from ``usageInfo``), and the entry must
pass the same schema and policy checks as a submitted one. The original document is kept unchanged with the entry;
for an open-access dataset, its local data files are kept too (their declared checksums verified), so that the
catalog serves them and the dataset's Croissant export loads the same records (see croissant/source.py).
Problems are collected in a report; when there is an error nothing is stored.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import fnmatch
import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from medal_catalog import __version__
from medal_catalog.croissant.vocabulary import (DUO_CODES, FILE_PROPERTY_COLUMNS, TABLE_FORMATS, as_list,
                                                fileset_archive_path, fileset_table_path, local_name, local_path,
                                                node_id, node_kind)
from medal_catalog.report import Issue, Report, Severity

TOOL = "medal harvest"
ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")
ACCESS_LEVELS = ("open", "registered", "controlled", "hidden_test")
_CODE_OF_DUO = {number: code for code, number in DUO_CODES.items()}
_PERMISSIONS = {"NRES": "not_applicable", "GRU": "broad", "HMB": "broad", "POA": "broad", "DS": "specific"}
_ORCID = re.compile(r"orcid\.org/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)
_DOI = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_ROR = re.compile(r"^https://ror\.org/0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
_UNITS = {"": 1, "b": 1, "byte": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_RAI_TEXT = {"dataCollection": "data_collection", "dataAnnotationProtocol": "annotation_protocol",
             "annotatorDemographics": "annotator_expertise", "dataAnnotationAnalysis": "annotator_agreement",
             "dataPreprocessingProtocol": "preprocessing"}
_RAI_LIST = {"dataBiases": "data_biases", "dataLimitations": "data_limitations", "dataUseCases": "use_cases"}
_ARCHIVES = ("application/zip", "application/x-zip-compressed", "application/x-tar", "application/gzip",
             "application/x-gzip", "application/x-7z-compressed")
_ROLE_HINTS = (("labels", re.compile(r"label|annotation|target|ground.?truth|segmentation|mask|split", re.I)),
               ("reports", re.compile(r"report|finding|impression", re.I)),
               ("clinical_data", re.compile(r"clinical|patient|demograph|laborator|ehr|fhir", re.I)))


@dataclass
class CroissantImport:
    """What importing one Croissant file produced: the report, the mapped dataset and the files to keep with it
    (path -> (content, media type), the original document included), and what the catalog stored."""

    source: str
    report: Report
    dataset: dict[str, Any] | None = None
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    stored: Any = None  # the PutResult of the dataset, once stored
    stored_files: list[Any] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)  # harvested from the dataset's local DICOM
    dicom: dict[str, Any] | None = None  # the summary of that harvest
    stored_series: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the dataset was mapped without error (and so may be, or was, stored)."""
        return self.dataset is not None and self.report.ok

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "kind": "croissant", "ok": self.ok,
                "dataset": (self.dataset or {}).get("id"),
                "stored": [self.stored.to_dict()] if self.stored is not None else [],
                "files": [f.to_dict() for f in self.stored_files] if self.stored_files else
                         [{"path": p, "byte_size": len(b), "media_type": t} for p, (b, t) in self.files.items()],
                "series": len(self.series), "dicom": self.dicom,
                "report": self.report.to_dict()}


def is_croissant(data: Any) -> bool:
    """True for a JSON-LD schema.org Dataset that declares Croissant conformance or the Croissant context."""
    if not isinstance(data, dict) or "@context" not in data:
        return False
    types = [t for t in as_list(data.get("@type")) if isinstance(t, str)]
    if not any(t in ("sc:Dataset", "schema:Dataset", "Dataset") or t.endswith("schema.org/Dataset") for t in types):
        return False
    blob = json.dumps(data.get("@context")) + json.dumps(data.get("conformsTo", data.get("dct:conformsTo", "")))
    return "mlcommons.org/croissant" in blob


def import_croissant(path: Path, *, access_level: str | None = None, dataset_id: str | None = None,
                     catalog: Any = None, author: str = TOOL, reason: str | None = None, keep_files: bool = True,
                     display: str | None = None, today: dt.date | None = None) -> CroissantImport:
    """Validate and map the Croissant file ``path``; with ``catalog``, store the dataset and its kept files when
    there is no error. ``access_level`` applies when the document has no ``medal:accessLevel`` (default: open for
    an open SPDX licence); ``dataset_id`` replaces the id made from the dataset's name. With ``keep_files`` False
    (documents sent over HTTP) only the original document is kept."""
    from medal_catalog.documents import Document
    from medal_catalog.validators.croissant import check_croissant

    display = display or str(path)
    report = Report()
    result = CroissantImport(display, report)
    started = dt.datetime.now(dt.timezone.utc)
    issue = _issuer(report, display)
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        issue("croissant.unreadable", f"not a readable JSON document ({type(exc).__name__})")
        return result
    if not is_croissant(data):
        issue("croissant.not-croissant", "not a Croissant document (a schema.org Dataset with the Croissant context "
              "or conformsTo)", pointer="", hint="Croissant files declare conformsTo http://mlcommons.org/croissant/1.1.")
        return result
    folder = path.parent
    for problem in _unsafe(data, folder):
        report.add(problem if isinstance(problem, Issue) else Issue(
            Severity.ERROR, "croissant.unsafe-location", display, str(problem), pointer=""))
    if not report.ok:
        return result  # never hand a document that points outside its folder to mlcroissant
    checked = _remote_masked(data)
    report.extend(check_croissant(Document(path, display, raw.decode("utf-8", "replace"), checked, "json")))
    if not report.ok:
        return result
    dataset = _map(data, path, issue, access_level=access_level, dataset_id=dataset_id)
    if dataset is None:
        return result
    result.files[path.name] = (raw, "application/ld+json")
    if keep_files and dataset.get("access_level") == "open":
        _collect_files(data, folder, path, dataset, result.files, issue, _auditor(report, display))
    ended = dt.datetime.now(dt.timezone.utc)
    dataset.setdefault("provenance", {})["harvest_runs"] = [{
        "id": f"{dataset['id'][:100]}.harvest-{started:%Y%m%dt%H%M%S}", "started_at": _iso(started),
        "ended_at": _iso(ended), "tool": TOOL, "tool_version": __version__, "source_kind": "croissant",
        "files_seen": len(result.files), "files_read": len(result.files), "files_skipped": 0}]
    if keep_files and report.ok:
        dataset = _with_dicom(data, folder, path, dataset, result)
    _check_entry(dataset, issue, today)
    result.dataset = dataset
    if catalog is not None and report.ok:
        store_import(catalog, result, author, reason or f"import of Croissant file {path.name}")
    return result


# --- storing ---------------------------------------------------------------------------------------------------

def store_import(catalog: Any, result: CroissantImport, author: str, reason: str) -> None:
    """Store an error-free import: the dataset (no new version when only the harvest run differs), then its kept
    files; the outcome goes into ``result``."""
    from medal_catalog.harvesters.dicom_records import same_but_harvest_runs
    from medal_catalog.store.base import PutResult, entry_key

    dataset = result.dataset
    current = catalog.get("ImagingDataset", dataset["id"])
    if current is not None and not current.deleted and same_but_harvest_runs(dataset, current.document):
        # Re-importing unchanged input writes no new version (only the harvest-run record would differ).
        result.stored = PutResult(entry_key("ImagingDataset", dataset["id"]), "unchanged", current.version)
    else:
        result.stored = catalog.put(dataset, author=author, reason=reason)
    if result.stored.problems:
        result.report.add(Issue(Severity.ERROR, "croissant.refused", result.source,
                                f"the catalog refused the mapped dataset: {result.stored.problems[0]}", pointer=""))
        return
    if result.series:
        result.stored_series = catalog.put_many(result.series, author=author, reason=reason)
    kept = {f.path: f.sha256 for f in catalog.store.list_files("ImagingDataset", dataset["id"])}
    wanted = {p: hashlib.sha256(content).hexdigest() for p, (content, _) in result.files.items()}
    if kept != wanted:
        catalog.store.put_files("ImagingDataset", dataset["id"], result.files)
    result.stored_files = catalog.store.list_files("ImagingDataset", dataset["id"])


def _check_entry(dataset: dict[str, Any], issue, today: dt.date | None) -> None:
    """The mapped entry must pass what a submitted one passes: schema, policy rules, the pydantic model."""
    from medal_catalog.store.base import validate_entry
    from medal_catalog.validators.submission import check_entry

    findings, _, _ = check_entry("ImagingDataset", dataset, (today or dt.date.today()).isoformat())
    for severity, code, pointer, message, hint in findings:
        if severity is not Severity.INFO:
            issue(code, f"the mapped dataset: {message}", pointer=pointer, hint=hint, severity=severity)
    validated = validate_entry(dataset, "ImagingDataset")
    for problem in validated.problems:
        issue("croissant.mapped-invalid", f"the mapped dataset: {problem}")


# --- safety ------------------------------------------------------------------------------------------------

def _unsafe(data: dict[str, Any], folder: Path) -> list[Any]:
    """Every file location of the document that would make us (or mlcroissant) read outside ``folder``."""
    found: list[Any] = []
    try:  # the shared JSON-LD safety checks, where present
        from medal_catalog.croissant.jsonld import unsafe_locations
    except ImportError:
        unsafe_locations = None
    if unsafe_locations is not None:
        # Remote URLs are kept as locations, never fetched (mlcroissant validation reads no data), so only the
        # local locations it refuses count here.
        found += [str(u) for u in unsafe_locations(data, folder)
                  if not (getattr(u, "reason", "").startswith("a URL (") and not str(u).lower().count("file:"))]
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
                elif (folder / rel).is_symlink() or (folder / rel).exists() and not _inside(folder / rel, root):
                    found.append(f"{where}/contentUrl: the file is a link that leads out of the folder")
        for j, pattern in enumerate(as_list(node.get("includes"))):
            if isinstance(pattern, str) and (pattern.startswith("/") or ".." in pattern.split("/")
                                             or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", pattern)):
                found.append(f"{where}/includes: a file set pattern must stay inside the Croissant file's folder")
    return sorted(set(found))


_REMOTE = re.compile(r"^(https?|git\+https)://", re.IGNORECASE)


def _remote_masked(data: dict[str, Any]) -> dict[str, Any]:
    """A copy for validation whose remote contentUrls are stand-in relative paths. The validator refuses every URL
    (nothing may be fetched while validating a submission), but an imported Croissant's remote files are only
    recorded, never fetched, and mlcroissant's validation does not read data files either."""
    out = dict(data)
    nodes = []
    for i, node in enumerate(as_list(data.get("distribution"))):
        if isinstance(node, dict) and isinstance(node.get("contentUrl"), str) and _REMOTE.match(node["contentUrl"]):
            node = {**node, "contentUrl": f"medal-remote-{i}"}
        nodes.append(node)
    if "distribution" in data:
        out["distribution"] = nodes
    return out


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


# --- local files ---------------------------------------------------------------------------------------------

def _collect_files(data: dict[str, Any], folder: Path, source: Path, dataset: dict[str, Any],
                   files: dict[str, tuple[bytes, str]], issue, audited: Callable[[Any, str], bool]) -> None:
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
            if not target.is_file() or not _inside(target, root):
                issue("croissant.missing-file", "the file the distribution names is not next to the Croissant file",
                      pointer=f"{where}/contentUrl")
                continue
            content = target.read_bytes()
            if not _checksums_match(node, content, issue, where) or not audited(content, rel):
                continue
            if rel in files:
                issue("croissant.path-clash", "two files would be kept under the same path", pointer=where)
                continue
            files[rel] = (content, media or "application/octet-stream")
        elif kind == "FileSet" and node.get("includes") and node_id(node):
            members = _fileset_members(folder, root, source, [p for p in as_list(node["includes"])
                                                              if isinstance(p, str)], issue, where)
            if not members:
                issue("croissant.empty-file-set", "no file next to the Croissant file matches the file set's "
                      "includes", pointer=f"{where}/includes", severity=Severity.WARNING)
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


def _with_dicom(data: dict[str, Any], folder: Path, source: Path, dataset: dict[str, Any],
                result: CroissantImport) -> dict[str, Any]:
    """The dataset merged with the harvest of the local DICOM its distribution lists (files, file sets, the
    archives they are contained in): typed series, counts, modalities, the Annex E audit, as for a submission.
    Its own distribution stays as the Croissant describes it."""
    paths = _dicom_paths(data, folder, source)
    if not paths:
        return dataset
    from medal_catalog.harvesters.dicom import harvest_dicom
    from medal_catalog.harvesters.dicom_records import merge_harvest

    harvest = harvest_dicom(paths, dataset["id"], title=dataset.get("title"),
                            access_level=dataset.get("access_level", "controlled"),
                            license_id=(dataset.get("license") or {}).get("spdx_id", "LicenseRef-unspecified"))
    result.dicom = harvest.summary
    if not harvest.series:
        return dataset
    merged, result.series = merge_harvest(dataset, harvest, distributions=False)
    return merged


def _dicom_paths(data: dict[str, Any], folder: Path, source: Path) -> list[Path]:
    """The local files holding the dataset's DICOM: DICOM FileObjects, the members of local DICOM FileSets, and
    the archives a DICOM FileSet is contained in (inside the folder only; links out are never followed)."""
    root = folder.resolve()
    nodes = [n for n in as_list(data.get("distribution")) if isinstance(n, dict)]
    by_id = {node_id(n): n for n in nodes}

    def local(node: dict[str, Any] | None) -> list[Path]:
        rel = local_path((node or {}).get("contentUrl"))
        target = folder / rel if rel else None
        return [target] if target is not None and target.is_file() and _inside(target, root) else []

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
            if target is not None and target.is_file() and _inside(target, root):
                out.append((rel, target))
        elif kind == "FileSet":
            patterns = [p for p in as_list(node.get("includes")) if isinstance(p, str)]
            out += _fileset_members(folder, root, source, patterns, _ignore, "")
    return sorted(set(out))


def _ignore(*_: Any, **__: Any) -> None:
    """An issue sink for a second look at what _collect_files and _unsafe already reported."""


def _checksums_match(node: dict[str, Any], content: bytes, issue, where: str) -> bool:
    ok = True
    for algorithm in ("sha256", "md5"):
        declared = node.get(algorithm)
        if isinstance(declared, str) and declared:
            actual = hashlib.new(algorithm, content).hexdigest()
            if _hex_digest(declared) != actual:
                issue(f"croissant.{algorithm}-mismatch", f"the file's {algorithm.upper()} differs from the declared "
                      f"{algorithm}", pointer=f"{where}/{algorithm}",
                      hint=f"Recompute it (`{algorithm}sum`) after the file's last change.")
                ok = False
    size = _byte_size(node.get("contentSize"))
    if ok and size is not None and _exact_size(node.get("contentSize")) and size != len(content):
        issue("croissant.size-mismatch", f"the file has {len(content)} bytes, not the declared contentSize",
              pointer=f"{where}/contentSize", severity=Severity.WARNING)
    return ok


def _fileset_members(folder: Path, root: Path, source: Path, patterns: list[str], issue,
                     where: str) -> list[tuple[str, Path]]:
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
            if not _inside(path, root) or not path.is_file():
                issue("croissant.unsafe-location", "a file set member is a link that leads out of the folder",
                      pointer=f"{where}/includes")
                continue
            members.append((rel, path))
    return members


def _rows_read(data: dict[str, Any], fileset_id: str) -> bool:
    """True when some field reads the content (columns, JSON paths) of the file set's files, not only their
    file properties."""
    for record_set in as_list(data.get("recordSet")):
        for fld in _fields(record_set) if isinstance(record_set, dict) else []:
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
        issue("croissant.file-set-content", "the rows of a file set are read, but its files are not all CSV or all "
              "parquet: the catalog can keep and serve only such file sets", pointer=f"{where}/includes")
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
                issue("croissant.file-set-columns", "the CSV files of a file set have different columns",
                      pointer=f"{where}/includes")
                return None
            writer.writerows([*row, path.name, rel, rel] for row in reader)
        return suffix, out.getvalue().encode("utf-8")
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


# --- mapping -------------------------------------------------------------------------------------------------

def _map(data: dict[str, Any], path: Path, issue, *, access_level: str | None,
         dataset_id: str | None) -> dict[str, Any] | None:
    """The ImagingDataset of a valid Croissant document, or None (with error issues) when it cannot be one."""
    name = _text(data.get("name"))
    entry_id = dataset_id or _slug(name or "") or _slug(re.sub(r"(\.croissant)?\.json(ld)?$", "", path.name))
    if not entry_id or not ENTRY_ID.match(entry_id):
        issue("croissant.id", "no valid dataset id: the name makes none", pointer="/name",
              hint="Give one with --dataset ID (lower-case letters, digits, '.', '_' and '-').")
        return None
    out: dict[str, Any] = {"type": "ImagingDataset", "id": entry_id, "title": name or entry_id}
    _put(out, "description", _text(data.get("description")))
    version = data.get("version")
    _put(out, "version", str(version) if isinstance(version, (str, int, float)) else None)
    _put(out, "keywords", [k for k in (_keyword(v) for v in as_list(data.get("keywords"))) if k])
    license_ = _license(data.get("license"), issue)
    if license_ is None:
        issue("croissant.no-license", "the dataset declares no licence, which the catalog requires", pointer="/license",
              hint="Add license (an SPDX URL such as https://spdx.org/licenses/CC-BY-4.0.html).")
        return None
    out["license"] = license_
    level = _access_level(data, license_, access_level, issue)
    if level is None:
        return None
    out["access_level"] = level
    _put(out, "created", _date(data.get("datePublished"), "/datePublished", issue))
    _put(out, "modified", _date(data.get("dateModified"), "/dateModified", issue))
    _put(out, "citation", _text(data.get("citeAs")) or _text(data.get("citation")))
    provenance = _creators(data.get("creator"), issue)
    links = [u for u in [*as_list(data.get("url")), *as_list(data.get("sameAs"))] if isinstance(u, str)]
    dois = [m.group(1) for u in [*links, *as_list(data.get("identifier"))] if isinstance(u, str)
            and (m := _DOI.match(u))]
    _put(out, "doi", dois[0] if dois else None)
    _put(provenance, "derived_from", [u for u in dict.fromkeys(links) if re.match(r"^https?://", u)])
    _put(out, "provenance", provenance)
    _put(out, "consent", _consent(data.get("usageInfo"), issue))
    distribution, formats = _distribution(data, issue)
    _put(out, "distribution", distribution)
    _put(out, "file_formats", formats)
    _put(out, "record_sets", [_record_set(r) for r in as_list(data.get("recordSet")) if isinstance(r, dict)])
    _put(out, "responsible_ai", _rai(data))
    _put(out, "collection_period", _period(_rai_value(data, "dataCollectionTimeframe")))
    out["source_document"] = path.name
    return out


def _access_level(data: dict[str, Any], license_: dict[str, Any], given: str | None, issue) -> str | None:
    declared = _text(data.get("medal:accessLevel") or data.get("https://w3id.org/medal/schema/accessLevel"))
    if declared is not None and declared not in ACCESS_LEVELS:
        issue("croissant.access-level", "medal:accessLevel is not one of " + ", ".join(ACCESS_LEVELS),
              pointer="/medal:accessLevel")
        return None
    if declared and given and declared != given:
        issue("croissant.access-level-conflict", "the document's medal:accessLevel differs from the one asked for; "
              "the document's applies", pointer="/medal:accessLevel", severity=Severity.WARNING)
    if declared or given:
        return declared or given
    from medal_catalog.validators.rules import spdx_licenses

    spdx = spdx_licenses()
    entry = spdx["licenses"].get(license_["spdx_id"])
    if entry is not None and entry["category"] in spdx["open_categories"]:
        return "open"
    issue("croissant.access-level-required", "the licence is not an open SPDX licence, so the access level must be "
          "given", pointer="/license", hint="Pass --access-level registered|controlled|hidden_test (or open), or add "
          "medal:accessLevel to the document.")
    return None


def _license(value: Any, issue) -> dict[str, Any] | None:
    from medal_catalog.validators.rules import spdx_licenses

    items = [v for v in as_list(value) if v]
    if not items:
        return None
    if len(items) > 1:
        issue("croissant.licenses", "several licences: the first is kept", pointer="/license",
              severity=Severity.WARNING)
    item = items[0]
    url = name = None
    if isinstance(item, dict):
        url = _text(item.get("url")) or (item.get("@id") if isinstance(item.get("@id"), str) else None)
        name = _text(item.get("identifier")) or _text(item.get("name"))
    elif isinstance(item, str):
        url, name = (item, None) if re.match(r"^https?://", item) else (None, item)
    known = {k.lower(): k for k in spdx_licenses()["licenses"]}
    candidates = [name] if name else []
    if url:
        u = url.rstrip("/")
        if m := re.search(r"spdx\.org/licenses/([^/?#]+?)(\.html|\.json)?$", u):
            candidates.append(m.group(1))
        if m := re.search(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)", u):
            candidates.append(f"CC-{m.group(1).upper()}-{m.group(2)}")
        if re.search(r"creativecommons\.org/publicdomain/zero/1\.0", u):
            candidates.append("CC0-1.0")
        if m := re.search(r"(?:choosealicense\.com|opensource\.org)/licenses?/([^/?#]+)$", u):
            candidates.append(m.group(1))
    for candidate in candidates:
        spdx = known.get(candidate.strip().lower())
        if spdx:
            return {"spdx_id": spdx, "url": url} if url and "spdx.org" not in url else {"spdx_id": spdx}
    label = name or (url.rstrip("/").rsplit("/", 1)[-1] if url else "unspecified")
    ref = "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.-]+", "-", label).strip("-.") or "unspecified")
    return {"spdx_id": ref, **({"url": url} if url else {})}


def _creators(value: Any, issue) -> dict[str, Any]:
    people, organizations = [], []
    for i, item in enumerate(as_list(value)):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not _text(item.get("name")):
            issue("croissant.creator", "a creator without a name is left out", pointer=f"/creator/{i}",
                  severity=Severity.WARNING)
            continue
        name = _text(item.get("name"))
        ids = [v for key in ("@id", "identifier", "url", "sameAs") for v in as_list(item.get(key))]
        ids = [_text(v.get("value") or v.get("@id")) if isinstance(v, dict) else v for v in ids]
        ids = [v for v in ids if isinstance(v, str)]
        if local_name(item.get("@type")) == "Organization":
            org: dict[str, Any] = {"name": name}
            _put(org, "ror", next((v for v in ids if _ROR.match(v)), None))
            _put(org, "url", next((v for v in ids if re.match(r"^https?://", v) and not _ROR.match(v)), None))
            organizations.append(org)
            continue
        person: dict[str, Any] = {"name": name}
        orcids = [f"https://orcid.org/{m.group(1).upper()}" for v in ids if (m := _ORCID.search(v))]
        if orcids:
            from medal_catalog.validators.rules import orcid_checksum_ok

            if orcid_checksum_ok(orcids[0]):
                person["orcid"] = orcids[0]
            else:
                issue("croissant.orcid", "a creator's ORCID iD has a wrong check digit and is left out",
                      pointer=f"/creator/{i}", severity=Severity.WARNING)
        email = _text(item.get("email"))
        _put(person, "email", email.removeprefix("mailto:") if email and _EMAIL.match(email.removeprefix("mailto:"))
             else None)
        affiliation = item.get("affiliation")
        if isinstance(affiliation, dict) and _text(affiliation.get("name")):
            person["affiliation"] = {"name": _text(affiliation.get("name"))}
        people.append(person)
    out: dict[str, Any] = {}
    _put(out, "contributors", people)
    _put(out, "organizations", organizations)
    return out


def _consent(value: Any, issue) -> dict[str, Any] | None:
    codes = []
    for item in as_list(value):
        text = item.get("@id") if isinstance(item, dict) else item
        if isinstance(text, str) and (m := re.search(r"DUO[_:](\d{7})$", text)):
            code = _CODE_OF_DUO.get(f"DUO_{m.group(1)}")
            if code:
                codes.append(code)
    if not codes:
        return None
    permissions = [c for c in codes if c in _PERMISSIONS]
    if len(permissions) != 1:
        issue("croissant.duo", "usageInfo needs exactly one DUO permission (NRES, GRU, HMB, DS, POA) to state the "
              "consent; the DUO terms are kept in the original only", pointer="/usageInfo", severity=Severity.WARNING)
        return None
    consent: dict[str, Any] = {
        "consent_type": _PERMISSIONS[permissions[0]], "duo_permission": permissions[0],
        "description": "From the DUO terms of the imported Croissant's usageInfo; the consent type is inferred "
                       "from the DUO permission."}
    _put(consent, "duo_modifiers", [c for c in dict.fromkeys(codes) if c not in _PERMISSIONS])
    return consent


def _distribution(data: dict[str, Any], issue) -> tuple[list[dict[str, Any]], list[str]]:
    nodes = [n for n in as_list(data.get("distribution")) if isinstance(n, dict)]
    names = {node_id(n): _text(n.get("name")) or node_id(n) for n in nodes}
    use = _record_set_use(data, nodes)
    out, formats = [], []
    for i, node in enumerate(nodes):
        kind = node_kind(node)
        if kind not in ("FileObject", "FileSet"):
            continue
        media = [m for m in as_list(node.get("encodingFormat")) if isinstance(m, str)]
        formats += media
        item: dict[str, Any] = {"name": names[node_id(node)] or f"distribution-{i}",
                                "distribution_kind": "file" if kind == "FileObject" else "file_set",
                                "distribution_role": _role(node, media, use.get(node_id(node), [])),
                                "media_type": media[0] if media else "application/octet-stream"}
        _put(item, "description", _text(node.get("description")))
        url = node.get("contentUrl")
        if isinstance(url, str):
            rel = local_path(url)
            _put(item, "path", rel)
            _put(item, "url", url if rel is None and re.match(r"^https?://", url) else None)
        includes = [p for p in as_list(node.get("includes")) if isinstance(p, str)]
        _put(item, "includes", ", ".join(includes) if includes else None)
        container = [c.get("@id") if isinstance(c, dict) else c for c in as_list(node.get("containedIn"))]
        _put(item, "contained_in", ", ".join(names.get(c) or c for c in container if isinstance(c, str)) or None)
        _put(item, "byte_size", _byte_size(node.get("contentSize")))
        for algorithm, length in (("sha256", 64), ("md5", 32)):
            declared = node.get(algorithm)
            if isinstance(declared, str) and declared:
                digest = _hex_digest(declared)
                if len(digest) == length and re.fullmatch(r"[0-9a-f]+", digest):
                    item[algorithm] = digest
                else:
                    issue("croissant.checksum", f"a {algorithm} that is not a digest is left out",
                          pointer=f"/distribution/{i}/{algorithm}", severity=Severity.WARNING)
        out.append(item)
    return out, sorted(dict.fromkeys(formats))


def _record_set_use(data: dict[str, Any], nodes: list[dict[str, Any]]) -> dict[str, list[str]]:
    """distribution @id -> the names (record sets, fields) of what reads it, directly or through a container."""
    use: dict[str, list[str]] = {}
    for record_set in as_list(data.get("recordSet")):
        if not isinstance(record_set, dict):
            continue
        for fld in _fields(record_set):
            source = fld.get("source") if isinstance(fld.get("source"), dict) else {}
            for key in ("fileObject", "fileSet", "distribution"):
                ref = source.get(key)
                ref = ref.get("@id") if isinstance(ref, dict) else ref
                if isinstance(ref, str):
                    use.setdefault(ref, []).extend([_text(record_set.get("name")) or "",
                                                    _text(fld.get("name")) or ""])
    for node in nodes:  # a container is used by what its members are used for
        for container in as_list(node.get("containedIn")):
            ref = container.get("@id") if isinstance(container, dict) else container
            if isinstance(ref, str):
                use.setdefault(ref, []).extend(use.get(node_id(node) or "", []))
    return use


def _role(node: dict[str, Any], media: list[str], use: list[str]) -> str:
    lowered = [m.lower() for m in media]
    if any("dicom" in m or m.startswith("image/") or "nifti" in m for m in lowered):
        return "images"
    if any(m in _ARCHIVES for m in lowered):
        return "archive"
    if any(m in ("application/ld+json",) for m in lowered) and not use:
        return "metadata"
    words = " ".join([_text(node.get("name")) or "", node_id(node) or "", *use])
    for role, pattern in _ROLE_HINTS:
        if pattern.search(words):
            return role
    if any(m in ("text/plain", "application/pdf", "text/markdown") for m in lowered):
        return "reports" if use else "other"
    return "other"


def _record_set(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": _text(node.get("name")) or node_id(node) or "record-set"}
    _put(out, "description", _text(node.get("description")))
    keys = [k.get("@id") if isinstance(k, dict) else k for k in as_list(node.get("key"))]
    _put(out, "key_fields", [k for k in keys if isinstance(k, str)])
    fields = []
    for fld in _fields(node):
        item: dict[str, Any] = {"name": _text(fld.get("name")) or node_id(fld) or "field"}
        _put(item, "description", _text(fld.get("description")))
        _put(item, "data_types", [t for t in as_list(fld.get("dataType")) if isinstance(t, str)])
        ref = fld.get("references")
        if isinstance(ref, dict):
            target = next((v for v in ref.values() if isinstance(v, (dict, str))), None)
            _put(item, "references", target.get("@id") if isinstance(target, dict) else target)
        fields.append(item)
    _put(out, "fields", fields)
    return out


def _fields(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A record set's fields, sub-fields included (depth first)."""
    out = []
    for fld in as_list(node.get("field")):
        if isinstance(fld, dict):
            out.append(fld)
            out.extend(_fields({"field": fld.get("subField")}))
    return out


def _rai(data: dict[str, Any]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for term, slot in _RAI_TEXT.items():
        texts = [t for t in (_text(v) for v in as_list(_rai_value(data, term))) if t]
        _put(out, slot, "\n\n".join(texts) if texts else None)
    for term, slot in _RAI_LIST.items():
        _put(out, slot, [t for t in (_text(v) for v in as_list(_rai_value(data, term))) if t])
    return out or None


def _rai_value(data: dict[str, Any], term: str) -> Any:
    for key in (f"rai:{term}", f"http://mlcommons.org/croissant/RAI/{term}"):
        if key in data:
            return data[key]
    return None


def _period(value: Any) -> dict[str, Any] | None:
    dates = sorted(d[:10] for d in (_text(v) for v in as_list(value)) if d and _DATE.match(d))
    if not dates:
        return None
    return {"start_date": dates[0], **({"end_date": dates[-1]} if len(dates) > 1 else {})}


def _date(value: Any, pointer: str, issue) -> str | None:
    text = _text(value)
    if not text:
        return None
    if _DATE.match(text):
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            pass
    issue("croissant.date", "not a date (YYYY-MM-DD): left out", pointer=pointer, severity=Severity.WARNING)
    return None


def _byte_size(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    m = _SIZE.match(value) if isinstance(value, str) else None
    if not m or m.group(2).lower() not in _UNITS:
        return None
    return int(round(float(m.group(1)) * _UNITS[m.group(2).lower()]))


def _exact_size(value: Any) -> bool:
    """True for a size in bytes (as opposed to a rounded "4.7 MB")."""
    m = _SIZE.match(value) if isinstance(value, str) else None
    return isinstance(value, int) or bool(m and m.group(2).lower() in ("", "b", "byte", "bytes"))


def _hex_digest(value: str) -> str:
    """A digest as lower-case hex (Croissant also allows base64)."""
    if re.fullmatch(r"[0-9A-Fa-f]+", value):
        return value.lower()
    try:
        return base64.b64decode(value, validate=True).hex()
    except (binascii.Error, ValueError):
        return value


def _keyword(value: Any) -> str | None:
    return _text(value.get("name")) if isinstance(value, dict) else _text(value)


def _text(value: Any) -> str | None:
    """The text of a plain or language-tagged value (English first), None for anything else."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        if "@value" in value:
            return _text(value["@value"])
        return None
    if isinstance(value, list):
        tagged = [v for v in value if isinstance(v, dict) and str(v.get("@language", "")).startswith("en")]
        for item in [*tagged, *value]:
            text = _text(item)
            if text:
                return text
    return None


def _slug(text: str) -> str | None:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")[:128].rstrip("-._")
    return slug if ENTRY_ID.match(slug) else None




def _first(value: Any) -> str | None:
    return next((v for v in as_list(value) if isinstance(v, str)), None)


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        target[key] = value



def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _auditor(report: Report, display: str) -> Callable[[Any, str], bool]:
    """``audited(content or path, relative path)``: True when no DICOM file in it fails the Annex E audit;
    otherwise its problems are reported (members named ``file!member``)."""
    from medal_catalog.validators.dicom import content_issues
    from medal_catalog.validators.phi import audit_content

    base = Path(display).parent

    def audited(data: Any, rel: str) -> bool:
        try:
            _, problems = audit_content(data, rel)
        except OSError as exc:
            report.add(Issue(Severity.ERROR, "croissant.missing-file", (base / rel).as_posix(),
                             f"cannot read the file ({exc.strerror})"))
            return False
        report.extend(content_issues(problems, (base / rel).as_posix()))
        return not problems
    return audited


def _issuer(report: Report, display: str):
    def issue(code: str, message: str, *, pointer: str | None = "", hint: str | None = None,
              severity: Severity = Severity.ERROR) -> None:
        report.add(Issue(severity, code, display, message, pointer=pointer, hint=hint))
    return issue


__all__ = ["CroissantImport", "import_croissant", "is_croissant", "store_import"]
