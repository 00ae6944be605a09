"""Documents sent over HTTP (``POST /api/submissions``): a metadata document, a Croissant document, or a `medal
submit` bundle with its files, each checked as `medal validate` checks it and written in one transaction."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any
import json

from medal_catalog.catalog import Catalog
from medal_catalog.errors import Forbidden, InvalidSubmission, Unprocessable
from medal_catalog.contamination.stored import bundle_contamination, check_bundle
from medal_catalog.exports.croissant import case_files
from medal_catalog.ingestion.entries import CheckWrites, of_stored, put_entries, store_import
from medal_catalog.ingestion.uploads import dicom_archive_of, rewrite_upload, safe_path
from medal_catalog.report import Issue, PathShower, Report, Severity
from medal_catalog.store.base import PutResult
from medal_catalog.dicom.audit import audit_content
from medal_catalog.documents import DocumentError, load_json, read_document
from medal_catalog.errors import PayloadTooLarge
from medal_catalog.harvesters.bundle import BUNDLE_FORMAT
from medal_catalog.harvesters.croissant import import_croissant
from medal_catalog.validators.submission import validate_paths

#: Issues about data files, which a document sent over HTTP does not carry.
NOT_APPLICABLE_TO_BODIES = {"distribution.missing-file", "distribution.empty-file-set"}


def check_document(
    body: bytes, syntax: str, name: str = "submission", files: dict[str, bytes] | None = None
) -> tuple[Report, list[dict[str, Any]], list[Any] | None]:
    """The validation report of a YAML or JSON body, by exactly the validator `medal validate` runs, its entries,
    and the panel decisions it records (a MedalCatalog's ``decisions``; None without). ``files`` (declared path:
    content, paths already checked safe) sit next to the document while it is validated, so that label tables
    are checked as in a folder; the checks of declared files a body cannot carry (:data:`NOT_APPLICABLE_TO_BODIES`)
    are left out."""

    with tempfile.TemporaryDirectory(prefix="medal-api-") as folder:
        path = Path(folder) / f"{name}.{'json' if syntax == 'json' else 'yaml'}"
        path.write_bytes(body)
        for declared, content in (files or {}).items():
            (Path(folder) / declared).parent.mkdir(parents=True, exist_ok=True)
            (Path(folder) / declared).write_bytes(content)
        report = PathShower(strip=folder).report(validate_paths([path], display_root=Path(folder)))
        report.issues = [i for i in report.issues if i.code not in NOT_APPLICABLE_TO_BODIES]
        for entry in report.entries:
            entry.valid = not any(
                i.severity is Severity.ERROR and i.file == entry.file and _within(i.pointer or "", entry.pointer)
                for i in report.issues
            )
        entries: list[dict[str, Any]] = []
        decisions = None
        if report.ok:
            document = read_document(path, path.name)
            entries = [dict(ref.data, type=ref.cls) for ref in document.entries()]
            decisions = document.data.get("decisions") if isinstance(document.data, dict) else None
    return report, entries, decisions


def ingest_document(
    catalog: Catalog,
    body: bytes,
    syntax: str,
    *,
    author: str,
    check_writes: CheckWrites,
    files: dict[str, dict[str, tuple[bytes, str]]] | None = None,
) -> tuple[Report, list[PutResult]]:
    """Validate a metadata body (one entry, a list, or a MedalCatalog) and store all its entries, tasks with the
    status the catalog keeps (see :func:`put_entries`), authored by ``author``, then the data ``files`` of its
    datasets ({dataset id: {declared path: (content, media type)}}, checked by :func:`ingest_bundle`); refused
    whole (nothing stored) when any entry is invalid, is a review or a decision, or ``check_writes`` refuses it."""
    flat = {p: content for kept in (files or {}).values() for p, (content, _) in kept.items()}
    report, entries, decisions = check_document(body, syntax, files=flat)
    if decisions:
        raise Forbidden("decisions are made by an admin through POST /api/tasks/{id}/decision")
    if not report.ok:
        raise InvalidSubmission(report.to_dict())
    if not entries:
        raise Unprocessable("the document holds no catalog entry")
    for entry in entries:
        if entry["type"] == "ReviewAssessment":
            raise Forbidden("reviews are sent to POST /api/tasks/{id}/reviews by the panel")
    check_writes(entries)
    declared = {e["id"] for e in entries if e["type"] == "ImagingDataset"}
    if set(files or {}) - declared:
        raise Unprocessable(
            f"files were sent for dataset {sorted(set(files or {}) - declared)[0]!r}, which the bundle does not hold"
        )
    puts = put_entries(
        catalog,
        entries,
        author=author,
        reason="submission through the API",
        report=report,
        source="submission",
        files=of_stored(entries, files or {}),
    )
    return report, puts


def ingest_croissant_document(
    catalog: Catalog,
    body: bytes,
    *,
    author: str,
    check_writes: CheckWrites,
    access_level: str | None = None,
    dataset_id: str | None = None,
):
    """Import a Croissant body as one dataset of ``author``: its metadata and the original document only. A body
    carries no data files and nothing is read next to it, so the one Croissant verdict (validators/croissant.py)
    refuses a body naming local or remote data files. Returns the import (``.stored``, ``.report``)."""

    with tempfile.TemporaryDirectory(prefix="medal-api-") as folder:
        path = Path(folder) / "submitted.croissant.json"
        path.write_bytes(body)
        result = import_croissant(
            path,
            access_level=access_level,
            dataset_id=dataset_id,
            keep_files=False,
            display="submission",
            settings=catalog.settings,
        )
    if not result.ok:
        raise InvalidSubmission(result.report.to_dict())
    check_writes([result.dataset, *result.series])
    store_import(catalog, result, author, "Croissant submission through the API")
    if not result.report.ok:
        raise InvalidSubmission(result.report.to_dict())
    return result


def _within(pointer: str, parent: str) -> bool:
    return not parent or pointer == parent or pointer.startswith(parent + "/")


def ingest_bundle(
    catalog: Catalog,
    manifest: bytes,
    uploads: dict[str, bytes],
    *,
    author: str,
    check_writes: CheckWrites,
    max_file_bytes: int,
) -> tuple[Report, list[PutResult], dict[str, list[Any]]]:
    """Store a bundle harvested on a contributor's machine (harvesters/bundle.py): its entries as a metadata body
    is stored (:func:`ingest_document`: validated as `medal validate` validates them, refused whole on an error),
    with the uploaded files (``uploads``: multipart file name -> bytes) its datasets declare. Every upload must be
    listed in the manifest with its size and sha256, be declared by its dataset (same path, same sha256 when
    declared), be at most ``max_file_bytes``, and hold no DICOM, except an open or controlled dataset's
    ``dicom.zip`` (the contributor's rewrite), which is never kept as sent: the catalog keeps only its own
    rewrite of it (:func:`rewrite_upload`), the dataset's series re-keyed to match, and reports each member
    left out (``bundle.dicom-left-out`` warnings in the report). Returns the report, the write results and the
    files now kept, by dataset."""

    try:
        bundle = load_json(manifest)
    except DocumentError as err:
        raise Unprocessable(f"the bundle part is not readable JSON ({err.code}): {err.message}") from None
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise Unprocessable(f"the bundle part must be a JSON object with format {BUNDLE_FORMAT!r}")
    entries, listed = bundle.get("entries"), bundle.get("files") or []
    if not isinstance(entries, list) or not isinstance(listed, list):
        raise Unprocessable("the bundle's entries and files must be lists")
    check_writes([e for e in entries if isinstance(e, dict)])  # before any upload is read or rewritten
    declared = {
        (e.get("id"), d.get("path")): d.get("sha256")
        for e in entries
        if isinstance(e, dict) and e.get("type") == "ImagingDataset"
        for d in e.get("distribution") or []
        if isinstance(d, dict) and d.get("distribution_kind") == "file"
    }
    files: dict[str, dict[str, tuple[bytes, str]]] = {}
    left_out: list[Issue] = []
    names = set()
    for item in listed:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("dataset", "path", "sha256")):
            raise Unprocessable("each file of the bundle names its dataset, path and sha256")
        dataset, path = item["dataset"], item["path"]
        name = f"{dataset}/{path}"
        names.add(name)
        if not safe_path(path):
            raise Unprocessable(f"{name}: a declared path is relative, inside the submission, without '..'")
        if name not in uploads:
            raise Unprocessable(f"{name}: listed in the bundle but not uploaded")
        content = uploads[name]
        if len(content) > max_file_bytes:
            raise PayloadTooLarge(f"{name}: larger than the limit of {max_file_bytes} bytes a file")
        digest = hashlib.sha256(content).hexdigest()
        if digest != item["sha256"] or len(content) != item.get("size", len(content)):
            raise Unprocessable(f"{name}: the uploaded bytes do not match the sha256 or size the bundle states")
        archive = dicom_archive_of(entries, dataset, path, bundle.get("burned_in_declared"))
        if archive is not None:
            content, problems = rewrite_upload(entries, archive, content, name, catalog.settings.deid_secret)
            left_out += [
                Issue(Severity.WARNING, "bundle.dicom-left-out", name, f"{member}: {why}", pointer="")
                for member, why in problems
            ]
            if content is not None:
                files.setdefault(dataset, {})[path] = (content, "application/zip")
            continue
        if (dataset, path) not in declared:
            raise Unprocessable(f"{name}: dataset {dataset!r} does not declare this file in its distribution")
        if declared[(dataset, path)] not in (None, digest):
            raise Unprocessable(f"{name}: the content does not match the sha256 its dataset declares")
        count, problems = audit_content(content, path, catalog.settings.dicom_max_header_bytes)
        if count or problems:
            raise Unprocessable(
                f"{name}: it holds DICOM (or an archive that cannot be audited); the catalog keeps "
                "DICOM only as its own rewrite: of files it harvests itself, or of the dicom.zip "
                "of an open or controlled dataset declaring burned-in annotation NO"
            )
        files.setdefault(dataset, {})[path] = (content, item.get("media_type") or "application/octet-stream")
    if set(uploads) - names:
        raise Unprocessable(f"{sorted(set(uploads) - names)[0]}: uploaded but not listed in the bundle")
    body = json.dumps(entries).encode()
    contamination = bundle_contamination(bundle.get("contamination"))
    report, puts = ingest_document(catalog, body, "json", author=author, check_writes=check_writes, files=files)
    report.issues += left_out
    check_bundle(catalog, contamination, puts, report, case_files)
    kept = {ds: catalog.list_files("ImagingDataset", ds) for ds in files}
    return report, puts, kept
