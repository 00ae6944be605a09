"""`medal deidentify IN OUT`: de-identify DICOM on the contributor's own machine (dicom/local.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from medal_catalog.cli.options import reports_errors

#: Short flags for the CID 7050 options a contributor may choose (dicom.deidentify.LOCAL_OPTIONS).
_FLAGS = {
    "keep_dates": "retain_longitudinal_modified_dates",
    "keep_characteristics": "retain_patient_characteristics",
    "keep_device": "retain_device_identity",
    "clean_descriptors": "clean_descriptors",
    "keep_safe_private": "retain_safe_private",
}


def _mask(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    masks = []
    for value in values:
        try:
            x, y, w, h = (int(v) for v in value.split(","))
        except ValueError:
            raise click.BadParameter(f"{value!r}: give X,Y,WIDTH,HEIGHT in pixels, e.g. 0,0,512,40") from None
        if min(x, y) < 0 or min(w, h) <= 0:
            raise click.BadParameter(f"{value!r}: X and Y must be 0 or more, WIDTH and HEIGHT more than 0")
        masks.append((x, y, w, h))
    return tuple(masks)


@click.command()
@click.argument("source", metavar="IN", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("target", metavar="OUT", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--keep-dates",
    is_flag=True,
    help="Retain Longitudinal Temporal Information with Modified Dates: shift every date of a patient by "
    "one keyed offset (intervals kept) instead of emptying dates.",
)
@click.option(
    "--keep-characteristics",
    is_flag=True,
    help="Retain Patient Characteristics: keep sex, age, size, weight and the like.",
)
@click.option(
    "--keep-device",
    is_flag=True,
    help="Retain Device Identity: keep device attributes (never DeviceSerialNumber or StationName, which "
    "the catalog refuses). The catalog's served copy does not apply this option.",
)
@click.option(
    "--clean-descriptors",
    is_flag=True,
    help="Clean Descriptors: keep series and study descriptions the audit finds no identifier in.",
)
@click.option(
    "--keep-safe-private",
    is_flag=True,
    help="Retain Safe Private: keep the numeric private attributes of the documented safe list "
    "(b-values, diffusion directions, scaling); every other private tag is removed.",
)
@click.option(
    "--mask",
    "masks",
    multiple=True,
    callback=_mask,
    metavar="X,Y,WIDTH,HEIGHT",
    help="Clean Pixel Data: blank this region in files whose header declares burned-in annotation (or "
    "whose modality burns text in without saying NO). Repeatable. Uncompressed transfer syntaxes "
    "only (Implicit/Explicit VR Little Endian); without --mask such files are left out.",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option(
    "--linkage",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the secret key and the linkage file (original <-> new UIDs, patients, files); never "
    "inside OUT. [default: ~/.local/share/medal/linkage/<OUT name>-<digest>]",
)
@click.option(
    "--table",
    "tables",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV/TSV label table whose UID cells are replaced as in the files (written into OUT under its "
    "own name). Repeatable.",
)
@click.option(
    "--dataset",
    "dataset_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The dataset file (dataset.yaml) whose `deidentification:` block to write.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@reports_errors("deidentify")
def deidentify(
    source: Path,
    target: Path,
    keep_dates: bool,
    keep_characteristics: bool,
    keep_device: bool,
    clean_descriptors: bool,
    keep_safe_private: bool,
    masks: tuple[tuple[int, int, int, int], ...],
    workers: int,
    linkage: Path | None,
    tables: tuple[Path, ...],
    dataset_file: Path | None,
    as_json: bool,
) -> None:
    """De-identify the DICOM files under IN into OUT with the PS3.15 Annex E Basic Profile and the options you
    choose, by the same rules as the catalog's own copy, then audit each file again: files that cannot be made
    clean are left out and listed with the reason, never half-written.

    UIDs are replaced by keyed ones (the same UID gives the same new UID in every file and label table), so
    series, studies and references still join. The key and a linkage file that re-identifies your own results
    stay in the linkage folder, outside OUT: never send it. Run the same command again to continue an
    interrupted run. OUT is laid out study-*/MODALITY-number-*/number-*.dcm.

    \b
    Example, into a submission made with `medal init submission my-submission`:
      medal deidentify pacs-export my-submission/dicom --keep-dates --keep-characteristics \\
          --clean-descriptors --dataset my-submission/dataset.yaml --workers 2
      medal validate my-submission
    """
    # Imported here, not at the top: `medal deidentify --help` would pay about 130 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
    from medal_catalog.dicom.local import LocalOptions, write_block
    from medal_catalog.dicom.local import deidentify as run

    flags = {
        "keep_dates": keep_dates,
        "keep_characteristics": keep_characteristics,
        "keep_device": keep_device,
        "clean_descriptors": clean_descriptors,
        "keep_safe_private": keep_safe_private,
    }
    chosen = tuple(option for flag, option in _FLAGS.items() if flags[flag])
    if masks:
        chosen += ("clean_pixel_data",)
    options = LocalOptions(options=chosen, masks=masks, workers=workers, linkage=linkage, tables=tables)
    bar = _progress_bar() if sys.stderr.isatty() and not as_json else None
    try:
        summary = run(source, target, options, progress=bar[1] if bar else None)
    finally:
        if bar:
            bar[0].stop()
    if dataset_file:
        write_block(dataset_file, summary.block)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    result = summary.to_dict()
    click.echo(
        f"wrote {summary.written} de-identified files into {target}"
        + (f" ({summary.already_done} done by an earlier run)" if summary.already_done else "")
        + (f", {result['files_per_second']} files/s" if result["files_per_second"] else "")
    )
    if summary.not_dicom:
        count = f"{summary.not_dicom} file is" if summary.not_dicom == 1 else f"{summary.not_dicom} files are"
        click.echo(f"{count} not DICOM: not copied (send only what you have checked)")
    for item in summary.left_out:
        click.echo(f"left out {item['file']}: {item['reason']}")
    for table in summary.tables:
        click.echo(f"wrote {table} (UIDs replaced as in the files)")
    click.echo(f"linkage (key and re-identification; keep it, never send it): {summary.linkage}")
    if dataset_file:
        click.echo(f"wrote the `deidentification:` block into {dataset_file}")
    else:
        from medal_catalog.dicom.local import block_yaml

        click.echo("for the dataset file (or pass --dataset FILE):\n" + block_yaml(summary.block).rstrip())
    click.echo(f"next: `medal validate {target.parent if dataset_file else target}`")


def _progress_bar():
    """A rich progress bar (files, files/s, ETA) on stderr, and the callback that feeds it."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("deidentify"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("files", total=None)
    bar.start()

    def update(done: int, total: int, _bytes: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update
