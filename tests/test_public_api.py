"""The library entry points README documents: `import medal_catalog as medal` and its __all__."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import medal_catalog as medal

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "valid"


def test_every_public_name_resolves():
    """Each name in __all__ is importable from the package, and an unknown name is an AttributeError."""
    for name in medal.__all__:
        assert getattr(medal, name) is not None, name
    try:
        medal.no_such_name  # noqa: B018
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:
        raise AssertionError("an unknown attribute resolved")


def test_validate_ingest_search_export_round_trip(tmp_path):
    """validate -> ingest -> search -> export through the public names alone, on a real SQLite catalog."""
    submission = EXAMPLES / "ct-lung-nodule-malignancy"
    assert medal.validate([submission]).ok
    with medal.open_catalog(f"sqlite:///{tmp_path / 'catalog.db'}") as catalog:
        results = medal.ingest([submission], catalog, out_dir=tmp_path / "out")
        assert [(r.kind, r.failed) for r in results] == [("submission", False)]
        assert results[0].summary["stored"] == len(results[0].puts) > 0
        again = medal.ingest([submission], catalog, out_dir=tmp_path / "out")
        assert again[0].summary["changed"] == 0  # unchanged input writes no new version
        hits = catalog.search("", filters={"type": "ImagingDataset"}, facets=["modality"])
        assert hits.total == 1 and hits.facets["modality"] == [("CT", 1)]
        document, manifest = medal.export_dataset(catalog, hits.hits[0].id, "https://catalog.test")
        assert document["@type"] in ("sc:Dataset", "schema:Dataset") and manifest.count(b"\n") >= 1


def test_importing_the_package_loads_no_backend():
    """`import medal_catalog` is cheap: the store, the index, the API and linkml load only when a name is used."""
    code = (
        "import sys, medal_catalog; heavy = [m for m in ('sqlalchemy', 'fastapi', 'linkml_runtime', "
        "'medal_catalog.catalog', 'medal_catalog.ingestion') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
