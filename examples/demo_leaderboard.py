#!/usr/bin/env python3
"""Put a leaderboard with two entries into a catalog, for the demo: a classification task of synthetic cases (120
visible, 120 hidden), accepted by the panel, and two models' predictions scored on its hidden split exactly as the
server scores them (the same job, kept the same way).

    .venv/bin/python examples/demo_leaderboard.py --catalog sqlite:///demo.db
    .venv/bin/medal serve --catalog sqlite:///demo.db     # then open /tasks/lung-nodule-exam-demo/leaderboard

Nothing here is real: the labels and predictions are random numbers drawn with a fixed seed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import numpy as np
import yaml

from medal_catalog.documents import load_yaml  # dates kept as the text written

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "valid" / "ct-lung-nodule-malignancy"
TASK, DATASET = "lung-nodule-exam-demo", "lung-nodule-exam-demo-data"
MEDAL = Path(sys.executable).with_name("medal")


def write_submission(folder: Path, rng: np.random.Generator) -> np.ndarray:
    """The demo task and its dataset in ``folder``; returns the hidden split's labels."""
    rows, hidden = [], None
    for split in ("validation", "test_hidden"):
        y = (rng.random(120) < 0.25).astype(int)
        sex = rng.choice(["F", "M"], 120)
        rows += [[f"{split[:3]}-{i:03d}", split, y[i], sex[i]] for i in range(120)]
        hidden = y
    with (folder / "labels.csv").open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([["case_id", "split", "malignant", "sex"], *rows])
    task = load_yaml((SOURCE / "task.yaml").read_text())
    task.update(id=TASK, title="Demo exam: malignancy of synthetic lung nodules", datasets_used=[DATASET],
                problem={"problem_category": "image_classification", "prevalence": 0.25,
                         "calibration_needed": True},
                metrics=[{"name": "AUROC", "metric": "auroc", "role": "primary", "higher_is_better": True},
                         {"name": "Average precision", "metric": "average_precision", "role": "secondary",
                          "higher_is_better": True},
                         {"name": "Brier score", "metric": "brier_score", "role": "secondary",
                          "higher_is_better": False}],
                splits=[{"name": "validation", "size": 120, "labels_hidden": False, "labels_published": False},
                        {"name": "test_hidden", "size": 120, "labels_hidden": True, "labels_published": False}],
                labels={"dataset": DATASET, "distribution_name": "labels", "case_id_column": "case_id",
                        "split_column": "split", "label_columns": ["malignant"]})
    dataset = load_yaml((SOURCE / "dataset.yaml").read_text())
    table = (folder / "labels.csv").read_bytes()
    dataset.update(id=DATASET, title="Synthetic nodule cases for the leaderboard demo",
                   distribution=[{"name": "labels", "distribution_kind": "file", "distribution_role": "labels",
                                  "path": "labels.csv", "media_type": "text/csv", "byte_size": len(table),
                                  "sha256": hashlib.sha256(table).hexdigest()}])
    (folder / "task.yaml").write_text(yaml.safe_dump(task, sort_keys=False))
    (folder / "dataset.yaml").write_text(yaml.safe_dump(dataset, sort_keys=False))
    return hidden


def _medal(*args: str) -> None:
    subprocess.run([str(MEDAL), *args], check=True, capture_output=True, text=True)


def predictions(y: np.ndarray, strength: float, rng: np.random.Generator) -> bytes:
    p = 1 / (1 + np.exp(-(rng.normal(0, 1, y.size) + strength * y - strength / 2)))
    lines = ["case_id,malignant", *(f"tes-{i:03d},{v:.4f}" for i, v in enumerate(p))]
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True, metavar="URL", help="e.g. sqlite:///demo.db")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    with tempfile.TemporaryDirectory(prefix="medal-demo-") as tmp:
        folder = Path(tmp) / TASK
        folder.mkdir()
        hidden = write_submission(folder, rng)
        _medal("harvest", str(folder), "--catalog", args.catalog, "--out", str(Path(tmp) / "out"))
    # The panel acts as members of this catalog (`--as NAME` must name a token holder of the right role).
    for name, role in (("demo-reviewer-1", "reviewer"), ("demo-reviewer-2", "reviewer"), ("demo-chair", "admin")):
        _medal("token", "create", "--role", role, "--name", name, "--catalog", args.catalog)
    for reviewer in ("demo-reviewer-1", "demo-reviewer-2"):
        _medal("review", TASK, "--relevance", "4", "--unmet-need", "4", "--patient-impact", "4",
               "--recommendation", "accept", "--as", reviewer, "--catalog", args.catalog)
    _medal("decide", TASK, "accept", "--reason", "demo", "--as", "demo-chair", "--catalog", args.catalog)

    from medal_catalog.catalog import open_catalog
    from medal_catalog.evaluation.jobs import run_evaluation

    with open_catalog(args.catalog) as catalog:
        for team, model, strength in (("demo-team-a", "cnn-3d", 2.2), ("demo-team-b", "radiomics-logistic", 1.2)):
            data = predictions(hidden, strength, rng)
            about = {"model_name": model, "model_version": "1.0", "code_url": None,
                     "predictions_sha256": hashlib.sha256(data).hexdigest()}
            stored = catalog.add_evaluation({"id": uuid.uuid4().hex, "task": TASK, "split": "test_hidden",
                                             "submitter": team, "about": about}, None, "")
            run_evaluation(catalog, stored.id, data, min_group=20)
            done = catalog.get_evaluation(stored.id)
            auroc = next(m for m in done.result["metrics"] if m["metric"] == "auroc")
            print(f"{model} ({team}): AUROC {auroc['value']:.3f} [{auroc['ci_low']:.3f}, {auroc['ci_high']:.3f}]")
    print(f"leaderboard: /tasks/{TASK}/leaderboard (medal serve --catalog {args.catalog})")


if __name__ == "__main__":
    main()
