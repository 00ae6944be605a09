"""The same image in two places: pixel digests shared between datasets, and between a task's splits.

Rules (issue 19):
  * a digest seen in two datasets is reported to the panel with both datasets and the counts (a warning);
  * a ``hidden_test`` dataset sharing any image with a dataset that is not hidden is an error: the hidden labels
    would leak through the other dataset;
  * a task whose test split shares images with its own training split is an error.
UIDs rewritten by de-identification do not hide a duplicate: the digests are of the pixel data bytes.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from medal_catalog.labels import label_dataset
from medal_catalog.report import Issue, Severity

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog
    from medal_catalog.croissant.task import CaseFiles
    from medal_catalog.store.base import Store

HIDDEN = "hidden_test"

#: A task's cases file with the catalog ids of their series: exports/croissant.py ``case_files(catalog, task,
#: dataset)``, which its callers pass in (exports/ sits above this package).
CasesOf = Callable[["Catalog", dict[str, Any], "dict[str, Any] | None"], "CaseFiles | None"]


def duplicates(store: Store | Catalog, dataset_id: str, access_of: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """The other datasets sharing images with ``dataset_id`` (counts only), each marked ``leak`` when one side is
    hidden-test and the other not. ``access_of``: a dataset's access level (the caller looks it up)."""
    out = []
    mine = access_of(dataset_id)
    for shared in store.shared_pixel_hashes(dataset_id):
        theirs = access_of(shared.other)
        leak = (mine == HIDDEN) != (theirs == HIDDEN)
        out.append({**shared.to_dict(), "other_access_level": theirs, "leak": leak})
    return out


def duplicate_issues(dataset_id: str, found: Iterable[dict[str, Any]], file: str) -> Iterator[Issue]:
    """One issue per other dataset sharing images: an error for a hidden-test leak, else a warning."""
    for item in found:
        both = (
            f"dataset {dataset_id!r} and dataset {item['other']!r} share {item['shared_images']} images "
            f"(of {item['images']} and {item['other_images']})"
        )
        if item["leak"]:
            yield Issue(
                Severity.ERROR,
                "contamination.hidden-test-leak",
                file,
                f"{both}: one is hidden-test and the other is not, so the hidden labels would leak",
                pointer="/access_level",
                hint="Remove the shared images from one of the two datasets; hidden-test images must be "
                "seen nowhere else. The panel sees both datasets and the counts.",
            )
        else:
            yield Issue(
                Severity.WARNING,
                "contamination.duplicate",
                file,
                f"{both}; reported to the panel",
                pointer="/distribution",
                hint="If the same images were submitted twice, keep them in one dataset; otherwise say in "
                "both datasets' provenance where they come from.",
            )


def is_test(split: dict[str, Any]) -> bool:
    """A split whose images must be unseen: a test split by name, or one whose labels are hidden."""
    return bool(split.get("labels_hidden")) or "test" in str(split.get("name", "")).lower()


def is_training(split: dict[str, Any]) -> bool:
    return str(split.get("name", "")).lower().startswith("train") and not is_test(split)


def split_leaks(task: dict[str, Any], cases_csv: bytes, hashes: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Images a task's test splits share with its training splits: (test split, training split, shared images).
    ``cases_csv`` is the task's cases file (case id, split, series_id); ``hashes`` the label dataset's pixel
    digests by series id."""
    splits = {s.get("name"): s for s in task.get("splits") or []}
    split_column = (task.get("labels") or {}).get("split_column")
    reader = csv.DictReader(io.StringIO(cases_csv.decode("utf-8")))
    images: dict[str, set[str]] = {}
    for row in reader:
        split, series = row.get(split_column or "split"), row.get("series_id")
        if split and series:
            images.setdefault(split, set()).update(hashes.get(series, ()))
    found = []
    for test, test_images in images.items():
        if test not in splits or not is_test(splits[test]):
            continue
        for train, train_images in images.items():
            if train in splits and is_training(splits[train]):
                shared = len(test_images & train_images)
                if shared:
                    found.append({"test_split": test, "training_split": train, "shared_images": shared})
    return found


def task_split_leaks(catalog: Catalog, task_id: str, cases_of: CasesOf) -> list[dict[str, Any]]:
    """The images a stored task's test splits share with its training splits, through its label table's series
    column (:func:`split_leaks`); [] when the task has no such table or its dataset no pixel digests."""
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
        files = cases_of(catalog, task, dataset.document)
    except ValueError:  # a label table that does not match its declaration: validate reports it
        return []
    if files is None or not files.has_series:
        return []
    return split_leaks(task, files.cases, hashes)


def split_issues(task_id: str, leaks: Iterable[dict[str, Any]], file: str) -> Iterator[Issue]:
    for leak in leaks:
        yield Issue(
            Severity.ERROR,
            "contamination.split-leak",
            file,
            f"task {task_id!r}: its {leak['test_split']} split shares {leak['shared_images']} images with "
            f"its {leak['training_split']} split",
            pointer="/splits",
            hint="A test case must not appear, under any UID, among the training cases: remove the "
            "duplicated series from one of the splits of the label table.",
        )


def dataset_counts(
    store: Store | Catalog, dataset_id: str, access_of: Callable[[str], str | None]
) -> dict[str, Any] | None:
    """The counts a dataset's public JSON carries of its contamination checks (no other dataset is named, no
    digest given): the last public-archive check and the images shared with other datasets now. None when it
    was never checked."""
    section = store.get_contamination(dataset_id)
    if section is None:
        return None
    found = duplicates(store, dataset_id, access_of)
    index = section.get("public_index") or {}
    pixels = section.get("pixel_hashes") or {}
    return {
        "checked_at": section.get("checked_at"),
        "public_index_version": index.get("version"),
        "idc_version": index.get("idc_version"),
        "series_checked": section.get("series_checked", 0),
        "public_series": section.get("public_series", 0),
        "public_studies": section.get("public_studies", 0),
        "public_collections": len(section.get("collections") or []),
        "public_uid_root_series": sum(r["series"] for r in section.get("public_uid_roots") or []),
        "public_pipeline_files": sum(p["files"] for p in section.get("public_pipelines") or []),
        "pixel_hashing": bool(pixels.get("enabled")),
        "images_hashed": pixels.get("instances_hashed", 0),
        "datasets_sharing_images": len(found),
        "shared_images": sum(d["shared_images"] for d in found),
        "hidden_test_leaks": sum(bool(d["leak"]) for d in found),
    }
