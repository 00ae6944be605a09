"""`medal export --format croissant`: mlcroissant validates the export and loads exactly the harvested series."""

from __future__ import annotations

import json

import mlcroissant as mlc
from click.testing import CliRunner

from medal_catalog.cli import main
from medal_catalog.croissant.writing import SERIES_FIELDS
from medal_catalog.catalog import Catalog

from conftest import EXAMPLES


def test_export_loads_in_mlcroissant_with_the_harvested_series(tmp_path):
    """Harvest an example, export it, and read the series record set back through mlcroissant."""
    url = f"sqlite:///{tmp_path / 'cat.db'}"
    runner = CliRunner()
    harvested = runner.invoke(
        main,
        [
            "harvest",
            str(EXAMPLES / "valid" / "mr-brain-metastasis-segmentation"),
            "--catalog",
            url,
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert harvested.exit_code == 0, harvested.output
    run = runner.invoke(
        main,
        [
            "export",
            "mr-brain-mets-srs-2021",
            "--format",
            "croissant",
            "--catalog",
            url,
            "--out",
            str(tmp_path / "export"),
            "--base-url",
            "https://catalog.test",
        ],
    )
    assert run.exit_code == 0, run.output
    path = tmp_path / "export" / "mr-brain-mets-srs-2021.croissant.json"
    doc = json.loads(path.read_text())
    assert doc["url"] == "https://catalog.test/id/datasets/mr-brain-mets-srs-2021"
    assert "http://mlcommons.org/croissant/1.1" in doc["conformsTo"]
    assert doc["usageInfo"] == [
        "http://purl.obolibrary.org/obo/DUO_0000006",
        "http://purl.obolibrary.org/obo/DUO_0000021",
    ]
    assert doc["rai:dataBiases"] and doc["rai:personalSensitiveInformation"].startswith("PatientIdentityRemoved=YES")

    dataset = mlc.Dataset(jsonld=str(path))
    assert not dataset.metadata.ctx.issues.errors
    records = list(dataset.records("series"))
    with Catalog.open(url) as catalog:
        stored = sorted((v.document for v in catalog.store.iter_current(["ImagingSeries"])), key=lambda d: d["id"])
    assert len(records) == len(stored) == 2
    for record, series in zip(sorted(records, key=lambda r: r["series/id"]), stored):
        for name in SERIES_FIELDS:
            value = record[f"series/{name}"]
            value = value.decode() if isinstance(value, bytes) else value
            assert value == series.get(name), name


def test_export_of_an_unknown_dataset_is_a_usage_error(tmp_path):
    """Exporting a dataset the catalog does not hold exits 2 with a clear message."""
    run = CliRunner().invoke(main, ["export", "no-such-dataset", "--catalog", f"sqlite:///{tmp_path / 'c.db'}"])
    assert run.exit_code == 2 and "no ImagingDataset" in run.output
