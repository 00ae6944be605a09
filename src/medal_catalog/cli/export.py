"""`medal export`: write a catalog entry in another format (Croissant 1.1 for datasets and tasks)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from medal_catalog.cli.options import catalog_option, reports_errors
from medal_catalog.errors import UsageError


@click.command("export")
@click.argument("entry_id")
@click.option("--format", "fmt", type=click.Choice(["croissant"]), default="croissant", show_default=True,
              help="Export format.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for <ID>.croissant.json and the files it points at.")
@click.option("--base-url", default="https://medal.example.org", show_default=True,
              help="Base of the catalog's resolvable identifiers (used as @id and url).")
@catalog_option
@reports_errors("export")
def export(entry_id: str, fmt: str, out_dir: Path, base_url: str, catalog_url: str | None) -> None:
    """Export the ImagingDataset or BenchmarkTask ENTRY_ID as Croissant 1.1 with RAI.

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
            what = (f"{_lines(cases.cases) - 1} cases, {_lines(cases.labels) - 1} with published labels"
                    if cases else "no label table kept")
        else:
            raise UsageError(f"no ImagingDataset or BenchmarkTask {entry_id!r} in the catalog")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
    target = out_dir / f"{entry_id}.croissant.json"
    target.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"wrote {target} and {', '.join(files)} ({what})")


def _lines(data: bytes) -> int:
    return data.count(b"\n")
