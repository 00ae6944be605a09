"""`medal check-public`: is a folder's imaging data already public? For a contributor, before submitting."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from medal_catalog.cli.options import reports_errors


@click.command("check-public")
@click.argument("path", type=click.Path(exists=True, path_type=Path), required=False)
@click.option(
    "--prepare",
    is_flag=True,
    help="Build the lookup of the installed IDC index now (once per index version: a few seconds and "
    "about 650 MB), so that no harvest or check pays for it; then exit. Run it after installing "
    "or upgrading the public-index extra.",
)
@click.option(
    "--unpublished",
    is_flag=True,
    help="Treat the data as declared unpublished (a bare DICOM folder declares nothing): a public match "
    "is then an error.",
)
@click.option(
    "--no-pixel-hash",
    is_flag=True,
    help="Do not read pixel data (no duplicate check between the folder's datasets; UIDs only).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the sections and issues as JSON.")
@reports_errors("check-public")
def check_public(path: Path | None, prepare: bool, unpublished: bool, no_pixel_hash: bool, as_json: bool) -> None:
    """Check a submission folder (or a bare DICOM folder) against public archives, offline.

    Every DICOM file's original StudyInstanceUID and SeriesInstanceUID are looked up in the NCI Imaging Data
    Commons index (about a million public series from TCIA and other collections; the optional extra
    `pip install 'medal-catalog[public-index]'`), and checked for UID roots that public archives give the files
    they publish (TCIA's 1.3.6.1.4.1.14519.5.2.1, ...) and de-identification method texts naming a public
    archive's pipeline (TCIA's CTP recipe, ...). The datasets of the folder are compared by pixel digest: a
    hidden-test dataset sharing an image with another is an error. UIDs are looked up and forgotten: nothing
    is written anywhere.

    \b
    Exit codes: 0 nothing blocks the submission (warnings allowed), 1 a dataset declared unpublished is already
                public, or a hidden-test dataset shares images; 2 usage error; 3 the IDC index is not installed.
    """
    if prepare:
        _prepare(as_json)
        if path is None:
            return
    if path is None:
        raise click.UsageError("give the PATH to check (or --prepare alone to build the index lookup)")
    from medal_catalog.report import Severity
    from medal_catalog.contamination.folder import check_public as run

    from medal_catalog.config import get_settings

    sections, issues = run(path, unpublished=unpublished, pixel_hash=not no_pixel_hash, settings=get_settings())
    errors = [i for i in issues if i.severity is Severity.ERROR]
    if as_json:
        click.echo(
            json.dumps({"ok": not errors, "datasets": sections, "issues": [i.to_dict() for i in issues]}, indent=2)
        )
        sys.exit(1 if errors else 0)
    if not sections:
        click.echo(f"{path}: no DICOM files found")
    for dataset_id, section in sections.items():
        index = section.get("public_index") or {}
        click.echo(
            f"dataset {dataset_id}: {section['pixel_hashes']['files']} DICOM files, "
            f"{section['series_checked']} series in {section['studies_checked']} studies checked against "
            f"IDC index {index.get('version')} (IDC release {index.get('idc_version')}, "
            f"{index.get('series', 0):,} public series)"
        )
        click.echo(f"  public: {section['public_series']} series, {section['public_studies']} studies")
        for item in section["collections"]:
            click.echo(
                f"    IDC collection {item['collection']}: {item['series']} series, {item['studies']} studies"
                + (f", DOI {item['doi']}" if item.get("doi") else "")
                + (f", licence {item['license']}" if item.get("license") else "")
            )
        for item in section["public_uid_roots"]:
            click.echo(f"  {item['series']} series under {item['root']} ({item['archive']})")
        for item in section["public_pipelines"]:
            click.echo(f"  {item['files']} files de-identified by the pipeline of {item['archive']}")
        for item in section.get("duplicates") or []:
            click.echo(
                f"  shares {item['shared_images']} images with dataset {item['other']}"
                + (" (hidden-test leak)" if item["leak"] else "")
            )
    for issue in issues:
        click.echo(
            f"{issue.severity.value}: {issue.code}: {issue.message}" + (f"\n  hint: {issue.hint}" if issue.hint else "")
        )
    verdict = "already public or leaking: do not submit as is" if errors else "nothing blocks the submission"
    click.echo(f"{len(errors)} errors, {sum(i.severity is Severity.WARNING for i in issues)} warnings: {verdict}")
    sys.exit(1 if errors else 0)


def _prepare(as_json: bool) -> None:
    """Build (or find) the lookup of the installed IDC index, and say where it is and what it cost."""
    from medal_catalog.config import get_settings
    from medal_catalog.contamination.index import index_cache, load_index

    cache_dir = index_cache(get_settings())
    index = load_index(cache_dir)  # raises MissingExtraError (exit 3, naming the extra) when it is not installed
    facts = {
        **index.describe(),
        "built": index.built,
        "seconds": round(index.seconds, 2),
        "cache_dir": str(cache_dir),
        "bytes": index.nbytes,
    }
    if as_json:
        click.echo(json.dumps(facts, indent=2))
        return
    what = "built" if index.built else "already built"
    click.echo(
        f"IDC index {facts['version']} (IDC release {facts['idc_version']}): lookup of {facts['series']:,} "
        f"series and {facts['studies']:,} studies {what} in {facts['seconds']:.1f} s, cached in "
        f"{facts['cache_dir']}"
    )
