"""The one path from a source into the catalog (store + index): a submission folder or file, a bare DICOM tree, a
Croissant file, or a metadata or Croissant document sent over HTTP. `medal harvest`, ``POST /api/submissions``
and the web upload call these functions; what is written, and whether a re-run writes anything at all, is
decided here and nowhere else.

    from medal_catalog import ingest, open_catalog
    with open_catalog("sqlite:///catalog.db") as catalog:
        results = ingest(["examples/valid/ct-lung-nodule"], catalog)
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from medal_catalog.catalog import Catalog
from medal_catalog.errors import Forbidden, InputError, InvalidSubmission, MedalError, Unprocessable, UsageError
from medal_catalog.report import Issue, PathShower, Report, Severity
from medal_catalog.store.base import PutResult, entry_key

#: The author of the versions a machine step writes (never a token name: those have no spaces).
HARVEST_AUTHOR = "medal harvest"

SourceKind = Literal["submission", "dicom", "croissant", "idc"]
#: Raises (a MedalError: 404 or 403) unless the caller may write these entries and attach each to the entries it
#: points at (:func:`attachments`): the API's ownership rule, decided in ``api/access.py`` (check_writes).
CheckWrites = Callable[[Sequence[dict[str, Any]]], None]
#: Issues about data files, which a document sent over HTTP does not carry.
NOT_APPLICABLE_TO_BODIES = {"distribution.missing-file", "distribution.empty-file-set"}


@dataclass
class IngestResult:
    """What one source did to the catalog: its kind, whether anything in it failed, and the summary the CLI prints
    and ``--json`` shows (counts, entries stored and changed, files kept, what was left out and why)."""

    source: str
    kind: SourceKind
    failed: bool
    summary: dict[str, Any]
    #: The outcome of every entry written (or skipped as unchanged), in the order they were given.
    puts: list[PutResult] = field(default_factory=list)
    #: The harvester's own result (a SubmissionHarvest, HarvestResult or CroissantImport), for callers that print.
    detail: Any = None


def put_entries(catalog: Catalog, entries: Sequence[dict[str, Any]], *, author: str, reason: str,
                report: Report | None = None, source: str = "", deletions: Sequence[tuple[str, str]] = (),
                files: dict[str, dict[str, tuple[bytes, str]]] | None = None) -> list[PutResult]:
    """Store entries (all in one transaction with the ``deletions`` and the datasets' kept ``files``, {dataset id:
    {path: (content, media type)}}, then indexed in bulk: readers never see a dataset with part of its series or
    files), skipping those whose only change is a newer harvest-run record, so that
    ingesting unchanged input again writes no new version. Returns one result per entry, then per deletion.

    The workflow is the panel's, never the file's: a task keeps the status the catalog has (a new one enters as
    ``submitted``; a ``status`` that differs in the file is an info in ``report``), except that an edit of an
    accepted task changing what the panel judged sends it back to review (see panel.merge_workflow). Reviews are
    stored as reviews of the task's current version, and only while it is open for review."""
    from medal_catalog.harvesters.dicom_records import same_but_harvest_runs
    from medal_catalog.panel import merge_workflow
    from medal_catalog.panel.reviews import store_recorded_review

    results: dict[int, PutResult] = {}
    to_write: list[tuple[int, dict[str, Any]]] = []
    alone: list[tuple[int, dict[str, Any], str]] = []
    reviews: list[tuple[int, dict[str, Any]]] = []
    for i, entry in enumerate(entries):
        kind = entry.get("type")
        current = catalog.get(kind, entry["id"]) if kind and entry.get("id") else None
        if kind == "ReviewAssessment":
            reviews.append((i, entry))
            continue
        if kind == "BenchmarkTask":
            workflow = merge_workflow(entry, current)
            entry = workflow.entry
            if workflow.note and report is not None:
                report.add(Issue(Severity.INFO, "workflow.status", source or reason,
                                 f"task {entry['id']!r}: {workflow.note}", pointer="/status"))
            if workflow.back_to_review:
                alone.append((i, entry, f"{reason}; {workflow.note}"))
                continue
        if current is not None and not current.deleted and same_but_harvest_runs(entry, current.document):
            results[i] = PutResult(entry_key(kind, entry["id"]), "unchanged", current.version)
        else:
            to_write.append((i, entry))
    kept = {("ImagingDataset", ds): content for ds, content in (files or {}).items()}
    written = catalog.put_many([e for _, e in to_write], author=author, reason=reason, deletions=deletions,
                               files=kept) if to_write or deletions or kept else []
    results.update({i: put for (i, _), put in zip(to_write, written)})
    retired = written[len(to_write):]
    for i, entry, why in alone:
        results[i] = catalog.put(entry, author=author, reason=why)
    for i, entry in reviews:
        try:
            results[i] = store_recorded_review(catalog, entry, author).review
        except MedalError as err:
            results[i] = PutResult(entry_key("ReviewAssessment", str(entry.get("id"))), "invalid", None, (str(err),))
    return [*(results[i] for i in range(len(entries))), *retired]


def attachments(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The entries (kind, id) an entry attaches to, so that writing it changes what they show: every slot whose
    range is an entry class (a series' dataset, a task's datasets_used, a review's task) and a task's label
    table's dataset (which decides what of that table is published)."""
    from medal_catalog.exports.jsonld import REFERENCES
    from medal_catalog.labels import label_dataset

    found: dict[tuple[str, str], None] = {}
    for slot, kind in REFERENCES.items():
        values = entry.get(slot)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str) and value:
                found[(kind, value)] = None
    if entry.get("type") == "BenchmarkTask" and entry.get("labels"):
        dataset = label_dataset(entry)
        if dataset:
            found[("ImagingDataset", dataset)] = None
    return list(found)


def source_kind(path: Path) -> SourceKind:
    """What a path holds: a Croissant file, a submission (MEDAL metadata, or a folder holding some), or else a
    DICOM tree."""
    from medal_catalog.croissant.reading import is_croissant_file
    from medal_catalog.harvesters.submission import is_submission

    if is_croissant_file(path):
        return "croissant"
    return "submission" if is_submission(path) else "dicom"


def corrupt_metadata(path: Path) -> str | None:
    """What is wrong with a JSON or YAML file at ``path`` (or at the top of the folder ``path``) that does not
    parse: the file, the line and column, and the parser's words; None when every such file parses."""
    import json

    import yaml

    files = [path] if path.is_file() else sorted(p for p in path.glob("*") if p.is_file()) if path.is_dir() else []
    for file in files:
        suffix = file.suffix.lower()
        if suffix not in (".json", ".jsonld", ".yaml", ".yml"):
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            return f"{file} is corrupt: not UTF-8 text (byte {exc.start})"
        except OSError:
            continue
        try:
            json.loads(text) if suffix in (".json", ".jsonld") else yaml.safe_load(text)
        except json.JSONDecodeError as exc:
            return f"{file} is corrupt: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            return f"{file} is corrupt: {getattr(exc, 'problem', None) or 'not YAML'}{where}"
    return None


def plan(paths: Iterable[Path | str], dataset_id: str | None = None) -> dict[Path, SourceKind]:
    """The kind of every path, checked before anything is opened or written: bare DICOM trees need
    ``dataset_id``, which names one dataset (so at most one Croissant file goes with it)."""
    kinds = {Path(p): source_kind(Path(p)) for p in paths}
    trees = [p for p, kind in kinds.items() if kind == "dicom"]
    for tree in trees if not dataset_id else []:
        corrupt = corrupt_metadata(tree)
        if corrupt:  # not "no metadata": the contributor's file is there, and broken
            raise InputError(corrupt)
    if trees and not dataset_id:
        raise UsageError(f"{trees[0]} holds no MEDAL metadata: give --dataset ID to harvest it as a DICOM tree")
    if dataset_id and sum(kind == "croissant" for kind in kinds.values()) > 1:
        raise UsageError("--dataset names one dataset: give one Croissant file with it")
    return kinds


def ingest(paths: Iterable[Path | str] | dict[Path, SourceKind], catalog: Catalog, *, dataset_id: str | None = None,
           out_dir: Path | None = None, fmt: str = "yaml", title: str | None = None,
           access_level: str | None = None, license_id: str = "LicenseRef-unspecified", instances: bool = False,
           jobs: int | None = None, timeout: float = 30.0, use_cache: bool = True,
           progress: Callable[..., None] | None = None, pixel_hash: bool | None = None,
           force: bool = False) -> list[IngestResult]:
    """Take every path (or the result of :func:`plan`) into ``catalog``: each Croissant file and each submission
    on its own, then all bare DICOM trees together as the one dataset ``dataset_id``. Invalid entries and
    unreadable files are reported in the results and left out; everything valid around them is stored.
    ``force`` reads every DICOM file again, even those the re-harvest cache says are unchanged."""
    kinds = paths if isinstance(paths, dict) else plan(paths, dataset_id)
    paths = list(kinds)
    trees = [p for p in paths if kinds[p] == "dicom"]
    croissants = [p for p in paths if kinds[p] == "croissant"]
    results = [ingest_croissant(p, catalog, dataset_id=dataset_id, access_level=access_level) for p in croissants]
    results += [ingest_submission(p, catalog, out_root=out_dir or Path("medal-out"), jobs=jobs, timeout=timeout,
                                  use_cache=use_cache, progress=progress, pixel_hash=pixel_hash, force=force)
                for p in paths if kinds[p] == "submission"]
    if trees:
        results.append(ingest_dicom_tree(trees, catalog, dataset_id=dataset_id, out_dir=out_dir, fmt=fmt,
                                         title=title, access_level=access_level or "controlled",
                                         license_id=license_id, instances=instances, jobs=jobs, timeout=timeout,
                                         use_cache=use_cache, progress=progress, pixel_hash=pixel_hash,
                                         force=force))
    return results


def ingest_croissant(path: Path, catalog: Catalog, *, dataset_id: str | None = None,
                     access_level: str | None = None, author: str = HARVEST_AUTHOR,
                     reason: str | None = None) -> IngestResult:
    """Import one Croissant file: the mapped dataset, the original and (open access) its local data files; nothing
    is stored when the import found an error. ``detail`` is the import (``.stored``, ``.stored_files``, ...)."""
    from medal_catalog.harvesters.croissant import import_croissant

    result = import_croissant(path, access_level=access_level, dataset_id=dataset_id)
    if result.ok:
        _store_import(catalog, result, author, reason or f"import of Croissant file {path.name}")
    stored = result.stored
    failed = not (result.ok and stored is not None and not stored.problems)
    return IngestResult(str(path), "croissant", failed, result.to_dict(),
                        [stored, *result.stored_series] if stored is not None else [], result)


def _store_import(catalog: Catalog, result: Any, author: str, reason: str) -> None:
    """Store an error-free Croissant import (a CroissantImport): the dataset, its harvested series, then its kept
    files (rewritten only when they changed); the outcome goes into ``result``."""
    dataset = result.dataset
    # One transaction: the dataset, its series and its kept files appear together or not at all (an import
    # killed half-way leaves the catalog as it was; running it again completes it).
    written = put_entries(catalog, [dataset, *result.series], author=author, reason=reason,
                          files={dataset["id"]: result.files})
    result.stored = written[0]
    if result.stored.problems:
        result.report.add(Issue(Severity.ERROR, "croissant.refused", result.source,
                                f"the catalog refused the mapped dataset: {result.stored.problems[0]}", pointer=""))
        return
    if result.series:
        result.stored_series = written[1:1 + len(result.series)]
    result.stored_files = catalog.list_files("ImagingDataset", dataset["id"])


def ingest_submission(path: Path, catalog: Catalog, *, out_root: Path = Path("medal-out"), jobs: int | None = None,
                      timeout: float = 30.0, use_cache: bool = True,
                      progress: Callable[..., None] | None = None, pixel_hash: bool | None = None,
                      force: bool = False) -> IngestResult:
    """Validate a submission, harvest the DICOM of its datasets, and store every valid entry and the files the
    catalog keeps for datasets it stored; then check its datasets against public archives and the catalog's
    other datasets, and its tasks' splits against each other (issues in the report, ``contamination`` in the
    summary)."""
    from medal_catalog.harvesters.submission import harvest_submission

    harvest = harvest_submission(path, out_root=out_root, jobs=jobs, timeout=timeout, use_cache=use_cache,
                                 progress=progress, pixel_hash=pixel_hash, force=force)
    puts = put_entries(catalog, harvest.entries, author=HARVEST_AUTHOR, reason=f"harvest of submission {path}",
                       report=harvest.report, source=str(path), files=_of_stored(harvest.entries, harvest.files))
    decisions = _replay_decisions(catalog, harvest)
    files = _kept_files(catalog, puts, harvest.files)
    stored = {p.key for p in puts if not p.problems}
    contamination = {ds: _check_dataset(catalog, ds, result, str(path), harvest.report)
                     for ds, result in harvest.dicom.items() if entry_key("ImagingDataset", ds) in stored}
    for entry in harvest.entries:
        if entry.get("type") == "BenchmarkTask" and entry_key("BenchmarkTask", entry["id"]) in stored:
            leaks = _check_splits(catalog, entry["id"], str(path), harvest.report)
            if leaks:
                contamination.setdefault(f"task:{entry['id']}", {})["split_leaks"] = leaks
    refused = [p.to_dict() for p in puts if p.problems]
    summary = {
        "submission": str(path), "kind": "submission",
        "entries": len(harvest.entries), "stored": len(puts) - len(refused),
        "changed": sum(bool(p.changed) for p in puts), "left_out": harvest.left_out, "refused": refused,
        "validation": harvest.report.to_dict()["summary"],
        "dicom": {ds: {k: r.summary[k] for k in ("files_seen", "dicom_read", "skipped", "series", "studies")}
                  for ds, r in harvest.dicom.items()},
        "files_kept": {ds: [f.path for f in kept] for ds, kept in files.items()},
        "files_not_kept": harvest.not_kept,
        "decisions": decisions,
        "contamination": contamination,
    }
    file_errors = any(r.errors for r in harvest.dicom.values())
    failed = bool(harvest.left_out or refused or file_errors or summary["validation"]["errors"]
                  or any(d["outcome"] == "refused" for d in decisions))
    return IngestResult(str(path), "submission", failed, summary, puts, harvest)


def _replay_decisions(catalog: Catalog, harvest: Any) -> list[dict[str, Any]]:
    """Replay the panel decisions recorded in the submission's metadata files (see panel/decisions.py)."""
    from medal_catalog.documents import read_document
    from medal_catalog.panel.decisions import replay

    recorded: list[dict[str, Any]] = []
    for file in dict.fromkeys(e.file for e in harvest.report.entries):
        data = read_document(Path(file), file).data
        if isinstance(data, dict) and isinstance(data.get("decisions"), list):
            recorded += data["decisions"]
    return replay(catalog, recorded) if recorded else []


def ingest_dicom_tree(paths: Sequence[Path], catalog: Catalog, *, dataset_id: str, out_dir: Path | None = None,
                      fmt: str = "yaml", title: str | None = None, access_level: str = "controlled",
                      license_id: str = "LicenseRef-unspecified", instances: bool = False, jobs: int | None = None,
                      timeout: float = 30.0, use_cache: bool = True,
                      progress: Callable[..., None] | None = None, pixel_hash: bool | None = None,
                      force: bool = False) -> IngestResult:
    """Harvest bare DICOM trees into the dataset ``dataset_id`` (created, or merged into the stored one), write
    catalog.<fmt>, manifest.jsonl and harvest-report.json to ``out_dir``, store the dataset and its series, and
    retire the series of this dataset that are gone."""
    from medal_catalog.harvesters.dicom import CACHE_NAME, harvest_dicom, write_outputs
    from medal_catalog.harvesters.dicom_records import merge_dataset

    out = out_dir or Path("medal-out") / dataset_id
    result = harvest_dicom(paths, dataset_id, cache_file=out / CACHE_NAME if use_cache else None, jobs=jobs,
                           timeout=timeout, instances=instances, progress=progress, title=title,
                           access_level=access_level, license_id=license_id, pixel_hash=pixel_hash, force=force)
    written = write_outputs(result, out, fmt)
    dataset = result.dataset.model_dump(mode="json", exclude_none=True)
    series = [s.model_dump(mode="json", exclude_none=True) for s in result.series]
    reason = f"DICOM harvest of {len(paths)} path(s): {result.summary['dicom_read']} files"
    existing = catalog.get("ImagingDataset", dataset["id"])
    merged = merge_dataset(dataset, existing.document if existing and not existing.deleted else None)
    keep = {s["id"] for s in series}
    gone = [v.id for v in catalog.iter_current(["ImagingSeries"])
            if (v.document or {}).get("dataset") == dataset["id"] and v.id not in keep]
    # One transaction: the dataset, all its series and the retirement of those gone become visible together.
    stored = put_entries(catalog, [merged, *series], author=HARVEST_AUTHOR, reason=reason,
                         deletions=[("ImagingSeries", series_id) for series_id in gone])
    puts = stored[:len(series) + 1]
    problems = [p.to_dict() for p in puts if p.problems]
    if problems:
        raise MedalError(f"the catalog refused {len(problems)} entries: {problems[0]['problems'][0]}")
    found = Report()
    section = _check_dataset(catalog, dataset["id"], result, ", ".join(str(p) for p in paths), found)
    summary = {**result.summary, "kind": "dicom", "outputs": [str(p) for p in written],
               "catalog": {"url": catalog.url, "stored": len(puts),
                           "changed": sum(bool(p.changed) for p in puts), "series_retired": len(gone)},
               "contamination": {**section, "issues": [i.to_dict() for i in found.sorted_issues()]}}
    return IngestResult(", ".join(str(p) for p in paths), "dicom", bool(result.errors) or not found.ok, summary,
                        puts, result)


def _check_dataset(catalog: Catalog, dataset_id: str, harvest: Any, file: str, report: Report) -> dict[str, Any]:
    """Keep a stored dataset's pixel digests and public-archive check, compare its images with every other
    dataset's, and add the issues to ``report``; returns its ``contamination`` section (counts only)."""
    from medal_catalog.contamination.check import issues as public_issues
    from medal_catalog.contamination.overlap import duplicate_issues, duplicates

    section = dict(harvest.summary.get("contamination") or {})
    if not section:
        return {}
    if (section.get("pixel_hashes") or {}).get("enabled"):
        # Rewritten only when they changed (a re-harvest of an unchanged tree writes none of its 10k rows): the
        # duplicate checks compare the digests, never the per-digest file counts.
        stored = catalog.pixel_hashes(dataset_id)
        if stored != {series: set(found) for series, found in harvest.pixels.items() if found}:
            catalog.put_pixel_hashes(dataset_id, harvest.pixels)

    def access_of(other: str) -> str | None:
        current = catalog.get("ImagingDataset", other)
        return (current.document or {}).get("access_level") if current is not None else None

    section["duplicates"] = duplicates(catalog, dataset_id, access_of)
    catalog.put_contamination(dataset_id, section)
    current = catalog.get("ImagingDataset", dataset_id)
    found = [*public_issues(section, (current.document if current else None) or dataset_id, file),
             *duplicate_issues(dataset_id, section["duplicates"], file)]
    report.extend(found)
    section["errors"] = sum(i.severity is Severity.ERROR for i in found)
    section["warnings"] = sum(i.severity is Severity.WARNING for i in found)
    return section


def _check_splits(catalog: Catalog, task_id: str, file: str, report: Report) -> list[dict[str, Any]]:
    """The images a stored task's test splits share with its training splits (errors added to ``report``)."""
    from medal_catalog.panel.contamination import task_split_leaks
    from medal_catalog.contamination.overlap import split_issues

    leaks = task_split_leaks(catalog, task_id)
    report.extend(split_issues(task_id, leaks, file))
    return leaks


# --- documents sent over HTTP -------------------------------------------------------------------------------------

def check_document(body: bytes, syntax: str, name: str = "submission", files: dict[str, bytes] | None = None
                   ) -> tuple[Report, list[dict[str, Any]], list[Any] | None]:
    """The validation report of a YAML or JSON body, by exactly the validator `medal validate` runs, its entries,
    and the panel decisions it records (a MedalCatalog's ``decisions``; None without). ``files`` (declared path:
    content, paths already checked safe) sit next to the document while it is validated, so that label tables
    are checked as in a folder; the checks of declared files a body cannot carry (:data:`NOT_APPLICABLE_TO_BODIES`)
    are left out."""
    from medal_catalog.documents import read_document
    from medal_catalog.validators.submission import validate_paths

    with tempfile.TemporaryDirectory(prefix="medal-api-") as folder:
        path = Path(folder) / f"{name}.{'json' if syntax == 'json' else 'yaml'}"
        path.write_bytes(body)
        for declared, content in (files or {}).items():
            (Path(folder) / declared).parent.mkdir(parents=True, exist_ok=True)
            (Path(folder) / declared).write_bytes(content)
        report = PathShower(strip=folder).report(validate_paths([path], display_root=Path(folder)))
        report.issues = [i for i in report.issues if i.code not in NOT_APPLICABLE_TO_BODIES]
        for entry in report.entries:
            entry.valid = not any(i.severity is Severity.ERROR and i.file == entry.file
                                  and _within(i.pointer or "", entry.pointer) for i in report.issues)
        entries: list[dict[str, Any]] = []
        decisions = None
        if report.ok:
            document = read_document(path, path.name)
            entries = [dict(ref.data, type=ref.cls) for ref in document.entries()]
            decisions = document.data.get("decisions") if isinstance(document.data, dict) else None
    return report, entries, decisions


def ingest_document(catalog: Catalog, body: bytes, syntax: str, *, author: str, check_writes: CheckWrites,
                    files: dict[str, dict[str, tuple[bytes, str]]] | None = None
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
        raise Unprocessable(f"files were sent for dataset {sorted(set(files or {}) - declared)[0]!r}, which the "
                            "bundle does not hold")
    puts = put_entries(catalog, entries, author=author, reason="submission through the API", report=report,
                       source="submission", files=_of_stored(entries, files or {}))
    return report, puts


def _of_stored(entries: Sequence[dict[str, Any]], files: dict[str, dict[str, tuple[bytes, str]]]
               ) -> dict[str, dict[str, tuple[bytes, str]]]:
    """The kept files of the datasets the entries hold (files of any other dataset are not this unit's to write);
    written with the entries in one transaction, and not for a dataset the store refuses."""
    held = {e.get("id") for e in entries if e.get("type") == "ImagingDataset"}
    return {ds: kept for ds, kept in files.items() if ds in held}


def _kept_files(catalog: Catalog, puts: Sequence[PutResult], files: dict[str, dict[str, tuple[bytes, str]]]
                ) -> dict[str, list[Any]]:
    """What each dataset given files and stored now keeps, by dataset id (a refused dataset keeps nothing)."""
    stored = {p.id for p in puts if p.kind == "ImagingDataset" and not p.problems}
    return {ds: catalog.list_files("ImagingDataset", ds) for ds in files if ds in stored}


def ingest_croissant_document(catalog: Catalog, body: bytes, *, author: str, check_writes: CheckWrites,
                              access_level: str | None = None, dataset_id: str | None = None):
    """Import a Croissant body as one dataset of ``author``: its metadata and the original document only. A body
    carries no data files and nothing is read next to it, so the one Croissant verdict (validators/croissant.py)
    refuses a body naming local or remote data files. Returns the import (``.stored``, ``.report``)."""
    from medal_catalog.harvesters.croissant import import_croissant

    with tempfile.TemporaryDirectory(prefix="medal-api-") as folder:
        path = Path(folder) / "submitted.croissant.json"
        path.write_bytes(body)
        result = import_croissant(path, access_level=access_level, dataset_id=dataset_id, keep_files=False,
                                  display="submission")
    if not result.ok:
        raise InvalidSubmission(result.report.to_dict())
    check_writes([result.dataset, *result.series])
    _store_import(catalog, result, author, "Croissant submission through the API")
    if not result.report.ok:
        raise InvalidSubmission(result.report.to_dict())
    return result


def _within(pointer: str, parent: str) -> bool:
    return not parent or pointer == parent or pointer.startswith(parent + "/")


# --- a bundle sent by `medal submit` ------------------------------------------------------------------------------

def ingest_bundle(catalog: Catalog, manifest: bytes, uploads: dict[str, bytes], *, author: str,
                  check_writes: CheckWrites, max_file_bytes: int) -> tuple[Report, list[PutResult], dict[str, list[Any]]]:
    """Store a bundle harvested on a contributor's machine (harvesters/bundle.py): its entries as a metadata body
    is stored (:func:`ingest_document`: validated as `medal validate` validates them, refused whole on an error),
    with the uploaded files (``uploads``: multipart file name -> bytes) its datasets declare. Every upload must be
    listed in the manifest with its size and sha256, be declared by its dataset (same path, same sha256 when
    declared), be at most ``max_file_bytes``, and hold no DICOM, except an open or controlled dataset's
    ``dicom.zip`` (the contributor's rewrite), which is never kept as sent: the catalog keeps only its own
    rewrite of it (:func:`_rewrite_upload`), the dataset's series re-keyed to match, and reports each member
    left out (``bundle.dicom-left-out`` warnings in the report). Returns the report, the write results and the
    files now kept, by dataset."""
    import json

    from medal_catalog.dicom.audit import audit_content
    from medal_catalog.errors import PayloadTooLarge
    from medal_catalog.harvesters.bundle import BUNDLE_FORMAT

    from medal_catalog.documents import DocumentError, load_json

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
    declared = {(e.get("id"), d.get("path")): d.get("sha256") for e in entries if isinstance(e, dict)
                and e.get("type") == "ImagingDataset" for d in e.get("distribution") or []
                if isinstance(d, dict) and d.get("distribution_kind") == "file"}
    files: dict[str, dict[str, tuple[bytes, str]]] = {}
    left_out: list[Issue] = []
    names = set()
    for item in listed:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("dataset", "path", "sha256")):
            raise Unprocessable("each file of the bundle names its dataset, path and sha256")
        dataset, path = item["dataset"], item["path"]
        name = f"{dataset}/{path}"
        names.add(name)
        if not _safe_path(path):
            raise Unprocessable(f"{name}: a declared path is relative, inside the submission, without '..'")
        if name not in uploads:
            raise Unprocessable(f"{name}: listed in the bundle but not uploaded")
        content = uploads[name]
        if len(content) > max_file_bytes:
            raise PayloadTooLarge(f"{name}: larger than the limit of {max_file_bytes} bytes a file")
        digest = hashlib.sha256(content).hexdigest()
        if digest != item["sha256"] or len(content) != item.get("size", len(content)):
            raise Unprocessable(f"{name}: the uploaded bytes do not match the sha256 or size the bundle states")
        archive = _dicom_archive_of(entries, dataset, path, bundle.get("burned_in_declared"))
        if archive is not None:
            content, problems = _rewrite_upload(entries, archive, content, name, catalog.settings.deid_secret)
            left_out += [Issue(Severity.WARNING, "bundle.dicom-left-out", name, f"{member}: {why}",
                               pointer="") for member, why in problems]
            if content is not None:
                files.setdefault(dataset, {})[path] = (content, "application/zip")
            continue
        if (dataset, path) not in declared:
            raise Unprocessable(f"{name}: dataset {dataset!r} does not declare this file in its distribution")
        if declared[(dataset, path)] not in (None, digest):
            raise Unprocessable(f"{name}: the content does not match the sha256 its dataset declares")
        count, problems = audit_content(content, path)
        if count or problems:
            raise Unprocessable(f"{name}: it holds DICOM (or an archive that cannot be audited); the catalog keeps "
                                "DICOM only as its own rewrite: of files it harvests itself, or of the dicom.zip "
                                "of an open or controlled dataset declaring burned-in annotation NO")
        files.setdefault(dataset, {})[path] = (content, item.get("media_type") or "application/octet-stream")
    if set(uploads) - names:
        raise Unprocessable(f"{sorted(set(uploads) - names)[0]}: uploaded but not listed in the bundle")
    body = json.dumps(entries).encode()
    contamination = _bundle_contamination(bundle.get("contamination"))
    report, puts = ingest_document(catalog, body, "json", author=author, check_writes=check_writes, files=files)
    report.issues += left_out
    _check_bundle(catalog, contamination, puts, report)
    kept = {ds: catalog.list_files("ImagingDataset", ds) for ds in files}
    return report, puts, kept


def _bundle_contamination(sent: Any) -> dict[str, tuple[dict[str, Any], dict[str, dict[str, int]]]]:
    """A bundle's contamination part checked before anything is stored: (section, pixel digests by series) per
    dataset id; digests are 32 hex digits, counts positive integers, or the bundle is refused whole."""
    import re

    if not sent:
        return {}
    if not isinstance(sent, dict):
        raise Unprocessable("the bundle's contamination part must be an object by dataset id")
    digest = re.compile(r"[0-9a-f]{32}")
    out = {}
    for dataset_id, part in sent.items():
        section = part.get("section") if isinstance(part, dict) else None
        pixels = (part.get("pixels") if isinstance(part, dict) else None) or {}
        if not isinstance(section, dict) or not isinstance(pixels, dict) or not all(
                isinstance(series, str) and isinstance(found, dict) and all(
                    isinstance(d, str) and digest.fullmatch(d) and type(n) is int and n > 0
                    for d, n in found.items()) for series, found in pixels.items()):
            raise Unprocessable(f"the bundle's contamination part of dataset {dataset_id!r} is malformed: a "
                                "section object and pixel digests {series id: {32 hex digits: files}}")
        out[str(dataset_id)] = (section, pixels)
    return out


def _check_bundle(catalog: Catalog, sent: dict[str, tuple[dict[str, Any], dict[str, dict[str, int]]]],
                  puts: Sequence[PutResult], report: Report) -> None:
    """The contamination checks of a stored bundle's datasets, from the sections and pixel digests its sender's
    harvest made (the catalog never sees a hidden-test dataset's images), then of its tasks' splits."""
    from types import SimpleNamespace

    stored = {p.id for p in puts if p.kind == "ImagingDataset" and not p.problems}
    for dataset_id, (section, pixels) in sent.items():
        if dataset_id in stored:
            _check_dataset(catalog, dataset_id, SimpleNamespace(summary={"contamination": section},
                                                                pixels=pixels), "submission", report)
    for put in puts:
        if put.kind == "BenchmarkTask" and not put.problems:
            _check_splits(catalog, put.id, "submission", report)


def _dicom_archive_of(entries: list[Any], dataset_id: str, path: str, burned_in_declared: Any
                      ) -> dict[str, Any] | None:
    """The dataset entry when ``path`` is the DICOM archive the catalog rewrites for it (``dicom.zip`` of an open
    or controlled dataset whose metadata declares burned-in annotation NO: the bundle's ``burned_in_declared``,
    as the entry says what the files' headers say); None for any other file."""
    from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE
    from medal_catalog.harvesters.submission import DICOM_KEPT_LEVELS

    if path != DICOM_ARCHIVE:
        return None
    dataset = next((e for e in entries if isinstance(e, dict) and e.get("type") == "ImagingDataset"
                    and e.get("id") == dataset_id), None)
    declared = burned_in_declared.get(dataset_id) if isinstance(burned_in_declared, dict) else None
    if dataset is None or dataset.get("access_level") not in DICOM_KEPT_LEVELS or declared != "NO":
        return None
    return dataset


def _rewrite_upload(entries: list[Any], dataset: dict[str, Any], content: bytes, name: str, secret: str
                    ) -> tuple[bytes | None, list[tuple[str | None, str]]]:
    """The catalog's own rewrite of an uploaded ``dicom.zip`` (the contributor's rewrite, laid out
    ``<series id>/<n>.dcm``), never trusted: every member rewritten again with the catalog's key for the dataset
    and audited (dicom/deidentify.py ``rewrite_content``); a member that is not DICOM, not in that layout, flagged
    or failing is left out with its reason. The UIDs of the dataset's entries (its series' ``*_uid`` slots) are
    re-keyed in place exactly as the members' UIDs are, so that the served files still join their series.
    ``secret``: the catalog's de-identification secret (its settings' ``deid_secret``)."""
    import re
    import zipfile

    from medal_catalog.dicom.archives import ARCHIVE_ERRORS, archive_kind
    from medal_catalog.dicom.deidentify import Deidentifier, dataset_key, plan, rewrite_content
    from medal_catalog.errors import PayloadTooLarge
    from medal_catalog.harvesters.submission import MAX_ARCHIVE_BYTES

    if archive_kind(content[:512]) != "zip":
        raise Unprocessable(f"{name}: a dataset's DICOM archive is a zip")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except ARCHIVE_ERRORS:
        raise Unprocessable(f"{name}: the zip cannot be read") from None
    if total > MAX_ARCHIVE_BYTES:
        raise PayloadTooLarge(f"{name}: its DICOM files exceed {MAX_ARCHIVE_BYTES // 2**20} MiB")
    series = [e for e in entries if isinstance(e, dict) and e.get("type") == "ImagingSeries"
              and e.get("dataset") == dataset["id"]]
    series_ids = {s.get("id") for s in series}

    def accept(member: str) -> str | None:
        folder, _, file = member.partition("/")
        if folder not in series_ids or not re.fullmatch(r"\d{1,9}\.dcm", file):
            return "not laid out <series id>/<n>.dcm for a series of the dataset"
        return None

    key = dataset_key(dataset["id"], secret)[:16]  # the harvest's salt, as `medal harvest`
    deidentifier = Deidentifier(key, plan(dataset.get("deidentification")))
    try:
        rewritten, problems = rewrite_content(content, name, deidentifier, "NO", accept_member=accept)
    except ARCHIVE_ERRORS:
        raise Unprocessable(f"{name}: the zip cannot be read") from None
    for entry in [dataset, *series]:
        _rekey(entry, deidentifier)
    return rewritten, problems


def _rekey(value: Any, deidentifier: Any) -> None:
    """Replace, at every depth of an entry, the value of each ``*_uid`` slot by the catalog's rewrite of it (the
    DICOM-defined UIDs, such as SOP classes and transfer syntaxes, stay as they are)."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in list(items):
        if isinstance(key, str) and key.endswith("_uid") and isinstance(item, str):
            value[key] = deidentifier.uid(item)
        elif isinstance(item, (dict, list)):
            _rekey(item, deidentifier)


def _safe_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and "\\" not in path and ".." not in parts and "" not in parts


def ingest_idc(catalog: Catalog, collections: Sequence[str] | None = None, *, index_folder: Path | None = None,
               progress: Callable[[str, int, int], None] | None = None) -> IngestResult:
    """Take the IDC index (``idc-index-data``, or the parquet files in ``index_folder``) into ``catalog``: every
    collection, or the named ones, as an open published dataset with its series. Series are compared by
    content, so a re-run of the same index writes nothing, a new index
    version writes what changed, and a series gone from the index is deleted (a version, as every deletion).

    Each collection is staged in batches and published in one transaction (Store.stage / publish): readers see a
    whole collection or what was there before, never part of one.

    ``progress(collection_id, series_done, series_in_collection)`` is called after each batch."""
    import time

    from medal_catalog.harvesters import idc

    start = time.perf_counter()
    index = idc.locate(index_folder)
    reason = f"harvested from the IDC index ({index.version})"
    # Big harvests index in a second process that drains the store's index queue while this one validates and
    # stores the next batches: the two halves of the work cost about the same, and a harvest gets two cores.
    indexer = (_BackgroundIndexer(catalog) if catalog.index is not None
               and idc.count_series(index, collections) >= BACKGROUND_INDEX_SERIES else None)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "invalid": 0}
    invalid: list[dict[str, Any]] = []
    per_collection: dict[str, dict[str, int]] = {}

    def tally(puts: Sequence[PutResult], mine: dict[str, int]) -> None:
        for put in puts:
            counts[put.status] += 1
            mine[put.status] = mine.get(put.status, 0) + 1
            if put.status == "invalid" and len(invalid) < 50:
                invalid.append({"key": put.key, "problems": list(put.problems)})

    try:
        for collection in idc.read(index, collections):
            mine: dict[str, int] = {}
            seen: set[str] = set()
            done = 0
            # A collection is one unit: its series are staged in batches (no reader sees them), then the dataset
            # and all of them are published in one transaction, so a killed harvest never leaves part of a
            # collection visible; a re-run stages it again from the start and publishes it whole.
            unit = f"idc:{collection.dataset_id}"
            catalog.discard(unit)
            for batch in collection.batches:
                seen.update(e["id"] for e in batch)
                tally([r for r in catalog.stage(unit, batch) if r.status != "staged"], mine)
                done += len(batch)
                if progress:
                    progress(collection.collection_id, done, collection.size)
            gone = [i for i in catalog.ids_under("ImagingSeries", collection.dataset_id + ".") if i not in seen]
            # The dataset last: its counts and summaries are those of the series just read.
            tally([r for r in catalog.stage(unit, [collection.dataset()]) if r.status != "staged"], mine)
            puts, deleted = catalog.publish(unit, HARVEST_AUTHOR, reason, [("ImagingSeries", s) for s in gone],
                                            deletion_reason=f"no longer in the IDC index ({index.version})")
            tally([*puts, *deleted], mine)
            if indexer is None and (puts or deleted):
                catalog.sync_index()
            mine["series"] = collection.aggregate.series
            mine["descriptions_dropped"] = collection.aggregate.descriptions_dropped
            per_collection[collection.collection_id] = mine
    finally:
        if indexer:
            indexer.finish()
    catalog.sync_index()  # what the background indexer left, and deletions when there was none
    seconds = time.perf_counter() - start
    series = sum(c["series"] for c in per_collection.values())
    summary = {"source": "idc", "index_version": index.version, "collections": len(per_collection),
               "series": series, **counts, "changed": counts["created"] + counts["updated"] + counts["deleted"],
               "seconds": round(seconds, 2), "series_per_second": round(series / seconds, 1) if seconds else None,
               "index_pending": catalog.pending_count(), "invalid_entries": invalid,
               "by_collection": per_collection}
    return IngestResult(source=f"idc:{','.join(collections or [])}", kind="idc", failed=bool(counts["invalid"]),
                        summary=summary)


#: From this many series on, `ingest_idc` indexes in a second process.
BACKGROUND_INDEX_SERIES = 20_000


def _drain_index_queue(catalog_url: str, index_url: str, stop: Any) -> None:
    """In a child process: apply the store's queued index updates until ``stop`` is set and none are left."""
    import time

    with Catalog.open(catalog_url, index_url) as catalog:
        while True:
            finishing = stop.is_set()
            if catalog.pending_count():
                if not catalog.sync_index():
                    if catalog.index_problems and "unreachable" in catalog.index_problems[-1]:
                        return  # the index is down: the queue waits for `medal reindex`
                    time.sleep(0.5)  # the store was busy (the harvest's own write): try again
            elif finishing:
                return
            else:
                time.sleep(0.1)


class _BackgroundIndexer:
    """A child process draining a catalog's index queue while the caller writes (see :func:`ingest_idc`)."""

    def __init__(self, catalog: Catalog) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.process = context.Process(target=_drain_index_queue, daemon=True,
                                       args=(catalog.url, catalog.index.url, self.stop))
        self.process.start()

    def finish(self) -> None:
        self.stop.set()
        self.process.join()
