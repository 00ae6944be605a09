"""The index does not depend on the store: the same IDC slice harvested into a SQLite catalog (FTS5 in its file)
and into a PostgreSQL catalog (FTS5 in a file of its own) answers every query identically."""

from __future__ import annotations

import pytest

pq = pytest.importorskip("pyarrow.parquet")
idc_index_data = pytest.importorskip("idc_index_data")

from medal_catalog.catalog import Catalog  # noqa: E402
from medal_catalog.harvesters import idc  # noqa: E402
from medal_catalog.ingestion import ingest_idc  # noqa: E402

SLICE = ("rider_breast_mri", "pseudo_phi_dicom_data", "nlm_visible_human_project", "cc_radiomics_phantom")
QUERIES = [
    dict(query="", facets=["type", "modality", "body_part", "manufacturer", "model"], size=20),
    dict(query="breast", facets=["modality"], size=10),
    dict(query='"PET CT"', size=10),
    dict(query="phantom OR mammogram", facets=["dataset"], size=10, page=2),
    dict(query="", filters={"type": "ImagingSeries", "modality": "CT"}, facets=["manufacturer"], sort="key", size=15),
    dict(query="", filters={"type": "ImagingDataset"}, ranges={"subject_count": (1, 50)}, sort="-series_count"),
    dict(query="ax*", size=10, sort="title"),
]


@pytest.fixture(scope="module")
def index_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("idc")
    pq.write_table(
        pq.read_table(idc_index_data.IDC_INDEX_PARQUET_FILEPATH, filters=[("collection_id", "in", SLICE)]),
        folder / idc.SERIES_FILE,
    )
    pq.write_table(pq.read_table(idc.locate().collections_path), folder / idc.COLLECTIONS_FILE)
    return folder


def answers(catalog):
    out = []
    for query in QUERIES:
        result = catalog.search(**query)
        out.append(
            (result.total, result.facets, [(h.key, h.score, h.label, h.highlights, h.document) for h in result.hits])
        )
    return out


@pytest.mark.slow
def test_sqlite_and_postgresql_stores_give_identical_search_results(tmp_path, postgresql_url, index_folder):
    """Totals, facet counts, hit order, scores, highlights and documents are equal across the two stores."""
    with (
        Catalog.open(f"sqlite:///{tmp_path / 'catalog.db'}") as sqlite_catalog,
        Catalog.open(postgresql_url, f"sqlite:///{tmp_path / 'pg-index.db'}") as pg_catalog,
    ):
        one = ingest_idc(sqlite_catalog, index_folder=index_folder).summary
        two = ingest_idc(pg_catalog, index_folder=index_folder).summary
        assert one["created"] == two["created"] > 100
        assert pg_catalog.store.count() == sqlite_catalog.store.count()
        assert answers(sqlite_catalog) == answers(pg_catalog)
        assert answers(sqlite_catalog)[0][0] == sqlite_catalog.store.count()
