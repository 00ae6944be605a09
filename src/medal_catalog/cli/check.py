"""`medal check`: verify the store against its own invariants and the search index against the store."""

from __future__ import annotations

import json
import sys

import click

from medal_catalog.cli.options import catalog_option, index_option, reports_errors


@click.command("check")
@click.option(
    "--repair",
    is_flag=True,
    help="Bring the search index in step with the store (queued updates, then a rebuild if needed). "
    "The store itself is never changed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@catalog_option
@index_option
@reports_errors("check")
def check(repair: bool, as_json: bool, catalog_url: str | None, index_url: str | None) -> None:
    """Check the catalog: series counts of each dataset against the series the store holds, references between
    entries, kept files against their sha256, and the search index against the store.

    Run it after a crash or a killed harvest. Index problems are repaired with --repair; store problems are
    reported with what to do (usually: run the same harvest again).

    Exit status: 0 clean (after the repair, with --repair); 1 problems remain; 2 usage error.
    """
    # Imported here, not at the top: `medal check --help` would pay about 270 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
    from medal_catalog.catalog import Catalog
    from medal_catalog.integrity import check as run_check

    with Catalog.open(catalog_url, index_url) as catalog:
        report = run_check(catalog, repair=repair)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items()) or "no entries"
        click.echo(f"{report.catalog}: {counts}; {len(report.problems)} problem(s) in {report.seconds:.2f} s")
        for problem in report.problems:
            where = f" {problem.key}" if problem.key else ""
            click.echo(f"  {problem.code}{where}: {problem.message}")
            if problem.hint:
                click.echo(f"      {problem.hint}")
        for note in report.notes:
            click.echo(f"  note: {note}")
        for done in report.repaired:
            click.echo(f"  repaired: {done}")
        if repair:
            click.echo(f"  {len(report.remaining)} problem(s) remain" if report.remaining else "  clean now")
    sys.exit(0 if report.ok else 1)
