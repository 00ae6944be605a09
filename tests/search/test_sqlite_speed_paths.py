"""The embedded index's shortcuts give exactly what the plain way gives: partial sorts, one BM25 statement for
filtered candidates, one snippet statement for a page of prefix matches."""

from __future__ import annotations

import random
import sqlite3

import numpy as np
import pytest

from medal_catalog.search import SearchRequest, open_index
from medal_catalog.search import sqlite_fts
from medal_catalog.search.ordering import lexsort_head

WORDS = ["glioma", "glioblastoma", "stroke", "axial", "flair", "lung", "knee", "multiple", "multicentre"]


@pytest.mark.parametrize("k", [1, 7, 100, 4999, 6000, 20000])
def test_lexsort_head_is_the_head_of_lexsort(k):
    """Few distinct primary values (many ties), a missing flag, and a unique tie-breaker, as the index sorts."""
    rng = np.random.default_rng(k)
    n = 12000
    tiebreak = rng.permutation(n)
    values = rng.integers(0, 5, n).astype(np.float64)
    missing = rng.random(n) < 0.5
    for keys in [(tiebreak,), (tiebreak, values), (tiebreak, values, missing), (tiebreak, -values * 0.1)]:
        assert np.array_equal(lexsort_head(keys, k), np.lexsort(keys)[:k])


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """6,000 series: rare and common words, several facet values, spread over the rowids."""
    rng = random.Random(7)
    docs = []
    for i in range(6000):
        words = ["brain", "scan"] + rng.sample(WORDS, 3)
        docs.append(
            {
                "key": f"ImagingSeries:s{i:05d}",
                "id": f"s{i:05d}",
                "type": "ImagingSeries",
                "label": f"s{i}",
                "series_description": [" ".join(words)],
                "study_description": [rng.choice(WORDS)],
                "modality": [rng.choice(["MR", "CT", "PT", "US"])],
                "body_part": [rng.choice(["BRAIN", "KNEE"])],
            }
        )
    index = open_index(f"sqlite:///{tmp_path_factory.mktemp('fts') / 'catalog.db'}")
    index.rebuild(docs)
    yield index
    index.close()


def _raw(index, sql, args=()):
    raw = sqlite3.connect(index.path)
    try:
        return raw.execute(sql, args).fetchall()
    finally:
        raw.close()


def test_filtered_candidates_are_scored_as_fts5_scores_them(index, monkeypatch):
    """A filter leaves sparse candidates among the matches; their BM25 order and scores are FTS5's own."""
    monkeypatch.setattr(sqlite_fts, "RANK_BUDGET", 100_000)  # every candidate ranked: the order is exact
    result = index.search(SearchRequest.make("glioma", filters={"modality": ["PT"], "body_part": ["KNEE"]}, size=30))
    expected = _raw(
        index,
        "SELECT d.key, bm25(search_fts, " + sqlite_fts.WEIGHTS + ") AS s FROM search_fts f "
        "JOIN search_docs d ON d.rowid = f.rowid WHERE search_fts MATCH '\"glioma\"' AND d.rowid IN "
        "(SELECT docid FROM search_facets JOIN search_values USING (code) WHERE field = 'modality' "
        "AND value = 'PT') AND d.rowid IN (SELECT docid FROM search_facets JOIN search_values USING "
        "(code) WHERE field = 'body_part' AND value = 'KNEE') ORDER BY s, d.key LIMIT 30",
    )
    assert [(h.key, h.score) for h in result.hits] == [(key, -score) for key, score in expected]


@pytest.mark.parametrize("query", ["glio*", "mult*", "multi* flair"])
def test_prefix_highlights_match_one_statement_per_row(index, query):
    """A page of prefix matches is highlighted in one statement; the snippets are those of a statement per row."""
    request = SearchRequest.make(query, size=25)
    result = index.search(request)
    expr = sqlite_fts.to_fts5(request.tree)
    for hit in result.hits:
        row = _raw(
            index,
            f"SELECT {sqlite_fts._SNIPPETS} FROM search_fts WHERE search_fts MATCH ? AND rowid = "
            "(SELECT rowid FROM search_docs WHERE key = ?)",
            (expr, hit.key),
        )[0]
        assert hit.highlights == {
            name: [text] for name, text in zip(sqlite_fts.TEXT, row, strict=True) if text and "<em>" in text
        }
        assert hit.highlights


def test_pages_of_a_partial_sort_tile_the_full_order(index):
    """Each page comes from a partial sort; pages in a row give the order of one big page, for every sort."""
    for query, sort in [("", "relevance"), ("brain", "relevance"), ("scan", "key"), ("glioma", "-key")]:
        whole = [h.key for h in index.search(SearchRequest.make(query, sort=sort, size=300)).hits]
        paged = [
            h.key
            for page in range(1, 7)
            for h in index.search(SearchRequest.make(query, sort=sort, page=page, size=50)).hits
        ]
        assert paged == whole
