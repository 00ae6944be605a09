"""The default store: one SQLite file in WAL mode, reached as ``sqlite:///path/catalog.db``.

``sqlite:///path/catalog.db?mode=ro`` opens the file read-only. Writes take the write lock at the start of their
transaction (``BEGIN IMMEDIATE``) so that two writers queue behind the busy timeout instead of failing halfway.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from typing import Any

from sqlalchemy import bindparam, create_engine, event, literal_column
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from medal_catalog.errors import StoreError, StoreLockedError, StoreReadOnlyError, UnsupportedURLError
from medal_catalog.store.sql import SqlStore


#: Connections kept open: AnyIO's default limit of threads running the server's blocking requests.
POOL_SIZE = 40
#: The expression the ``entries_dataset`` index (with the kind) is built on, a series' dataset, as queries spell it.
_DATASET = "json_extract(document, '$.dataset')"


def sqlite_path(url: str) -> tuple[Path, bool]:
    """The database file and whether it is to be opened read-only, from a ``sqlite:///`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("sqlite", "sqlite+pysqlite"):
        raise UnsupportedURLError(f"not a SQLite URL: {url!r} (expected sqlite:///path/catalog.db)")
    # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy reads them.
    path = parts.path[1:] if parts.path.startswith("/") else parts.path
    if parts.netloc or not path or path == ":memory:":
        raise UnsupportedURLError(f"a SQLite catalog needs a file path: {url!r} (e.g. sqlite:///./catalog.db)")
    read_only = parse_qs(parts.query).get("mode", [""])[0] == "ro"
    return Path(path), read_only


def translate(err: BaseException, path: Path) -> StoreError:
    """A clear catalog error for a SQLite failure: locked, read-only, or unopenable."""
    message = str(getattr(err, "orig", err)).lower()
    if "locked" in message or "busy" in message:
        return StoreLockedError(
            f"the catalog database {path} is locked by another process; "
            "try again when it has finished (or raise MEDAL_BUSY_TIMEOUT)"
        )
    if "readonly" in message or "read-only" in message:
        return StoreReadOnlyError(
            f"the catalog database {path} is read-only: check the permissions of the file "
            "and of its folder (SQLite writes -wal and -shm files beside it)"
        )
    if "unable to open" in message:
        return StoreError(f"cannot open the catalog database {path}: does its folder exist and can it be written?")
    return StoreError(f"catalog database {path}: {getattr(err, 'orig', err)}")


def connect(path: Path, read_only: bool, busy_timeout: float) -> sqlite3.Connection:
    """A raw sqlite3 connection set up like the store's: WAL, busy timeout, autocommit (explicit BEGINs)."""
    if read_only:
        conn = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
    else:
        conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    if not read_only and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable in WAL mode except for the last commits before a power loss, never corrupting.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class SqliteStore(SqlStore):
    """The store in one SQLite file; the FTS5 search index may live in the same file."""

    def __init__(self, url: str, busy_timeout: float = 5.0) -> None:
        self.path, self.read_only = sqlite_path(url)
        self.busy_timeout = busy_timeout
        if not self.read_only and not self.path.parent.exists():
            raise StoreError(
                f"cannot create the catalog database {self.path}: folder {self.path.parent} does not exist"
            )
        if self.read_only and not self.path.exists():
            raise StoreError(f"cannot open the catalog database {self.path} read-only: it does not exist")
        # Opening a connection (its pragmas, then parsing the schema at its first statement) costs more than a
        # small read, so connections are kept: as many as the server's request threads, or a connection beyond
        # the pool is closed after each request and the next one opens it again (14% of a 50-client server's
        # time, issue 32). Connections are opened on demand, hold no lock between transactions, and close()
        # disposes of them.
        engine = create_engine(
            "sqlite://",
            creator=lambda: connect(self.path, self.read_only, busy_timeout),
            poolclass=QueuePool,
            pool_size=POOL_SIZE,
            max_overflow=8,
        )

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # pysqlite's own transaction handling is off (isolation_level=None); we say when writes begin.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("medal_write") else "BEGIN")

        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except DBAPIError as err:
            raise translate(err, self.path) from None
        super().__init__(url, engine, read_only=self.read_only)
        if not self.read_only:
            try:
                with self._errors(), self.engine.connect() as conn:
                    missing = (
                        conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'entries_dataset'").first()
                        is None
                    )
                if missing:
                    with self._write() as conn:
                        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS entries_dataset ON entries({_DATASET}, kind)")
            except StoreError:
                pass  # a file we may not write: dataset_series() then reads every series (still correct)

    def _series_of(self, dataset_id: str) -> list[Any]:
        # "+kind": a term the planner may not serve from the primary key (kind, id), which it would otherwise
        # prefer to the entries_dataset index and then read every series.
        return [
            literal_column(_DATASET.replace("document", "entries.document")) == bindparam("dataset", dataset_id),
            literal_column("+entries.kind") == bindparam("series_kind", "ImagingSeries"),
        ]

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (DBAPIError, sqlite3.Error) as err:
            raise translate(err, self.path) from None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._errors(), self.engine.connect() as conn:
            conn.info["medal_write"] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop("medal_write", None)
