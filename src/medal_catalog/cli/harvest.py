"""`medal harvest`: put submissions and DICOM trees into the catalog (store + index), with outputs on disk."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from medal_catalog.cli.options import catalog_option, index_option, reports_errors
from medal_catalog.errors import MedalError, UsageError

ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--dataset", "dataset_id",
              help="For a bare DICOM folder or zip: id of the ImagingDataset to create or update (submissions name "
                   "their datasets in their metadata); for a Croissant file: the id instead of its name's.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default ./medal-out/<ID>/); the re-harvest cache is kept there too.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="Format of catalog.<format>.")
@click.option("--title", help="Dataset title (default: the id).")
@click.option("--access-level", type=click.Choice(["open", "registered", "controlled", "hidden_test"]),
              help="Dataset access level until the submitter sets it (default: controlled for DICOM trees; for a "
                   "Croissant file without medal:accessLevel, open when its licence is open, else required).")
@click.option("--license", "license_id", default="LicenseRef-unspecified", show_default=True,
              help="SPDX licence id until the submitter sets it.")
@click.option("--instances", is_flag=True, help="Add one manifest row per file with its sha256 (reads whole files).")
@click.option("--jobs", type=click.IntRange(min=1), help="Reader processes (default: all cores).")
@click.option("--timeout", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Per-file time limit in seconds (0: none).")
@click.option("--no-cache", is_flag=True, help="Read every file again instead of reusing unchanged results.")
@catalog_option
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@reports_errors("harvest")
def harvest(paths: tuple[Path, ...], dataset_id: str, out_dir: Path | None, fmt: str, title: str | None,
            access_level: str, license_id: str, instances: bool, jobs: int | None, timeout: float, no_cache: bool,
            catalog_url: str | None, index_url: str | None, as_json: bool) -> None:
    """Harvest submissions and DICOM trees into the catalog.

    A PATH that is a MEDAL metadata file, or a folder holding one, is a submission: it is validated (as by
    `medal validate`), the DICOM files of each dataset are harvested and merged into it, and every valid entry
    (tasks, datasets, series, reviews) is written to the store and the index, one transaction per entry; invalid
    entries are reported and left out. A Croissant file (.json/.jsonld) is validated with mlcroissant and
    imported as one dataset, its original kept; when it is open access, its local data files (inside its
    folder, checksums verified) are kept too and served by the catalog. Any other folder or zip is a DICOM tree
    harvested into the dataset --dataset ID.

    DICOM is read by content, headers only, and every file is audited for identifying attributes (DICOM PS3.15
    Annex E; values are never stored or printed). catalog.yaml (the dataset and its series), manifest.jsonl and
    harvest-report.json go to --out (default ./medal-out/<ID>/). A re-harvest reads only files that changed, and
    re-running on the same input changes nothing in the catalog.

    Exit status: 0 everything was harvested (non-DICOM data files are skipped, not errors); 1 some entries or
    files could not be harvested (invalid entries, corrupt or unreadable files); 2 usage error.
    """
    from medal_catalog.harvesters.submission import is_submission

    croissants = [p for p in paths if _is_croissant_file(p)]
    submissions = [p for p in paths if p not in croissants and is_submission(p)]
    trees = [p for p in paths if p not in submissions and p not in croissants]
    if trees and not dataset_id:
        raise UsageError(f"{trees[0]} holds no MEDAL metadata: give --dataset ID to harvest it as a DICOM tree")
    if dataset_id and len(croissants) > 1:
        raise UsageError("--dataset names one dataset: give one Croissant file with it")
    summaries, failed = [], False
    for path in croissants:
        summary, bad = _harvest_croissant(path, dataset_id, access_level, catalog_url, index_url)
        summaries.append(summary)
        failed |= bad
    for path in submissions:
        summary, bad = _harvest_submission(path, out_dir, jobs, timeout, no_cache, catalog_url, index_url)
        summaries.append(summary)
        failed |= bad
    if trees:
        summary, bad = _harvest_tree(trees, dataset_id, out_dir, fmt, title, access_level or "controlled",
                                     license_id, instances,
                                     jobs, timeout, no_cache, catalog_url, index_url, as_json)
        summaries.append(summary)
        failed |= bad
    if as_json:
        click.echo(json.dumps(summaries[0] if len(summaries) == 1 else summaries, indent=2))
    sys.exit(1 if failed else 0)


def _is_croissant_file(path: Path) -> bool:
    """A .json/.jsonld file whose content is a Croissant dataset description."""
    from medal_catalog.documents import MAX_METADATA_BYTES
    from medal_catalog.harvesters.croissant import is_croissant

    if not path.is_file() or path.suffix.lower() not in (".json", ".jsonld"):
        return False
    try:
        return path.stat().st_size <= MAX_METADATA_BYTES and is_croissant(json.loads(path.read_bytes()))
    except (OSError, ValueError):
        return False


def _harvest_croissant(path: Path, dataset_id: str | None, access_level: str | None, catalog_url, index_url
                       ) -> tuple[dict, bool]:
    """Import one Croissant file: the mapped dataset, the original and (open access) its local data files."""
    from medal_catalog.harvesters.croissant import import_croissant
    from medal_catalog.catalog import Catalog

    with Catalog.open(catalog_url, index_url) as catalog:
        result = import_croissant(path, access_level=access_level, dataset_id=dataset_id, catalog=catalog)
    summary = result.to_dict()
    if not _json_requested():
        stored = result.stored
        if result.ok and stored is not None and not stored.problems:
            click.echo(f"croissant {path}: dataset {result.dataset['id']} {stored.status} "
                       f"(version {stored.version}), {len(result.stored_files)} files kept"
                       + (f", {len(result.series)} DICOM series harvested" if result.series else ""))
            for kept in result.stored_files:
                click.echo(f"  kept {kept.path} ({kept.byte_size} bytes)")
        else:
            click.echo(f"croissant {path}: nothing stored")
        for issue in result.report.sorted_issues():
            if issue.severity.value != "info":
                where = f" {issue.pointer}" if issue.pointer else ""
                click.echo(f"  {issue.severity.value}: {issue.code}{where}: {issue.message}"
                           + (f" ({issue.hint})" if issue.hint else ""))
    return summary, not (result.ok and result.stored is not None and not result.stored.problems)


def _harvest_submission(path: Path, out_dir: Path | None, jobs, timeout, no_cache, catalog_url, index_url
                        ) -> tuple[dict, bool]:
    from medal_catalog.harvesters.submission import harvest_submission
    from medal_catalog.catalog import Catalog

    harvest = harvest_submission(path, out_root=out_dir or Path("medal-out"), jobs=jobs, timeout=timeout,
                                 use_cache=not no_cache)
    reason = f"harvest of submission {path}"
    with Catalog.open(catalog_url, index_url) as catalog:
        puts = _put_all(catalog, harvest.entries, reason)
        stored = {p.id for p in puts if p.kind == "ImagingDataset" and not p.problems}
        files = {ds: catalog.store.put_files("ImagingDataset", ds, kept)
                 for ds, kept in harvest.files.items() if ds in stored}
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
    }
    file_errors = any(r.errors for r in harvest.dicom.values())
    if not _json_requested():
        click.echo(f"submission {path}: {summary['stored']} of {len(harvest.entries) + len(harvest.left_out)} "
                   f"entries stored ({summary['changed']} changed)")
        for left in harvest.left_out:
            click.echo(f"  left out {left['type']} {left['id'] or left['pointer']} ({left['file']}): "
                       f"{', '.join(left['errors'])}; run `medal validate {path}` for details")
        for ds, counts in summary["dicom"].items():
            click.echo(f"  dataset {ds}: {counts['dicom_read']} DICOM files, {counts['series']} series in "
                       f"{counts['studies']} studies, {counts['skipped']} other files skipped")
        for ds, kept in summary["files_kept"].items():
            if kept:
                click.echo(f"  dataset {ds}: kept {', '.join(kept)}")
        for item in harvest.not_kept:
            click.echo(f"  dataset {item['dataset']}: not kept {item['path']}: {item['reason']}")
        if summary["validation"]["errors"]:
            phi = any(i.code == "dicom.phi" for i in harvest.report.issues)
            errors = summary["validation"]["errors"]
            click.echo(f"  {errors} validation error{'s' if errors != 1 else ''}"
                       + (" (the values of identifying attributes found in DICOM files are never stored)" if phi
                          else "") + f"; run `medal validate {path}` for details")
    return summary, bool(harvest.left_out or refused or file_errors or summary["validation"]["errors"])


def _put_all(catalog, entries: list[dict], reason: str) -> list:
    """Store entries (one transaction each, indexed in bulk), skipping those whose only change is a newer
    harvest-run record, so that re-harvesting unchanged input writes no new version."""
    from medal_catalog.harvesters.dicom_records import same_but_harvest_runs
    from medal_catalog.store.base import PutResult, entry_key

    results: dict[int, PutResult] = {}
    to_write: list[tuple[int, dict]] = []
    for i, entry in enumerate(entries):
        kind = entry.get("type")
        current = catalog.get(kind, entry["id"]) if kind and entry.get("id") else None
        if current is not None and not current.deleted and same_but_harvest_runs(entry, current.document):
            results[i] = PutResult(entry_key(kind, entry["id"]), "unchanged", current.version)
        else:
            to_write.append((i, entry))
    written = catalog.put_many([e for _, e in to_write], author="medal harvest", reason=reason) if to_write else []
    results.update({i: put for (i, _), put in zip(to_write, written)})
    return [results[i] for i in range(len(entries))]


def _json_requested() -> bool:
    return bool(click.get_current_context().params.get("as_json"))


def _harvest_tree(paths, dataset_id, out_dir, fmt, title, access_level, license_id, instances, jobs, timeout,
                  no_cache, catalog_url, index_url, as_json) -> tuple[dict, bool]:
    from medal_catalog.harvesters.dicom import CACHE_NAME, harvest_dicom, write_outputs

    if not ENTRY_ID.match(dataset_id):
        raise click.BadParameter("lower-case letters, digits, '.', '_' and '-' (2-128 characters)",
                                 param_hint="--dataset")
    out = out_dir or Path("medal-out") / dataset_id
    cache = None if no_cache else out / CACHE_NAME
    progress = _progress_bar() if sys.stderr.isatty() and not as_json else None
    try:
        result = harvest_dicom(paths, dataset_id, cache_file=cache, jobs=jobs, timeout=timeout, instances=instances,
                               progress=progress[1] if progress else None, title=title, access_level=access_level,
                               license_id=license_id)
    finally:
        if progress:
            progress[0].stop()
    written = write_outputs(result, out, fmt)
    summary = {**result.summary, "kind": "dicom", "outputs": [str(p) for p in written]}
    summary["catalog"] = _store(result, catalog_url, index_url, [str(p) for p in paths])
    if not as_json:
        _print_summary(summary)
    return summary, bool(result.errors)


def _store(result, catalog_url: str, index_url: str | None, paths: list[str]) -> dict:
    """Put the dataset and its series into the catalog; retire series of this dataset that are gone."""
    from medal_catalog.harvesters.dicom_records import merge_dataset
    from medal_catalog.catalog import Catalog

    dataset = result.dataset.model_dump(mode="json", exclude_none=True)
    series = [s.model_dump(mode="json", exclude_none=True) for s in result.series]
    reason = f"DICOM harvest of {len(paths)} path(s): {result.summary['dicom_read']} files"
    with Catalog.open(catalog_url, index_url) as catalog:
        existing = catalog.get("ImagingDataset", dataset["id"])
        merged = merge_dataset(dataset, existing.document if existing and not existing.deleted else None)
        puts = _put_all(catalog, [merged, *series], reason)
        keep = {s["id"] for s in series}
        gone = [v.id for v in catalog.store.iter_current(["ImagingSeries"])
                if (v.document or {}).get("dataset") == dataset["id"] and v.id not in keep]
        for series_id in gone:
            catalog.delete("ImagingSeries", series_id, author="medal harvest", reason=reason)
    problems = [p.to_dict() for p in puts if p.problems]
    if problems:
        raise MedalError(f"the catalog refused {len(problems)} entries: {problems[0]['problems'][0]}")
    return {"url": catalog_url, "stored": len(puts),
            "changed": sum(bool(p.changed) for p in puts),
            "series_retired": len(gone)}


def _progress_bar():
    """A rich progress bar (files, MB, files/s, ETA) on stderr, and the callback that feeds it."""
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn)

    bar = Progress(TextColumn("harvest"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[mb]:.0f}/{task.fields[total_mb]:.0f} MB"),
                   TextColumn("{task.fields[rate]:.0f} files/s"), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = None

    def update(done: int, total: int, done_bytes: int, total_bytes: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("harvest", total=total, mb=0.0, total_mb=total_bytes / 1e6, rate=0.0, start_done=done)
        elapsed = bar.tasks[0].elapsed or 0.0
        rate = (done - bar.tasks[0].fields["start_done"]) / elapsed if elapsed else 0.0
        bar.update(task, completed=done, mb=done_bytes / 1e6, rate=rate)

    return bar, update


def _print_summary(summary: dict) -> None:
    click.echo(f"dataset {summary['dataset']}: {summary['files_seen']} files seen, {summary['dicom_read']} DICOM read "
               f"({summary['reused_from_cache']} unchanged since the last harvest), {summary['skipped']} skipped")
    click.echo(f"  {summary['series']} series in {summary['studies']} studies, {summary['instances']} instances, "
               f"{summary['bytes'] / 1e6:.1f} MB, {summary['seconds']:.2f} s")
    for reason, count in summary["skipped_by_reason"].items():
        click.echo(f"  skipped {count:>5}  {reason}")
    for problem in summary["problems"][:20]:
        click.echo(f"    {problem['path']}: {problem['reason']}")
    if len(summary["problems"]) > 20:
        click.echo(f"    ... {len(summary['problems']) - 20} more in harvest-report.json")
    findings = summary["phi_findings_by_attribute"]
    click.echo(f"  identifying attributes (PS3.15 Annex E) in {summary['files_with_phi_findings']} files; "
               f"series status {summary['series_status'] or {}}")
    for finding in findings:
        click.echo(f"    {finding['attribute']:<40} {finding['tag'] or '':<12} {finding['files']:>6} files "
                   f"{finding['series']:>4} series")
    for path in summary["outputs"]:
        click.echo(f"  wrote {path}")
