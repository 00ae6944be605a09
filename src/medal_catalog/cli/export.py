"""`medal export`: write a catalog entry in another format (Croissant 1.1 for datasets)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from medal_catalog.cli.options import catalog_option, reports_errors
from medal_catalog.errors import UsageError


@click.command("export")
@click.argument("dataset_id")
@click.option("--format", "fmt", type=click.Choice(["croissant"]), default="croissant", show_default=True,
              help="Export format.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for <ID>.croissant.json and <ID>.series.jsonl.")
@click.option("--base-url", default="https://medal.example.org", show_default=True,
              help="Base of the catalog's resolvable identifiers (used as @id and url).")
@catalog_option
@reports_errors("export")
def export(dataset_id: str, fmt: str, out_dir: Path, base_url: str, catalog_url: str | None) -> None:
    """Export the ImagingDataset DATASET_ID as Croissant 1.1 with RAI, plus its series manifest.

    `mlcroissant.Dataset(jsonld="<ID>.croissant.json").records("series")` then yields one record per harvested
    series, with its typed, de-identified header fields. The export carries no data locations.
    """
    from medal_catalog.exports.croissant import export_dataset
    from medal_catalog.store import Catalog

    with Catalog.open(catalog_url) as catalog:
        try:
            doc, manifest = export_dataset(catalog, dataset_id, base_url)
        except KeyError:
            raise UsageError(f"no ImagingDataset {dataset_id!r} in the catalog") from None
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{dataset_id}.series.jsonl").write_bytes(manifest)
    target = out_dir / f"{dataset_id}.croissant.json"
    target.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    count = manifest.count(b"\n")
    click.echo(f"wrote {target} and {dataset_id}.series.jsonl ({count} series)")
