"""The embedded FTS5 index: query syntax errors, common words, exact totals and facets, ranking, read-only use."""

from __future__ import annotations

import random
import sqlite3

import pytest

from medal_catalog.errors import QuerySyntaxError, StoreError
from medal_catalog.search import SearchRequest, open_index
from medal_catalog.search import sqlite_fts
from medal_catalog.search.query import Leaf, parse


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"brain scan', "unbalanced quote"),
        ("(brain OR lung", "unbalanced parenthesis"),
        ("brain)", "unbalanced parenthesis"),
        ("brain AND", "nothing on its right"),
        ("AND brain", "nothing on its left"),
        ("OR", "nothing on its left"),
        ("brain OR", "nothing on its right"),
        ("NOT", "nothing to negate"),
        ("brain NOT", "nothing to negate"),
        ("()", "empty parentheses"),
        ("title:glioma", "field-scoped search"),
        ("NEAR(brain scan)", "NEAR"),
        ("^brain", "column start"),
        ("br*ain", "may only end a word"),
    ],
)
def test_query_syntax_errors_are_clear_400_errors(query, message):
    """Operators typed by users and unbalanced quotes give a QuerySyntaxError (HTTP 400), never an FTS5 crash."""
    with pytest.raises(QuerySyntaxError, match=message) as caught:
        SearchRequest.make(query)
    assert caught.value.http_status == 400


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("t1-weighted", Leaf("t1-weighted")),
        ("brain and lung", "And"),
        ("...", None),
        ("", None),
        ("glio*", Leaf("glio", prefix=True)),
    ],
)
def test_ordinary_text_parses(query, tree):
    """Punctuation inside words, lower-case and/or/not and stray symbols are ordinary text."""
    parsed = parse(query)
    assert parsed == tree if not isinstance(tree, str) else type(parsed).__name__ == tree


def _doc(i: int, rng: random.Random) -> dict:
    words = ["brain", "scan", "MR"] + rng.sample(["glioma", "stroke", "axial", "flair", "lung", "knee"], 2)
    return {
        "key": f"ImagingSeries:s{i:05d}",
        "id": f"s{i:05d}",
        "type": "ImagingSeries",
        "label": f"s{i}",
        "series_description": [" ".join(words)],
        "modality": [rng.choice(["MR", "CT"])],
        "body_part": [rng.choice(["BRAIN", "CHEST", "KNEE"])],
        "slice_thickness": [rng.choice([1.0, 3.0])],
    }


@pytest.fixture(scope="module")
def common(tmp_path_factory):
    """3,000 series in which "brain", "scan" and "MR" occur in every document."""
    rng = random.Random(3)
    docs = [_doc(i, rng) for i in range(3000)]
    index = open_index(f"sqlite:///{tmp_path_factory.mktemp('fts') / 'catalog.db'}")
    index.rebuild(docs)
    yield index, docs
    index.close()


def test_common_words_give_exact_totals_and_facets(common):
    """A word in every document: the total and the facet counts are exact, not sampled."""
    index, docs = common
    result = index.search(SearchRequest.make("brain scan", facets=["modality", "body_part"]))
    assert result.total == len(docs) and len(result.hits) == 10
    expected = {}
    for d in docs:
        expected[d["modality"][0]] = expected.get(d["modality"][0], 0) + 1
    assert dict(result.facets["modality"]) == expected
    assert all(h.score is not None for h in result.hits)


def test_filters_do_not_leak_between_queries(common):
    """A filtered search leaves the next unfiltered search of the same word unaffected (cached matches)."""
    index, docs = common
    narrowed = index.search(SearchRequest.make("glioma", filters={"modality": ["CT"]}))
    everything = index.search(SearchRequest.make("glioma"))
    assert narrowed.total == sum(1 for d in docs if "glioma" in d["series_description"][0] and d["modality"] == ["CT"])
    assert everything.total == sum(1 for d in docs if "glioma" in d["series_description"][0])


def test_ranking_is_exact_within_the_budget(common, tmp_path):
    """While the matches fit the scoring budget, the order is FTS5's own BM25 order (ties by key)."""
    index, docs = common
    result = index.search(SearchRequest.make("flair knee", size=20))
    raw = sqlite3.connect(index.path)
    expected = [
        row[0]
        for row in raw.execute(
            f"SELECT d.key FROM search_fts f JOIN search_docs d ON d.rowid = f.rowid WHERE search_fts MATCH "
            f'\'"flair" AND "knee"\' ORDER BY bm25(search_fts, {sqlite_fts.WEIGHTS}), d.key LIMIT 20'
        )
    ]
    raw.close()
    assert [h.key for h in result.hits] == expected


def test_beyond_the_budget_totals_stay_exact_and_top_hits_are_ranked(common, monkeypatch):
    """With a tiny budget only the first candidates are scored, yet totals, facets and paging stay exact."""
    index, docs = common
    full = index.search(SearchRequest.make("brain", facets=["body_part"], size=5))
    monkeypatch.setattr(sqlite_fts, "RANK_BUDGET", 50)
    small = index.search(SearchRequest.make("brain", facets=["body_part"], size=5))
    assert (small.total, small.facets) == (full.total, full.facets)
    scores = [h.score for h in small.hits]
    assert scores == sorted(scores, reverse=True)
    last_page = index.search(SearchRequest.make("brain", page=len(docs) // 5, size=5))
    assert len(last_page.hits) == 5


def test_read_only_catalog_without_an_index_says_so(tmp_path):
    """Searching a read-only file that never had an index is a clear error, not 'no such table'."""
    sqlite3.connect(tmp_path / "empty.db").execute("CREATE TABLE x(y)").connection.close()
    index = open_index(f"sqlite:///{tmp_path / 'empty.db'}?mode=ro")
    with pytest.raises(StoreError, match="no search index yet"):
        index.search(SearchRequest.make("brain"))
    index.close()
