"""Search indexes over the catalog, chosen by URL: SQLite FTS5 (default, inside the catalog file) or Elasticsearch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from medal_catalog.errors import UnsupportedURLError
from medal_catalog.search.base import Hit, SearchIndex, SearchRequest, SearchResult
from medal_catalog.search.document import flatten

__all__ = ["Hit", "SearchIndex", "SearchRequest", "SearchResult", "flatten", "open_index"]


def open_index(
    url: str, busy_timeout: float = 5.0, timeout: float = 10.0, compat: str = "elasticsearch", **options: Any
) -> SearchIndex:
    """The index a URL names: ``sqlite:///catalog.db`` or ``elasticsearch://host:9200/medal`` (also http(s)://);
    ``compat`` is the Elasticsearch media-type mode (``elasticsearch`` or ``json``, see search/elasticsearch.py)."""
    scheme = urlsplit(url).scheme
    if scheme.split("+")[0] == "sqlite":
        # inline: `medal --help` does not need search.sqlite_fts at start-up
        from medal_catalog.search.sqlite_fts import SqliteFtsIndex

        return SqliteFtsIndex(url, busy_timeout=busy_timeout)
    if scheme.startswith("elasticsearch") or scheme in ("http", "https"):
        # inline: `medal --help` does not need search.elasticsearch at start-up
        from medal_catalog.search.elasticsearch import ElasticsearchIndex

        return ElasticsearchIndex(url, timeout=timeout, compat=compat, **options)
    raise UnsupportedURLError(
        f"no search index for {url!r}: use sqlite:///catalog.db or elasticsearch://host:9200/medal"
    )
