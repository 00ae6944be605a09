"""`medal search`: full-text search with filters, ranges and facet counts, as a table or JSON."""

from __future__ import annotations

import json

import click

from medal_catalog.cli.options import catalog_option, index_option, reports_errors
from medal_catalog.search.fields import (
    DATE_FIELDS,
    DEFAULT_FACETS,
    FACET_FIELDS,
    RANGE_FIELDS,
    RANGE_PARAMETERS,
    SORT_FIELDS,
    facet_help,
)

#: The options are the HTTP API's query parameters, spelt with dashes: --body-part is ?body_part=.
_FILTER_OPTIONS = {name: f"--{name.replace('_', '-')}" for name in FACET_FIELDS}
_RANGE_OPTIONS = {name: f"--{name.replace('_', '-')}" for name in RANGE_PARAMETERS}


def _filter_options(func):
    for name, flag in reversed(_RANGE_OPTIONS.items()):
        field, end = RANGE_PARAMETERS[name]
        kind = "DATE" if field in DATE_FIELDS else "NUMBER"
        func = click.option(
            flag,
            name,
            metavar=kind,
            default=None,
            help=f"Keep entries with a {field.replace('_', ' ')} {'>=' if end == 0 else '<='} {kind} (inclusive).",
        )(func)
    for name, flag in reversed(_FILTER_OPTIONS.items()):
        func = click.option(
            flag,
            name,
            multiple=True,
            metavar="VALUE",
            help=f"Keep entries whose {facet_help(name)} is VALUE (repeatable).",
        )(func)
    return func


def _split(params: dict) -> tuple[dict, dict]:
    """Facet filters and range bounds among the command's keyword arguments (their names are the API's)."""
    filters = {k: v for k, v in params.items() if k in FACET_FIELDS and v}
    ranges: dict[str, list] = {}
    for name, (field, end) in RANGE_PARAMETERS.items():
        if params.get(name) is not None:
            ranges.setdefault(field, [None, None])[end] = params[name]
    return filters, {k: tuple(v) for k, v in ranges.items()}


def _parse_range(text: str) -> tuple[str, tuple[str | None, str | None]]:
    name, sep, bounds = text.partition("=")
    lo, dots, hi = bounds.partition("..")
    if not sep or not dots:
        raise click.BadParameter(
            f"{text!r}: write FIELD=LOW..HIGH (either side may be empty), e.g. "
            "subject_count=100.. or created=2020-01-01..2022-12-31"
        )
    return name.strip().replace("-", "_"), (lo.strip() or None, hi.strip() or None)


@click.command("search")
@click.argument("query", required=False, default="")
@_filter_options
@click.option(
    "--range",
    "ranges",
    multiple=True,
    metavar="FIELD=LOW..HIGH",
    help=f"Inclusive range on {', '.join(RANGE_FIELDS)} (dates as yyyy-mm-dd).",
)
@click.option(
    "--facet",
    "facets",
    multiple=True,
    metavar="FIELD",
    help=f"Count values of FIELD among the matches [default: {', '.join(DEFAULT_FACETS)}].",
)
@click.option(
    "--sort",
    default="relevance",
    show_default=True,
    help=f"relevance, or {', '.join(SORT_FIELDS)}; a leading - sorts descending.",
)
@click.option("--page", default=1, show_default=True, type=int)
@click.option("--size", default=10, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@catalog_option
@index_option
@reports_errors("search")
def search(
    query: str,
    ranges: tuple[str, ...],
    facets: tuple[str, ...],
    sort: str,
    page: int,
    size: int,
    as_json: bool,
    catalog_url: str | None,
    index_url: str | None,
    **params,
) -> None:
    """Search catalog entries. QUERY: words (all must occur), "a phrase", OR, NOT, (groups), prefix*.

    \b
    Examples:
      medal search glioma --modality MR
      medal search "lung nodule" --type BenchmarkTask --json
      medal search --body-part brain --field-strength-min 3 --facet manufacturer
      medal search --range created=2020-01-01..2022-12-31
    """
    # Imported here, not at the top: `medal search --help` would pay about 350 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
    from medal_catalog.catalog import Catalog

    filters, parsed_ranges = _split(params)
    for name, (lo, hi) in (_parse_range(r) for r in ranges):
        old = parsed_ranges.get(name, (None, None))
        parsed_ranges[name] = (lo if lo is not None else old[0], hi if hi is not None else old[1])
    with Catalog.open(catalog_url, index_url) as catalog:
        result = catalog.search(
            query,
            filters=filters,
            facets=facets or DEFAULT_FACETS,
            ranges=parsed_ranges,
            sort=sort,
            page=page,
            size=size,
        )
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
        table.add_row(str(n), hit.type, hit.id, hit.label, ", ".join(hit.document.get("modality", [])), matched[:160])
    console.print(table)
    for name, counts in result.facets.items():
        if counts:
            console.print(f"[dim]{name}:[/dim] " + ", ".join(f"{value} ({count})" for value, count in counts[:12]))
