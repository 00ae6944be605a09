"""`medal validate`: check submissions offline and print the report."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

import click


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (shape: docs/contributors.md).")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors (with their hints) and the summary line.")
@click.option("--verbose", "-v", is_flag=True, help="Also print infos (FAIR suggestions, unresolved references).")
@click.option(
    "--details", is_flag=True, help="Print each DICOM file's findings under the file, instead of grouped per attribute."
)
@click.option(
    "--no-pixel-hash",
    is_flag=True,
    help="Do not hash pixel data (no duplicate-image check between the datasets of a folder; "
    "MEDAL_PIXEL_HASH=false for every run).",
)
def validate(
    paths: tuple[Path, ...], as_json: bool, strict: bool, quiet: bool, verbose: bool, details: bool, no_pixel_hash: bool
) -> None:
    """Validate submission folders, metadata files (YAML/JSON) and Croissant files, offline.

    Checks every entry against the MEDAL schema, the MEDAL policy rules (consent, licence, splits, counts,
    identifiers, dates), FAIR completeness, declared files (size, sha256), Croissant files with mlcroissant,
    and DICOM files with the identifying-attribute audit. Each folder's datasets are checked for contamination:
    original UIDs against the public IDC index (with `pip install 'medal-catalog[public-index]'`; an error
    for a dataset declared unpublished), public UID roots and pipeline names, and images shared between the
    folder's datasets by pixel digest (the report's `contamination` section).

    \b
    Exit codes: 0 no errors (warnings allowed), 1 errors (or warnings with --strict),
                2 usage error or a path that does not exist or cannot be read.
    """
    import gc

    from medal_catalog.validators.submission import validate_paths

    # A short-lived process that builds a million acyclic objects (parsed records): the cycle collector would only
    # rescan them, again and again, for nothing (a third of the run on a large catalog).
    gc.disable()
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        click.echo(f"medal validate: {path}: no such file or folder", err=True)
    if missing:
        sys.exit(2)
    unreadable = [p for p in paths if not _readable(p)]
    for path in unreadable:
        click.echo(f"medal validate: {path}: permission denied", err=True)
    if unreadable:
        sys.exit(2)
    settings = None  # settings come from the environment only: none set, the defaults hold (and pydantic-settings,
    if any(name.upper().startswith("MEDAL_") for name in os.environ):  # a third of the start-up, is not loaded)
        from medal_catalog.config import get_settings

        settings = get_settings()
    report = validate_paths(
        paths,
        progress=_progress() if not as_json and sys.stderr.isatty() else None,
        pixel_hash=False if no_pixel_hash else None,
        settings=settings,
    )
    if as_json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        _print_human(report, quiet, verbose, details)
    _exit(report.exit_code(strict))


def _exit(code: int) -> None:
    """Exit with ``code`` as soon as the output is out.

    The interpreter would otherwise free every parsed entry and report object one by one before leaving, which on a
    large catalog takes longer than writing the report. (Under a test runner, whose streams replace ours: sys.exit.)
    """
    if sys.stdout is not sys.__stdout__ or sys.stderr is not sys.__stderr__:
        sys.exit(code)
    import atexit
    import os

    atexit._run_exitfuncs()  # what an ordinary exit would still do: stop the progress display, flush logs
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`medal validate --json | head`): nothing more can be said
        pass
    os._exit(code)


def _readable(path: Path) -> bool:
    try:
        if path.is_dir():
            next(iter(path.iterdir()), None)
        else:
            with path.open("rb"):
                pass
        return True
    except OSError:
        return False


def _progress():
    from rich.console import Console

    console = Console(stderr=True)
    status = console.status("validating…")
    status.start()
    count = 0

    def tick(path: str) -> None:
        nonlocal count
        count += 1
        status.update(f"validating… {count} files  [dim]{path[-60:]}[/dim]")
        if count == 1:
            import atexit

            atexit.register(status.stop)

    return tick


_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


#: Files named in a grouped finding before "and N more".
_EXAMPLES = 3


def _print_human(report, quiet: bool, verbose: bool, details: bool = False) -> None:
    """Issues per file; DICOM findings (those with a tag) grouped per attribute across files unless ``details``:
    a real series yields the same findings in every one of its files, and a reader needs each attribute once."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    by_file = defaultdict(list)
    grouped: dict[tuple, list] = defaultdict(list)
    for issue in report.sorted_issues():
        if (quiet and issue.severity.value != "error") or (issue.severity.value == "info" and not verbose):
            continue
        if issue.tag and not details:
            grouped[(issue.severity.value, issue.code, issue.message, issue.hint)].append(issue)
        else:
            by_file[issue.file].append(issue)
    for file, issues in by_file.items():
        console.print(f"[bold]{file}[/bold]")
        for issue in issues:
            where = issue.pointer or ""
            if issue.tag:
                where = f"{where} {issue.tag}".strip()
            if issue.line:
                where = (
                    f"line {issue.line}" + (f":{issue.column}" if issue.column else "") + (f" {where}" if where else "")
                )
            sev = issue.severity.value
            console.print(f"  [{_STYLE[sev]}]{sev:<7}[/] {issue.code:<34} {where}")
            console.print(f"          {issue.message}", markup=False)
            if issue.hint:
                console.print(f"          hint: {issue.hint}", style="dim", markup=False)
    if grouped:
        console.print("[bold]DICOM files, per attribute[/bold] (`--details` lists every file; values are never shown)")
    # Attributes found in the same files are told together: one block per set of files, one line per attribute.
    blocks: dict[tuple, list] = defaultdict(list)
    for (sev, code, message, hint), issues in grouped.items():
        files = tuple(dict.fromkeys(i.file for i in issues))
        tags = list(dict.fromkeys(i.tag for i in issues))
        blocks[(sev, code, hint, files)].append((tags, message))
    for (sev, code, hint, files), found in sorted(blocks.items(), key=lambda kv: (-len(kv[0][3]), kv[0][:2])):
        folders = {f.rsplit("/", 1)[0] for f in files}
        more = f" and {len(files) - 1} more" if len(files) > 1 else ""
        console.print(
            f"  [{_STYLE[sev]}]{sev:<7}[/] {code} in {len(files)} file{'s' if len(files) != 1 else ''} of "
            f"{len(folders)} folder{'s' if len(folders) != 1 else ''} ({files[0]}{more}):",
            markup=True,
        )
        for tags, message in sorted(found, key=lambda item: item[0]):
            shown = ", ".join(tags[:_EXAMPLES]) + (f" +{len(tags) - _EXAMPLES}" if len(tags) > _EXAMPLES else "")
            console.print(f"          {shown:<14} {message}", markup=False)
        if hint:
            console.print(f"          hint: {hint}", style="dim", markup=False)
    summary = report.to_dict()["summary"]
    fair = [e.fair["overall"] for e in report.entries if e.fair]
    fair_text = f", mean FAIR score {sum(fair) / len(fair):.2f}" if fair else ""
    verdict = "[bold green]valid[/]" if report.ok else "[bold red]invalid[/]"
    console.print(
        f"{verdict}: {summary['files']} files, {summary['entries']} entries, "
        f"{summary['errors']} errors, {summary['warnings']} warnings, {summary['infos']} infos{fair_text}"
    )
