"""Croissant 1.1 for a BenchmarkTask: the clinical question, task type, metrics and reference standard, and three
record sets an ML framework joins: ``splits`` (inline), ``cases`` (one row per case: its id, split and inputs) and
``labels`` (the reference standard of the cases whose split does not hide its labels).

The cases and labels come from the task's label table (a CSV file the catalog keeps with one of its datasets, see
the schema's LabelTable). The catalog derives two files from it for each caller: ``cases.csv`` and
``labels.csv``; rows of hidden-label splits never reach ``labels.csv``. Their URLs are the catalog's own, which
serve them only to callers who may fetch the label dataset's data (mlcroissant needs a contentUrl and a checksum on
every FileObject, so the structure is the same for everyone).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from medal_catalog.croissant.vocabulary import CONFORMS_TO, CROISSANT_CONTEXT, duo_terms
from medal_catalog.croissant.writing import dicom_nodes, license_url, person, series_nodes
from medal_catalog.labels import read_label_table

_INTEGER = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
#: The cases column holding each case's catalog series id (from the label table's series_column).
SERIES_ID = "series_id"
#: A label-table value -> the id of the dataset's series it names (None when it names none of them).
SeriesOf = Callable[[str], "str | None"]


@dataclass
class CaseFiles:
    """The two files derived from a task's label table: the cases (id, split, inputs) and the published labels,
    as CSV bytes, with the columns of each and their Croissant data types."""

    cases: bytes
    labels: bytes
    case_columns: list[str]
    label_columns: list[str]
    types: dict[str, str] = field(default_factory=dict)
    hidden_rows: int = 0
    #: Whether the cases carry a ``series_id`` column (the task's label table declares a series_column).
    has_series: bool = False


@dataclass
class TaskImages:
    """What the task's Croissant carries of its label dataset for the case -> series -> DICOM join: the series
    manifest and its URL, and the DICOM archive ({"url", "sha256", "byte_size"}) for a caller who may fetch it."""

    manifest: bytes
    manifest_url: str
    archive: dict[str, Any] | None = None


def split_table(
    table: bytes, spec: dict[str, Any], splits: list[dict[str, Any]], series_of: SeriesOf | None = None
) -> CaseFiles:
    """Split a label table into the cases file and the labels file. Label columns of rows whose split hides its
    labels (or is not one of the task's splits) are left out; so are rows without a case id. With a
    ``series_column``, the cases carry ``series_id``: the catalog id of the series each value names
    (``series_of``), blank when it names none; the table's own values (original UIDs) are never published.
    Raises ValueError when the table is not UTF-8 CSV or lacks a declared column (``medal validate`` reports both
    earlier), or when its series column would clash with an input column named ``series_id``."""
    table_rows = read_label_table(table, spec)
    header, rows = table_rows.header, [dict(row) for _, row in table_rows.rows]
    case_id, split = spec["case_id_column"], spec["split_column"]
    series_column = spec.get("series_column")
    label_columns = list(spec.get("label_columns") or [])
    # the reference column names reference-standard files (masks, findings): not an input of the case
    inputs = [
        c for c in header if c not in (case_id, split, series_column, spec.get("reference_column"), *label_columns)
    ]
    if series_column and SERIES_ID in inputs:
        raise ValueError(f"the label table's column {SERIES_ID!r} is not its series column")
    case_columns = [case_id, split, *([SERIES_ID] if series_column else []), *inputs]
    shown = {s["name"] for s in splits if not s.get("labels_hidden")}
    rows = [r for r in rows if (r.get(case_id) or "").strip()]
    if series_column:
        for r in rows:
            value = (r.pop(series_column, None) or "").strip()
            r[SERIES_ID] = (series_of(value) if series_of and value else None) or ""
    visible = [r for r in rows if r.get(split) in shown]
    types = {c: _type_of([r.get(c) or "" for r in rows]) for c in header}
    types[case_id] = types[split] = "sc:Text"
    if series_column:
        types[SERIES_ID] = "sc:Text"
    return CaseFiles(
        cases=_csv(case_columns, rows),
        labels=_csv([case_id, *label_columns], visible),
        case_columns=case_columns,
        label_columns=label_columns,
        types=types,
        hidden_rows=len(rows) - len(visible),
        has_series=bool(series_column),
    )


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[r.get(c) or "" for c in columns] for r in rows])
    return out.getvalue().encode("utf-8")


def _type_of(values: list[str]) -> str:
    """The Croissant data type a CSV column loads as: Integer/Float only when every value is one (no blanks)."""
    if values and all(_INTEGER.match(v.strip()) for v in values):
        return "sc:Integer"
    if values and all(_FLOAT.match(v.strip()) for v in values):
        return "sc:Float"
    return "sc:Text"


def _file_object(name: str, description: str, data: bytes, url: str) -> dict[str, Any]:
    return {
        "@type": "cr:FileObject",
        "@id": name,
        "name": name,
        "description": description,
        "contentUrl": url,
        "encodingFormat": "text/csv",
        "contentSize": f"{len(data)} B",
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _field(record_set: str, name: str, dtype: str, file_id: str | None = None, **extra: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "cr:Field", "@id": f"{record_set}/{name}", "name": name, "dataType": dtype}
    if file_id is not None:
        node["source"] = {"fileObject": {"@id": file_id}, "extract": {"column": name}}
    return {**node, **extra}


def task_description(task: dict[str, Any]) -> str:
    """The task's description with its clinical question, task type, metrics and reference standard, as prose."""
    parts = [
        task.get("description") or task.get("title") or task["id"],
        f"Clinical question: {task['clinical_question']}",
        f"Task type: {task['task_type']}.",
    ]
    metrics = task.get("metrics") or []
    if metrics:
        parts.append(
            "Metrics: "
            + "; ".join(
                f"{m['name']} ({m.get('role', 'metric')}{', higher is better' if m.get('higher_is_better') else ''})"
                for m in metrics
            )
            + "."
        )
    ref = task.get("reference_standard") or {}
    if ref:
        parts.append(
            f"Reference standard: {ref.get('method', '')}"
            f"{': ' + ref['description'] if ref.get('description') else ''}".rstrip()
        )
    return "\n\n".join(p.strip() for p in parts if p)


def task_croissant(
    task: dict[str, Any],
    datasets: list[dict[str, Any]],
    *,
    identifier: str,
    dataset_urls: dict[str, str],
    files: CaseFiles | None,
    cases_url: str,
    labels_url: str,
    published: str | None = None,
    images: TaskImages | None = None,
) -> dict[str, Any]:
    """The Croissant document of ``task``. ``datasets`` are the caller's views of the datasets it uses (for
    licence, usage and RAI information); ``dataset_urls`` their Croissant URLs; ``files`` the derived cases and
    labels (None when the task has no label table the catalog keeps); ``cases_url``/``labels_url`` locate them.
    ``images``, when the cases name their series, adds the label dataset's ``series`` record set (and its
    ``images`` one with the archive), which the cases' ``series_id`` references."""
    submitter = task.get("submitter") or {}
    duo = sorted({term for d in datasets for term in duo_terms(d.get("consent") or {})})
    licences = sorted({url for d in datasets if (url := license_url(d.get("license") or {}))})
    ref = task.get("reference_standard") or {}
    splits = task.get("splits") or []
    doc: dict[str, Any] = {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "@id": identifier,
        "conformsTo": list(CONFORMS_TO),
        "name": task["id"],
        "alternateName": task.get("title"),
        "description": task_description(task),
        "url": identifier,
        "version": task.get("version", "0.0.0"),
        "license": licences[0] if len(licences) == 1 else licences,
        "creator": [person(submitter)] if submitter else [{"@type": "sc:Organization", "name": "MEDAL"}],
        "datePublished": task.get("created") or published or task.get("modified"),
        "keywords": task.get("keywords") or [],
        "citeAs": task.get("citation") or f"{task.get('title')} (MEDAL task {task['id']})",
        "usageInfo": duo,
        "isBasedOn": [{"@id": dataset_urls[d]} for d in task.get("datasets_used") or [] if d in dataset_urls],
        "prov:wasDerivedFrom": [{"@id": dataset_urls[d]} for d in task.get("datasets_used") or [] if d in dataset_urls],
        "prov:wasAttributedTo": [person(submitter)] if submitter else [],
        "rai:dataAnnotationProtocol": ref.get("description"),
        "rai:annotatorDemographics": ref.get("reader_expertise"),
        "rai:dataUseCases": [task["clinical_question"]],
        "rai:dataBiases": [b for d in datasets for b in (d.get("responsible_ai") or {}).get("data_biases") or []],
        "rai:dataLimitations": [
            x for d in datasets for x in (d.get("responsible_ai") or {}).get("data_limitations") or []
        ],
        "medal:clinicalQuestion": task["clinical_question"],
        "medal:taskType": task["task_type"],
        "medal:clinicalSpecialty": task.get("clinical_specialty"),
        "medal:status": task.get("status"),
        "medal:modality": task.get("modalities") or [],
        "medal:metric": [
            {
                "@type": "medal:EvaluationMetric",
                "name": m["name"],
                "description": m.get("definition"),
                "medal:role": m.get("role"),
                "medal:higherIsBetter": m.get("higher_is_better"),
            }
            for m in task.get("metrics") or []
        ],
        "medal:referenceStandard": (
            {
                "@type": "medal:ReferenceStandard",
                "name": ref.get("method"),
                "description": ref.get("description"),
                "medal:readerCount": ref.get("reader_count"),
            }
            if ref
            else None
        ),
        "distribution": [],
        "recordSet": [_splits_record_set(splits)] if splits else [],
    }
    if files is not None:
        doc["distribution"] = [
            _file_object("cases.csv", "One row per case: its id, split and inputs.", files.cases, cases_url),
            _file_object(
                "labels.csv",
                "The reference-standard labels of the cases of splits whose labels are "
                "published (hidden-test labels are never included).",
                files.labels,
                labels_url,
            ),
        ]
        case_id, split = files.case_columns[:2]
        linked = files.has_series and images is not None
        doc["recordSet"] += [
            {
                "@type": "cr:RecordSet",
                "@id": "cases",
                "name": "cases",
                "key": {"@id": f"cases/{case_id}"},
                "description": "The task's cases: id, split and the inputs given with each case.",
                "field": [
                    _field(
                        "cases",
                        c,
                        files.types.get(c, "sc:Text"),
                        "cases.csv",
                        **_case_reference(c, split, bool(splits), linked),
                    )
                    for c in files.case_columns
                ],
            },
            {
                "@type": "cr:RecordSet",
                "@id": "labels",
                "name": "labels",
                "key": {"@id": f"labels/{case_id}"},
                "description": "The reference standard of each case of a split whose labels are published.",
                # The join names the cases file, not the cases record set: mlcroissant 1.1.1 cannot join onto a
                # record set read from a file (its output is a generator there, so Join fails).
                "field": [
                    _field(
                        "labels",
                        case_id,
                        "sc:Text",
                        "labels.csv",
                        references={"fileObject": {"@id": "cases.csv"}, "extract": {"column": case_id}},
                    ),
                    _field("labels", split, "sc:Text", "cases.csv"),
                    *[_field("labels", c, files.types.get(c, "sc:Text"), "labels.csv") for c in files.label_columns],
                ],
            },
        ]
        if linked:
            manifest_file, series = series_nodes(images.manifest, images.manifest_url)
            doc["distribution"].append(manifest_file)
            doc["recordSet"].append(series)
            if images.archive is not None:
                archive_files, image_records = dicom_nodes(images.archive)
                doc["distribution"] += archive_files
                doc["recordSet"].append(image_records)
    return {k: v for k, v in doc.items() if v not in (None, [], "")}


def _case_reference(column: str, split: str, has_splits: bool, linked: bool) -> dict[str, Any]:
    """The ``references`` of a cases field: the split to the splits, the series id to the dataset's series."""
    if column == split and has_splits:
        return {"references": {"field": {"@id": "splits/name"}}}
    if column == SERIES_ID and linked:
        return {"references": {"field": {"@id": "series/id"}}}
    return {}


def _splits_record_set(splits: list[dict[str, Any]]) -> dict[str, Any]:
    """The task's splits as an inline record set of Croissant splits."""
    return {
        "@type": "cr:RecordSet",
        "@id": "splits",
        "name": "splits",
        "dataType": "cr:Split",
        "key": {"@id": "splits/name"},
        "description": "The task's splits; labels_hidden marks those whose labels are never published.",
        "field": [
            _field("splits", "name", "sc:Text"),
            _field("splits", "size", "sc:Integer"),
            _field("splits", "labels_hidden", "sc:Boolean"),
        ],
        "data": [
            {
                "splits/name": s["name"],
                "splits/size": s.get("size", 0),
                "splits/labels_hidden": bool(s.get("labels_hidden")),
            }
            for s in splits
        ],
    }
