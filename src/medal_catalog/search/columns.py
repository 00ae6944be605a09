"""The in-memory column view of the FTS5 index: liveness, key order, facet and number columns, match cache.

Loaded once from ``search_facets``/``search_numbers`` in a few bulk reads, each returning one string of numbers
that numpy parses in C; then filters, ranges, facet counts and sorts are array operations instead of SQL over every
matching row. Every write bumps the index generation and logs the rowids it touched (``search_changes``); a view
catches up by re-reading only those rows (:meth:`ColumnView.patch`), so the first search after a write costs
milliseconds, not a reload (about 0.4 s per 100k documents).
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import suppress
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from medal_catalog.search.base import order_facets
from medal_catalog.search.fields import DATE_FIELDS, FACET_FIELDS, RANGE_FIELDS

#: A facet row is read back as ``docid * CODE_SPAN + code`` so one aggregate carries both, in step.
CODE_SPAN = 1 << 24
#: Range masks kept per index generation (one byte per document each).
_RANGE_CACHE = 64
#: The FTS5 tokenizer of the index (sqlite_fts.py creates its table with it; patches match with it too).
TOKENIZE = "unicode61 remove_diacritics 2"
#: The spacing of key ranks in a freshly loaded view: room for ~40 halvings between two neighbours.
RANK_STEP = 1024.0


def ints(text: str | None) -> np.ndarray:
    """The integers of a space-separated string (as ``group_concat`` returns them)."""
    # fromstring parses in C: six times faster than split() for the 100k-number strings group_concat returns.
    return np.fromstring(text, dtype=np.int64, sep=" ") if text else np.zeros(0, dtype=np.int64)


def number(field: str, value: Any) -> float:
    """A range value as a float: dates become proleptic ordinals so that they compare as numbers."""
    if field in DATE_FIELDS:
        return float(date.fromisoformat(str(value)[:10]).toordinal())
    return float(value)


@dataclass
class Facet:
    """One facet's values and, per rowid, the index of its first value (1-based; 0: none) plus extra values."""

    values: list[str]
    codes: list[int]
    dense: np.ndarray
    extra_docs: np.ndarray
    extra_values: np.ndarray
    alive_counts: np.ndarray | None = None

    def counts(
        self, docs: np.ndarray, mask: np.ndarray, complement: np.ndarray | None, alive: np.ndarray
    ) -> Iterator[tuple[str, int]]:
        """Value counts among the masked documents ``docs``, or through ``complement`` (the live documents outside
        the mask) when that is the smaller set.

        Both are rowid arrays computed once per search: ``take`` on them is about five times faster than indexing
        by a boolean mask, whose unpredictable branches dominate when about half the documents match.
        """
        size = len(self.values) + 1
        if complement is not None:
            if self.alive_counts is None:
                self.alive_counts = np.bincount(self.dense[alive], minlength=size)
            counts = self.alive_counts - np.bincount(self.dense.take(complement), minlength=size)
        else:
            counts = np.bincount(self.dense.take(docs), minlength=size)
        if len(self.extra_docs):
            counts += np.bincount(self.extra_values[mask[self.extra_docs]], minlength=size)
        return zip(self.values, (int(c) for c in counts[1:]), strict=True)


def _compact(size: int) -> type:
    """The smallest unsigned integer type holding 0..size-1: a narrower column is gathered faster."""
    return np.uint8 if size <= 1 << 8 else np.uint16 if size <= 1 << 16 else np.int32


class ColumnView:
    """One index generation, in arrays indexed by rowid; also caches the matches of words and phrases."""

    def __init__(self, conn: sqlite3.Connection, generation: int) -> None:
        self.generation = generation
        self.n = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM search_docs").fetchone()[0]) + 1
        in_key_order = ints(
            conn.execute(
                "SELECT group_concat(rowid, ' ') FROM (SELECT rowid FROM search_docs ORDER BY key)"
            ).fetchone()[0]
        )
        self.alive = np.zeros(self.n, dtype=bool)
        self.alive[in_key_order] = True
        # Unused rowids rank last; ties in every ordering are broken by key, as in Elasticsearch's sort. Ranks are
        # floats spaced RANK_STEP apart so that keys written later get ranks between their neighbours' (patch()).
        self.keyrank = np.full(self.n, np.inf)
        self.keyrank[in_key_order] = np.arange(len(in_key_order), dtype=np.float64) * RANK_STEP
        self._load_facets(conn)
        self.numbers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for field in RANGE_FIELDS:
            docs, values = conn.execute(
                "SELECT group_concat(docid, ' '), group_concat(value, ' ') FROM search_numbers WHERE field = ?",
                (field,),
            ).fetchone()
            if docs:
                self.numbers[field] = (ints(docs), np.fromstring(values, dtype=np.float64, sep=" "))
        self._sort_columns: dict[str, np.ndarray] = {}
        self._value_docs: dict[tuple[str, str], np.ndarray] = {}
        self._ranges: dict[tuple[str, Any, Any], np.ndarray] = {}
        self.leaves: OrderedDict[str, np.ndarray] = OrderedDict()
        self.leaf_counts: dict[str, int] = {}

    def _load_facets(self, conn: sqlite3.Connection) -> None:
        self.code_of: dict[tuple[str, str], int] = {}
        by_field: dict[str, list[tuple[int, str]]] = {f: [] for f in FACET_FIELDS}
        for code, field, value in conn.execute("SELECT code, field, value FROM search_values ORDER BY code"):
            self.code_of[(field, value)] = code
            by_field.setdefault(field, []).append((code, value))
        pairs = ints(
            conn.execute(f"SELECT group_concat(docid * {CODE_SPAN} + code, ' ') FROM search_facets").fetchone()[0]
        )
        self.pair_docs, self.pair_codes = pairs // CODE_SPAN, pairs % CODE_SPAN
        # Patches leave these millions of pairs alone: the rows they touched are marked stale here and their
        # current pairs kept aside (``new_docs``/``new_codes``), a few thousand at most between two reloads.
        self.stale = np.zeros(self.n, dtype=bool)
        self.new_docs, self.new_codes = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        top = max(self.code_of.values(), default=0) + 1
        field_of, position = np.full(top, -1, dtype=np.int32), np.zeros(top, dtype=np.int32)
        for f, field in enumerate(FACET_FIELDS):
            codes = [c for c, _ in by_field[field]]
            field_of[codes], position[codes] = f, np.arange(1, len(codes) + 1)
        pair_field = field_of[self.pair_codes]
        self.facets: dict[str, Facet] = {}
        for f, field in enumerate(FACET_FIELDS):
            chosen = pair_field == f
            docs, values = self.pair_docs[chosen], position[self.pair_codes[chosen]]
            # Most documents hold one value per facet: a dense column (0 = none) counts with one compress and one
            # bincount; the second, third... values of multi-valued documents are kept aside as pairs.
            order = np.argsort(docs, kind="stable")
            repeated = np.zeros(len(docs), dtype=bool)
            repeated[order[1:]] = docs[order][1:] == docs[order][:-1]
            dense: np.ndarray = np.zeros(self.n, dtype=_compact(len(by_field[field]) + 1))
            dense[docs[~repeated]] = values[~repeated]
            self.facets[field] = Facet(
                [v for _, v in by_field[field]],
                [c for c, _ in by_field[field]],
                dense,
                docs[repeated],
                values[repeated],
            )

    # --- bringing a view up to a later generation without reloading it ------------------------------------------
    def patch(
        self, conn: sqlite3.Connection, generation: int, changed: np.ndarray, text_columns: tuple[str, ...] = ()
    ) -> bool:
        """Apply the writes since this view's generation, given the rowids they touched (``changed``), so that a
        search after a write costs a few milliseconds instead of a reload (seconds at a million documents).
        False when it cannot (key ranks exhausted between two neighbours): the caller reloads."""
        changed = np.unique(changed)
        ids = json.dumps(changed.tolist())
        n = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM search_docs").fetchone()[0]) + 1
        if n > self.n:
            self._grow(n)
        touched = np.zeros(self.n, dtype=bool)
        touched[changed[changed < self.n]] = True
        rows = conn.execute(
            "SELECT rowid, key FROM search_docs WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY key", (ids,)
        ).fetchall()
        present = np.array([r for r, _ in rows], dtype=np.int64)
        # Rows this view did not have alive are new keys (SQLite may reuse the rowid of a deleted row).
        new = [(r, k) for r, k in rows if not self.alive[r]]
        self.keyrank[changed[~self.alive[changed]]] = np.inf
        gone = np.setdiff1d(changed, present)
        self.keyrank[gone] = np.inf
        if new and not self._rank(conn, new):
            return False
        self.alive[changed] = False
        self.alive[present] = True
        self._patch_facets(conn, ids, touched)
        if len(self.new_docs) > max(200_000, len(self.pair_docs) // 4):
            return False  # patched pairs kept aside outgrow their saving: a reload folds them in
        for field in RANGE_FIELDS:
            docs, values = self.numbers.get(field, (np.zeros(0, dtype=np.int64), np.zeros(0)))
            keep = ~touched[docs]
            self.numbers[field] = (docs[keep], values[keep])
        added: dict[str, list[tuple[int, float]]] = {}
        for docid, field, value in conn.execute(
            "SELECT docid, field, value FROM search_numbers WHERE docid IN (SELECT value FROM json_each(?))", (ids,)
        ):
            added.setdefault(field, []).append((docid, value))
        for field, pairs in added.items():
            docs, values = self.numbers.get(field, (np.zeros(0, dtype=np.int64), np.zeros(0)))
            self.numbers[field] = (
                np.concatenate((docs, np.array([d for d, _ in pairs], dtype=np.int64))),
                np.concatenate((values, np.array([v for _, v in pairs], dtype=np.float64))),
            )
        if self.leaves and not self._patch_leaves(conn, ids, changed, text_columns):
            self.leaves.clear()
            self.leaf_counts.clear()
        self._sort_columns.clear()
        self._value_docs.clear()
        self._ranges.clear()
        self.generation = generation
        return True

    def _patch_leaves(
        self, conn: sqlite3.Connection, ids: str, changed: np.ndarray, text_columns: tuple[str, ...]
    ) -> bool:
        """Re-match the cached words and phrases on the changed rows only: FTS5 cannot restrict a MATCH to a set of
        rowids without scanning the term's whole doclist (70 ms per common word at 100k documents), so the changed
        rows' text is copied into a small temporary FTS5 table of the same tokenizer and matched there."""
        if not text_columns:
            return False
        columns = ", ".join(text_columns)
        try:
            conn.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_patch USING fts5({columns}, tokenize={TOKENIZE!r})"
            )
            conn.execute("DELETE FROM temp.search_patch")
            conn.execute(
                f"INSERT INTO temp.search_patch(rowid, {columns}) SELECT rowid, {columns} FROM search_fts "
                "WHERE rowid IN (SELECT value FROM json_each(?))",
                (ids,),
            )
            for expr, mask in self.leaves.items():
                mask[changed] = False
                mask[
                    [
                        r
                        for (r,) in conn.execute(
                            "SELECT rowid FROM temp.search_patch WHERE search_patch MATCH ?", (expr,)
                        )
                    ]
                ] = True
                self.leaf_counts[expr] = int(np.count_nonzero(mask))
            conn.execute("DELETE FROM temp.search_patch")
        except sqlite3.Error:
            return False  # the cached matches are dropped and found again on demand
        return True

    def _grow(self, n: int) -> None:
        """Room for rowids up to ``n - 1`` in every per-rowid array."""
        extra = n - self.n
        self.alive = np.concatenate((self.alive, np.zeros(extra, dtype=bool)))
        self.stale = np.concatenate((self.stale, np.zeros(extra, dtype=bool)))
        self.keyrank = np.concatenate((self.keyrank, np.full(extra, np.inf)))
        for facet in self.facets.values():
            facet.dense = np.concatenate((facet.dense, np.zeros(extra, dtype=facet.dense.dtype)))
        for expr in list(self.leaves):
            self.leaves[expr] = np.concatenate((self.leaves[expr], np.zeros(extra, dtype=bool)))
        self.n = n

    def _rank(self, conn: sqlite3.Connection, new: list[tuple[int, str]]) -> bool:
        """Key ranks for rowids new to this view (``new`` in key order), between their neighbours' ranks."""
        fresh = {r for r, _ in new}
        i = 0
        while i < len(new):
            # A run of new keys with no ranked key between them shares the same two ranked neighbours. The keys
            # after the run's first are read in growing chunks, not one statement each: with other threads
            # waiting for the GIL, each statement costs a switch interval (5 ms) to come back from, and a
            # harvest's 1,200 new series took seconds under a 50-client load (issue 32).
            j, above, step, after = i, None, 16, new[i][1]
            below = conn.execute(
                "SELECT rowid FROM search_docs WHERE key < ? ORDER BY key DESC LIMIT 1", (after,)
            ).fetchone()
            while True:
                rows = conn.execute(
                    "SELECT rowid, key FROM search_docs WHERE key > ? ORDER BY key LIMIT ?", (after, step)
                ).fetchall()
                for rowid, key in rows:
                    if rowid not in fresh:  # keys are unique, so the next fresh one in key order is new[j + 1]
                        above = rowid
                        break
                    j, after = j + 1, key
                else:
                    if len(rows) == step:
                        step = min(4 * step, 4096)
                        continue
                break
            lo = self.keyrank[below[0]] if below is not None else None
            hi = self.keyrank[above] if above is not None else None
            lo = lo if lo is not None and np.isfinite(lo) else None
            hi = hi if hi is not None and np.isfinite(hi) else None
            count = j - i + 1
            if lo is None and hi is None:  # no ranked key below or above: the view held none
                lo, hi = -RANK_STEP, RANK_STEP * (count + 1)
            elif hi is None and lo is not None:
                hi = lo + RANK_STEP * (count + 1)
            elif lo is None and hi is not None:
                lo = hi - RANK_STEP * (count + 1)
            assert lo is not None and hi is not None  # one of the branches above set the missing bound
            ranks = np.linspace(lo, hi, count + 2)[1:-1]
            if not (lo < ranks[0] and ranks[-1] < hi and np.all(np.diff(ranks) > 0)):
                return False
            for (rowid, _), rank in zip(new[i : j + 1], ranks, strict=True):
                self.keyrank[rowid] = rank
            i = j + 1
        return True

    def _patch_facets(self, conn: sqlite3.Connection, ids: str, touched: np.ndarray) -> None:
        known = max(self.code_of.values(), default=0)
        for code, field, value in conn.execute(
            "SELECT code, field, value FROM search_values WHERE code > ? ORDER BY code", (known,)
        ):
            self.code_of[(field, value)] = code
            facet = self.facets.get(field)
            if facet is not None:
                facet.values.append(value)
                facet.codes.append(code)
                if len(facet.values) + 1 > np.iinfo(facet.dense.dtype).max:
                    facet.dense = facet.dense.astype(_compact(2 * len(facet.values) + 2))
        pairs = ints(
            conn.execute(
                f"SELECT group_concat(docid * {CODE_SPAN} + code, ' ') FROM search_facets WHERE "
                "docid IN (SELECT value FROM json_each(?))",
                (ids,),
            ).fetchone()[0]
        )
        new_docs, new_codes = pairs // CODE_SPAN, pairs % CODE_SPAN
        self.stale |= touched
        kept = ~touched[self.new_docs]
        self.new_docs = np.concatenate((self.new_docs[kept], new_docs))
        self.new_codes = np.concatenate((self.new_codes[kept], new_codes))
        top = max(self.code_of.values(), default=0) + 1
        field_of, position = np.full(top, -1, dtype=np.int32), np.zeros(top, dtype=np.int64)
        for f, name in enumerate(FACET_FIELDS):
            facet = self.facets[name]
            field_of[facet.codes], position[facet.codes] = f, np.arange(1, len(facet.codes) + 1)
        new_field = field_of[new_codes]
        for f, name in enumerate(FACET_FIELDS):
            facet = self.facets[name]
            facet.alive_counts = None
            facet.dense[touched] = 0
            kept = ~touched[facet.extra_docs]
            chosen = new_field == f
            docs, values = new_docs[chosen], position[new_codes[chosen]]
            order = np.argsort(docs, kind="stable")
            repeated = np.zeros(len(docs), dtype=bool)
            repeated[order[1:]] = docs[order][1:] == docs[order][:-1]
            facet.dense[docs[~repeated]] = values[~repeated]
            facet.extra_docs = np.concatenate((facet.extra_docs[kept], docs[repeated])).astype(np.int64)
            facet.extra_values = np.concatenate((facet.extra_values[kept], values[repeated])).astype(np.int64)

    def facet_counts(
        self, names: tuple[str, ...], mask: np.ndarray, docs: np.ndarray
    ) -> dict[str, list[tuple[str, int]]]:
        """The counts of each named facet among the masked documents ``docs`` (most frequent first)."""
        complement = None
        if names and len(docs) * 2 > self.n:  # most documents match: count the fewer that do not
            complement = np.flatnonzero(self.alive & ~mask)
        return {name: order_facets(self.facets[name].counts(docs, mask, complement, self.alive)) for name in names}

    def mask_of(self, ids: np.ndarray) -> np.ndarray:
        """A boolean array over rowids, true at ``ids`` (ids written after this view was loaded are ignored)."""
        mask = np.zeros(self.n, dtype=bool)
        mask[ids[ids < self.n]] = True
        return mask

    def range_mask(self, name: str, lo: Any, hi: Any) -> np.ndarray:
        """The documents with a value of a range field within inclusive bounds (cached: bounds repeat often)."""
        key = (name, lo, hi)
        mask = self._ranges.get(key)
        if mask is None:
            docs, values = self.numbers.get(name, (np.zeros(0, dtype=np.int64), np.zeros(0)))
            keep = np.ones(len(values), dtype=bool)
            if lo is not None:
                keep &= values >= number(name, lo)
            if hi is not None:
                keep &= values <= number(name, hi)
            if len(self._ranges) >= _RANGE_CACHE:
                with suppress(RuntimeError, KeyError):  # searches share the cache: another may be changing it
                    self._ranges.pop(next(iter(self._ranges)))
            mask = self._ranges[key] = self.mask_of(docs[keep])
        return mask

    def value_docs(self, field: str, value: str) -> np.ndarray:
        """The rowids holding a facet value (cached)."""
        key = (field, value)
        if key not in self._value_docs:
            code = self.code_of.get(key)
            if code is None:
                self._value_docs[key] = np.zeros(0, dtype=np.int64)
            else:
                docs = self.pair_docs[self.pair_codes == code]
                self._value_docs[key] = np.concatenate((docs[~self.stale[docs]], self.new_docs[self.new_codes == code]))
        return self._value_docs[key]

    def sort_column(self, conn: sqlite3.Connection, name: str, descending: bool) -> np.ndarray:
        """Per-rowid sort values (NaN when missing): title rank, or a range field's min (ascending) / max."""
        cache_key = f"{name}:{descending}"
        if cache_key not in self._sort_columns:
            column = np.full(self.n, np.nan)
            if name == "title":
                order = ints(
                    conn.execute(
                        "SELECT group_concat(rowid, ' ') FROM (SELECT rowid FROM search_docs "
                        "WHERE sort_title IS NOT NULL ORDER BY sort_title)"
                    ).fetchone()[0]
                )
                column[order] = np.arange(len(order))
            elif name == "key":
                column = self.keyrank.astype(np.float64)
            elif name in self.numbers:
                docs, values = self.numbers[name]
                (np.fmax if descending else np.fmin).at(column, docs, values)
            self._sort_columns[cache_key] = column
        return self._sort_columns[cache_key]
