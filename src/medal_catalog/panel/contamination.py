"""What the panel sees of a task's contamination: for each dataset it uses, the last public-archive check and the
other datasets sharing its images (both datasets, counts), and the images its test splits share with its
training splits. Computed from the store's pixel digests when asked, so a dataset harvested later shows up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medal_catalog.contamination.overlap import duplicates, split_leaks

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog


def task_split_leaks(catalog: Catalog, task_id: str) -> list[dict[str, Any]]:
    """The images a stored task's test splits share with its training splits, through its label table's series
    column; [] when the task has no such table or its dataset no pixel digests."""
    from medal_catalog.exports.croissant import case_files
    from medal_catalog.labels import label_dataset

    current = catalog.get("BenchmarkTask", task_id)
    task = current.document if current is not None and not current.deleted else None
    dataset_id = label_dataset(task) if task else None
    if not task or not dataset_id or not (task.get("labels") or {}).get("series_column"):
        return []
    dataset = catalog.get("ImagingDataset", dataset_id)
    if dataset is None or dataset.deleted:
        return []
    hashes = catalog.pixel_hashes(dataset_id)
    if not hashes:
        return []
    try:
        files = case_files(catalog, task, dataset.document)
    except ValueError:  # a label table that does not match its declaration: validate reports it
        return []
    if files is None or not files.has_series:
        return []
    return split_leaks(task, files.cases, hashes)


def _access_of(catalog: Catalog):
    def access_of(dataset_id: str) -> str | None:
        current = catalog.get("ImagingDataset", dataset_id)
        return (current.document or {}).get("access_level") if current is not None else None
    return access_of


def task_contamination(catalog: Catalog, task_id: str) -> dict[str, Any]:
    """The panel's contamination view of a task (see the module docstring); ``errors`` counts what blocks it."""
    current = catalog.get("BenchmarkTask", task_id)
    task = (current.document or {}) if current is not None else {}
    datasets = []
    errors = 0
    for dataset_id in task.get("datasets_used") or []:
        check = catalog.get_contamination(dataset_id)
        found = duplicates(catalog, dataset_id, _access_of(catalog))
        unpublished = ((catalog.get("ImagingDataset", dataset_id) or _Empty()).document or {}).get(
            "publication_status") == "unpublished"
        public = bool(check and (check.get("public_series") or check.get("public_studies")))
        errors += sum(item["leak"] for item in found) + (1 if public and unpublished else 0)
        datasets.append({"dataset": dataset_id, "checked_at": (check or {}).get("checked_at"),
                         "public_index": (check or {}).get("public_index"), "check": check,
                         "duplicates": found, "public_while_unpublished": public and unpublished})
    leaks = task_split_leaks(catalog, task_id)
    return {"task": task_id, "datasets": datasets, "split_leaks": leaks, "errors": errors + len(leaks)}


class _Empty:
    document: dict[str, Any] = {}
