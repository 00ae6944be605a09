"""Checks of a task's label table against the task's declaration (the schema's LabelTable).

They run once every metadata file of a submission has been read, since the task and the dataset holding its label
table may sit in different files. Without them, a table that lacks a declared column would pass validation and
harvest, and only fail when someone asks the catalog for the task's cases. Messages give counts and line numbers,
never a cell's value (a case id may be a pseudonym that links back to a patient).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections import Counter

from medal_catalog.labels import label_dataset, missing_columns, parse_label_table
from medal_catalog.report import Issue, Severity, record_issue

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True, slots=True)
class DatasetFiles:
    """What the checks need of a dataset: its distributions by name, each with the file it names inside the
    submission (None when the distribution is not one local file, or its file lies outside the submission)."""

    id: str
    files: tuple[tuple[str, str | None], ...]
    #: The names of the dataset's series a label table may use (original SeriesInstanceUIDs, series ids), when
    #: known; None when they are not (metadata validated without its DICOM).
    series: frozenset[str] | None = None


def dataset_files(data: dict[str, Any], base: Path, folder: Path) -> DatasetFiles | None:
    """The DatasetFiles of a dataset entry whose metadata file is in ``base``, in submission folder ``folder``."""
    entry_id, items = data.get("id"), data.get("distribution")
    if not isinstance(entry_id, str) or not isinstance(items, list):
        return None
    files = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            path = item.get("path")
            target = inside(base, path, folder) if isinstance(path, str) else None
            files.append((item["name"], str(target) if target else None))
    return DatasetFiles(entry_id, tuple(files))


def inside(base: Path, rel: str, folder: Path) -> Path | None:
    """``base / rel`` when it stays inside ``folder`` once symbolic links are followed; None otherwise."""
    target = base / rel
    try:
        return target if target.resolve().is_relative_to(folder.resolve()) else None
    except (OSError, RuntimeError):  # a link loop
        return None


def check_task_labels(task: dict[str, Any], datasets: dict[str, DatasetFiles]) -> list[Issue]:
    """Issues of the label table a task declares, located within the task; ``datasets`` are the submission's datasets
    by id."""
    spec = task.get("labels")
    if not isinstance(spec, dict):
        return []
    used = [d for d in task.get("datasets_used") or [] if isinstance(d, str)]
    named = spec.get("dataset")
    if isinstance(named, str) and named not in used:
        return [
            record_issue(
                E,
                "labels.dataset-not-used",
                "/labels/dataset",
                "the label table's dataset is not one of the task's datasets_used",
            )
        ]
    dataset_id = label_dataset(task)
    if dataset_id is None:
        return [
            record_issue(
                E,
                "labels.dataset-ambiguous",
                "/labels",
                "the task uses several datasets and does not say which holds its label table",
                "Set labels.dataset to the id of that dataset.",
            )
        ]
    dataset = datasets.get(dataset_id)
    if dataset is None:
        return [
            record_issue(
                Severity.INFO,
                "labels.not-checked",
                "/labels",
                "the dataset holding the label table is not in this submission, so the table was not checked",
            )
        ]
    name = spec.get("distribution_name")
    files = dict(dataset.files)
    if name not in files:
        known = ", ".join(sorted(files)) or "none"
        return [
            record_issue(
                E,
                "labels.unknown-distribution",
                "/labels/distribution_name",
                "the label table's dataset has no distribution of this name",
                f"Its distributions: {known}.",
            )
        ]
    path = files[name]
    if path is None:
        return [
            record_issue(
                W,
                "labels.not-a-file",
                "/labels/distribution_name",
                "the label table is not one file inside the submission, so the catalog cannot derive "
                "the task's cases and labels from it",
                "Give the distribution a `path` to a CSV file in the submission.",
            )
        ]
    if not Path(path).is_file():
        return []  # distribution.missing-file says so (and HTTP submissions carry no files)
    try:
        table = parse_label_table(Path(path).read_bytes())
    except (OSError, ValueError) as err:
        return [
            record_issue(
                E,
                "labels.unreadable",
                "/labels/distribution_name",
                str(err),
                "Save the label table as UTF-8 CSV with a header row.",
            )
        ]
    missing = missing_columns(table.header, spec)
    if missing:
        columns = ", ".join(table.header) or "none"
        return [
            record_issue(
                E,
                "labels.missing-column",
                f"/labels{pointer}",
                "the label table has no column of this name",
                f"Its columns: {columns}.",
            )
            for pointer, _ in missing
        ]
    if not table.rows:
        return [record_issue(E, "labels.empty", "/labels/distribution_name", "the label table has no rows")]
    return (
        _check_rows(table.rows, spec, task.get("splits"))
        + _check_series(table.rows, spec, dataset.series)
        + _check_references(table.rows, spec, dataset, path)
    )


def _check_rows(rows: list[tuple[int, dict[str, str]]], spec: dict[str, Any], splits: Any) -> list[Issue]:
    out: list[Issue] = []
    case_id, split = spec["case_id_column"], spec["split_column"]
    without = [line for line, row in rows if not (row.get(case_id) or "").strip()]
    if without:
        out.append(
            record_issue(
                W,
                "labels.no-case-id",
                "/labels/case_id_column",
                f"{_rows(without)} no case id and {'is' if len(without) == 1 else 'are'} left out of the cases",
            )
        )
    lines: dict[str, list[int]] = {}
    for line, row in rows:
        if value := (row.get(case_id) or "").strip():
            lines.setdefault(value, []).append(line)
    repeated = [found for found in lines.values() if len(found) > 1]
    if repeated:
        first = repeated[0]
        out.append(
            record_issue(
                E,
                "labels.duplicate-case",
                "/labels/case_id_column",
                f"{len(repeated)} case id{'s' if len(repeated) > 1 else ''} appear on more than one "
                f"row (the first on lines {', '.join(map(str, first[:5]))})",
                "Give each case one row.",
            )
        )
    declared = (
        [s for s in splits if isinstance(s, dict) and isinstance(s.get("name"), str)]
        if isinstance(splits, list)
        else []
    )
    names = {s["name"] for s in declared}
    counts = Counter((row.get(split) or "").strip() for line, row in rows if (row.get(case_id) or "").strip())
    unknown = [line for line, row in rows if (row.get(split) or "").strip() not in names]
    if unknown:
        out.append(
            record_issue(
                W,
                "labels.unknown-split",
                "/labels/split_column",
                f"{_rows(unknown)} a split the task does not declare; labels of such rows are treated as hidden",
                f"The task's splits: {', '.join(sorted(names)) or 'none'}.",
            )
        )
    for i, s in enumerate(splits if isinstance(splits, list) else []):
        if isinstance(s, dict) and s in declared and isinstance(s.get("size"), int) and counts[s["name"]] != s["size"]:
            out.append(
                record_issue(
                    W,
                    "labels.split-size",
                    f"/splits/{i}/size",
                    f"the label table has {counts[s['name']]} cases in this split, not the declared size",
                )
            )
    return out


def _check_series(
    rows: list[tuple[int, dict[str, str]]], spec: dict[str, Any], known: frozenset[str] | None
) -> list[Issue]:
    """Rows whose series column is blank, or (when the dataset's series are known) names none of them: such a
    case is published without a series, so it cannot be joined to its images."""
    column = spec.get("series_column")
    if not isinstance(column, str):
        return []
    values = [(line, (row.get(column) or "").strip()) for line, row in rows]
    out = []
    blank = [line for line, value in values if not value]
    if blank:
        out.append(
            record_issue(
                W,
                "labels.no-series",
                "/labels/series_column",
                f"{_rows(blank)} no series, so {'its case' if len(blank) == 1 else 'their cases'} "
                "cannot be joined to images",
            )
        )
    unknown = [line for line, value in values if value and known is not None and value not in known]
    if unknown:
        out.append(
            record_issue(
                E,
                "labels.unknown-series",
                "/labels/series_column",
                f"{_rows(unknown)} a value naming none of the dataset's series",
                "Give the SeriesInstanceUID of one of the dataset's DICOM series (or its catalog series id).",
            )
        )
    return out


def _check_references(
    rows: list[tuple[int, dict[str, str]]], spec: dict[str, Any], dataset: DatasetFiles, table_path: str
) -> list[Issue]:
    """Rows whose reference file (``reference_column``: a mask or findings file) is not one of the dataset's declared
    file distributions: the catalog keeps only those, so it could not grade the task."""
    column = spec.get("reference_column")
    if not isinstance(column, str):
        return []
    base = Path(table_path).parent
    declared = {str(Path(target).resolve()) for _, target in dataset.files if target}
    missing = [
        line
        for line, row in rows
        if (value := (row.get(column) or "").strip()) and str((base / value).resolve()) not in declared
    ]
    if not missing:
        return []
    return [
        record_issue(
            E,
            "labels.reference-undeclared",
            "/labels/reference_column",
            f"{_rows(missing)} a reference file that the dataset does not declare as a file "
            "distribution (next to its label table)",
            "Declare each mask or findings file as a `distribution` of kind file, with its path and sha256.",
        )
    ]


def _rows(lines: list[int]) -> str:
    """'1 row (line 4) has' / '3 rows (the first on line 4) have'."""
    if len(lines) == 1:
        return f"1 row (line {lines[0]}) has"
    return f"{len(lines)} rows (the first on line {lines[0]}) have"
