"""Sources on disk into the catalog: a submission folder or file, a bare DICOM tree, a Croissant file; `medal harvest`
calls :func:`ingest`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
import json

from medal_catalog.catalog import Catalog
from medal_catalog.errors import InputError, MedalError, UsageError
from medal_catalog.contamination.stored import check_dataset, check_splits
from medal_catalog.exports.croissant import case_files
from medal_catalog.ingestion.entries import (
    HARVEST_AUTHOR,
    IngestResult,
    SourceKind,
    kept_files,
    of_stored,
    put_entries,
    store_import,
)
from medal_catalog.report import Report
from medal_catalog.store.base import entry_key
from medal_catalog.croissant.reading import is_croissant_file
from medal_catalog.documents import read_document
from medal_catalog.harvesters.croissant import import_croissant
from medal_catalog.panel.decisions import replay


def source_kind(path: Path) -> SourceKind:
    """What a path holds: a Croissant file, a submission (MEDAL metadata, or a folder holding some), or else a
    DICOM tree."""
    from medal_catalog.harvesters.submission import is_submission  # inline: adds ~100 ms to this module's import

    if is_croissant_file(path):
        return "croissant"
    return "submission" if is_submission(path) else "dicom"


def corrupt_metadata(path: Path) -> str | None:
    """What is wrong with a JSON or YAML file at ``path`` (or at the top of the folder ``path``) that does not
    parse: the file, the line and column, and the parser's words; None when every such file parses."""
    import yaml  # inline: PyYAML takes ~40 ms to import

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


@dataclass(frozen=True)
class HarvestOptions:
    """How a harvest from disk runs: one object instead of a dozen parameters (the CLI builds it from its flags)."""

    #: The dataset a bare DICOM tree goes into (and a Croissant file's id, when given).
    dataset_id: str | None = None
    #: Where harvest outputs go (catalog.<fmt>, manifest.jsonl, harvest-report.json, the re-harvest cache).
    out_dir: Path | None = None
    fmt: str = "yaml"
    title: str | None = None
    #: A DICOM tree's access level (default controlled); a Croissant file's when it declares none.
    access_level: str | None = None
    license_id: str = "LicenseRef-unspecified"
    #: One manifest row per file (reads whole files for their sha256).
    instances: bool = False
    jobs: int | None = None
    #: Seconds a DICOM file may take to read.
    timeout: float = 30.0
    use_cache: bool = True
    progress: Callable[..., None] | None = None
    #: Pixel digests (None: the catalog's settings, MEDAL_PIXEL_HASH).
    pixel_hash: bool | None = None
    #: Read every DICOM file again, even those the re-harvest cache says are unchanged.
    force: bool = False


def _options(options: HarvestOptions | None, fields: dict[str, Any]) -> HarvestOptions:
    """``options`` with the keyword ``fields`` a caller gave instead (``out_root`` is ``out_dir``)."""
    if "out_root" in fields:
        fields["out_dir"] = fields.pop("out_root")
    return replace(options or HarvestOptions(), **fields)


def ingest(
    paths: Iterable[Path | str] | dict[Path, SourceKind],
    catalog: Catalog,
    options: HarvestOptions | None = None,
    **fields: Any,
) -> list[IngestResult]:
    """Take every path (or the result of :func:`plan`) into ``catalog``: each Croissant file and each submission
    on its own, then all bare DICOM trees together as the one dataset ``options.dataset_id``. Invalid entries and
    unreadable files are reported in the results and left out; everything valid around them is stored.
    ``fields`` may name HarvestOptions fields instead of (or over) ``options``."""
    o = _options(options, fields)
    kinds = paths if isinstance(paths, dict) else plan(paths, o.dataset_id)
    paths = list(kinds)
    trees = [p for p in paths if kinds[p] == "dicom"]
    croissants = [p for p in paths if kinds[p] == "croissant"]
    results = [ingest_croissant(p, catalog, dataset_id=o.dataset_id, access_level=o.access_level) for p in croissants]
    results += [ingest_submission(p, catalog, o) for p in paths if kinds[p] == "submission"]
    if trees:
        results.append(ingest_dicom_tree(trees, catalog, o))
    return results


def ingest_croissant(
    path: Path,
    catalog: Catalog,
    *,
    dataset_id: str | None = None,
    access_level: str | None = None,
    author: str = HARVEST_AUTHOR,
    reason: str | None = None,
) -> IngestResult:
    """Import one Croissant file: the mapped dataset, the original and (open access) its local data files; nothing
    is stored when the import found an error. ``detail`` is the import (``.stored``, ``.stored_files``, ...)."""

    result = import_croissant(path, access_level=access_level, dataset_id=dataset_id, settings=catalog.settings)
    if result.ok:
        store_import(catalog, result, author, reason or f"import of Croissant file {path.name}")
    stored = result.stored
    failed = not (result.ok and stored is not None and not stored.problems)
    return IngestResult(
        str(path),
        "croissant",
        failed,
        result.to_dict(),
        [stored, *result.stored_series] if stored is not None else [],
        result,
    )


def ingest_submission(
    path: Path, catalog: Catalog, options: HarvestOptions | None = None, **fields: Any
) -> IngestResult:
    """Validate a submission, harvest the DICOM of its datasets, and store every valid entry and the files the
    catalog keeps for datasets it stored; then check its datasets against public archives and the catalog's
    other datasets, and its tasks' splits against each other (issues in the report, ``contamination`` in the
    summary). Harvest outputs go under ``options.out_dir`` (default ./medal-out)."""
    from medal_catalog.harvesters.submission import harvest_submission  # inline: adds ~100 ms to this module's import

    o = _options(options, fields)
    harvest = harvest_submission(
        path,
        out_root=o.out_dir or Path("medal-out"),
        jobs=o.jobs,
        timeout=o.timeout,
        use_cache=o.use_cache,
        progress=o.progress,
        pixel_hash=o.pixel_hash,
        force=o.force,
        settings=catalog.settings,
    )
    puts = put_entries(
        catalog,
        harvest.entries,
        author=HARVEST_AUTHOR,
        reason=f"harvest of submission {path}",
        report=harvest.report,
        source=str(path),
        files=of_stored(harvest.entries, harvest.files),
    )
    decisions = _replay_decisions(catalog, harvest)
    files = kept_files(catalog, puts, harvest.files)
    stored = {p.key for p in puts if not p.problems}
    contamination = {
        ds: check_dataset(catalog, ds, result, str(path), harvest.report)
        for ds, result in harvest.dicom.items()
        if entry_key("ImagingDataset", ds) in stored
    }
    for entry in harvest.entries:
        if entry.get("type") == "BenchmarkTask" and entry_key("BenchmarkTask", entry["id"]) in stored:
            leaks = check_splits(catalog, entry["id"], str(path), harvest.report, case_files)
            if leaks:
                contamination.setdefault(f"task:{entry['id']}", {})["split_leaks"] = leaks
    refused = [p.to_dict() for p in puts if p.problems]
    summary = {
        "submission": str(path),
        "kind": "submission",
        "entries": len(harvest.entries),
        "stored": len(puts) - len(refused),
        "changed": sum(bool(p.changed) for p in puts),
        "left_out": harvest.left_out,
        "refused": refused,
        "validation": harvest.report.to_dict()["summary"],
        "dicom": {
            ds: {k: r.summary[k] for k in ("files_seen", "dicom_read", "skipped", "series", "studies")}
            for ds, r in harvest.dicom.items()
        },
        "files_kept": {ds: [f.path for f in kept] for ds, kept in files.items()},
        "files_not_kept": harvest.not_kept,
        "decisions": decisions,
        "contamination": contamination,
    }
    file_errors = any(r.errors for r in harvest.dicom.values())
    failed = bool(
        harvest.left_out
        or refused
        or file_errors
        or summary["validation"]["errors"]
        or any(d["outcome"] == "refused" for d in decisions)
    )
    return IngestResult(str(path), "submission", failed, summary, puts, harvest)


def _replay_decisions(catalog: Catalog, harvest: Any) -> list[dict[str, Any]]:
    """Replay the panel decisions recorded in the submission's metadata files (see panel/decisions.py)."""

    recorded: list[dict[str, Any]] = []
    for file in dict.fromkeys(e.file for e in harvest.report.entries):
        data = read_document(Path(file), file).data
        if isinstance(data, dict) and isinstance(data.get("decisions"), list):
            recorded += data["decisions"]
    return replay(catalog, recorded) if recorded else []


def ingest_dicom_tree(
    paths: Sequence[Path], catalog: Catalog, options: HarvestOptions | None = None, **fields: Any
) -> IngestResult:
    """Harvest bare DICOM trees into the dataset ``options.dataset_id`` (created, or merged into the stored one),
    write catalog.<fmt>, manifest.jsonl and harvest-report.json to ``options.out_dir``, store the dataset and its
    series, and retire the series of this dataset that are gone."""
    # inline: adds ~150 ms to this module's import
    from medal_catalog.harvesters.dicom import CACHE_NAME, harvest_dicom, write_outputs
    from medal_catalog.harvesters.dicom_records import merge_dataset  # inline: adds ~180 ms to this module's import

    o = _options(options, fields)
    if not o.dataset_id:
        raise UsageError("a bare DICOM tree needs a dataset id (--dataset ID)")
    dataset_id = o.dataset_id
    out = o.out_dir or Path("medal-out") / dataset_id
    result = harvest_dicom(
        paths,
        dataset_id,
        cache_file=out / CACHE_NAME if o.use_cache else None,
        jobs=o.jobs,
        timeout=o.timeout,
        instances=o.instances,
        progress=o.progress,
        title=o.title,
        access_level=o.access_level or "controlled",
        license_id=o.license_id,
        pixel_hash=o.pixel_hash,
        force=o.force,
        settings=catalog.settings,
    )
    written = write_outputs(result, out, o.fmt)
    dataset = result.dataset.model_dump(mode="json", exclude_none=True)
    series = [s.model_dump(mode="json", exclude_none=True) for s in result.series]
    reason = f"DICOM harvest of {len(paths)} path(s): {result.summary['dicom_read']} files"
    existing = catalog.get("ImagingDataset", dataset["id"])
    merged = merge_dataset(dataset, existing.document if existing and not existing.deleted else None)
    keep = {s["id"] for s in series}
    gone = [v.id for v in catalog.dataset_series(dataset["id"]) if v.id not in keep]
    # One transaction: the dataset, all its series and the retirement of those gone become visible together.
    stored = put_entries(
        catalog,
        [merged, *series],
        author=HARVEST_AUTHOR,
        reason=reason,
        deletions=[("ImagingSeries", series_id) for series_id in gone],
    )
    puts = stored[: len(series) + 1]
    problems = [p.to_dict() for p in puts if p.problems]
    if problems:
        raise MedalError(f"the catalog refused {len(problems)} entries: {problems[0]['problems'][0]}")
    found = Report()
    section = check_dataset(catalog, dataset["id"], result, ", ".join(str(p) for p in paths), found)
    summary = {
        **result.summary,
        "kind": "dicom",
        "outputs": [str(p) for p in written],
        "catalog": {
            "url": catalog.url,
            "stored": len(puts),
            "changed": sum(bool(p.changed) for p in puts),
            "series_retired": len(gone),
        },
        "contamination": {**section, "issues": [i.to_dict() for i in found.sorted_issues()]},
    }
    return IngestResult(
        ", ".join(str(p) for p in paths), "dicom", bool(result.errors) or not found.ok, summary, puts, result
    )
