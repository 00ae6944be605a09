"""Shared fixtures: where the repository's examples live."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="session")
def expected_invalid() -> dict:
    """The golden verdicts of examples/invalid/EXPECTED.yaml."""
    return yaml.safe_load((EXAMPLES / "invalid" / "EXPECTED.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def public_index_cache(tmp_path_factory) -> Path:
    """One folder per test session for the reduced IDC index (built once, then read warm), never ~/.cache."""
    return tmp_path_factory.mktemp("public-index")


@pytest.fixture(autouse=True)
def isolated_catalog(tmp_path, monkeypatch, public_index_cache):
    """Every test gets its own default catalog file, so no command ever writes ./medal-catalog.db in the repo."""
    from medal_catalog.config import get_settings

    monkeypatch.setenv("MEDAL_CATALOG", f"sqlite:///{tmp_path / 'default-catalog.db'}")
    monkeypatch.setenv("MEDAL_PUBLIC_INDEX_CACHE", str(public_index_cache))
    monkeypatch.delenv("MEDAL_INDEX", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def postgresql_server(tmp_path_factory):
    """The URL of a throw-away PostgreSQL server for this test session (see tests/postgres_cluster.py); the
    PostgreSQL tests are skipped, saying why, only when no server binary is installed and none is given."""
    from postgres_cluster import cluster, why_unavailable

    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    pytest.importorskip("psycopg", reason="the postgresql extra is not installed (pip install -e '.[test]')")
    with cluster(tmp_path_factory.mktemp("postgresql")) as url:
        yield url


@pytest.fixture
def postgresql_url(postgresql_server):
    """A new, empty PostgreSQL database for one test."""
    from postgres_cluster import fresh_database

    return fresh_database(postgresql_server)
