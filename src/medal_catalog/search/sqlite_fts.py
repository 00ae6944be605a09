"""The embedded search index: SQLite FTS5 in the catalog's own file, with an in-memory column view for speed.

Why not plain ``ORDER BY rank``: a term found in most documents ("MR", "brain", "scan") makes FTS5 score every
one of ~100k matches (100+ ms), and counting facets over them in SQL costs more still. So the work is split:

* **Matching** is done by FTS5, one query per word or phrase (``leaf``); each leaf's rowids arrive as one string
  (``group_concat``) and become a boolean array, cached until the index changes (like Lucene's filter cache).
  AND/OR/NOT are numpy operations on those arrays.
* **Filters, ranges and facet counts** run on the column view (``columns.py``), loaded once and patched with the
  rows each later write touched:
  ``np.bincount`` counts a facet over 100k matches in about a millisecond. Totals and counts are always exact.
* **Ranking** is FTS5's BM25 with the field weights, asked only for the first candidates, under a budget of scored
  rows (``RANK_BUDGET``, counted over rowid windows that cover them): every match is ranked exactly while they fit;
  beyond it the first candidates in index order (entries before series, as ``rebuild`` writes them) are ranked
  and the rest follow in index order. Phrases in half the documents or more are left out of BM25 (FTS5 floors
  their IDF at 1e-6, so they only break ties, yet counting their matches costs a full pass per statement); a
  query made only of such phrases is ranked by the weights of the fields they occur in.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext, suppress
from typing import Any

import numpy as np

from medal_catalog.errors import StoreError
from medal_catalog.search.base import Hit, Progress, SearchIndex, SearchRequest, SearchResult
from medal_catalog.search.columns import CODE_SPAN, TOKENIZE, ColumnView, ints, number
from medal_catalog.search.fields import FACET_FIELDS, RANGE_FIELDS, TEXT_FIELDS
from medal_catalog.search.ordering import lexsort_head
from medal_catalog.search.query import And, Leaf, Node, Not, leaves, positive, to_fts5
from medal_catalog.store.sqlite import connect, sqlite_path, translate

TEXT = [f.name for f in TEXT_FIELDS]
WEIGHTS = ", ".join(str(f.weight) for f in TEXT_FIELDS)
#: Rows times phrases FTS5 may score with BM25 per search (2-4 µs per row and phrase), and the least one more
#: statement (rowid window) costs, in rows; a gap of unwanted rows cheaper than that is scored rather than skipped.
RANK_BUDGET, WINDOW_COST = 1500, 40
#: FTS5 counts a phrase's matches about this many times faster than it scores a row with BM25.
IDF_ROWS_PER_ROW = 40
#: Read connections of a process: searches at once (their SQL runs without the GIL; more gain nothing on two cores).
READERS = 4
#: Bytes of cached leaf match arrays kept per index generation.
LEAF_CACHE_BYTES = 64 << 20
_SNIPPET_TOKENS = 24
_SNIPPETS = ", ".join(f"snippet(search_fts, {i}, '<em>', '</em>', '…', {_SNIPPET_TOKENS})" for i in range(len(TEXT)))
_BM25 = f"SELECT rowid, bm25(search_fts, {WEIGHTS}) FROM search_fts WHERE search_fts MATCH ? AND rowid BETWEEN ? AND ?"
#: One row and score as the BM25 statement returns them, read in one pass (``np.array`` on tuples is 2.5x slower).
_SCORED = np.dtype([("rowid", np.int64), ("score", np.float64)])

_DDL = (
    "CREATE TABLE IF NOT EXISTS search_docs(rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
    "type TEXT NOT NULL, label TEXT NOT NULL, sort_title TEXT, body TEXT NOT NULL)",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5({', '.join(TEXT)}, tokenize='{TOKENIZE}')",
    # Facet values get small integer codes (never reused) so that the column view loads as numbers.
    "CREATE TABLE IF NOT EXISTS search_values(code INTEGER PRIMARY KEY, field TEXT NOT NULL, value TEXT NOT NULL, "
    "UNIQUE(field, value))",
    "CREATE TABLE IF NOT EXISTS search_facets(docid INTEGER NOT NULL, code INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_facets_doc ON search_facets(docid)",
    "CREATE TABLE IF NOT EXISTS search_numbers(docid INTEGER NOT NULL, field TEXT NOT NULL, value REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_numbers_doc ON search_numbers(docid)",
    "CREATE INDEX IF NOT EXISTS search_numbers_field ON search_numbers(field, docid, value)",
    "CREATE TABLE IF NOT EXISTS search_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    # The rowids each generation touched, so that a reader's column view catches up by patching those rows.
    "CREATE TABLE IF NOT EXISTS search_changes(generation INTEGER NOT NULL, docid INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_changes_generation ON search_changes(generation)",
)
#: Generations of changes kept for readers to catch up with; a view older than that is reloaded.
KEEP_GENERATIONS = 2000
#: A view patches at most this many changed rows (or a tenth of the index, if more); beyond, it reloads.
PATCH_ROWS = 50_000
#: The layout of the search tables; an index of another layout is rebuilt by ``medal reindex``.
FORMAT = 3
_TABLES = ("search_docs", "search_fts", "search_values", "search_facets", "search_numbers", "search_changes")


class SharedLock:
    """Many holders at once (``shared``) or one (``exclusive``); a waiting exclusive holder goes first."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._shared = 0
        self._exclusive = False
        self._waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._exclusive or self._waiting:
                self._cond.wait()
            self._shared += 1
        try:
            yield
        finally:
            with self._cond:
                self._shared -= 1
                if not self._shared:
                    self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            while self._exclusive or self._shared:
                self._cond.wait()
            self._waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()


def _prune(node: Node, drop: set[Leaf]) -> Node | None:
    """The tree without the given leaves (None when nothing is left)."""
    if isinstance(node, Leaf):
        return None if node in drop else node
    if isinstance(node, Not):
        inner = _prune(node.item, drop)
        return Not(inner) if inner is not None else None
    items = tuple(i for i in (_prune(item, drop) for item in node.items) if i is not None)
    if not items:
        return None
    return items[0] if len(items) == 1 else type(node)(items)


class SqliteFtsIndex(SearchIndex):
    """The FTS5 index inside a catalog's SQLite file (``sqlite:///path/catalog.db``)."""

    def __init__(self, url: str, busy_timeout: float = 5.0) -> None:
        self.url = url
        self.path, self.read_only = sqlite_path(url)
        # Writes go through their own connection and lock; reads through a small pool of connections, each search
        # in its own read transaction. So a search never queues behind a write of this process (a submission's
        # index update, or one waiting up to the busy timeout for another process's write lock), in WAL mode its
        # read snapshot never waits on any writer, and searches run at once: their SQL runs without the GIL
        # (issue 32). The shared column view is brought up to date under an exclusive lock, used under a shared one.
        self._write_lock = threading.RLock()
        self._busy_timeout = busy_timeout
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._reader_slots = threading.BoundedSemaphore(READERS)
        self._opened: list[sqlite3.Connection] = []
        self._view = SharedLock()
        self._snapshot: ColumnView | None = None
        self._codes: dict[tuple[str, str], int] = {}
        #: Rowids the open write transaction touched (logged in search_changes at commit), and whether it rebuilt.
        self._touched: set[int] = set()
        self._rebuilt = False
        self._writer: sqlite3.Connection | None = None
        try:
            first = connect(self.path, self.read_only, busy_timeout)
            self._opened.append(first)
            self._readers.put(first)
            if not self.read_only:
                self._create(first)
        except sqlite3.Error as err:
            raise translate(err, self.path) from None

    def _write_conn(self) -> sqlite3.Connection:
        """The connection writes go through, opened on first write (under the write lock)."""
        if self._writer is None:
            self._writer = connect(self.path, self.read_only, self._busy_timeout)
        return self._writer

    # --- plumbing ---------------------------------------------------------------------------------------------
    @staticmethod
    def _create(conn: sqlite3.Connection) -> None:
        fresh = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_docs'").fetchone() is None
        for statement in _DDL:
            conn.execute(statement)
        conn.execute("INSERT OR IGNORE INTO search_meta(name, value) VALUES ('generation', 0)")
        if fresh:
            conn.execute("INSERT OR REPLACE INTO search_meta(name, value) VALUES ('format', ?)", (FORMAT,))

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        """A read connection of the pool (at most READERS in use at once; opened on demand)."""
        with self._reader_slots:
            try:
                conn = self._readers.get_nowait()
            except queue.Empty:
                conn = connect(self.path, self.read_only, self._busy_timeout)
                self._opened.append(conn)
            try:
                yield conn
            finally:
                self._readers.put(conn)

    @contextmanager
    def _reading(self) -> Iterator[tuple[sqlite3.Connection, ColumnView]]:
        """A read transaction and the column view of the very generation it sees, used under the view's shared
        lock (bringing the view up to that generation first, under its exclusive lock, when it is behind)."""
        with self._reader() as conn, self._errors_of(conn):
            while True:
                conn.execute("BEGIN")
                try:
                    meta = dict(conn.execute("SELECT name, value FROM search_meta"))
                    generation = int(meta.get("generation", -1))
                    snap = self._snapshot
                    if snap is None or snap.generation < generation:
                        with self._view.exclusive():
                            snap = self._current(conn)
                    with self._view.shared():
                        snap = self._snapshot
                        if snap is not None and snap.generation == generation:
                            yield conn, snap
                            return
                finally:
                    if conn.in_transaction:
                        conn.execute("COMMIT")
                # The view moved past this transaction's generation (another search saw a later write): read again.

    @contextmanager
    def _errors_of(self, conn: sqlite3.Connection) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as err:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if "no such table" in str(err):
                raise StoreError(f"{self.path} has no search index yet: run `medal reindex`") from None
            raise translate(err, self.path) from None

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[sqlite3.Connection]:
        """One transaction: a write lock taken up front, or a read snapshot consistent across queries."""
        with self._write_lock if write else nullcontext(), self._reader() if not write else nullcontext() as reader:
            try:
                conn: sqlite3.Connection = self._write_conn() if write or reader is None else reader
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                if write:
                    self._touched, self._rebuilt = set(), False
                try:
                    yield conn
                    if write:
                        self._log_changes(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if write:
                        self._codes.clear()  # codes created in the rolled-back transaction no longer exist
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as err:
                if "no such table" in str(err):
                    raise StoreError(f"{self.path} has no search index yet: run `medal reindex`") from None
                raise translate(err, self.path) from None

    def _log_changes(self, conn: sqlite3.Connection) -> None:
        """Bump the generation and record which rowids it touched (readers patch their views from this log)."""
        generation = conn.execute(
            "UPDATE search_meta SET value = value + 1 WHERE name = 'generation' RETURNING value"
        ).fetchone()[0]
        if self._rebuilt:
            # Nothing before this generation can be patched into it: every view older than it reloads.
            conn.execute(
                "INSERT OR REPLACE INTO search_meta(name, value) VALUES ('changes_from', ?)", (generation + 1,)
            )
            return
        conn.executemany(
            "INSERT INTO search_changes(generation, docid) VALUES (?, ?)",
            [(generation, rowid) for rowid in self._touched],
        )
        if generation % 100 == 0:
            oldest = generation - KEEP_GENERATIONS
            conn.execute("DELETE FROM search_changes WHERE generation <= ?", (oldest,))
            conn.execute(
                "INSERT INTO search_meta(name, value) VALUES ('changes_from', ?) ON CONFLICT(name) DO "
                "UPDATE SET value = max(value, excluded.value)",
                (oldest + 1,),
            )

    def _current(self, conn: sqlite3.Connection) -> ColumnView:
        """The view at the generation ``conn``'s transaction sees (caught up or loaded; under the exclusive lock).
        A view already past it is left alone (the caller reads again)."""
        meta = dict(conn.execute("SELECT name, value FROM search_meta"))
        if meta.get("format") != FORMAT:
            raise StoreError(f"the search index in {self.path} has an older layout: run `medal reindex`")
        generation = int(meta["generation"])
        snap = self._snapshot
        if snap is not None and snap.generation > generation:
            return snap
        if snap is not None and snap.generation != generation:
            if not self._catch_up(conn, snap, generation, int(meta.get("changes_from", 0))):
                snap = None
        if snap is None:
            snap = self._snapshot = ColumnView(conn, generation)
        return snap

    def _catch_up(self, conn: sqlite3.Connection, snap: ColumnView, generation: int, changes_from: int) -> bool:
        """Patch the view with the rows written since its generation, when the log covers them and they are few."""
        if snap.generation > generation or changes_from > snap.generation + 1:
            return False
        try:
            changed = ints(
                conn.execute(
                    "SELECT group_concat(docid, ' ') FROM search_changes WHERE generation > ? AND generation <= ?",
                    (snap.generation, generation),
                ).fetchone()[0]
            )
        except sqlite3.OperationalError:  # an index written before the log existed (opened read-only)
            return False
        if len(changed) > max(PATCH_ROWS, snap.n // 10):
            return False
        return snap.patch(conn, generation, changed, tuple(TEXT))

    # --- writes -----------------------------------------------------------------------------------------------
    def _put(self, conn: sqlite3.Connection, doc: Mapping[str, Any]) -> None:
        key = doc["key"]
        row = conn.execute("SELECT rowid FROM search_docs WHERE key = ?", (key,)).fetchone()
        title = (doc.get("title") or [None])[0]
        values = (doc["type"], doc.get("label", ""), title, json.dumps(doc, ensure_ascii=False))
        if row is None:
            inserted = conn.execute(
                "INSERT INTO search_docs(key, type, label, sort_title, body) VALUES (?, ?, ?, ?, ?)", (key, *values)
            ).lastrowid
            assert inserted is not None  # sqlite3 gives the rowid of every successful INSERT
            rowid = inserted
        else:
            rowid = row[0]
            self._unindex(conn, rowid)
            conn.execute(
                "UPDATE search_docs SET type = ?, label = ?, sort_title = ?, body = ? WHERE rowid = ?", (*values, rowid)
            )
        texts = [" ; ".join(doc.get(name) or []) or None for name in TEXT]
        conn.execute(f"INSERT INTO search_fts(rowid, {', '.join(TEXT)}) VALUES (?{', ?' * len(TEXT)})", (rowid, *texts))
        conn.executemany(
            "INSERT INTO search_facets(docid, code) VALUES (?, ?)",
            [
                (rowid, self._code(conn, name, value))
                for name in FACET_FIELDS
                for value in ([doc[name]] if isinstance(doc.get(name), str) else doc.get(name) or [])
            ],
        )
        conn.executemany(
            "INSERT INTO search_numbers(docid, field, value) VALUES (?, ?, ?)",
            [(rowid, name, number(name, value)) for name in RANGE_FIELDS for value in doc.get(name) or []],
        )
        self._touched.add(rowid)

    def _code(self, conn: sqlite3.Connection, field: str, value: str) -> int:
        """The code of a facet value, created on first use (remembered until a rollback or rebuild)."""
        code = self._codes.get((field, value))
        if code is None:
            conn.execute("INSERT OR IGNORE INTO search_values(field, value) VALUES (?, ?)", (field, value))
            code = conn.execute(
                "SELECT code FROM search_values WHERE field = ? AND value = ?", (field, value)
            ).fetchone()[0]
            if code >= CODE_SPAN:
                raise StoreError(f"more than {CODE_SPAN - 1} distinct facet values: run `medal reindex`")
            self._codes[(field, value)] = code
        return code

    @staticmethod
    def _unindex(conn: sqlite3.Connection, rowid: int) -> None:
        conn.execute("DELETE FROM search_fts WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM search_facets WHERE docid = ?", (rowid,))
        conn.execute("DELETE FROM search_numbers WHERE docid = ?", (rowid,))

    def index(self, doc: Mapping[str, Any]) -> None:
        with self._transaction(write=True) as conn:
            self._put(conn, doc)

    def bulk_index(self, docs: Iterable[Mapping[str, Any]]) -> list[str]:
        with self._transaction(write=True) as conn:
            for doc in docs:
                self._put(conn, doc)
        return []

    def delete(self, key: str) -> None:
        with self._transaction(write=True) as conn:
            row = conn.execute("SELECT rowid FROM search_docs WHERE key = ?", (key,)).fetchone()
            if row is not None:
                self._unindex(conn, row[0])
                conn.execute("DELETE FROM search_docs WHERE rowid = ?", (row[0],))
                self._touched.add(row[0])

    def rebuild(self, docs: Iterable[Mapping[str, Any]], progress: Progress | None = None) -> list[str]:
        # One transaction: readers (WAL) keep seeing the old index until the new one commits whole.
        with self._transaction(write=True) as conn:
            for table in _TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            self._codes.clear()
            self._rebuilt = True
            self._create(conn)
            done = 0
            for done, doc in enumerate(docs, 1):
                self._put(conn, doc)
                if progress and done % 500 == 0:
                    progress(done)
            if progress:
                progress(done)
            conn.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        return []

    # --- reads ------------------------------------------------------------------------------------------------
    def get(self, key: str) -> dict[str, Any] | None:
        with self._transaction(write=False) as conn:
            row = conn.execute("SELECT body FROM search_docs WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def _leaf(self, conn: sqlite3.Connection, snap: ColumnView, leaf: Leaf, column: str | None = None) -> np.ndarray:
        """The documents matching one word or phrase (in one column when named), cached per index generation."""
        expr = to_fts5(leaf) if column is None else f"{column} : {to_fts5(leaf)}"
        mask = snap.leaves.get(expr)
        if mask is None:
            text = conn.execute(
                "SELECT group_concat(rowid, ' ') FROM search_fts WHERE search_fts MATCH ?", (expr,)
            ).fetchone()[0]
            mask = snap.mask_of(ints(text))
            snap.leaves[expr] = mask
            snap.leaf_counts[expr] = int(np.count_nonzero(mask))
            with suppress(KeyError):  # searches share the cache: another may have emptied it meanwhile
                while len(snap.leaves) * snap.n > LEAF_CACHE_BYTES:
                    snap.leaf_counts.pop(snap.leaves.popitem(last=False)[0], None)
        else:
            with suppress(KeyError):
                snap.leaves.move_to_end(expr)
        return mask

    def _df(self, conn: sqlite3.Connection, snap: ColumnView, leaf: Leaf) -> int:
        """How many documents hold a word or phrase."""
        mask = self._leaf(conn, snap, leaf)
        count = snap.leaf_counts.get(to_fts5(leaf))  # another search may have evicted it meanwhile
        return count if count is not None else int(np.count_nonzero(mask))

    def _match(self, conn: sqlite3.Connection, snap: ColumnView, node: Node) -> np.ndarray:
        if isinstance(node, Leaf):
            return self._leaf(conn, snap, node)
        if isinstance(node, Not):
            negated: np.ndarray = snap.alive & ~self._match(conn, snap, node.item)
            return negated
        masks = [self._match(conn, snap, item) for item in node.items]
        combine = np.logical_and if isinstance(node, And) else np.logical_or
        out = masks[0].copy()
        for mask in masks[1:]:
            combine(out, mask, out=out)
        return out

    def _selected(self, conn: sqlite3.Connection, snap: ColumnView, request: SearchRequest) -> np.ndarray:
        """The mask of documents matching the query, every filter and every range."""
        # A copy: the match of a single word is the cached array itself, and filters narrow in place.
        mask = (self._match(conn, snap, request.tree) if request.tree is not None else snap.alive).copy()
        for name, values in request.filters.items():
            allowed = np.zeros(snap.n, dtype=bool)
            for value in values:
                allowed[snap.value_docs(name, value)] = True
            mask &= allowed
        for name, (lo, hi) in request.ranges.items():
            mask &= snap.range_mask(name, lo, hi)
        if request.scope:
            mask &= self._scope(conn, snap, request.scope)
        return mask

    @staticmethod
    def _scope(
        conn: sqlite3.Connection, snap: ColumnView, scope: tuple[Mapping[str, tuple[str, ...]], ...]
    ) -> np.ndarray:
        """The documents matching at least one scope clause (a field given no values matches nothing)."""
        anyof = np.zeros(snap.n, dtype=bool)
        for clause in scope:
            inside = snap.alive.copy()
            for name, values in clause.items():
                allowed = np.zeros(snap.n, dtype=bool)
                if name == "key":
                    for start in range(0, len(values), 500):
                        chunk = values[start : start + 500]
                        rowids = [
                            r
                            for (r,) in conn.execute(
                                f"SELECT rowid FROM search_docs WHERE key IN ({', '.join('?' * len(chunk))})", chunk
                            )
                        ]
                        allowed |= snap.mask_of(np.array(rowids, dtype=np.int64))
                else:
                    for value in values:
                        allowed[snap.value_docs(name, value)] = True
                inside &= allowed
            anyof |= inside
        return anyof

    def count(self, request: SearchRequest) -> int:
        with self._reading() as (conn, snap):
            return int(np.count_nonzero(self._selected(conn, snap, request)))

    def _ranked(
        self, conn: sqlite3.Connection, snap: ColumnView, tree: Node, candidates: np.ndarray, limit: int
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Candidates in relevance order, with scores by rowid (lower is better; inf: not scored).

        FTS5's BM25 floors the IDF of a phrase found in half the documents or more at 1e-6, and pays a pass over
        every phrase's matches per statement to learn it. So such common phrases are left out of the BM25
        expression (they would only break ties); a query made of common phrases only is ranked by which fields
        match (:meth:`_field_ranked`). The budget is spent as if BM25 ran inside rowid windows covering the
        candidates (the cost model, which fixes which candidates are ranked); candidates beyond it follow in index
        order. Only the first ``limit`` are returned.
        """
        if not len(candidates):
            return candidates, None
        alive = int(np.count_nonzero(snap.alive))
        rare_tree = _prune(tree, {leaf for leaf in leaves(tree) if 2 * self._df(conn, snap, leaf) >= alive})
        if rare_tree is None:
            return self._field_ranked(conn, snap, tree, candidates, limit)
        expr, rare = to_fts5(rare_tree), leaves(rare_tree)
        # Each phrase costs FTS5 about as much per row again; each statement first counts every phrase's matches.
        budget = RANK_BUDGET / len(rare)
        window_cost = max(WINDOW_COST, sum(self._df(conn, snap, leaf) for leaf in rare) // IDF_ROWS_PER_ROW)
        # Every candidate costs at least one scored row, so the cut falls within the first `budget` of them.
        plan = candidates[: int(budget) + 2]
        # Rows scored up to each rowid; only rowids up to the last planned one are ever looked up.
        scorable = np.cumsum(self._match(conn, snap, rare_tree)[: plan[-1] + 1], dtype=np.int32)
        gaps = scorable[plan[1:] - 1] - scorable[plan[:-1]]
        window = np.concatenate(([0], np.cumsum(gaps > window_cost)))
        starts = np.flatnonzero(np.concatenate(([True], window[1:] != window[:-1])))
        first = plan[starts][window]
        partial = scorable[plan] - scorable[first - 1]
        ends = np.concatenate((starts[1:] - 1, [len(plan) - 1]))
        full = scorable[plan[ends]] - scorable[plan[starts] - 1]
        before = np.concatenate(([0], np.cumsum(full)))[window]
        cost = before + partial + window_cost * (window + 1)
        cut = max(1, int(np.searchsorted(cost, budget + window_cost, side="right")))
        head = candidates[:cut]
        # The windows above decide which candidates are ranked (the results); scoring them takes one statement, so
        # the IDF pass is paid once. Matches in the range that are not candidates (filtered out) are skipped before
        # BM25 by a filter on rowid: stepping over one costs ~0.1 µs, scoring it ~3 µs.
        lo, hi = int(head[0]), int(head[-1])
        sql, args = _BM25, (expr, lo, hi)  # type: tuple[str, tuple[Any, ...]]
        if scorable[hi] - scorable[lo - 1] > cut:
            sql, args = sql + " AND +rowid IN (SELECT value FROM json_each(?))", (*args, json.dumps(head.tolist()))
        rows = conn.execute(sql, args).fetchall()
        found = np.fromiter(rows, dtype=_SCORED, count=len(rows))
        scores = np.full(snap.n, np.inf)
        scores[found["rowid"]] = found["score"]
        order = head[lexsort_head((snap.keyrank[head], scores[head]), limit)]
        return np.concatenate((order, candidates[cut : cut + max(0, limit - cut)])), scores

    def _field_ranked(
        self, conn: sqlite3.Connection, snap: ColumnView, tree: Node, candidates: np.ndarray, limit: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rank by the summed weights of the fields each phrase occurs in (title first), then by key."""
        weight = np.zeros(snap.n, dtype=np.float32)
        for leaf in dict.fromkeys(leaves(tree)):
            for field in TEXT_FIELDS:
                weight += np.float32(field.weight) * self._leaf(conn, snap, leaf, field.name)
        score = weight[candidates].astype(np.float64)
        scores = np.full(snap.n, np.inf)
        scores[candidates] = -score
        return candidates[lexsort_head((snap.keyrank[candidates], -score), limit)], scores

    def _ordered(
        self, conn: sqlite3.Connection, snap: ColumnView, request: SearchRequest, candidates: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The candidates up to the end of the requested page, in the requested order, and BM25 scores by rowid
        (inf: not scored) when ranked."""
        scoring, limit = positive(request.tree), request.offset + request.size
        if request.sort == "relevance" and scoring is not None:
            return self._ranked(conn, snap, scoring, candidates, limit)
        if request.sort == "relevance":
            return candidates[lexsort_head((snap.keyrank[candidates],), limit)], None
        name, descending = request.sort.lstrip("-"), request.sort.startswith("-")
        values = snap.sort_column(conn, name, descending)[candidates]
        missing = np.isnan(values)
        values = np.where(missing, 0.0, -values if descending else values)
        return candidates[lexsort_head((snap.keyrank[candidates], values, missing), limit)], None

    def _highlights(
        self, conn: sqlite3.Connection, snap: ColumnView, tree: Node, page: list[int]
    ) -> dict[int, dict[str, list[str]]]:
        """The highlighted fields of each page row.

        A statement per row costs little, except that FTS5 (without a prefix index) merges every term of a prefix
        (``mult*``) at each statement, ~0.2 µs per match: 10 rows cost 10 merges. So when the query holds a prefix
        and stepping through the matches between the page's first and last rowid costs less than the merges saved,
        one statement covers them all (``+rowid IN``: a filter, so that FTS5 is not restarted once per value).
        """
        expr, found = to_fts5(tree), {}
        merged = sum(self._df(conn, snap, leaf) for leaf in leaves(tree) if leaf.prefix)
        lo, hi = min(page, default=0), max(page, default=0)
        if (
            merged
            and len(page) > 1
            and (np.count_nonzero(self._match(conn, snap, tree)[lo : hi + 1]) < (len(page) - 1) * merged)
        ):
            found = {
                row[0]: row[1:]
                for row in conn.execute(
                    f"SELECT rowid, {_SNIPPETS} FROM search_fts WHERE search_fts MATCH ? AND rowid BETWEEN ? AND ? "
                    "AND +rowid IN (SELECT value FROM json_each(?))",
                    (expr, lo, hi, json.dumps(page)),
                )
            }
        else:
            for rowid in page:
                found[rowid] = conn.execute(
                    f"SELECT {_SNIPPETS} FROM search_fts WHERE search_fts MATCH ? AND rowid = ?", (expr, rowid)
                ).fetchone()
        return {
            rowid: {
                name: [text]
                for name, text in zip(TEXT, found.get(rowid) or (), strict=False)
                if text and "<em>" in text
            }
            for rowid in page
        }

    def search(self, request: SearchRequest) -> SearchResult:
        with self._reading() as (conn, snap):
            mask = self._selected(conn, snap, request)
            candidates = np.flatnonzero(mask)
            facets = snap.facet_counts(request.facets, mask, candidates)
            order, scores = self._ordered(conn, snap, request, candidates)
            page = [int(r) for r in order[request.offset : request.offset + request.size]]
            rows = {}
            if page:
                marks = ", ".join("?" * len(page))
                rows = {
                    r[0]: r[1:]
                    for r in conn.execute(
                        f"SELECT rowid, key, type, label, body FROM search_docs WHERE rowid IN ({marks})", page
                    )
                }
            scoring = positive(request.tree)
            marked = self._highlights(conn, snap, scoring, page) if scoring is not None else {}
            hits = []
            for rowid in page:
                key, kind, label, body = rows[rowid]
                score = float(scores[rowid]) if scores is not None and np.isfinite(scores[rowid]) else None
                hits.append(
                    Hit(
                        key=key,
                        type=kind,
                        id=key.partition(":")[2],
                        label=label,
                        score=-score if score is not None else None,
                        highlights=marked.get(rowid, {}),
                        document=json.loads(body),
                    )
                )
        return SearchResult(hits=hits, total=len(candidates), facets=facets, page=request.page, size=request.size)

    def close(self) -> None:
        with self._write_lock, self._view.exclusive():
            if self._writer is not None:
                self._writer.close()
            for conn in self._opened:
                conn.close()


__all__ = ["SqliteFtsIndex"]
