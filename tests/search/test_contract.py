"""One contract, both backends: SQLite FTS5 and Elasticsearch (osmem-server in CI) give the same answers."""

from __future__ import annotations

import pytest

from medal_catalog.search import SearchRequest

import search_corpus
from search_corpus import corpus_docs, drop, make_index

# Fixtures shared with the other search tests (a conftest here would shadow tests/conftest.py's module name).
es_url, loaded = search_corpus.es_url, search_corpus.loaded


def keys(result):
    return [hit.key for hit in result.hits]


def run(index, query="", **kwargs):
    kwargs.setdefault("size", 50)
    return index.search(SearchRequest.make(query, **kwargs))


def test_get_returns_the_flattened_document(loaded):
    """get() returns the index document: facet fields gathered from nested slots, and nested series."""
    doc = loaded.get("ImagingDataset:brain-mr")
    assert doc["license"] == ["CC-BY-4.0"]
    assert doc["manufacturer"] == ["SIEMENS"]
    assert doc["slice_thickness"] == [1.0, 5.0]
    assert doc["series"][0]["modality"] == "MR"
    assert loaded.get("ImagingDataset:nope") is None


def test_count_and_match_all_in_key_order(loaded):
    """An empty query matches every document; without a text score, hits come in key order."""
    everything = run(loaded)
    assert loaded.count(SearchRequest.make()) == everything.total == 11
    assert keys(everything) == sorted(keys(everything))


def test_single_term_hits_and_order(loaded):
    """A word finds every document holding it; a title match outranks a keyword match."""
    result = run(loaded, "screening")
    assert keys(result) == ["ImagingDataset:chest-ct", "BenchmarkTask:lung-nodule"]
    assert result.hits[0].score is not None and result.hits[0].score >= result.hits[1].score


def test_words_are_anded(loaded):
    """Several words must all occur."""
    assert keys(run(loaded, "lung nodule")) == ["BenchmarkTask:lung-nodule"]


def test_phrase_prefix_and_boolean_operators(loaded):
    """Quoted phrases, trailing-* prefixes, OR and NOT behave alike."""
    assert keys(run(loaded, '"soft tissue"')) == ["ImagingSeries:s-ct-soft"]
    assert set(keys(run(loaded, "glio*"))) == {"BenchmarkTask:glioma-seg", "ImagingDataset:brain-mr"}
    assert set(keys(run(loaded, "flair OR kernel"))) == {"ImagingSeries:s-mr-flair", "ImagingSeries:s-ct-lung"}
    assert keys(run(loaded, "axial NOT flair")) == ["ImagingSeries:s-mr-15"]


def test_highlights_mark_the_matched_field(loaded):
    """Hits carry highlights of the text fields that matched, with <em> marks."""
    hit = run(loaded, "glioma").hits[0]
    assert hit.key == "BenchmarkTask:glioma-seg"
    assert "<em>Glioma</em>" in hit.highlights["title"][0]
    assert "description" not in hit.highlights


def test_filters_and_facet_counts(loaded):
    """Filters select exactly; facet counts are over the filtered matches, most frequent first."""
    result = run(loaded, filters={"modality": ["MR"]}, facets=["type", "body_part", "manufacturer"])
    assert result.total == 6
    assert result.facets["type"] == [("ImagingSeries", 3), ("BenchmarkTask", 2), ("ImagingDataset", 1)]
    # The glioma task counts under BRAIN through its anatomy (UBERON "brain").
    assert result.facets["body_part"] == [("BRAIN", 4), ("HEAD", 1)]
    assert result.facets["manufacturer"] == [("SIEMENS", 3), ("Philips", 1)]


def test_values_of_one_filter_are_ored_and_filters_anded(loaded):
    """Two values of one facet widen; a second facet narrows."""
    assert run(loaded, filters={"modality": ["CT", "MR"]}).total == 10
    narrowed = run(loaded, filters={"modality": ["CT"], "type": ["ImagingDataset"]})
    assert keys(narrowed) == ["ImagingDataset:chest-ct"]
    assert keys(run(loaded, filters={"license": "CC-BY-NC-4.0"})) == ["ImagingDataset:chest-ct"]
    assert keys(run(loaded, filters={"country": "BE"})) == ["ImagingDataset:chest-ct"]


def test_scope_is_a_disjunction_of_clauses_applied_before_totals_and_facets(loaded):
    """A scope keeps documents matching any clause (fields within a clause anded, keys exact), and totals and
    facet counts see only those (the API's access limits rely on it)."""
    scope = [{"type": ["BenchmarkTask"], "modality": ["MR"]}, {"key": ["ImagingDataset:chest-ct"]}]
    result = run(loaded, scope=scope, facets=["type"])
    assert result.total == 3 and "ImagingDataset:chest-ct" in keys(result)
    assert result.facets["type"] == [("BenchmarkTask", 2), ("ImagingDataset", 1)]
    assert keys(run(loaded, filters={"modality": ["CT"]}, scope=scope)) == [
        "BenchmarkTask:stroke-triage",
        "ImagingDataset:chest-ct",
    ]
    assert run(loaded, scope=[{"key": []}]).total == 0
    with pytest.raises(Exception, match="cannot scope"):
        SearchRequest.make(scope=[{"colour": ["red"]}])


def test_text_query_with_filters_and_facets(loaded):
    """Full text, filters and facets combine."""
    result = run(loaded, "brain", filters={"type": ["BenchmarkTask", "ImagingDataset"]}, facets=["task_type"])
    assert set(keys(result)) == {"BenchmarkTask:glioma-seg", "BenchmarkTask:stroke-triage", "ImagingDataset:brain-mr"}
    assert result.facets["task_type"] == [("classification", 1), ("segmentation", 1)]


@pytest.mark.parametrize(
    ("field", "bounds", "expected"),
    [
        (
            "slice_thickness",
            (0.5, 1.5),
            {"ImagingDataset:brain-mr", "ImagingSeries:s-mr-t1", "ImagingSeries:s-ct-lung"},
        ),
        ("field_strength", (2, None), {"ImagingDataset:brain-mr", "ImagingSeries:s-mr-t1", "ImagingSeries:s-mr-flair"}),
        ("subject_count", (500, None), {"ImagingDataset:chest-ct"}),
        ("created", ("2024-01-01", "2024-12-31"), {"BenchmarkTask:glioma-seg"}),
    ],
)
def test_ranges_are_inclusive_and_match_any_value(loaded, field, bounds, expected):
    """A range keeps documents with any value inside the inclusive bounds, numbers and dates alike."""
    assert set(keys(run(loaded, ranges={field: bounds}))) == expected


def test_sort_by_field_with_missing_values_last(loaded):
    """Sorting by a field orders by it (descending with -), then by key; documents without it come last."""
    by_subjects = keys(run(loaded, sort="-subject_count"))
    assert by_subjects[:3] == ["ImagingDataset:chest-ct", "ImagingDataset:brain-mr", "BenchmarkTask:glioma-seg"]
    by_created = keys(run(loaded, sort="created", filters={"type": ["BenchmarkTask", "ImagingDataset"]}))
    assert by_created == [
        "ImagingDataset:chest-ct",
        "ImagingDataset:brain-mr",
        "BenchmarkTask:lung-nodule",
        "BenchmarkTask:glioma-seg",
        "BenchmarkTask:stroke-triage",
    ]


def test_pages(loaded):
    """Pages slice the same ordering."""
    everything = keys(run(loaded, sort="key"))
    assert keys(run(loaded, sort="key", page=2, size=3)) == everything[3:6]


def test_no_match(loaded):
    """A query nothing matches gives no hits and empty facets."""
    result = run(loaded, "xylophone", facets=["modality"])
    assert (result.total, result.hits, result.facets) == (0, [], {"modality": []})


@pytest.mark.parametrize("backend", ["sqlite", "elasticsearch"])
def test_index_replace_delete_and_rebuild(backend, tmp_path, request):
    """Writes are visible to the next search; re-indexing a key replaces it; rebuild swaps in a whole new index."""
    es = request.getfixturevalue("es_url") if backend == "elasticsearch" else None
    index = make_index(backend, tmp_path, es)
    try:
        docs = corpus_docs()
        index.bulk_index(docs[:3])
        assert index.count(SearchRequest.make()) == 3
        index.index({**docs[0], "title": ["Renamed xylophone task"]})
        assert keys(run(index, "xylophone")) == [docs[0]["key"]]
        assert index.count(SearchRequest.make()) == 3
        index.delete(docs[0]["key"])
        index.delete("BenchmarkTask:never-there")
        assert index.get(docs[0]["key"]) is None and index.count(SearchRequest.make()) == 2
        index.rebuild(docs[5:])
        assert index.count(SearchRequest.make()) == len(docs) - 5
        assert index.get(docs[1]["key"]) is None
    finally:
        drop(index)


@pytest.mark.parametrize("backend", ["sqlite", "elasticsearch"])
def test_catalog_keeps_either_index_in_step_with_the_store(backend, tmp_path, request):
    """Catalog writes reach the index; deletions leave it; reindex swaps in a rebuilt index with the same answers."""
    from medal_catalog.catalog import Catalog
    from search_corpus import CORPUS, es_options

    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    index_url, options = None, {}
    if backend == "elasticsearch":
        index_url, options = f"{request.getfixturevalue('es_url')}/catalog-{tmp_path.name[-12:].lower()}", es_options()
    with Catalog.open(url, index_url, **options) as catalog:
        results = catalog.put_many(CORPUS, author="test", reason="load")
        assert all(r.changed and r.indexed for r in results)
        assert keys(catalog.search("screening")) == ["ImagingDataset:chest-ct", "BenchmarkTask:lung-nodule"]
        catalog.delete("ImagingDataset", "chest-ct", author="test", reason="withdrawn")
        assert keys(catalog.search("screening")) == ["BenchmarkTask:lung-nodule"]
        assert catalog.reindex().indexed == len(CORPUS) - 1
        assert catalog.search("", size=50).total == len(CORPUS) - 1
        assert keys(catalog.search("screening")) == ["BenchmarkTask:lung-nodule"]
        if backend == "elasticsearch":
            alias = catalog.index.alias
            catalog.index.client.indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)


def test_keyword_filters_match_the_schemas_canonical_case(loaded):
    """modality=ct, body_part=brain, type=imagingseries answer as CT, BRAIN, ImagingSeries do; an unknown value
    matches nothing rather than being guessed."""
    lower = run(loaded, filters={"modality": ["mr"], "body_part": ["brain"], "type": ["imagingseries"]})
    assert set(keys(lower)) == {"ImagingSeries:s-mr-t1", "ImagingSeries:s-mr-flair"}
    assert keys(lower) == keys(
        run(loaded, filters={"modality": ["MR"], "body_part": ["BRAIN"], "type": ["ImagingSeries"]})
    )
    assert run(loaded, filters={"access_level": ["OPEN"]}).total == 1
    assert run(loaded, filters={"modality": ["ctt"]}).total == 0


def test_scanner_models_and_vendors_are_full_text(loaded):
    """Free text finds a model name (Aquilion) and a vendor (Philips) as it finds titles."""
    assert keys(run(loaded, "aquilion")) == ["ImagingSeries:s-ct-soft"]
    assert set(keys(run(loaded, "Philips"))) == {"ImagingSeries:s-mr-15"}


def test_tasks_answer_body_part_filters_through_their_anatomy(loaded):
    """A task whose anatomy is "brain" is found by body_part=BRAIN, beside the datasets and series."""
    assert "BenchmarkTask:glioma-seg" in keys(run(loaded, filters={"body_part": ["brain"]}))


@pytest.mark.parametrize("backend", ["sqlite", "elasticsearch"])
def test_tasks_answer_body_part_filters_through_their_datasets(backend, tmp_path, request):
    """body_part=CHEST finds the lung task (no anatomy of its own) through its dataset, and a change to the dataset
    re-indexes the task, whichever was written first."""
    from medal_catalog.catalog import Catalog
    from search_corpus import CORPUS, es_options

    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    index_url, options = None, {}
    if backend == "elasticsearch":
        index_url, options = f"{request.getfixturevalue('es_url')}/parts-{tmp_path.name[-12:].lower()}", es_options()
    with Catalog.open(url, index_url, **options) as catalog:
        catalog.put_many(CORPUS, author="test", reason="load")  # tasks come before their datasets
        chest = catalog.search("", filters={"body_part": "chest", "type": "BenchmarkTask"})
        assert keys(chest) == ["BenchmarkTask:lung-nodule"]
        dataset = next(e for e in CORPUS if e["id"] == "chest-ct")
        catalog.put({**dataset, "body_parts": ["ABDOMEN"]}, author="test", reason="re-described")
        assert catalog.search("", filters={"body_part": "CHEST", "type": "BenchmarkTask"}).total == 0
        assert keys(catalog.search("", filters={"body_part": "abdomen"})) == [
            "BenchmarkTask:lung-nodule",
            "ImagingDataset:chest-ct",
        ]
        if backend == "elasticsearch":
            catalog.index.client.indices.delete(
                index=f"{catalog.index.alias}-*", ignore_unavailable=True, allow_no_indices=True
            )
