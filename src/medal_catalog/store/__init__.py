"""The catalog store (source of truth), chosen by URL; :class:`medal_catalog.catalog.Catalog` keeps the search
index in step with it."""

from __future__ import annotations

from urllib.parse import urlsplit

from medal_catalog.errors import UnsupportedURLError
from medal_catalog.store.base import (
    PutResult,
    Store,
    StoredArtefact,
    StoredFile,
    StoredToken,
    StoredVersion,
    entry_key,
    iter_entries,
    split_key,
    validate_entry,
)

__all__ = [
    "PutResult",
    "Store",
    "StoredArtefact",
    "StoredFile",
    "StoredToken",
    "StoredVersion",
    "entry_key",
    "iter_entries",
    "open_store",
    "split_key",
    "validate_entry",
]


def open_store(url: str, busy_timeout: float = 5.0) -> Store:
    """The store a URL names: ``sqlite:///path/catalog.db`` or ``postgresql://user@host:5432/dbname``."""
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme == "sqlite":
        # inline: `medal --help` does not need store.sqlite at start-up
        from medal_catalog.store.sqlite import SqliteStore

        return SqliteStore(url, busy_timeout=busy_timeout)
    if scheme in ("postgresql", "postgres"):
        # inline: `medal --help` does not need store.postgresql at start-up
        from medal_catalog.store.postgresql import PostgresStore

        return PostgresStore(url, busy_timeout=busy_timeout)
    raise UnsupportedURLError(
        f"no catalog store for {url!r}: use sqlite:///path/catalog.db or postgresql://user@host:5432/dbname"
    )
