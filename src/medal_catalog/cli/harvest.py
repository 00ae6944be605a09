"""`medal harvest`: put submissions and DICOM trees into the catalog (store + index), with outputs on disk."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import click

from medal_catalog.cli.options import catalog_option, index_option, reports_errors

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog

#: The schema's id pattern (facts.slot_pattern("id")), copied so that `medal` starts without reading the schema;
#: tests/schema/test_facts.py fails if it drifts.
ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH... | idc:[COLLECTION,...]")
@click.option(
    "--dataset",
    "dataset_id",
    help="For a bare DICOM folder or zip: id of the ImagingDataset to create or update (submissions name "
    "their datasets in their metadata); for a Croissant file: the id instead of its name's.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default ./medal-out/<ID>/); the re-harvest cache is kept there too.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="Format of catalog.<format>.",
)
@click.option("--title", help="Dataset title (default: the id).")
@click.option(
    "--access-level",
    type=click.Choice(["open", "registered", "controlled", "hidden_test"]),
    help="Dataset access level until the submitter sets it (default: controlled for DICOM trees; for a "
    "Croissant file without medal:accessLevel, open when its licence is open, else required).",
)
@click.option(
    "--license",
    "license_id",
    default="LicenseRef-unspecified",
    show_default=True,
    help="SPDX licence id until the submitter sets it.",
)
@click.option("--instances", is_flag=True, help="Add one manifest row per file with its sha256 (reads whole files).")
@click.option("--jobs", type=click.IntRange(min=1), help="Reader processes (default: all cores).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Per-file time limit in seconds (0: none).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read every file again instead of reusing unchanged results, and keep no re-harvest cache.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Read every file again, even those unchanged since the last harvest (same path, size, mtime and "
    "inode), and renew the re-harvest cache.",
)
@click.option(
    "--no-pixel-hash",
    is_flag=True,
    help="Do not hash pixel data (no duplicate-image checks against the catalog's other datasets and the "
    "task's splits; MEDAL_PIXEL_HASH=false for every run).",
)
@click.option(
    "--idc-index",
    "idc_index",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="For idc:, a folder holding idc_index.parquet and collections_index.parquet instead of the "
    "installed idc-index-data package.",
)
@click.option("--list", "list_only", is_flag=True, help="For idc:, list the collections of the index and exit.")
@click.option(
    "--nice",
    "niceness",
    type=click.IntRange(0, 19),
    default=10,
    show_default=True,
    help="Lower this harvest's CPU priority by this much (0: not at all): a harvest is batch work, and a "
    "`medal serve` on the same machine keeps its latency while it writes.",
)
@catalog_option
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@reports_errors("harvest")
def harvest(
    paths: tuple[str, ...],
    dataset_id: str,
    out_dir: Path | None,
    fmt: str,
    title: str | None,
    access_level: str,
    license_id: str,
    instances: bool,
    jobs: int | None,
    timeout: float,
    no_cache: bool,
    force: bool,
    no_pixel_hash: bool,
    idc_index: Path | None,
    list_only: bool,
    niceness: int,
    catalog_url: str | None,
    index_url: str | None,
    as_json: bool,
) -> None:
    """Harvest submissions and DICOM trees into the catalog.

    A PATH that is a MEDAL metadata file, or a folder holding one, is a submission: it is validated (as by
    `medal validate`), the DICOM files of each dataset are harvested and merged into it, and every valid entry
    (tasks, datasets, series, reviews) is written to the store in one transaction (readers see all of it or
    none), then indexed; invalid entries are reported and left out. A Croissant file (.json/.jsonld) is validated with mlcroissant and
    imported as one dataset, its original kept; when it is open access, its local data files (inside its
    folder, checksums verified) are kept too and served by the catalog. Any other folder or zip is a DICOM tree
    harvested into the dataset --dataset ID.

    DICOM is read by content, headers only, and every file is audited for identifying attributes (DICOM PS3.15
    Annex E; values are never stored or printed). catalog.yaml (the dataset and its series), manifest.jsonl and
    harvest-report.json go to --out (default ./medal-out/<ID>/). A re-harvest reads only files that changed, and
    re-running on the same input changes nothing in the catalog.

    Each dataset is checked for contamination: its files' original UIDs against the public IDC index (with the
    extra `pip install 'medal-catalog[public-index]'`; an error for a dataset declared unpublished), public UID
    roots and pipeline names, and a digest of each image's pixel data against every other dataset in the catalog
    (a hidden-test dataset sharing an image with another one is an error, and so is a task whose test split
    shares images with its training split). The summary's `contamination` section says what was checked.

    `idc:` harvests the NCI Imaging Data Commons index (install the public-index extra): every collection, or
    `idc:COLL1,COLL2`, each as an open, published ImagingDataset with one ImagingSeries per DICOM series. Patient
    identifiers in the index are never stored; a re-run of the same index version writes nothing, a new version
    writes what changed.

    Exit status: 0 everything was harvested (non-DICOM data files are skipped, not errors); 1 some entries or
    files could not be harvested (invalid entries, corrupt or unreadable files); 2 usage error; 130 / 143 stopped
    by Ctrl-C / SIGTERM (reader processes stopped, nothing half-written: run it again to finish).
    """
    from medal_catalog.catalog import Catalog
    from medal_catalog.ingestion import HarvestOptions, ingest, plan

    if niceness:
        # Readers of the catalog wait on a harvest for nothing but CPU (WAL readers take no lock, and the index
        # patches its column view): with the server's share of two cores halved, its p99 tripled (stress/).
        os.nice(niceness)
    public = [p for p in paths if p.startswith("idc:")]
    if public:
        if len(paths) > 1:
            raise click.UsageError("harvest idc: on its own, not together with other paths")
        _harvest_idc(public[0][4:], idc_index, list_only, catalog_url, index_url, as_json)
        return
    for p in paths:
        if not Path(p).exists():
            raise click.BadParameter(f"{p!r} does not exist (public archives: idc:[COLLECTION,...])", param_hint="PATH")
    kinds = plan([Path(p) for p in paths], dataset_id)
    if dataset_id and "dicom" in kinds.values() and not ENTRY_ID.match(dataset_id):
        raise click.BadParameter(
            "lower-case letters, digits, '.', '_' and '-' (2-128 characters)", param_hint="--dataset"
        )
    progress = _progress_bar() if "dicom" in kinds.values() and sys.stderr.isatty() and not as_json else None
    results = None
    try:
        with _stops_cleanly():
            with Catalog.open(catalog_url, index_url) as catalog:
                options = HarvestOptions(
                    dataset_id=dataset_id,
                    out_dir=out_dir,
                    fmt=fmt,
                    title=title,
                    access_level=access_level,
                    license_id=license_id,
                    instances=instances,
                    jobs=jobs,
                    timeout=timeout,
                    use_cache=not no_cache,
                    progress=progress[1] if progress else None,
                    pixel_hash=False if no_pixel_hash else None,
                    force=force,
                )
                results = ingest(kinds, catalog, options)
                tell = _index_missing([r.summary for r in results]) and first_notice(catalog, NO_INDEX)
                if any(r.kind != "dicom" and any(p.changed for p in r.puts) for r in results):
                    _refresh_derived(catalog)
            if progress:
                progress[0].stop()
                progress = None
            if as_json:
                summaries = [r.summary for r in results]
                click.echo(json.dumps(summaries[0] if len(summaries) == 1 else summaries, indent=2))
            else:
                for result in results:
                    PRINTERS[result.kind](result)
                if tell:
                    from medal_catalog.contamination.index import INSTALL_HINT

                    click.echo(
                        f"note: without the IDC index, original UIDs were not checked against public "
                        f"archives: {INSTALL_HINT} (said once per catalog; `medal validate` says it each time)"
                    )
    except _Stopped as stop:
        if progress:
            progress[0].stop()
        name = signal.Signals(stop.signum).name
        if results is None:
            click.echo(
                f"medal harvest: stopped by {name}. The catalog holds no part of an unfinished write (a "
                "dataset and its series are stored in one transaction); run the same command again to "
                "finish.",
                err=True,
            )
        else:
            click.echo(
                f"medal harvest: stopped by {name} after the catalog was written (nothing lost; the "
                "summary is in harvest-report.json).",
                err=True,
            )
        sys.stdout.flush()
        sys.stderr.flush()
        # Not sys.exit: the transactions are rolled back and the catalog closed by now, and interpreter shutdown
        # would join the process pool's manager thread, which a reader killed mid-answer leaves blocked on a
        # half-written result for ever.
        os._exit(128 + stop.signum)
    finally:
        if progress:
            progress[0].stop()
    sys.exit(1 if any(r.failed for r in results) else 0)


def _refresh_derived(catalog: Catalog) -> None:
    """Compute the pages derived from what a submission or Croissant import changed (the campaign, the previews of
    its series; api/refresh.py), so that a server started next serves them at once (issue 29). Bare DICOM trees
    skip this: their datasets count in the campaign only once a task uses them, and have no previews (no
    de-identified copy), so the harvest stays as fast as it was; a server computes the rest at start-up."""
    # Imported here: the API's modules cost about 0.2 s, which a harvest that needs none of them should not pay.
    from medal_catalog.api.refresh import refresh

    try:
        refresh(catalog, catalog.settings)
    except Exception as err:  # noqa: BLE001 - a cache: the server computes what is missing
        click.echo(f"note: derived pages were not computed now ({err}); the server computes them at start-up", err=True)


#: The name under which a catalog remembers it was told the IDC index is missing (see :func:`first_notice`).
NO_INDEX = "notice:no-idc-index"


def first_notice(catalog: Catalog, name: str) -> bool:
    """True the first time ``name`` is asked of this catalog (kept in its store), False ever after: a hint worth
    saying once per catalog, not on every harvest."""
    made: list[bool] = []
    catalog.secret(name, lambda: made.append(True) or "told")
    return bool(made)


def _index_missing(node) -> bool:
    """Whether some contamination section of a harvest's summaries says the IDC index was missing."""
    if isinstance(node, dict):
        return bool(node.get("public_index_missing")) or any(_index_missing(v) for v in node.values())
    if isinstance(node, list):
        return any(_index_missing(v) for v in node)
    return False


class _Stopped(BaseException):
    """SIGINT or SIGTERM arrived: unwinds the harvest (reader processes stopped, open transactions rolled back)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _stops_cleanly() -> Iterator[None]:
    """Turn Ctrl-C and SIGTERM into :class:`_Stopped`, once: a second signal while unwinding is ignored."""

    def stop(signum: int, frame: object) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        raise _Stopped(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _harvest_idc(
    spec: str, folder: Path | None, list_only: bool, catalog_url: str | None, index_url: str | None, as_json: bool
) -> None:
    from medal_catalog.catalog import Catalog
    from medal_catalog.harvesters import idc
    from medal_catalog.ingestion import ingest_idc

    if list_only:
        ids = idc.collection_ids(idc.locate(folder))
        click.echo(json.dumps(ids, indent=2) if as_json else "\n".join(ids))
        return
    wanted = [c.strip() for c in spec.split(",") if c.strip()] or None
    shown = sys.stderr.isatty() and not as_json

    def progress(collection: str, done: int, size: int) -> None:
        if shown:
            click.echo(f"\r  {collection}: {done}/{size} series", err=True, nl=done >= size)

    with Catalog.open(catalog_url, index_url) as catalog:
        result = ingest_idc(catalog, wanted, index_folder=folder, progress=progress)
    summary = result.summary
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(
            f"IDC index ({summary['index_version']}): {summary['collections']} collections, "
            f"{summary['series']} series in {summary['seconds']:.1f} s ({summary['series_per_second']} "
            f"series/s): {summary['created']} created, {summary['updated']} updated, {summary['deleted']} "
            f"deleted, {summary['unchanged']} unchanged, {summary['invalid']} invalid"
        )
        for item in summary["invalid_entries"][:20]:
            click.echo(f"  invalid {item['key']}: {'; '.join(item['problems'])}")
        if summary["index_pending"]:
            click.echo(f"  {summary['index_pending']} index updates are still owed: run `medal reindex`")
    sys.exit(1 if result.failed else 0)


def _print_croissant(ingested) -> None:
    result, path = ingested.detail, ingested.source
    stored = result.stored
    if not ingested.failed:
        click.echo(
            f"croissant {path}: dataset {result.dataset['id']} {stored.status} "
            f"(version {stored.version}), {len(result.stored_files)} files kept"
            + (f", {len(result.series)} DICOM series harvested" if result.series else "")
        )
        for kept in result.stored_files:
            click.echo(f"  kept {kept.path} ({kept.byte_size} bytes)")
    else:
        click.echo(f"croissant {path}: nothing stored")
    for issue in result.report.sorted_issues():
        if issue.severity.value != "info":
            where = f" {issue.pointer}" if issue.pointer else ""
            click.echo(
                f"  {issue.severity.value}: {issue.code}{where}: {issue.message}"
                + (f" ({issue.hint})" if issue.hint else "")
            )


def _print_submission(ingested) -> None:
    harvest, summary, path = ingested.detail, ingested.summary, ingested.source
    click.echo(
        f"submission {path}: {summary['stored']} of {len(harvest.entries) + len(harvest.left_out)} "
        f"entries stored ({summary['changed']} changed)"
    )
    for left in harvest.left_out:
        click.echo(
            f"  left out {left['type']} {left['id'] or left['pointer']} ({left['file']}): "
            f"{', '.join(left['errors'])}; run `medal validate {path}` for details"
        )
    for ds, counts in summary["dicom"].items():
        click.echo(
            f"  dataset {ds}: {counts['dicom_read']} DICOM files, {counts['series']} series in "
            f"{counts['studies']} studies, {counts['skipped']} other files skipped"
        )
    for ds, kept in summary["files_kept"].items():
        if kept:
            click.echo(f"  dataset {ds}: kept {', '.join(kept)}")
    for item in harvest.not_kept:
        click.echo(f"  dataset {item['dataset']}: not kept {item['path']}: {item['reason']}")
    for ds, section in (summary.get("contamination") or {}).items():
        _print_contamination(ds, section)
    if summary["validation"]["errors"]:
        phi = any(i.code == "dicom.phi" for i in harvest.report.issues)
        errors = summary["validation"]["errors"]
        click.echo(
            f"  {errors} validation error{'s' if errors != 1 else ''}"
            + (" (the values of identifying attributes found in DICOM files are never stored)" if phi else "")
            + f"; run `medal validate {path}` for details"
        )


def _progress_bar():
    """A rich progress bar (files, MB, files/s, ETA) on stderr, and the callback that feeds it."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("harvest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[mb]:.0f}/{task.fields[total_mb]:.0f} MB"),
        TextColumn("{task.fields[rate]:.0f} files/s"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
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


def _print_dicom(ingested) -> None:
    summary = ingested.summary
    click.echo(
        f"dataset {summary['dataset']}: {summary['files_seen']} files seen, {summary['dicom_read']} DICOM read "
        f"({summary['reused_from_cache']} unchanged since the last harvest), {summary['skipped']} skipped"
    )
    click.echo(
        f"  {summary['series']} series in {summary['studies']} studies, {summary['instances']} instances, "
        f"{summary['bytes'] / 1e6:.1f} MB, {summary['seconds']:.2f} s"
    )
    for reason, count in summary["skipped_by_reason"].items():
        click.echo(f"  skipped {count:>5}  {reason}")
    if summary.get("warnings"):
        click.echo(f"  warning {summary['warnings']:>5}  harvested, but the file looks cut short (see below)")
    for problem in summary["problems"][:20]:
        warning = "warning: " if problem.get("kind") == "warning" else ""
        click.echo(f"    {problem['path']}: {warning}{problem['reason']}")
    if len(summary["problems"]) > 20:
        click.echo(f"    ... {len(summary['problems']) - 20} more in harvest-report.json")
    findings = summary["phi_findings_by_attribute"]
    click.echo(
        f"  identifying attributes (PS3.15 Annex E) in {summary['files_with_phi_findings']} files; "
        f"series status {summary['series_status'] or {}}"
    )
    for finding in findings:
        click.echo(
            f"    {finding['attribute']:<40} {finding['tag'] or '':<12} {finding['files']:>6} files "
            f"{finding['series']:>4} series"
        )
    _print_contamination(summary["dataset"], summary.get("contamination") or {})
    for issue in (summary.get("contamination") or {}).get("issues") or []:
        click.echo(f"  {issue['severity']}: {issue['code']}: {issue['message']}")
    for path in summary["outputs"]:
        click.echo(f"  wrote {path}")


def _print_contamination(name: str, section: dict) -> None:
    """One or two lines: what the public-archive and duplicate checks found for a dataset (or a task)."""
    if "split_leaks" in section:
        for leak in section["split_leaks"]:
            click.echo(
                f"  {name}: {leak['test_split']} split shares {leak['shared_images']} images with "
                f"{leak['training_split']} split"
            )
        return
    if not section:
        return
    index = section.get("public_index")
    checked = f"IDC index {index['version']}" if index else "no IDC index"  # the install hint: once, at the end
    pixels = section.get("pixel_hashes") or {}
    hashed = f"{pixels.get('instances_hashed', 0)} images hashed" if pixels.get("enabled") else "pixels not hashed"
    click.echo(
        f"  contamination of {name}: {section.get('public_series', 0)} series and "
        f"{section.get('public_studies', 0)} studies public ({checked}); {hashed}; shares images with "
        f"{len(section.get('duplicates') or [])} other datasets"
    )


PRINTERS = {"croissant": _print_croissant, "submission": _print_submission, "dicom": _print_dicom}
