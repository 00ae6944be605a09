"""A task's Croissant: clinical question, metrics and reference standard as typed properties, and the record sets
splits, cases and labels that mlcroissant loads and joins, never with a hidden split's labels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mlcroissant as mlc
import pytest
from click.testing import CliRunner

from medal_catalog.cli import main

from conftest import EXAMPLES

TASK = "ct-lung-nodule-malignancy"


def _export(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'cat.db'}"
    runner = CliRunner()
    harvested = runner.invoke(
        main, ["harvest", str(EXAMPLES / "valid" / TASK), "--catalog", url, "--out", str(tmp_path / "out")]
    )
    assert harvested.exit_code == 0, harvested.output
    run = runner.invoke(
        main,
        ["export", TASK, "--catalog", url, "--out", str(tmp_path / "export"), "--base-url", "https://catalog.test"],
    )
    assert run.exit_code == 0, run.output
    return tmp_path / "export" / f"{TASK}.croissant.json"


def test_task_export_loads_in_mlcroissant_with_cases_and_published_labels_only(tmp_path):
    path = _export(tmp_path)
    doc = json.loads(path.read_text())
    assert doc["url"] == f"https://catalog.test/id/tasks/{TASK}"
    assert doc["medal:taskType"] == "classification" and doc["medal:clinicalQuestion"].startswith("Is this solid")
    assert [m["name"] for m in doc["medal:metric"]] == ["AUROC", "Brier score"]
    assert doc["medal:referenceStandard"]["name"] == "composite"
    assert "Clinical question:" in doc["description"] and "AUROC (primary, higher is better)" in doc["description"]
    assert doc["isBasedOn"] == [{"@id": "https://catalog.test/id/datasets/ct-lung-screening-2019-2023"}]
    assert doc["license"] == "https://w3id.org/medal/licenses/dua-1.0"
    assert "http://purl.obolibrary.org/obo/DUO_0000006" in doc["usageInfo"]

    dataset = mlc.Dataset(jsonld=str(path))
    assert not dataset.metadata.ctx.issues.errors and not dataset.metadata.ctx.issues.warnings
    splits = {r["splits/name"]: r for r in dataset.records("splits")}
    assert {n: (r["splits/size"], r["splits/labels_hidden"]) for n, r in splits.items()} == {
        "validation": (1, False),
        "test_hidden": (1, True),
    }
    cases = sorted(
        (r["cases/case_id"].decode(), r["cases/split"].decode(), r["cases/nodule_diameter_mm"])
        for r in dataset.records("cases")
    )
    assert cases == [("lung-001", "test_hidden", 21.7), ("lung-002", "validation", 14.2)]
    labels = [{k: v.decode() if isinstance(v, bytes) else v for k, v in r.items()} for r in dataset.records("labels")]
    assert labels == [{"labels/case_id": "lung-002", "labels/split": "validation", "labels/malignant": 1}]
    exported = (path.parent / f"{TASK}.labels.csv").read_text()
    assert "lung-001" not in exported  # the hidden-test case's label is in the submission, never in an export


@pytest.mark.slow
def test_mlcroissant_validate_reports_no_error_on_task_and_dataset_exports(tmp_path):
    """The reference CLI, `mlcroissant validate`, on both kinds of export."""
    path = _export(tmp_path)
    CliRunner().invoke(
        main,
        [
            "export",
            "ct-lung-screening-2019-2023",
            "--catalog",
            f"sqlite:///{tmp_path / 'cat.db'}",
            "--out",
            str(tmp_path / "export"),
        ],
    )
    for doc in (path, tmp_path / "export" / "ct-lung-screening-2019-2023.croissant.json"):
        run = subprocess.run(
            [str(Path(sys.executable).with_name("mlcroissant")), "validate", "--jsonld", str(doc)],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0 and "error" not in (run.stdout + run.stderr).lower(), run.stderr[-2000:]
