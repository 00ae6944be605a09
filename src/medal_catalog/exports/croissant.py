"""The catalog's Croissant exports: a stored ImagingDataset (with its series manifest, its DICOM archive and the
record sets of the Croissant it was imported from) or a BenchmarkTask (with its cases and labels files, its cases
linked to the series and DICOM files of its label dataset).

This module reads the catalog; the Croissant format package (medal_catalog.croissant) writes the documents from
plain data and reads none. It is also where a label table's series values meet the catalog's keyed UIDs (the
DICOM package's business, which the Croissant package does not import).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from medal_catalog.croissant.source import merge_source
from medal_catalog.croissant.task import CaseFiles, SeriesOf, TaskImages, split_table, task_croissant
from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE
from medal_catalog.croissant.writing import content_addressed, dataset_croissant, series_manifest, with_contamination
from medal_catalog.dicom.deidentify import dataset_key, keyed_uid
from medal_catalog.labels import declared_splits, label_dataset, label_table_paths

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog

__all__ = [
    "CaseFiles",
    "TaskImages",
    "case_files",
    "content_addressed",
    "dataset_series",
    "export_dataset",
    "export_task",
    "series_resolver",
    "task_images",
    "with_source",
]


def dataset_series(catalog: Catalog, dataset_id: str) -> list[dict[str, Any]]:
    """The current ImagingSeries documents of a stored dataset."""
    return [v.document for v in catalog.dataset_series(dataset_id) if v.document is not None]


def export_dataset(
    catalog: Catalog,
    dataset_id: str,
    base_url: str,
    manifest_url: str | None = None,
    document: dict[str, Any] | None = None,
    series: list[dict[str, Any]] | None = None,
    files_url: str | None = None,
) -> tuple[dict[str, Any], bytes]:
    """The Croissant document and series manifest of a stored dataset. The manifest is ``manifest_url`` (default:
    ``<id>.series.jsonl`` next to the document); ``document`` and ``series`` replace the stored ones (the API
    passes the caller's view). ``files_url`` prefixes the files the catalog keeps with the dataset (its DICOM
    archive); None leaves them out (a caller who may not fetch the data). Raises KeyError when the dataset is not
    in the catalog."""
    current = catalog.get("ImagingDataset", dataset_id)
    if current is None or current.deleted:
        raise KeyError(dataset_id)
    first = catalog.history("ImagingDataset", dataset_id)[0]
    manifest = series_manifest(dataset_series(catalog, dataset_id) if series is None else series)
    archive = None
    if files_url is not None and manifest:
        kept = next((f for f in catalog.list_files("ImagingDataset", dataset_id) if f.path == DICOM_ARCHIVE), None)
        if kept is not None:
            archive = {"url": f"{files_url}{kept.path}", "sha256": kept.sha256, "byte_size": kept.byte_size}
    doc = dataset_croissant(
        document or current.document,
        manifest,
        identifier=f"{base_url.rstrip('/')}/id/datasets/{dataset_id}",
        manifest_url=manifest_url or f"{dataset_id}.series.jsonl",
        published=first.recorded_at[:10],
        archive=archive,
    )
    # An imported Croissant: its record sets too.
    doc = with_source(catalog, dataset_id, document or current.document, doc, base_url, has_series=bool(manifest))
    get_check = catalog.get_contamination
    return with_contamination(doc, get_check(dataset_id) if get_check else None), manifest


def with_source(
    catalog: Catalog,
    dataset_id: str,
    dataset: Mapping[str, Any],
    doc: dict[str, Any],
    base_url: str,
    *,
    has_series: bool,
) -> dict[str, Any]:
    """``doc`` with the record sets of the Croissant the dataset was imported from (see :func:`merge_source`), or
    ``doc`` unchanged when there is none, or when ``dataset`` (the caller's view) hides data locations."""
    name = dataset.get("source_document")
    if not name or not (dataset.get("access_level") == "open" or _has_locations(dataset)):
        return doc
    stored = catalog.get_file("ImagingDataset", dataset_id, name)
    try:
        source = json.loads(stored.data) if stored is not None and stored.data else None
    except ValueError:
        source = None
    if not isinstance(source, dict):
        return doc
    withheld = label_table_paths(catalog, dataset_id, dataset)
    kept = {
        f.path: f.sha256
        for f in catalog.list_files("ImagingDataset", dataset_id)
        if f.path != name and f.path not in withheld
    }
    files_base = f"{base_url.rstrip('/')}/api/datasets/{quote(dataset_id)}/files/"

    def read(path: str) -> bytes | None:
        found = catalog.get_file("ImagingDataset", dataset_id, path)
        return found.data if found is not None else None

    return merge_source(doc, source, files_base, kept, has_series, withheld, read=read)


def _has_locations(dataset: Mapping[str, Any]) -> bool:
    return any(
        isinstance(d, dict) and any(k in d for k in ("path", "url", "includes"))
        for d in dataset.get("distribution") or []
    )


def series_resolver(catalog: Catalog, dataset_id: str) -> SeriesOf:
    """What a label table's series value names among the dataset's harvested series: a catalog series id, the
    catalog's (keyed) SeriesInstanceUID, or the original SeriesInstanceUID the contributor's files carry, keyed
    as the harvest keyed it. Returns the series id, or None."""
    series = dataset_series(catalog, dataset_id)
    ids = {s["id"] for s in series if s.get("id")}
    by_uid = {s["series_instance_uid"]: s["id"] for s in series if s.get("series_instance_uid") and s.get("id")}
    key = dataset_key(dataset_id, catalog.settings.deid_secret)[:16]

    def series_of(value: str) -> str | None:
        value = value.strip()
        if value in ids:
            return value
        return by_uid.get(value) or by_uid.get(keyed_uid(key, value))

    return series_of


def task_images(catalog: Catalog, dataset_id: str, manifest_url: str, files_url: str | None) -> TaskImages | None:
    """The label dataset's series manifest (at ``manifest_url``) and, when ``files_url`` is given (a caller who
    may fetch the dataset's data), its DICOM archive under that prefix; None when it has no series."""
    manifest = series_manifest(dataset_series(catalog, dataset_id))
    if not manifest:
        return None
    archive = None
    if files_url is not None:
        kept = next((f for f in catalog.list_files("ImagingDataset", dataset_id) if f.path == DICOM_ARCHIVE), None)
        if kept is not None:
            archive = {"url": f"{files_url}{kept.path}", "sha256": kept.sha256, "byte_size": kept.byte_size}
    return TaskImages(manifest, manifest_url, archive)


def case_files(catalog: Catalog, task: dict[str, Any], dataset: dict[str, Any] | None) -> CaseFiles | None:
    """The cases and labels files of a task, derived from the label table kept with ``dataset`` (the label
    dataset's stored document), the cases naming the catalog ids of their series; None when the task declares no
    label table or the catalog does not keep it."""
    series_of = (
        series_resolver(catalog, dataset["id"]) if dataset and (task.get("labels") or {}).get("series_column") else None
    )
    return _case_files(catalog, task, dataset, series_of)


def _case_files(
    catalog: Catalog, task: dict[str, Any], dataset: dict[str, Any] | None, series_of: SeriesOf | None = None
) -> CaseFiles | None:
    """The cases and labels files of a task, derived from the label table kept with ``dataset`` (the label
    dataset's stored document; ``series_of`` names its series, see croissant/task.py ``split_table``); None when
    the task declares no label table or the catalog does not keep it."""
    spec = task.get("labels")
    if not spec or dataset is None:
        return None
    path = next(
        (d.get("path") for d in dataset.get("distribution") or [] if d.get("name") == spec["distribution_name"]), None
    )
    stored = catalog.get_file("ImagingDataset", dataset["id"], path) if path else None
    if stored is None:
        return None
    return split_table(stored.data, spec, declared_splits(catalog, task), series_of)


def export_task(
    catalog: Catalog,
    task_id: str,
    base_url: str,
    *,
    document: dict[str, Any] | None = None,
    datasets: dict[str, dict[str, Any]] | None = None,
    files_url: str = "",
    images: TaskImages | None = None,
) -> tuple[dict[str, Any], CaseFiles | None]:
    """The Croissant document of a stored task and its derived case files. ``document`` and ``datasets`` (id ->
    document) replace the stored ones (the API passes the caller's views; a dataset the caller may not see is
    left out); ``files_url`` is the prefix of ``cases.csv``/``labels.csv`` ("" for files next to the document);
    the cases name the catalog ids of their series, and ``images`` (see :func:`task_images`) links them to the
    label dataset's series and DICOM files (see croissant/task.py ``task_croissant``).
    Raises KeyError when the task is not in the catalog."""
    current = catalog.get("BenchmarkTask", task_id)
    if current is None or current.deleted:
        raise KeyError(task_id)
    task = document or current.document
    if datasets is None:
        datasets = {
            d: v.document
            for d in task.get("datasets_used") or []
            if (v := catalog.get("ImagingDataset", d)) is not None and not v.deleted
        }
    base = base_url.rstrip("/")
    label_id = label_dataset(task)
    stored_label = catalog.get("ImagingDataset", label_id) if label_id in datasets else None
    series_of = (
        series_resolver(catalog, label_id) if label_id and (task.get("labels") or {}).get("series_column") else None
    )
    files = _case_files(
        catalog, task, stored_label.document if stored_label and not stored_label.deleted else None, series_of
    )
    task = {**task, "splits": declared_splits(catalog, task)} if task.get("splits") else task
    first = catalog.history("BenchmarkTask", task_id)[0]
    doc = task_croissant(
        task,
        list(datasets.values()),
        identifier=f"{base}/id/tasks/{task_id}",
        dataset_urls={d: f"{base}/id/datasets/{d}" for d in datasets},
        files=files,
        cases_url=f"{files_url}cases.csv",
        labels_url=f"{files_url}labels.csv",
        published=first.recorded_at[:10],
        images=images,
    )
    return doc, files
