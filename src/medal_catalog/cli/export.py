"""`medal export`: write a catalog entry in another format (Croissant 1.1 for datasets and tasks)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from medal_catalog.cli.options import catalog_option, reports_errors
from medal_catalog.errors import UsageError


@click.command("export")
@click.argument("entry_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["croissant", "datacite", "datacite-xml"]),
    default="croissant",
    show_default=True,
    help="Export format: Croissant 1.1, or DataCite 4.6 metadata as JSON or XML.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for <ID>.croissant.json and the files it points at.",
)
@click.option(
    "--base-url",
    default="https://medal.example.org",
    show_default=True,
    help="Base of the catalog's resolvable identifiers (used as @id and url).",
)
@click.option(
    "--pid-base",
    default=None,
    help="Resolver base of the entries' persistent identifiers "
    "(default: MEDAL_PID_BASE; empty: the catalog's own /id/ URLs). An entry's DOI always wins.",
)
@catalog_option
@reports_errors("export")
def export(
    entry_id: str, fmt: str, out_dir: Path, base_url: str, pid_base: str | None, catalog_url: str | None
) -> None:
    """Export the ImagingDataset or BenchmarkTask ENTRY_ID as Croissant 1.1 with RAI, or as DataCite metadata.

    DataCite (<ID>.datacite.json or <ID>.datacite.xml, schema 4.6) is written as the expert panel sees the entry:
    never a data location of a dataset that is not open, and only the reduced view of a hidden-test dataset.

    A dataset comes with its series manifest (<ID>.series.jsonl):
    `mlcroissant.Dataset(jsonld="<ID>.croissant.json").records("series")` yields one record per harvested series,
    with its typed, de-identified header fields. An open dataset whose DICOM the catalog keeps also gets its DICOM
    archive and an `images` record set (file paths, series, modality). A task comes with its record sets
    `splits`, `cases` (<ID>.cases.csv) and `labels` (<ID>.labels.csv, never a hidden split's labels) when the
    catalog keeps its label table.
    """
    from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE
    from medal_catalog.exports.croissant import export_dataset, export_task
    from medal_catalog.catalog import Catalog

    if fmt != "croissant":
        _export_datacite(entry_id, fmt, out_dir, base_url, pid_base, catalog_url)
        return
    files: dict[str, bytes] = {}
    with Catalog.open(catalog_url) as catalog:
        if catalog.get("ImagingDataset", entry_id) is not None:
            archive = catalog.get_file("ImagingDataset", entry_id, DICOM_ARCHIVE)
            # The archive's name carries its digest: mlcroissant keeps an archive's extraction under its
            # contentUrl and would otherwise reuse an older one.
            prefix = f"{entry_id}.{archive.sha256[:12]}." if archive else None
            doc, manifest = export_dataset(catalog, entry_id, base_url, files_url=prefix)
            files[f"{entry_id}.series.jsonl"] = manifest
            if archive is not None:
                files[f"{prefix}{DICOM_ARCHIVE}"] = archive.data
            what = f"{_lines(manifest)} series" + (f", DICOM archive of {archive.byte_size} bytes" if archive else "")
        elif catalog.get("BenchmarkTask", entry_id) is not None:
            try:
                doc, cases = export_task(catalog, entry_id, base_url, files_url=f"{entry_id}.")
            except ValueError as err:
                raise UsageError(f"the label table of task {entry_id!r} does not match its declaration: {err}")
            if cases is not None:
                files.update({f"{entry_id}.cases.csv": cases.cases, f"{entry_id}.labels.csv": cases.labels})
            what = (
                f"{_lines(cases.cases) - 1} cases, {_lines(cases.labels) - 1} with published labels"
                if cases
                else "no label table kept"
            )
        else:
            raise UsageError(f"no ImagingDataset or BenchmarkTask {entry_id!r} in the catalog")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
    target = out_dir / f"{entry_id}.croissant.json"
    target.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"wrote {target} and {', '.join(files)} ({what})")


def _export_datacite(
    entry_id: str, fmt: str, out_dir: Path, base_url: str, pid_base: str | None, catalog_url: str | None
) -> None:
    from medal_catalog.api.access import Caller
    from medal_catalog.api.pages.landing import Landing
    from medal_catalog.catalog import Catalog
    from medal_catalog.config import get_settings
    from medal_catalog.exports.datacite import to_xml

    pid_base = get_settings().pid_base if pid_base is None else pid_base
    with Catalog.open(catalog_url) as catalog:
        path = next(
            (
                p
                for p, kind in (("datasets", "ImagingDataset"), ("tasks", "BenchmarkTask"))
                if catalog.get(kind, entry_id) is not None
            ),
            None,
        )
        if path is None:
            raise UsageError(f"no ImagingDataset or BenchmarkTask {entry_id!r} in the catalog")
        # The panel's view: what the catalog may show beyond its owner and admins.
        landing = Landing(
            None,
            catalog,
            Caller(role="reviewer"),
            path,
            entry_id,
            base=base_url.rstrip("/"),
            pid_base=pid_base,
            settings=get_settings(),
        )
        record = landing.datacite()
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "datacite":
        target = out_dir / f"{entry_id}.datacite.json"
        target.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        target = out_dir / f"{entry_id}.datacite.xml"
        target.write_bytes(to_xml(record))
    click.echo(f"wrote {target} (DataCite 4.6, identifier {record['id']})")


def _lines(data: bytes) -> int:
    return data.count(b"\n")
