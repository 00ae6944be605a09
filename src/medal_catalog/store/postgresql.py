"""The store in PostgreSQL, reached as ``postgresql://user@host:5432/dbname`` (psycopg 3 through SQLAlchemy Core).

The same tables and queries as SQLite (store/sql.py); what differs is the engine, the error messages and how two
writers of the same entry are kept apart: a write locks the entry's current row (``SELECT ... FOR UPDATE``, taken
by :meth:`SqlStore.put`) and a first version races on the primary key, which PostgreSQL turns into a clear
"try again" error. Several API processes (``medal serve --workers N``) may share one database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import create_engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from medal_catalog.errors import StoreError, StoreLockedError, StoreReadOnlyError, UnsupportedURLError
from medal_catalog.store.base import PutResult
from medal_catalog.store.sql import SqlStore, entries

T = TypeVar("T")
#: Attempts of a write that lost a race with another writer (each is one whole transaction).
RETRIES = 8

#: The extra that installs the driver.
EXTRA = "postgresql"


def engine_url(url: str) -> str:
    """The SQLAlchemy URL for a catalog URL: ``postgresql://`` and ``postgres://`` use psycopg 3."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme not in ("postgresql", "postgres"):
        raise UnsupportedURLError(f"not a PostgreSQL URL: {url!r} (expected postgresql://user@host/dbname)")
    if not parts.path.strip("/"):
        raise UnsupportedURLError(f"{url!r} names no database: postgresql://user@host:5432/DBNAME")
    return urlunsplit(("postgresql+psycopg", *parts[1:]))


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, *parts[2:]))
    return url


def translate(err: BaseException, url: str) -> StoreError:
    """A clear catalog error for a PostgreSQL failure."""
    orig = getattr(err, "orig", err)
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    where = _redacted(url)
    code = getattr(orig, "sqlstate", None) or ""
    if isinstance(err, IntegrityError) or code == "23505":
        return StoreLockedError(
            f"the catalog database {where} was written by another process at the same time; try again"
        )
    if code in ("40001", "40P01", "55P03"):
        return StoreLockedError(f"the catalog database {where} is busy ({message}); try again")
    if code == "25006" or "read-only" in message:
        return StoreReadOnlyError(f"the catalog database {where} is read-only: {message}")
    if isinstance(err, OperationalError) and ("connect" in message.lower() or "connection" in message.lower()):
        return StoreError(
            f"cannot reach the catalog database {where}: {message}. Is the server running, and do "
            "the host, port, user and database name in the URL exist?"
        )
    return StoreError(f"catalog database {where}: {message}")


class PostgresStore(SqlStore):
    """The catalog store in a PostgreSQL database (which must exist; its tables are created on first open)."""

    def __init__(self, url: str, busy_timeout: float = 5.0) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StoreError(f"a postgresql:// catalog needs psycopg: pip install 'medal-catalog[{EXTRA}]'") from None
        self.busy_timeout = busy_timeout
        # lock_timeout bounds how long a write waits for another writer of the same entry, like SQLite's busy
        # timeout; connect_timeout how long an unreachable server takes to be reported.
        engine = create_engine(
            engine_url(url),
            pool_size=5,
            max_overflow=10,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": max(1, int(busy_timeout)),
                "options": f"-c lock_timeout={int(busy_timeout * 1000)}",
            },
        )
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except DBAPIError as err:
            engine.dispose()
            raise translate(err, url) from None
        super().__init__(url, engine)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as err:
            raise translate(err, self.url) from None

    def _retrying(self, write: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a write again when it lost a race: two first versions of one entry (the primary key refuses the
        second), or a deadlock or serialisation failure PostgreSQL resolved by aborting it."""
        for attempt in range(RETRIES):
            try:
                return write(*args, **kwargs)
            except StoreLockedError as err:
                if "try again" not in str(err) or attempt == RETRIES - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def put(self, document: Mapping[str, Any], author: str, reason: str, kind: str | None = None) -> PutResult:
        return self._retrying(super().put, document, author, reason, kind=kind)

    def put_batch(self, documents: Iterable[Mapping[str, Any]], author: str, reason: str) -> list[PutResult]:
        return self._retrying(super().put_batch, list(documents), author, reason)

    def delete(self, kind: str, entry_id: str, author: str, reason: str) -> PutResult:
        return self._retrying(super().delete, kind, entry_id, author, reason)

    def ids_under(self, kind: str, prefix: str) -> list[str]:
        # LIKE, not a range: under a non-C collation PostgreSQL does not order ids byte by byte.
        with self._read() as conn:
            rows = conn.execute(
                select(entries.c.id)
                .where(
                    entries.c.kind == kind,
                    entries.c.id.startswith(prefix, autoescape=True),
                    entries.c.deleted.is_(False),
                )
                .order_by(entries.c.id)
            ).all()
        return [row.id for row in rows]
