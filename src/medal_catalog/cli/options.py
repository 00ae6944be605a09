"""Options and error handling shared by the commands that open the catalog (search, reindex, harvest)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from medal_catalog.errors import MedalError


def catalog_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--catalog URL``: the store; default MEDAL_CATALOG, then ./medal-catalog.db (resolved when run)."""
    return click.option(
        "--catalog",
        "catalog_url",
        metavar="URL",
        default=None,
        help="Catalog store URL, e.g. sqlite:///path/catalog.db  [default: $MEDAL_CATALOG, "
        "then sqlite:///./medal-catalog.db]",
    )(func)


def index_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--index URL``: the search index; default MEDAL_INDEX, then the FTS5 index in the catalog file."""
    return click.option(
        "--index",
        "index_url",
        metavar="URL",
        default=None,
        help="Search index URL, e.g. elasticsearch://localhost:9200/medal  [default: $MEDAL_INDEX, "
        "then the SQLite index inside the catalog]",
    )(func)


def reports_errors(command: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn a MedalError into one line on stderr and its exit code, instead of a traceback."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except MedalError as err:
                click.echo(f"medal {command}: {err}", err=True)
                sys.exit(err.exit_code)

        return run

    return wrap
