"""`medal search`: full-text search with filters, ranges and facet counts, as a table or JSON."""

from __future__ import annotations

import json

import click

from medal_catalog.cli.options import catalog_option, index_option, reports_errors
from medal_catalog.search.fields import DEFAULT_FACETS, FACET_FIELDS, RANGE_FIELDS, SORT_FIELDS

_FILTER_OPTIONS = {name: f"--{name.replace('_', '-')}" for name in FACET_FIELDS}


def _filter_options(func):
    for name, flag in reversed(_FILTER_OPTIONS.items()):
        func = click.option(flag, name, multiple=True, metavar="VALUE",
                            help=f"Keep entries whose {name.replace('_', ' ')} is VALUE (repeatable).")(func)
    return func


def _parse_range(text: str) -> tuple[str, tuple[str | None, str | None]]:
    name, sep, bounds = text.partition("=")
    lo, dots, hi = bounds.partition("..")
    if not sep or not dots:
        raise click.BadParameter(f"{text!r}: write FIELD=LOW..HIGH (either side may be empty), e.g. "
                                 "subject_count=100.. or created=2020-01-01..2022-12-31")
    return name.strip().replace("-", "_"), (lo.strip() or None, hi.strip() or None)


@click.command("search")
@click.argument("query", required=False, default="")
@_filter_options
@click.option("--range", "ranges", multiple=True, metavar="FIELD=LOW..HIGH",
              help=f"Inclusive range on {', '.join(RANGE_FIELDS)} (dates as yyyy-mm-dd).")
@click.option("--facet", "facets", multiple=True, metavar="FIELD",
              help=f"Count values of FIELD among the matches [default: {', '.join(DEFAULT_FACETS)}].")
@click.option("--sort", default="relevance", show_default=True,
              help=f"relevance, or {', '.join(SORT_FIELDS)}; a leading - sorts descending.")
@click.option("--page", default=1, show_default=True, type=int)
@click.option("--size", default=10, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@catalog_option
@index_option
@reports_errors("search")
def search(query: str, ranges: tuple[str, ...], facets: tuple[str, ...], sort: str, page: int, size: int,
           as_json: bool, catalog_url: str | None, index_url: str | None, **filters: tuple[str, ...]) -> None:
    """Search catalog entries. QUERY: words (all must occur), "a phrase", OR, NOT, (groups), prefix*.

    \b
    Examples:
      medal search glioma --modality MR
      medal search "lung nodule" --type BenchmarkTask --json
      medal search --body-part BRAIN --range field_strength=3.. --facet manufacturer
    """
    from medal_catalog.catalog import Catalog

    parsed_ranges = dict(_parse_range(r) for r in ranges)
    with Catalog.open(catalog_url, index_url) as catalog:
        result = catalog.search(query, filters={k: v for k, v in filters.items() if v},
                                facets=facets or DEFAULT_FACETS, ranges=parsed_ranges, sort=sort, page=page,
                                size=size)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_table(result)


def _print_table(result) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    first = (result.page - 1) * result.size
    shown = f"{first + 1}-{first + len(result.hits)} of " if result.hits else ""
    table = Table(title=f"{shown}{result.total} matching entries", title_justify="left", show_lines=False)
    for column in ("#", "type", "id", "title", "modality", "matched"):
        table.add_column(column, overflow="fold")
    for n, hit in enumerate(result.hits, first + 1):
        matched = "; ".join(f"{field}: {texts[0]}" for field, texts in hit.highlights.items())
        matched = matched.replace("<em>", "[bold]").replace("</em>", "[/bold]")
        table.add_row(str(n), hit.type, hit.id, hit.label, ", ".join(hit.document.get("modality", [])),
                      matched[:160])
    console.print(table)
    for name, counts in result.facets.items():
        if counts:
            console.print(f"[dim]{name}:[/dim] " + ", ".join(f"{value} ({count})" for value, count in counts[:12]))
