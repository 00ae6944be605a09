"""`medal search` and `medal reindex` on a real catalog file, through click's CliRunner."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from medal_catalog.cli import main
from medal_catalog.config import get_settings
from medal_catalog.catalog import Catalog

from search_corpus import CORPUS


@pytest.fixture
def catalog_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    with Catalog.open(url) as catalog:
        catalog.put_many(CORPUS, author="test", reason="corpus")
    return url


def medal(*args, env=None):
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args), env=env)
    finally:
        get_settings.cache_clear()


def test_search_json(catalog_url):
    """--json prints hits, total and facet counts; filters narrow."""
    result = medal("search", "glioma", "--modality", "MR", "--facet", "type", "--json", "--catalog", catalog_url)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [h["key"] for h in out["hits"]] == ["BenchmarkTask:glioma-seg", "ImagingDataset:brain-mr"]
    assert out["facets"]["type"] == [{"value": "BenchmarkTask", "count": 1}, {"value": "ImagingDataset", "count": 1}]


def test_search_table_ranges_and_environment_default(catalog_url):
    """Without --json a readable table; the catalog comes from MEDAL_CATALOG when --catalog is absent."""
    result = medal(
        "search", "--body-part", "CHEST", "--range", "slice_thickness=..2", env={"MEDAL_CATALOG": catalog_url}
    )
    assert result.exit_code == 0, result.output
    assert "1-1 of 1 matching entries" in result.output and "s-ct-lung" in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["search", '"brain'], 2, "unbalanced quote"),
        (["search", "brain", "--range", "nonsense"], 2, "FIELD=LOW..HIGH"),
        (["search", "brain", "--range", "colour=1..2"], 2, "no range on 'colour'"),
        (["search", "brain", "--sort", "colour"], 2, "cannot sort by"),
        (["search", "brain", "--index", "elasticsearch://127.0.0.1:9/medal"], 5, "unreachable"),
    ],
)
def test_bad_input_is_one_clear_line(catalog_url, args, code, message):
    """Query syntax, bad options and an unreachable Elasticsearch exit non-zero with a message, no traceback."""
    result = medal(*args, "--catalog", catalog_url)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output


def test_locked_catalog_is_a_clear_error(catalog_url, tmp_path):
    """A reindex blocked by another process's lock reports it and exits 4."""
    holder = sqlite3.connect(tmp_path / "catalog.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = medal("reindex", "--catalog", catalog_url, env={"MEDAL_BUSY_TIMEOUT": "0.2"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 4 and "locked by another process" in result.output


def test_reindex_rebuilds_in_place_and_to_another_index(catalog_url, tmp_path):
    """reindex rebuilds the catalog's own index, or any index named by --to; re-running changes nothing."""
    result = medal("reindex", "--catalog", catalog_url, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["indexed"] == len(CORPUS)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert medal("reindex", "--catalog", catalog_url, "--to", other).exit_code == 0
    found = json.loads(medal("search", "screening", "--json", "--catalog", catalog_url, "--index", other).output)
    assert [h["key"] for h in found["hits"]] == ["ImagingDataset:chest-ct", "BenchmarkTask:lung-nodule"]
    again = medal("reindex", "--catalog", catalog_url, "--json")
    assert json.loads(again.output)["indexed"] == len(CORPUS)
