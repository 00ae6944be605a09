"""A task's label table (the schema's LabelTable): a CSV file distribution of one of its datasets, one row per case,
with the columns holding the case id, the split and the labels.

Read here once for everyone: the validator checks it against the task's declaration before a submission is sent,
and the Croissant export derives the task's cases and visible labels from it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog


@dataclass
class LabelRows:
    """A label table as read: its header, and its rows (line number in the file, row as a dict) in file order."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def label_dataset(task: dict[str, Any]) -> str | None:
    """The id of the dataset holding a task's label table: the one it names, else its only dataset."""
    labels = task.get("labels") or {}
    used = task.get("datasets_used") or []
    return labels.get("dataset") or (used[0] if len(used) == 1 else None)


def label_table_paths(catalog: Catalog, dataset_id: str, document: dict[str, Any]) -> set[str]:
    """The paths of the dataset's files that some task names as its label table. They are never served or exported
    as they are: they may hold labels of hidden splits; the task's Croissant serves its cases and visible labels."""
    names, referencing = set(), []
    for version in catalog.iter_current(["BenchmarkTask"]):
        labels = (version.document or {}).get("labels") or {}
        if labels and label_dataset(version.document) == dataset_id:
            names.add(labels.get("distribution_name"))
            if labels.get("reference_column"):
                referencing.append(labels)
    paths = {d["path"] for d in document.get("distribution") or [] if d.get("name") in names and d.get("path")}
    return paths | _reference_paths(catalog, dataset_id, document, referencing)


def _reference_paths(
    catalog: Catalog, dataset_id: str, document: dict[str, Any], specs: list[dict[str, Any]]
) -> set[str]:
    """The reference files (masks, findings) that label tables name in their ``reference_column``: reference
    standard like the labels themselves, so never served as the dataset's files."""
    out: set[str] = set()
    for spec in specs:
        path = next(
            (
                d.get("path")
                for d in document.get("distribution") or []
                if d.get("name") == spec.get("distribution_name")
            ),
            None,
        )
        kept = catalog.get_file("ImagingDataset", dataset_id, path) if path else None
        if kept is None:
            continue
        try:
            table = parse_label_table(kept.data)
        except ValueError:
            continue
        column = spec["reference_column"]
        out |= {row[column].strip() for _, row in table.rows if (row.get(column) or "").strip()}
    return out


def hidden_splits(catalog: Catalog, dataset_id: str, distribution_name: str) -> set[str]:
    """The splits of a label table that any task naming it declares ``labels_hidden``: the most restrictive
    declaration wins, so that no task (a third party's stored before writes checked ownership, say) can publish
    what the dataset owner's own task hides."""
    hidden: set[str] = set()
    for version in catalog.iter_current(["BenchmarkTask"]):
        task = version.document or {}
        labels = task.get("labels") or {}
        if labels.get("distribution_name") == distribution_name and label_dataset(task) == dataset_id:
            hidden |= {s.get("name") for s in task.get("splits") or [] if s.get("labels_hidden")}
    return hidden


def declared_splits(catalog: Catalog, task: dict[str, Any]) -> list[dict[str, Any]]:
    """The task's splits, each ``labels_hidden`` when any task naming the same label table hides it
    (:func:`hidden_splits`)."""
    spec, dataset_id = task.get("labels") or {}, label_dataset(task)
    splits = task.get("splits") or []
    if not spec.get("distribution_name") or not dataset_id:
        return splits
    hidden = hidden_splits(catalog, dataset_id, spec["distribution_name"])
    return [{**s, "labels_hidden": True} if s.get("name") in hidden else s for s in splits]


def declared_columns(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """The columns a LabelTable names, each with the relative JSON pointer of the slot that names it."""
    out = [
        (f"/{slot}", spec[slot])
        for slot in ("case_id_column", "split_column", "series_column", "reference_column")
        if isinstance(spec.get(slot), str)
    ]
    labels = spec.get("label_columns")
    if isinstance(labels, list):
        out += [(f"/label_columns/{i}", c) for i, c in enumerate(labels) if isinstance(c, str)]
    return out


def parse_label_table(data: bytes) -> LabelRows:
    """Parse a label table (UTF-8 CSV, with or without a byte-order mark; blank lines skipped). Raises ValueError
    when it is not UTF-8 or not valid CSV; the message says where, never what the offending text is."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"the label table is not UTF-8 text (byte {err.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, [])
        rows = [(reader.line_num, dict(zip(header, row))) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:
        raise ValueError(f"the label table is not valid CSV (line {reader.line_num})") from None
    return LabelRows(header, rows)


def missing_columns(header: list[str], spec: dict[str, Any]) -> list[tuple[str, str]]:
    """The declared columns (relative pointer, name) that the header lacks."""
    return [(pointer, name) for pointer, name in declared_columns(spec) if name not in header]


def read_label_table(data: bytes, spec: dict[str, Any]) -> LabelRows:
    """parse_label_table, also raising ValueError when a column the declaration names is missing."""
    table = parse_label_table(data)
    missing = missing_columns(table.header, spec)
    if missing:
        raise ValueError(f"the label table has no column {', '.join(repr(name) for _, name in missing)}")
    return table
