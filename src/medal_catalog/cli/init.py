"""`medal init`: start a submission from an annotated template written from the schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from medal_catalog.cli.options import reports_errors


@click.command()
@click.argument("kind", type=click.Choice(["submission", "task", "dataset"]), default="submission")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("my-submission"))
@click.option(
    "--from-dicom",
    "from_dicom",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="De-identify the DICOM under this folder into FOLDER/dicom (`medal deidentify` with the Basic "
    "Profile and modified dates) and fill the dataset's `deidentification:` block.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the files written as JSON.")
@reports_errors("init")
def init(kind: str, folder: Path, from_dicom: Path | None, as_json: bool) -> None:
    """Write an annotated template of a KIND (a submission: a task and its dataset, with a dicom/ folder for the
    images) into FOLDER (default ./my-submission), ready to fill in.

    Every required slot is there with a comment saying what it means and which values it takes; the slots MEDAL
    recommends are marked; the optional ones are listed at the end. Values still to write say FILL IN, and
    `medal validate FOLDER` warns about each one left, so a fresh template validates with warnings only.
    Existing files are never overwritten.
    """
    # Imported here, not at the top: `medal init --help` would pay about 140 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
    from medal_catalog.templates import write

    if from_dicom and kind == "task":
        from medal_catalog.errors import UsageError

        raise UsageError("--from-dicom needs a dataset: use `medal init submission` or `medal init dataset`")
    written = write(kind, folder)
    summary = None
    if from_dicom:
        from medal_catalog.dicom.local import LocalOptions, deidentify, write_block

        summary = deidentify(
            from_dicom, folder / "dicom", LocalOptions(options=("retain_longitudinal_modified_dates",))
        )
        write_block(folder / "dataset.yaml", summary.block)
    if as_json:
        out = {"kind": kind, "files": [str(p) for p in written]}
        if summary is not None:
            out["deidentify"] = summary.to_dict()
        click.echo(json.dumps(out, indent=2))
        return
    for path in written:
        click.echo(f"wrote {path}")
    if summary is not None:
        click.echo(
            f"de-identified {summary.written} DICOM files into {folder / 'dicom'}/ "
            f"({len(summary.left_out)} left out, {summary.not_dicom} not DICOM); linkage, never to send: "
            f"{summary.linkage}"
        )
        for item in summary.left_out:
            click.echo(f"left out {item['file']}: {item['reason']}")
    elif kind in ("submission", "dataset"):
        click.echo(f"put the DICOM files in {folder / 'dicom'}/ (or list where they are in the dataset's distribution)")
    click.echo(f"next: replace every 'FILL IN', then run `medal validate {folder}`")
