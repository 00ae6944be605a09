"""A task's label table is checked against its declaration offline, before anyone asks the catalog for the task's
cases: missing columns, unreadable files, duplicate cases, unknown splits, wrong split sizes, unknown or ambiguous
datasets. A task whose table is wrong is not valid, so harvest leaves it out."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from medal_catalog.config import Settings
from medal_catalog.croissant.task import split_table
from medal_catalog.harvesters.submission import harvest_submission
from medal_catalog.report import Severity
from medal_catalog.validators.submission import validate_paths

from benchmarks.synthetic_records import make_records
from conftest import EXAMPLES

TABLE = "case_id,split,nodule_diameter_mm,malignant\nlung-001,test_hidden,21.7,0\nlung-002,validation,14.2,1\n"


@pytest.fixture
def submission(tmp_path):
    """A copy of the CT lung-nodule example's metadata and label table (the DICOM is not needed here)."""
    target = tmp_path / "ct-lung"
    target.mkdir()
    for name in ("task.yaml", "dataset.yaml", "labels.csv"):
        shutil.copy(EXAMPLES / "valid" / "ct-lung-nodule-malignancy" / name, target / name)
    edit(
        target,
        "dataset.yaml",
        lambda d: d.update(distribution=[x for x in d["distribution"] if x.get("distribution_kind") != "file_set"]),
    )
    edit(target, "task.yaml", lambda t: t["labels"].pop("series_column"))  # TABLE names no series
    return target


def load(path):
    """A YAML file as the validator reads it (dates stay ISO strings)."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=lambda v: v.isoformat()))


def edit(folder, name, change):
    path = folder / name
    data = load(path)
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def write_table(folder, data: bytes):
    """Replace labels.csv and declare its new size and checksum, so only the label-table checks can object."""
    (folder / "labels.csv").write_bytes(data)

    def declare(dataset):
        entry = next(d for d in dataset["distribution"] if d["name"] == "labels")
        entry.update(byte_size=len(data), sha256=hashlib.sha256(data).hexdigest())

    edit(folder, "dataset.yaml", declare)


def found(report, prefix="labels."):
    return sorted((i.severity.value, i.code, i.pointer) for i in report.issues if i.code.startswith(prefix))


def task_valid(report):
    return next(e.valid for e in report.entries if e.type == "BenchmarkTask")


def test_the_example_table_passes_and_the_export_accepts_it(submission):
    report = validate_paths([submission])
    assert found(report) == [] and report.ok and task_valid(report)
    task = load(submission / "task.yaml")
    files = split_table((submission / "labels.csv").read_bytes(), task["labels"], task["splits"])
    assert files.hidden_rows == 1


def test_a_missing_label_column_is_an_error_and_harvest_leaves_the_task_out(submission, tmp_path):
    edit(submission, "task.yaml", lambda t: t["labels"].update(label_columns=["malignant", "grade"]))
    report = validate_paths([submission])
    assert found(report) == [("error", "labels.missing-column", "/labels/label_columns/1")]
    issue = next(i for i in report.issues if i.code == "labels.missing-column")
    assert "nodule_diameter_mm" in issue.hint
    assert not task_valid(report)
    harvest = harvest_submission(submission, out_root=tmp_path / "out", settings=Settings())
    assert [e["type"] for e in harvest.entries] == ["ImagingDataset"]
    assert harvest.left_out[0]["type"] == "BenchmarkTask"
    assert "labels.missing-column" in harvest.left_out[0]["errors"]
    # ... as the export would have said, much later
    task = load(submission / "task.yaml")
    with pytest.raises(ValueError, match="grade"):
        split_table((submission / "labels.csv").read_bytes(), task["labels"], task["splits"])


def test_the_cli_exits_1_with_the_code(submission):
    edit(submission, "task.yaml", lambda t: t["labels"].update(case_id_column="case"))
    out = subprocess.run(
        [sys.executable, "-m", "medal_catalog", "validate", "--json", str(submission)], capture_output=True, text=True
    )
    assert out.returncode == 1, out.stderr
    issues = json.loads(out.stdout)["issues"]
    assert [(i["code"], i["pointer"]) for i in issues if i["code"].startswith("labels.")] == [
        ("labels.missing-column", "/labels/case_id_column")
    ]


def test_a_table_that_is_not_utf8_or_not_csv_is_unreadable(submission):
    write_table(submission, TABLE.encode("utf-8").replace(b"lung-002", b"lung-\xff02"))
    assert found(validate_paths([submission])) == [("error", "labels.unreadable", "/labels/distribution_name")]
    write_table(submission, TABLE.replace("14.2", '"14.2').encode())
    report = validate_paths([submission])
    assert found(report) == [("error", "labels.unreadable", "/labels/distribution_name")]
    assert "line 3" in next(i.message for i in report.issues if i.code == "labels.unreadable")


def test_duplicate_cases_are_errors_named_by_line_never_by_value(submission):
    write_table(submission, (TABLE + "lung-002,validation,9.9,0\n").encode())
    report = validate_paths([submission])
    assert ("error", "labels.duplicate-case", "/labels/case_id_column") in found(report)
    issue = next(i for i in report.issues if i.code == "labels.duplicate-case")
    assert "lines 3, 4" in issue.message and "lung-002" not in issue.message + (issue.hint or "")
    assert not task_valid(report)


def test_unknown_splits_rows_without_case_ids_and_split_sizes_are_warnings(submission):
    write_table(submission, (TABLE + "lung-003,training,8.0,0\n,validation,7.0,1\n").encode())
    report = validate_paths([submission])
    assert found(report) == [
        ("warning", "labels.no-case-id", "/labels/case_id_column"),
        ("warning", "labels.unknown-split", "/labels/split_column"),
    ]
    assert "line 4" in next(i.message for i in report.issues if i.code == "labels.unknown-split")
    assert task_valid(report)  # the export treats such rows as hidden: nothing leaks, nothing breaks
    edit(submission, "task.yaml", lambda t: t["splits"][0].update(size=3))
    assert ("warning", "labels.split-size", "/splits/0/size") in found(validate_paths([submission]))


def test_an_empty_table_is_an_error(submission):
    write_table(submission, TABLE.splitlines(keepends=True)[0].encode() + b"\n\n")
    assert found(validate_paths([submission])) == [("error", "labels.empty", "/labels/distribution_name")]


def test_unknown_distribution_and_distribution_without_a_file(submission):
    edit(submission, "task.yaml", lambda t: t["labels"].update(distribution_name="labels-v2"))
    report = validate_paths([submission])
    assert found(report) == [("error", "labels.unknown-distribution", "/labels/distribution_name")]
    assert "labels" in next(i.hint for i in report.issues if i.code == "labels.unknown-distribution")

    def remote(dataset):
        entry = next(d for d in dataset["distribution"] if d["name"] == "labels")
        for key in ("path", "byte_size", "sha256"):
            entry.pop(key, None)
        entry["url"] = "https://data.example.org/labels.csv"

    edit(submission, "task.yaml", lambda t: t["labels"].update(distribution_name="labels"))
    edit(submission, "dataset.yaml", remote)
    assert found(validate_paths([submission])) == [("warning", "labels.not-a-file", "/labels/distribution_name")]


def test_which_dataset_holds_the_table(submission):
    edit(submission, "task.yaml", lambda t: t["labels"].update(dataset="some-other-dataset"))
    assert found(validate_paths([submission])) == [("error", "labels.dataset-not-used", "/labels/dataset")]

    def two_datasets(task):
        task["labels"].pop("dataset")
        task["datasets_used"].append("some-other-dataset")

    edit(submission, "task.yaml", two_datasets)
    assert found(validate_paths([submission])) == [("error", "labels.dataset-ambiguous", "/labels")]
    # a task validated without its dataset: nothing to check the table against, and that is said
    edit(submission, "task.yaml", lambda t: t["datasets_used"].pop())
    assert found(validate_paths([submission / "task.yaml"])) == [("info", "labels.not-checked", "/labels")]


def test_a_label_table_linked_from_outside_is_not_read(submission, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("secret,split\n")
    (submission / "labels.csv").unlink()
    os.symlink(outside, submission / "labels.csv")
    opened: list[str] = []
    recording = [True]

    def hook(event, args):  # audit hooks cannot be removed: this one records only during the call below
        if recording[0] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)
    try:
        report = validate_paths([submission])
    finally:
        recording[0] = False
    assert ("error", "distribution.path-outside", "/distribution/0/path") in found(report, "distribution.")
    assert found(report) == [("warning", "labels.not-a-file", "/labels/distribution_name")]
    assert not any(f.endswith(("elsewhere.csv", "labels.csv")) for f in opened)


def test_large_catalogs_checked_by_worker_processes_keep_the_pointers(tmp_path):
    """Datasets and tasks of a catalog file big enough to be cut into slices for worker processes: the label-table
    checks still see every dataset and point at the right task."""
    if not hasattr(os, "fork"):
        pytest.skip("worker processes need fork")
    datasets, _ = make_records(1500, "dataset", invalid_share=0)
    tasks, _ = make_records(1500, "task", invalid_share=0)
    (tmp_path / "labels.csv").write_text(TABLE)
    table = {"name": "labels", "distribution_kind": "file", "path": "labels.csv", "media_type": "text/csv"}
    datasets[1400]["distribution"].append(table)
    for i in (3, 1200):
        tasks[i]["datasets_used"] = [datasets[1400]["id"]]
        tasks[i]["splits"] = [
            {"name": "validation", "labels_hidden": False, "labels_published": False},
            {"name": "test_hidden", "labels_hidden": True, "labels_published": False},
        ]
        tasks[i]["labels"] = {
            "distribution_name": "labels",
            "case_id_column": "case_id",
            "split_column": "split",
            "label_columns": ["malignant" if i == 3 else "grade"],
        }
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"datasets": datasets, "tasks": tasks}))
    assert path.stat().st_size > 2 * 1024 * 1024
    report = validate_paths([path])
    assert found(report) == [("error", "labels.missing-column", "/tasks/1200/labels/label_columns/0")]
    invalid = [e.pointer for e in report.entries if not e.valid]
    assert invalid == ["/tasks/1200"]


def test_medal_harvest_says_what_was_left_out_and_why(submission, tmp_path):
    from click.testing import CliRunner

    from medal_catalog.cli import main

    edit(submission, "task.yaml", lambda t: t["labels"].update(split_column="fold"))
    out = CliRunner().invoke(
        main,
        ["harvest", str(submission), "--catalog", f"sqlite:///{tmp_path / 'c.db'}", "--out", str(tmp_path / "out")],
    )
    assert out.exit_code == 1
    assert "left out BenchmarkTask ct-lung-nodule-malignancy" in out.output and "labels.missing-column" in out.output
    assert "1 validation error;" in out.output and "DICOM" not in out.output.split("validation error")[1]


def test_the_series_column_must_exist_and_name_known_series():
    """A declared series_column missing from the table is an error; blank values are warned about; values naming
    none of the dataset's known series are errors (line numbers only, never the value)."""
    from medal_catalog.validators.labels import check_task_labels, DatasetFiles

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "labels.csv"
        table.write_text(
            "case_id,split,series_uid,malignant\nlung-001,test_hidden,1.2.3,0\n"
            "lung-002,validation,,1\nlung-003,validation,9.9.9,1\n"
        )
        task = {
            "datasets_used": ["d"],
            "splits": [{"name": "test_hidden"}, {"name": "validation"}],
            "labels": {
                "distribution_name": "labels",
                "case_id_column": "case_id",
                "split_column": "split",
                "series_column": "series_uid",
                "label_columns": ["malignant"],
            },
        }
        known = DatasetFiles("d", (("labels", str(table)),), frozenset({"1.2.3"}))
        found = {i.code: i for i in check_task_labels(task, {"d": known})}
        assert found["labels.unknown-series"].severity is Severity.ERROR
        wrong = found["labels.unknown-series"].message
        assert "line 4" in wrong and "9.9.9" not in wrong
        assert "line 3" in found["labels.no-series"].message
        unknown = DatasetFiles("d", (("labels", str(table)),))
        assert "labels.unknown-series" not in {i.code for i in check_task_labels(task, {"d": unknown})}
        task["labels"]["series_column"] = "series"
        missing = check_task_labels(task, {"d": unknown})
        assert [(i.code, i.pointer) for i in missing] == [("labels.missing-column", "/labels/series_column")]
