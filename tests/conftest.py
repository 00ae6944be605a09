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
