"""The catalog's Croissant exports: a stored ImagingDataset (with its series manifest, its DICOM archive and the
record sets of the Croissant it was imported from) or a BenchmarkTask (with its cases and labels files, its cases
linked to the series and DICOM files of its label dataset).

The documents are written by the Croissant format package (medal_catalog.croissant); this module is where the
catalog's commands and routes find its exports, and where a label table's series values meet the catalog's keyed
UIDs (the DICOM package's business, which the Croissant package does not import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medal_catalog.croissant import task as _task
from medal_catalog.croissant.task import CaseFiles, SeriesOf, TaskImages
from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE
from medal_catalog.croissant.writing import content_addressed, dataset_series, export_dataset, series_manifest
from medal_catalog.labels import label_dataset

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog

__all__ = ["CaseFiles", "TaskImages", "case_files", "content_addressed", "dataset_series", "export_dataset",
           "export_task", "series_resolver", "task_images"]


def series_resolver(catalog: Catalog, dataset_id: str) -> SeriesOf:
    """What a label table's series value names among the dataset's harvested series: a catalog series id, the
    catalog's (keyed) SeriesInstanceUID, or the original SeriesInstanceUID the contributor's files carry, keyed
    as the harvest keyed it. Returns the series id, or None."""
    from medal_catalog.dicom.deidentify import dataset_key, keyed_uid

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
        kept = next((f for f in catalog.list_files("ImagingDataset", dataset_id) if f.path == DICOM_ARCHIVE),
                    None)
        if kept is not None:
            archive = {"url": f"{files_url}{kept.path}", "sha256": kept.sha256, "byte_size": kept.byte_size}
    return TaskImages(manifest, manifest_url, archive)


def case_files(catalog: Catalog, task: dict[str, Any], dataset: dict[str, Any] | None) -> CaseFiles | None:
    """:func:`medal_catalog.croissant.task.case_files`, the cases naming the catalog ids of their series."""
    series_of = series_resolver(catalog, dataset["id"]) if dataset and (task.get("labels") or {}).get(
        "series_column") else None
    return _task.case_files(catalog, task, dataset, series_of)


def export_task(catalog: Catalog, task_id: str, base_url: str, *, document: dict[str, Any] | None = None,
                datasets: dict[str, dict[str, Any]] | None = None, files_url: str = "",
                images: TaskImages | None = None) -> tuple[dict[str, Any], CaseFiles | None]:
    """:func:`medal_catalog.croissant.task.export_task`, the cases naming the catalog ids of their series and,
    with ``images`` (see :func:`task_images`), referencing the label dataset's series and DICOM files."""
    current = catalog.get("BenchmarkTask", task_id)
    task = document or (current.document if current is not None else {})
    dataset_id = label_dataset(task)
    series_of = series_resolver(catalog, dataset_id) if dataset_id and (task.get("labels") or {}).get(
        "series_column") else None
    return _task.export_task(catalog, task_id, base_url, document=document, datasets=datasets,
                             files_url=files_url, series_of=series_of, images=images)
