"""The store written once in SQLAlchemy Core, so that SQLite and PostgreSQL share every query.

Five tables: ``entries`` (the current version of each entry), ``entry_versions`` (every version ever written,
with author, time and reason), ``index_queue`` (index updates owed to the search index, written in the same
transaction as the entry so that a crash or an unreachable index never loses one), ``entry_files`` (files kept
with an entry: the original document it was imported from, and the data files the catalog serves) and
``api_tokens`` (the sha256 digests of the HTTP API's bearer tokens, with their holder's name and role); later
tables (pixel digests, contamination checks, evaluations) are described where they are defined.

A write reads the entry's current row ``FOR UPDATE`` (PostgreSQL locks it; SQLite, whose writers take the whole
database's write lock at BEGIN, renders no such clause). Opening a store creates the tables it lacks, so a catalog file written before a table existed gains it on its
next writable open; one that cannot be written and lacks an :data:`ADDED_LATER` table reads it as empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine

from medal_catalog.errors import StoreError, StoreReadOnlyError
from medal_catalog.store.base import (
    PutResult,
    QueuedChange,
    SharedImages,
    Store,
    StoredArtefact,
    StoredEvaluation,
    StoredFile,
    StoredToken,
    Validated,
    StoredVersion,
    canonical_json,
    entry_key,
    split_key,
    validate_entry,
)

metadata = MetaData()

entries = Table(
    "entries",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("id", String(128), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("document", Text, nullable=True),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("updated_at", String(40), nullable=False),
)

entry_versions = Table(
    "entry_versions",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("id", String(128), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("sha256", String(64), nullable=True),
    Column("document", Text, nullable=True),
    Column("author", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", String(40), nullable=False),
)

index_queue = Table(
    "index_queue",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("key", String(170), nullable=False, index=True),
    Column("op", String(8), nullable=False),
    Column("queued_at", String(40), nullable=False),
    # Never reuse a sequence number: a drainer clears the numbers it read and must not clear a newcomer.
    sqlite_autoincrement=True,
)

entry_files = Table(
    "entry_files",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("id", String(128), primary_key=True),
    Column("path", String(1024), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("byte_size", Integer, nullable=False),
    Column("media_type", String(200), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("recorded_at", String(40), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", String(40), nullable=False),
)

#: Secrets the catalog makes for itself (the key that signs download links), so that none sits in a repository or
#: an environment file, and every catalog has its own.
catalog_secrets = Table(
    "catalog_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

#: A digest of each image's pixel data bytes per dataset and series (dicom/pixels.py), never the pixels: how the
#: catalog finds the same image in two datasets whatever their UIDs say (issue 19).
pixel_hashes = Table(
    "pixel_hashes",
    metadata,
    Column("dataset", String(128), primary_key=True),
    Column("series", String(128), primary_key=True),
    Column("digest", String(32), primary_key=True),
    Column("files", Integer, nullable=False),
    Index("pixel_hashes_digest", "digest"),
)

#: The last public-archive check of each dataset (the harvest summary's ``contamination`` section, counts only),
#: kept outside the entry so that a re-check of unchanged files writes no new version.
contamination_checks = Table(
    "contamination_checks",
    metadata,
    Column("dataset", String(128), primary_key=True),
    Column("checked_at", String(40), nullable=False),
    Column("section", Text, nullable=False),
)

#: Scored predictions (issue 27): one row per evaluation asked for, its public result (aggregates only) and, apart,
#: the bootstrap replicates of its primary metric, which rank the leaderboard and are never served.
evaluations = Table(
    "evaluations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("task", String(128), nullable=False),
    Column("split", String(128), nullable=False),
    Column("submitter", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("about", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("finished_at", String(40), nullable=True),
    Column("result", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("replicates", LargeBinary, nullable=True),
    Index("evaluations_task_split", "task", "split"),
)

#: Derived artefacts (issue 29): what pages compute from the catalog (the campaign's page, a leaderboard, a series'
#: preview PNG), kept with a fingerprint of their inputs so that a new process serves them without recomputing
#: them, and never serves one whose inputs changed. Never a source of truth: any row may go. Bytes only: who may
#: see an artefact is decided on each request, as for what it was computed from.
derived_artefacts = Table(
    "derived_artefacts",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", String(40), nullable=False),
)

#: Entries written but not yet published, by the unit (a public collection) they belong to: a unit too big for one
#: transaction is staged in batches here, where no reader looks, then published in one transaction (issue 31).
staged_entries = Table(
    "staged_entries",
    metadata,
    Column("unit", String(200), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("id", String(128), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("document", Text, nullable=False),
)

#: Tables that catalog files written by earlier versions may lack (a read-only open cannot create them).
ADDED_LATER = (
    api_tokens,
    catalog_secrets,
    pixel_hashes,
    contamination_checks,
    evaluations,
    derived_artefacts,
    staged_entries,
)
#: Staged entries published per statement batch.
_PUBLISH_PAGE = 5000

_FILE_INFO = [
    entry_files.c.path,
    entry_files.c.sha256,
    entry_files.c.byte_size,
    entry_files.c.media_type,
    entry_files.c.recorded_at,
]


_GET_NUMBERED = select(entry_versions).where(
    entry_versions.c.kind == bindparam("kind"),
    entry_versions.c.id == bindparam("id"),
    entry_versions.c.version == bindparam("version"),
)
_GET_CURRENT = (
    select(entry_versions)
    .join(
        entries,
        and_(
            entries.c.kind == entry_versions.c.kind,
            entries.c.id == entry_versions.c.id,
            entries.c.version == entry_versions.c.version,
        ),
    )
    .where(
        entry_versions.c.kind == bindparam("kind"), entry_versions.c.id == bindparam("id"), entries.c.deleted.is_(False)
    )
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class SqlStore(Store):
    """A :class:`Store` over any SQLAlchemy engine; subclasses make the engine and translate driver errors."""

    def __init__(self, url: str, engine: Engine, read_only: bool = False) -> None:
        self.url = url
        self.engine = engine
        self.read_only = read_only
        with self._errors():
            # The entry tables must be there or be made (create_all fails clearly when it cannot).
            metadata.create_all(engine, tables=[t for t in metadata.sorted_tables if t not in ADDED_LATER])
            present = set(inspect(engine).get_table_names())
        missing = [t for t in ADDED_LATER if t.name not in present]
        if missing and not read_only:
            try:
                with self._errors():
                    metadata.create_all(engine, tables=missing)
                missing = []
            except StoreReadOnlyError:
                pass  # an older catalog file we may not write: it still reads, as having none of these rows
        #: Names of the ADDED_LATER tables this catalog file lacks.
        self._absent = frozenset(t.name for t in missing)

    # --- hooks for dialects -----------------------------------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate driver errors into the catalog's own (subclasses know their driver's messages)."""
        yield

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction; dialects that need an early write lock take it here."""
        with self._errors(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._errors(), self.engine.connect() as conn:
            yield conn

    # --- writes -----------------------------------------------------------------------------------------------
    def put(self, document: Mapping[str, Any], author: str, reason: str, kind: str | None = None) -> PutResult:
        checked = validate_entry(document, kind)
        if checked.problems:
            key = entry_key(checked.kind or "?", checked.id or "?")
            return PutResult(key, "invalid", None, tuple(checked.problems), indexed=False)
        with self._write() as conn:
            return self._put(conn, checked, author, reason)

    def put_many(
        self,
        documents: Iterable[Mapping[str, Any]],
        author: str,
        reason: str,
        deletions: Iterable[tuple[str, str]] = (),
        files: Mapping[tuple[str, str], Mapping[str, tuple[bytes, str]]] | None = None,
    ) -> tuple[list[PutResult], list[PutResult]]:
        checked = [validate_entry(document) for document in documents]  # validated before the write lock
        keys = [(c.kind, c.id) for c in checked if not c.problems]
        with self._write() as conn:
            if len(set(keys)) == len(keys):
                # A few statements for the whole batch instead of four per entry: a harvest's folder of 1,200
                # series holds the write lock (submissions wait for it) that much less long (issue 32).
                puts = self._put_checked(conn, checked, author, reason)
            else:  # a key given twice: each document its own version, in order, as put() after put()
                puts = [
                    PutResult(entry_key(c.kind or "?", c.id or "?"), "invalid", None, tuple(c.problems), indexed=False)
                    if c.problems
                    else self._put(conn, c, author, reason)
                    for c in checked
                ]
            gone = [self._delete(conn, kind, entry_id, author, reason) for kind, entry_id in deletions]
            refused = {p.key for p in puts if p.status == "invalid"}
            for (kind, entry_id), kept in (files or {}).items():
                if entry_key(kind, entry_id) not in refused:
                    self._put_files(conn, kind, entry_id, kept, unless_same=True)
        return puts, gone

    def _put(self, conn: Connection, checked: Any, author: str, reason: str) -> PutResult:
        """The write of one validated entry inside the caller's transaction."""
        key = entry_key(checked.kind, checked.id)
        current = conn.execute(
            select(entries.c.version, entries.c.sha256, entries.c.deleted)
            .where(entries.c.kind == checked.kind, entries.c.id == checked.id)
            .with_for_update()
        ).first()
        if current is not None and not current.deleted and current.sha256 == checked.digest:
            return PutResult(key, "unchanged", current.version)
        version = 1 if current is None else current.version + 1
        self._record(
            conn,
            checked.kind,
            checked.id,
            version,
            checked.digest,
            canonical_json(checked.document),
            author,
            reason,
            exists=current is not None,
        )
        conn.execute(insert(index_queue).values(key=key, op="index", queued_at=_now()))
        return PutResult(key, "created" if current is None or current.deleted else "updated", version)

    def delete(self, kind: str, entry_id: str, author: str, reason: str) -> PutResult:
        with self._write() as conn:
            return self._delete(conn, kind, entry_id, author, reason)

    def _delete(self, conn: Connection, kind: str, entry_id: str, author: str, reason: str) -> PutResult:
        """The deletion of one entry inside the caller's transaction."""
        key = entry_key(kind, entry_id)
        current = conn.execute(
            select(entries.c.version, entries.c.deleted)
            .where(entries.c.kind == kind, entries.c.id == entry_id)
            .with_for_update()
        ).first()
        if current is None or current.deleted:
            return PutResult(key, "unchanged", current.version if current else None)
        version = current.version + 1
        self._record(conn, kind, entry_id, version, None, None, author, reason, exists=True)
        conn.execute(insert(index_queue).values(key=key, op="delete", queued_at=_now()))
        if kind == "ImagingDataset":
            # What was derived from a dataset's images goes with it, in the same transaction: a deleted dataset's
            # pixel digests would go on being reported as images another dataset shares.
            for table in (pixel_hashes, contamination_checks):
                if table.name not in self._absent:
                    conn.execute(delete(table).where(table.c.dataset == entry_id))
        return PutResult(key, "deleted", version)

    def _record(
        self,
        conn: Connection,
        kind: str,
        entry_id: str,
        version: int,
        digest: str | None,
        text: str | None,
        author: str,
        reason: str,
        exists: bool,
    ) -> None:
        now = _now()
        conn.execute(
            insert(entry_versions).values(
                kind=kind,
                id=entry_id,
                version=version,
                sha256=digest,
                document=text,
                author=author,
                reason=reason,
                recorded_at=now,
            )
        )
        values = dict(version=version, sha256=digest, document=text, deleted=text is None, updated_at=now)
        if exists:
            conn.execute(update(entries).where(entries.c.kind == kind, entries.c.id == entry_id).values(**values))
        else:
            conn.execute(insert(entries).values(kind=kind, id=entry_id, **values))

    def put_batch(self, documents: Iterable[Mapping[str, Any]], author: str, reason: str) -> list[PutResult]:
        # One transaction and a few statements per batch instead of four statements and a commit per entry: what
        # makes a million public series storable in minutes (harvesters/idc.py). Unchanged documents write nothing.
        checked = [validate_entry(document) for document in documents]
        with self._write() as conn:
            return self._put_checked(conn, checked, author, reason)

    def _put_checked(self, conn: Connection, checked: list[Validated], author: str, reason: str) -> list[PutResult]:
        """The batch write of validated entries inside the caller's transaction (see :meth:`put_batch`)."""
        results: list[PutResult | None] = [None] * len(checked)
        valid: dict[tuple[str, str], int] = {}
        for i, c in enumerate(checked):
            if c.problems:
                results[i] = PutResult(
                    entry_key(c.kind or "?", c.id or "?"), "invalid", None, tuple(c.problems), indexed=False
                )
            else:
                valid[(c.kind or "", c.id or "")] = i  # a key given twice: the last document wins, as with put()
        current: dict[tuple[str, str], Any] = {}
        for kind, ids in _by_kind(valid):
            for found in conn.execute(
                select(entries.c.kind, entries.c.id, entries.c.version, entries.c.sha256, entries.c.deleted)
                .where(entries.c.kind == kind, entries.c.id.in_(ids))
                .with_for_update()
            ):
                current[(found.kind, found.id)] = found
        now = _now()
        versions: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        queue: list[dict[str, Any]] = []
        for pair, i in valid.items():
            c, row = checked[i], current.get(pair)
            key = entry_key(*pair)
            if row is not None and not row.deleted and row.sha256 == c.digest:
                results[i] = PutResult(key, "unchanged", row.version)
                continue
            version = 1 if row is None else row.version + 1
            text = canonical_json(c.document or {})
            versions.append(
                dict(
                    kind=c.kind,
                    id=c.id,
                    version=version,
                    sha256=c.digest,
                    document=text,
                    author=author,
                    reason=reason,
                    recorded_at=now,
                )
            )
            values = dict(
                kind=c.kind, id=c.id, version=version, sha256=c.digest, document=text, deleted=False, updated_at=now
            )
            (inserts if row is None else updates).append(values)
            queue.append(dict(key=key, op="index", queued_at=now))
            results[i] = PutResult(key, "created" if row is None or row.deleted else "updated", version)
        if versions:
            conn.execute(insert(entry_versions), versions)
        if inserts:
            conn.execute(insert(entries), inserts)
        if updates:
            conn.execute(
                update(entries)
                .where(entries.c.kind == bindparam("b_kind"), entries.c.id == bindparam("b_id"))
                .values(
                    version=bindparam("version"),
                    sha256=bindparam("sha256"),
                    document=bindparam("document"),
                    deleted=bindparam("deleted"),
                    updated_at=bindparam("updated_at"),
                ),
                [{**u, "b_kind": u["kind"], "b_id": u["id"]} for u in updates],
            )
        if queue:
            conn.execute(insert(index_queue), queue)
        for i in range(len(results)):
            if results[i] is None:  # an earlier duplicate of a key given twice: superseded by the later one
                c = checked[i]
                results[i] = results[valid[(c.kind or "", c.id or "")]]
        return results  # type: ignore[return-value]

    # --- staged units (issue 31) -----------------------------------------------------------------------------
    def stage(self, unit: str, documents: Iterable[Mapping[str, Any]]) -> list[PutResult]:
        checked = [validate_entry(document) for document in documents]
        wanted = {(c.kind or "", c.id or ""): c for c in checked if not c.problems}  # valid: kind and id set
        with self._write() as conn:
            # What is published already as it is needs no staging: a re-run of an unchanged index stages nothing.
            same: dict[tuple[str, str], int] = {}
            for kind, ids in _by_kind(wanted):
                conn.execute(
                    delete(staged_entries).where(
                        staged_entries.c.unit == unit, staged_entries.c.kind == kind, staged_entries.c.id.in_(ids)
                    )
                )
                for row in conn.execute(
                    select(entries.c.id, entries.c.version, entries.c.sha256, entries.c.deleted).where(
                        entries.c.kind == kind, entries.c.id.in_(ids)
                    )
                ):
                    if not row.deleted and row.sha256 == wanted[(kind, row.id)].digest:
                        same[(kind, row.id)] = row.version
            rows = [
                dict(unit=unit, kind=c.kind, id=c.id, sha256=c.digest, document=canonical_json(c.document or {}))
                for pair, c in wanted.items()
                if pair not in same
            ]
            if rows:
                conn.execute(insert(staged_entries), rows)
        out = []
        for c in checked:
            if c.problems:
                out.append(
                    PutResult(entry_key(c.kind or "?", c.id or "?"), "invalid", None, tuple(c.problems), indexed=False)
                )
                continue
            pair = (c.kind or "", c.id or "")
            if pair in same:
                out.append(PutResult(entry_key(*pair), "unchanged", same[pair]))
            else:
                out.append(PutResult(entry_key(*pair), "staged", None))
        return out

    def discard(self, unit: str) -> int:
        with self._write() as conn:
            return conn.execute(delete(staged_entries).where(staged_entries.c.unit == unit)).rowcount

    def publish(
        self,
        unit: str,
        author: str,
        reason: str,
        deletions: Iterable[tuple[str, str]] = (),
        deletion_reason: str | None = None,
    ) -> tuple[list[PutResult], list[PutResult]]:
        puts: list[PutResult] = []
        with self._write() as conn:
            last: tuple[str, str] = ("", "")
            while True:  # in pages by key, so that a collection of 600,000 series is never in memory at once
                page = conn.execute(
                    select(staged_entries)
                    .where(
                        staged_entries.c.unit == unit,
                        or_(
                            staged_entries.c.kind > last[0],
                            and_(staged_entries.c.kind == last[0], staged_entries.c.id > last[1]),
                        ),
                    )
                    .order_by(staged_entries.c.kind, staged_entries.c.id)
                    .limit(_PUBLISH_PAGE)
                ).all()
                if not page:
                    break
                puts += self._put_checked(
                    conn,
                    [Validated(kind=r.kind, id=r.id, document=json.loads(r.document), digest=r.sha256) for r in page],
                    author,
                    reason,
                )
                last = (page[-1].kind, page[-1].id)
            gone = [
                self._delete(conn, kind, entry_id, author, deletion_reason or reason) for kind, entry_id in deletions
            ]
            conn.execute(delete(staged_entries).where(staged_entries.c.unit == unit))
        return puts, gone

    def ids_under(self, kind: str, prefix: str) -> list[str]:
        # The primary key (kind, id) is ordered: a range scan, not a LIKE over every entry.
        with self._read() as conn:
            rows = conn.execute(
                select(entries.c.id)
                .where(
                    entries.c.kind == kind,
                    entries.c.id >= prefix,
                    entries.c.id < prefix + "\uffff",
                    entries.c.deleted.is_(False),
                )
                .order_by(entries.c.id)
            ).all()
        return [row.id for row in rows if row.id.startswith(prefix)]

    def put_files(self, kind: str, entry_id: str, files: Mapping[str, tuple[bytes, str]]) -> list[StoredFile]:
        with self._write() as conn:
            self._put_files(conn, kind, entry_id, files)
        return self.list_files(kind, entry_id)

    def _put_files(
        self,
        conn: Connection,
        kind: str,
        entry_id: str,
        files: Mapping[str, tuple[bytes, str]],
        unless_same: bool = False,
    ) -> None:
        """Replace an entry's files inside the caller's transaction (with ``unless_same``, not when the same
        paths already hold the same content: an unchanged re-harvest rewrites nothing)."""
        wanted = {path: hashlib.sha256(data).hexdigest() for path, (data, _) in files.items()}
        if unless_same:
            kept = {
                str(path): str(digest)
                for path, digest in conn.execute(
                    select(entry_files.c.path, entry_files.c.sha256).where(
                        entry_files.c.kind == kind, entry_files.c.id == entry_id
                    )
                )
            }
            if kept == wanted:
                return
        conn.execute(delete(entry_files).where(entry_files.c.kind == kind, entry_files.c.id == entry_id))
        now = _now()
        rows = [
            dict(
                kind=kind,
                id=entry_id,
                path=path,
                sha256=wanted[path],
                byte_size=len(data),
                media_type=media_type,
                data=data,
                recorded_at=now,
            )
            for path, (data, media_type) in sorted(files.items())
        ]
        if rows:
            conn.execute(insert(entry_files), rows)

    def list_files(self, kind: str, entry_id: str) -> list[StoredFile]:
        with self._read() as conn:
            rows = conn.execute(
                select(*_FILE_INFO)
                .where(entry_files.c.kind == kind, entry_files.c.id == entry_id)
                .order_by(entry_files.c.path)
            ).all()
        return [_stored_file(row) for row in rows]

    def files_at(self, kind: str, path: str) -> dict[str, str]:
        with self._read() as conn:
            rows = conn.execute(
                select(entry_files.c.id, entry_files.c.sha256).where(
                    entry_files.c.kind == kind, entry_files.c.path == path
                )
            ).all()
        return {str(row.id): str(row.sha256) for row in rows}

    def get_file(self, kind: str, entry_id: str, path: str) -> StoredFile | None:
        with self._read() as conn:
            row = conn.execute(
                select(*_FILE_INFO, entry_files.c.data).where(
                    entry_files.c.kind == kind, entry_files.c.id == entry_id, entry_files.c.path == path
                )
            ).first()
        return None if row is None else _stored_file(row)

    # --- reads ------------------------------------------------------------------------------------------------
    def get(self, kind: str, entry_id: str, version: int | None = None) -> StoredVersion | None:
        # Prebuilt statements: building the expression each call cost more than the SQLite lookup (the HTTP API
        # reads an entry per request).
        params: dict[str, str | int] = {"kind": kind, "id": entry_id}
        query = _GET_CURRENT
        if version is not None:
            query, params["version"] = _GET_NUMBERED, version
        with self._read() as conn:
            row = conn.execute(query, params).first()
        return _version(row) if row is not None else None

    def get_many(self, keys: Iterable[str]) -> dict[str, StoredVersion]:
        pairs = [split_key(k) for k in dict.fromkeys(keys)]
        found: dict[str, StoredVersion] = {}
        with self._read() as conn:
            # kind = ? AND id IN (...): SQLite answers a row-value IN over (kind, id) by scanning the table.
            for kind, ids in _by_kind(pairs):
                query = (
                    select(entry_versions)
                    .join(
                        entries,
                        and_(
                            entries.c.kind == entry_versions.c.kind,
                            entries.c.id == entry_versions.c.id,
                            entries.c.version == entry_versions.c.version,
                        ),
                    )
                    .where(entries.c.deleted.is_(False))
                    .where(entries.c.kind == kind, entries.c.id.in_(ids))
                )
                for row in conn.execute(query):
                    version = _version(row)
                    found[version.key] = version
        return found

    def history(self, kind: str, entry_id: str) -> list[StoredVersion]:
        with self._read() as conn:
            rows = conn.execute(
                select(entry_versions)
                .where(entry_versions.c.kind == kind, entry_versions.c.id == entry_id)
                .order_by(entry_versions.c.version)
            ).all()
        return [_version(row) for row in rows]

    def iter_current(self, kinds: Iterable[str] | None = None, batch: int = 1000) -> Iterator[StoredVersion]:
        # Keyset pagination: a steady memory footprint for 100k entries, and no long-held read transaction.
        after = ("", "")
        kinds = list(kinds) if kinds else None
        while True:
            query = (
                select(
                    entries.c.kind,
                    entries.c.id,
                    entries.c.version,
                    entries.c.document,
                    entry_versions.c.author,
                    entry_versions.c.reason,
                    entry_versions.c.recorded_at,
                )
                .join(
                    entry_versions,
                    and_(
                        entries.c.kind == entry_versions.c.kind,
                        entries.c.id == entry_versions.c.id,
                        entries.c.version == entry_versions.c.version,
                    ),
                )
                .where(entries.c.deleted.is_(False))
                .where((entries.c.kind > after[0]) | and_(entries.c.kind == after[0], entries.c.id > after[1]))
                .order_by(entries.c.kind, entries.c.id)
                .limit(batch)
            )
            if kinds:
                query = query.where(entries.c.kind.in_(kinds))
            with self._read() as conn:
                rows = conn.execute(query).all()
            for row in rows:
                yield _version(row)
            if len(rows) < batch:
                return
            after = (rows[-1].kind, rows[-1].id)

    def dataset_series(self, dataset_id: str) -> list[StoredVersion]:
        # The database keeps only the documents naming the dataset (documents are canonical JSON, so a LIKE finds
        # the pair; SQLite looks it up in an index), instead of this process decoding every series of the catalog
        # for each Croissant request (issue 32).
        query = (
            select(
                entries.c.kind,
                entries.c.id,
                entries.c.version,
                entries.c.document,
                entry_versions.c.author,
                entry_versions.c.reason,
                entry_versions.c.recorded_at,
            )
            .join(
                entry_versions,
                and_(
                    entries.c.kind == entry_versions.c.kind,
                    entries.c.id == entry_versions.c.id,
                    entries.c.version == entry_versions.c.version,
                ),
            )
            .where(entries.c.deleted.is_(False), *self._series_of(dataset_id))
            .order_by(entries.c.id)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        # The pair may sit in a nested object too: the top-level field decides.
        return [v for v in map(_version, rows) if (v.document or {}).get("dataset") == dataset_id]

    def _series_of(self, dataset_id: str) -> list[Any]:
        """Conditions true for every series whose document has ``"dataset": dataset_id`` (and maybe a few more)."""
        return [
            entries.c.kind == "ImagingSeries",
            entries.c.document.contains(f'"dataset":{json.dumps(dataset_id, ensure_ascii=False)}', autoescape=True),
        ]

    def deleted_ids(self, kind: str) -> list[str]:
        with self._read() as conn:
            rows = conn.execute(
                select(entries.c.id).where(entries.c.kind == kind, entries.c.deleted.is_(True)).order_by(entries.c.id)
            ).all()
        return [row.id for row in rows]

    def count(self, kind: str | None = None) -> int:
        query = select(func.count()).select_from(entries).where(entries.c.deleted.is_(False))
        if kind:
            query = query.where(entries.c.kind == kind)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    # --- the index queue --------------------------------------------------------------------------------------
    def pending(self, limit: int = 1000, keys: Iterable[str] | None = None) -> list[QueuedChange]:
        query = select(index_queue).order_by(index_queue.c.seq).limit(limit)
        with self._read() as conn:
            if keys is None:
                rows = conn.execute(query).all()
            else:
                keys, rows = list(dict.fromkeys(keys)), []
                for start in range(0, len(keys), 500):
                    rows += conn.execute(query.where(index_queue.c.key.in_(keys[start : start + 500]))).all()
                rows = sorted(rows, key=lambda row: row.seq)[:limit]
        return [QueuedChange(row.seq, row.key, row.op, row.queued_at) for row in rows]

    def pending_count(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(index_queue)).scalar_one())

    def last_seq(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.coalesce(func.max(index_queue.c.seq), 0))).scalar_one())

    def clear_pending(self, up_to_seq: int, keys: Iterable[str] | None = None) -> None:
        query = delete(index_queue).where(index_queue.c.seq <= up_to_seq)
        with self._write() as conn:
            if keys is None:
                conn.execute(query)
                return
            keys = list(keys)
            for start in range(0, len(keys), 500):
                conn.execute(query.where(index_queue.c.key.in_(keys[start : start + 500])))

    def clear_queued(self, seqs: Iterable[int]) -> None:
        seqs = list(seqs)
        with self._write() as conn:
            for start in range(0, len(seqs), 500):
                conn.execute(delete(index_queue).where(index_queue.c.seq.in_(seqs[start : start + 500])))

    def keys_created_by(self, author: str) -> list[str]:
        with self._read() as conn:
            rows = conn.execute(
                select(entry_versions.c.kind, entry_versions.c.id)
                .where(entry_versions.c.version == 1, entry_versions.c.author == author)
                .order_by(entry_versions.c.kind, entry_versions.c.id)
            ).all()
        return [entry_key(row.kind, row.id) for row in rows]

    # --- API tokens -------------------------------------------------------------------------------------------
    def put_token(self, digest: str, name: str, role: str, created_at: str) -> StoredToken:
        with self._write() as conn:
            conn.execute(insert(api_tokens).values(sha256=digest, name=name, role=role, created_at=created_at))
        return StoredToken(digest, name, role, created_at)

    def token_holder(self, digest: str) -> StoredToken | None:
        if api_tokens.name in self._absent:
            return None
        with self._read() as conn:
            row = conn.execute(select(api_tokens).where(api_tokens.c.sha256 == digest)).first()
        return _token(row) if row is not None else None

    def list_tokens(self) -> list[StoredToken]:
        if api_tokens.name in self._absent:
            return []
        with self._read() as conn:
            rows = conn.execute(select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.name)).all()
        return [_token(row) for row in rows]

    def revoke_token(self, digest: str) -> bool:
        with self._write() as conn:
            return conn.execute(delete(api_tokens).where(api_tokens.c.sha256 == digest)).rowcount > 0

    def secret(self, name: str, make: Callable[[], str]) -> str:
        if catalog_secrets.name not in self._absent:
            with self._read() as conn:
                row = conn.execute(select(catalog_secrets.c.value).where(catalog_secrets.c.name == name)).first()
            if row is not None:
                return str(row.value)
        if catalog_secrets.name in self._absent:
            raise StoreReadOnlyError(f"{self.url} is read-only and keeps no secret {name!r} yet")
        with self._write() as conn:
            # Two processes may both miss it: the first insert wins and both read that one back.
            existing = conn.execute(select(catalog_secrets.c.value).where(catalog_secrets.c.name == name)).first()
            if existing is None:
                conn.execute(insert(catalog_secrets).values(name=name, value=make()))
            return conn.execute(select(catalog_secrets.c.value).where(catalog_secrets.c.name == name)).scalar_one()

    # --- pixel digests and public-archive checks (issue 19) -----------------------------------------------------
    def put_pixel_hashes(self, dataset: str, by_series: Mapping[str, Mapping[str, int]]) -> int:
        rows = [
            dict(dataset=dataset, series=series, digest=digest, files=files)
            for series, digests in sorted(by_series.items())
            for digest, files in sorted(digests.items())
        ]
        with self._write() as conn:
            conn.execute(delete(pixel_hashes).where(pixel_hashes.c.dataset == dataset))
            for start in range(0, len(rows), 5000):
                conn.execute(insert(pixel_hashes), rows[start : start + 5000])
        return len(rows)

    def pixel_hashes(self, dataset: str) -> dict[str, set[str]]:
        if pixel_hashes.name in self._absent:
            return {}
        out: dict[str, set[str]] = {}
        with self._read() as conn:
            for series, digest in conn.execute(
                select(pixel_hashes.c.series, pixel_hashes.c.digest).where(pixel_hashes.c.dataset == dataset)
            ):
                out.setdefault(str(series), set()).add(str(digest))
        return out

    def shared_pixel_hashes(self, dataset: str) -> list[SharedImages]:
        if pixel_hashes.name in self._absent:
            return []
        mine, theirs = pixel_hashes.alias("mine"), pixel_hashes.alias("theirs")
        query = (
            select(theirs.c.dataset, func.count(func.distinct(mine.c.digest)))
            .select_from(mine.join(theirs, and_(mine.c.digest == theirs.c.digest, theirs.c.dataset != mine.c.dataset)))
            .where(mine.c.dataset == dataset)
            .group_by(theirs.c.dataset)
            .order_by(theirs.c.dataset)
        )
        totals = select(pixel_hashes.c.dataset, func.count(func.distinct(pixel_hashes.c.digest))).group_by(
            pixel_hashes.c.dataset
        )
        with self._read() as conn:
            shared = conn.execute(query).all()
            if not shared:
                return []
            wanted = [dataset, *(row[0] for row in shared)]
            counts: dict[str, int] = {
                str(row[0]): int(row[1]) for row in conn.execute(totals.where(pixel_hashes.c.dataset.in_(wanted)))
            }
        return [
            SharedImages(dataset, str(row[0]), int(row[1]), counts.get(dataset, 0), counts.get(str(row[0]), 0))
            for row in shared
        ]

    def put_contamination(self, dataset: str, section: Mapping[str, Any]) -> None:
        values = dict(checked_at=str(section.get("checked_at") or _now()), section=canonical_json(section))
        with self._write() as conn:
            done = conn.execute(
                update(contamination_checks).where(contamination_checks.c.dataset == dataset).values(**values)
            ).rowcount
            if not done:
                conn.execute(insert(contamination_checks).values(dataset=dataset, **values))

    def get_contamination(self, dataset: str) -> dict[str, Any] | None:
        if contamination_checks.name in self._absent:
            return None
        with self._read() as conn:
            row = conn.execute(
                select(contamination_checks.c.section).where(contamination_checks.c.dataset == dataset)
            ).first()
        return json.loads(row.section) if row is not None else None

    # --- evaluations (issue 27) ----------------------------------------------------------------------------------
    def add_evaluation(self, record: Mapping[str, Any], limit: int | None, since: str) -> StoredEvaluation | None:
        with self._write() as conn:
            same = and_(
                evaluations.c.task == record["task"],
                evaluations.c.split == record["split"],
                evaluations.c.submitter == record["submitter"],
            )
            if conn.dialect.name == "postgresql":
                # Count-then-insert under READ COMMITTED lets parallel writers all see room; one lock per (task,
                # split, submitter) for the transaction serializes them (SQLite's writers already take the
                # database's write lock at BEGIN).
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": f"evaluations:{record['task']}:{record['split']}:{record['submitter']}"},
                )
            if limit is not None:
                used = conn.execute(
                    select(func.count())
                    .select_from(evaluations)
                    .where(same, evaluations.c.status != "failed", evaluations.c.created_at >= since)
                ).scalar_one()
                if used >= limit:
                    return None
            name = (record.get("about") or {}).get("model_name") or ""
            earlier = [
                json.loads(str(a)).get("model_name") or ""
                for (a,) in conn.execute(select(evaluations.c.about).where(same)).all()
            ]
            values = dict(
                id=record["id"],
                task=record["task"],
                split=record["split"],
                submitter=record["submitter"],
                version=earlier.count(name) + 1,
                status="queued",
                about=canonical_json(record.get("about") or {}),
                created_at=_now(),
            )
            conn.execute(insert(evaluations).values(**values))
        return self.get_evaluation(record["id"])

    def finish_evaluation(
        self,
        evaluation_id: str,
        status: str,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
        replicates: bytes | None = None,
    ) -> None:
        values: dict[str, Any] = dict(
            status=status,
            error=error,
            result=canonical_json(result) if result is not None else None,
            replicates=replicates,
        )
        if status in ("done", "failed"):
            values["finished_at"] = _now()
        with self._write() as conn:
            conn.execute(update(evaluations).where(evaluations.c.id == evaluation_id).values(**values))

    def get_evaluation(self, evaluation_id: str, with_replicates: bool = False) -> StoredEvaluation | None:
        if evaluations.name in self._absent:
            return None
        with self._read() as conn:
            row = conn.execute(select(evaluations).where(evaluations.c.id == evaluation_id)).first()
        return _evaluation(row, with_replicates) if row is not None else None

    def list_evaluations(
        self,
        task: str | None = None,
        split: str | None = None,
        submitter: str | None = None,
        status: str | None = None,
        with_replicates: bool = False,
    ) -> list[StoredEvaluation]:
        if evaluations.name in self._absent:
            return []
        query = select(evaluations).order_by(evaluations.c.created_at, evaluations.c.id)
        for column, value in (("task", task), ("split", split), ("submitter", submitter), ("status", status)):
            if value is not None:
                query = query.where(evaluations.c[column] == value)
        with self._read() as conn:
            return [_evaluation(row, with_replicates) for row in conn.execute(query).all()]

    # --- derived artefacts (issue 29) ------------------------------------------------------------------------------
    def get_artefacts(self, keys: Iterable[str]) -> dict[str, StoredArtefact]:
        wanted = list(dict.fromkeys(keys))
        if derived_artefacts.name in self._absent or not wanted:
            return {}
        out: dict[str, StoredArtefact] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), 500):
                for row in conn.execute(
                    select(derived_artefacts).where(derived_artefacts.c.key.in_(wanted[start : start + 500]))
                ):
                    out[row.key] = StoredArtefact(
                        row.key, row.fingerprint, row.media_type, bytes(row.data), row.created_at
                    )
        return out

    def artefact_fingerprints(self, prefix: str) -> dict[str, str]:
        if derived_artefacts.name in self._absent:
            return {}
        with self._read() as conn:
            rows = conn.execute(
                select(derived_artefacts.c.key, derived_artefacts.c.fingerprint).where(
                    derived_artefacts.c.key.startswith(prefix, autoescape=True)
                )
            ).all()
        return {str(row.key): str(row.fingerprint) for row in rows}

    def put_artefacts(self, artefacts: Iterable[StoredArtefact]) -> int:
        rows = {
            a.key: dict(
                key=a.key,
                fingerprint=a.fingerprint,
                media_type=a.media_type,
                data=a.data,
                created_at=a.created_at or _now(),
            )
            for a in artefacts
        }
        if derived_artefacts.name in self._absent or not rows or self.read_only:
            return 0
        try:
            with self._write() as conn:
                keys = list(rows)
                for start in range(0, len(keys), 500):
                    conn.execute(
                        delete(derived_artefacts).where(derived_artefacts.c.key.in_(keys[start : start + 500]))
                    )
                conn.execute(insert(derived_artefacts), list(rows.values()))
        except StoreError:  # a cache: another process wrote the same key at once, or the file is read-only
            return 0
        return len(rows)

    def drop_artefacts(self, prefix: str) -> int:
        if derived_artefacts.name in self._absent or self.read_only:
            return 0
        try:
            with self._write() as conn:
                return int(
                    conn.execute(
                        delete(derived_artefacts).where(derived_artefacts.c.key.startswith(prefix, autoescape=True))
                    ).rowcount
                )
        except StoreError:  # left for the next refresh: a kept artefact is only ever served after its checks
            return 0

    def entries_version(self, kinds: Iterable[str]) -> str:
        # Rows of ``entries`` are never removed and every write of an entry (a deletion too) raises its version,
        # so the sum of versions per kind grows with each write: with the count and the newest write time it
        # changes whenever any entry of these kinds does.
        wanted = sorted(set(kinds))
        with self._read() as conn:
            rows = conn.execute(
                select(
                    entries.c.kind,
                    func.count(),
                    func.coalesce(func.sum(entries.c.version), 0),
                    func.max(entries.c.updated_at),
                )
                .where(entries.c.kind.in_(wanted))
                .group_by(entries.c.kind)
                .order_by(entries.c.kind)
            ).all()
        return hashlib.sha256(
            json.dumps([[str(r[0]), int(r[1]), int(r[2]), str(r[3])] for r in rows]).encode()
        ).hexdigest()

    def evaluations_version(self, task: str, split: str | None = None) -> str:
        if evaluations.name in self._absent:
            return hashlib.sha256(b"[]").hexdigest()
        query = (
            select(
                evaluations.c.status,
                func.count(),
                func.max(evaluations.c.created_at),
                func.max(evaluations.c.finished_at),
            )
            .where(evaluations.c.task == task)
            .group_by(evaluations.c.status)
            .order_by(evaluations.c.status)
        )
        if split is not None:
            query = query.where(evaluations.c.split == split)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return hashlib.sha256(
            json.dumps([[str(r[0]), int(r[1]), str(r[2]), str(r[3])] for r in rows]).encode()
        ).hexdigest()

    def close(self) -> None:
        self.engine.dispose()


def _by_kind(pairs: Iterable[tuple[str, str]], chunk: int = 500) -> Iterator[tuple[str, list[str]]]:
    """(kind, ids) groups of at most ``chunk`` ids, for ``kind = ? AND id IN (...)`` lookups."""
    grouped: dict[str, list[str]] = {}
    for kind, entry_id in pairs:
        grouped.setdefault(kind, []).append(entry_id)
    for kind, ids in grouped.items():
        for start in range(0, len(ids), chunk):
            yield kind, ids[start : start + chunk]


def _evaluation(row: Any, with_replicates: bool) -> StoredEvaluation:
    return StoredEvaluation(
        id=row.id,
        task=row.task,
        split=row.split,
        submitter=row.submitter,
        version=row.version,
        status=row.status,
        about=json.loads(row.about),
        created_at=row.created_at,
        finished_at=row.finished_at,
        result=json.loads(row.result) if row.result else None,
        error=row.error,
        replicates=row.replicates if with_replicates else None,
    )


def _token(row: Any) -> StoredToken:
    return StoredToken(digest=row.sha256, name=row.name, role=row.role, created_at=row.created_at)


def _stored_file(row: Any) -> StoredFile:
    """A row of _FILE_INFO (and the data, when selected) as a StoredFile."""
    return StoredFile(row[0], row[1], int(row[2]), row[3], str(row[4]), row[5] if len(row) > 5 else None)


def _version(row: Any) -> StoredVersion:
    return StoredVersion(
        kind=row.kind,
        id=row.id,
        version=row.version,
        document=json.loads(row.document) if row.document is not None else None,
        author=row.author,
        reason=row.reason,
        recorded_at=row.recorded_at,
    )
