"""What the panel sees of a task's contamination: for each dataset it uses, the last public-archive check and the
other datasets sharing its images (both datasets, counts), and the images its test splits share with its
training splits. Computed from the store's pixel digests when asked, so a dataset harvested later shows up."""

from __future__ import annotations

from typing import Any, Callable

from medal_catalog.catalog import Catalog
from medal_catalog.contamination.overlap import CasesOf, duplicates, task_split_leaks


def _access_of(catalog: Catalog) -> Callable[[str], str | None]:
    def access_of(dataset_id: str) -> str | None:
        current = catalog.get("ImagingDataset", dataset_id)
        return (current.document or {}).get("access_level") if current is not None else None

    return access_of


def task_contamination(catalog: Catalog, task_id: str, cases_of: CasesOf) -> dict[str, Any]:
    """The panel's contamination view of a task (see the module docstring); ``errors`` counts what blocks it.
    ``cases_of``: exports/croissant.py ``case_files`` (panel/ passes it)."""
    current = catalog.get("BenchmarkTask", task_id)
    task = (current.document or {}) if current is not None else {}
    datasets = []
    errors = 0
    for dataset_id in task.get("datasets_used") or []:
        check = catalog.get_contamination(dataset_id)
        found = duplicates(catalog, dataset_id, _access_of(catalog))
        stored = catalog.get("ImagingDataset", dataset_id)
        unpublished = ((stored.document if stored is not None else None) or {}).get(
            "publication_status"
        ) == "unpublished"
        public = bool(check and (check.get("public_series") or check.get("public_studies")))
        errors += sum(item["leak"] for item in found) + (1 if public and unpublished else 0)
        datasets.append(
            {
                "dataset": dataset_id,
                "checked_at": (check or {}).get("checked_at"),
                "public_index": (check or {}).get("public_index"),
                "check": check,
                "duplicates": found,
                "public_while_unpublished": public and unpublished,
            }
        )
    leaks = task_split_leaks(catalog, task_id, cases_of)
    return {"task": task_id, "datasets": datasets, "split_leaks": leaks, "errors": errors + len(leaks)}
