"""`medal init`: start a submission from an annotated template written from the schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from medal_catalog.cli.options import reports_errors


@click.command()
@click.argument("kind", type=click.Choice(["submission", "task", "dataset"]), default="submission")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("my-submission"))
@click.option("--json", "as_json", is_flag=True, help="Print the files written as JSON.")
@reports_errors("init")
def init(kind: str, folder: Path, as_json: bool) -> None:
    """Write an annotated template of a KIND (a submission: a task and its dataset, with a dicom/ folder for the
    images) into FOLDER (default ./my-submission), ready to fill in.

    Every required slot is there with a comment saying what it means and which values it takes; the slots MEDAL
    recommends are marked; the optional ones are listed at the end. Values still to write say FILL IN, and
    `medal validate FOLDER` warns about each one left, so a fresh template validates with warnings only.
    Existing files are never overwritten.
    """
    from medal_catalog.templates import write

    written = write(kind, folder)
    if as_json:
        click.echo(json.dumps({"kind": kind, "files": [str(p) for p in written]}, indent=2))
        return
    for path in written:
        click.echo(f"wrote {path}")
    if kind in ("submission", "dataset"):
        click.echo(f"put the DICOM files in {folder / 'dicom'}/ (or list where they are in the dataset's distribution)")
    click.echo(f"next: replace every 'FILL IN', then run `medal validate {folder}`")
