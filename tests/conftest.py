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


@pytest.fixture(autouse=True)
def isolated_catalog(tmp_path, monkeypatch):
    """Every test gets its own default catalog file, so no command ever writes ./medal-catalog.db in the repo."""
    from medal_catalog.config import get_settings

    monkeypatch.setenv("MEDAL_CATALOG", f"sqlite:///{tmp_path / 'default-catalog.db'}")
    monkeypatch.delenv("MEDAL_INDEX", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
