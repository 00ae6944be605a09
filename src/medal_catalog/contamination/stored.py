"""The contamination facts a harvest stores with a dataset (pixel digests, the public-archive check) and the issues it
reports: a dataset against the catalog's other datasets, a task's splits against each other, a bundle's datasets.
ingestion/ calls these once it has stored the entries, passing the catalog and (for a task's splits) the export's
``case_files``, which lives above this package (exports/croissant.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from medal_catalog.catalog import Catalog
from medal_catalog.contamination.check import issues as public_issues
from medal_catalog.contamination.overlap import CasesOf, duplicate_issues, duplicates, split_issues, task_split_leaks
from medal_catalog.errors import Unprocessable
from medal_catalog.report import Report, Severity
from medal_catalog.store.base import PutResult

#: A pixel digest as a bundle sends it: 32 hex digits.
_DIGEST = re.compile(r"[0-9a-f]{32}")


def check_dataset(catalog: Catalog, dataset_id: str, harvest: Any, file: str, report: Report) -> dict[str, Any]:
    """Keep a stored dataset's pixel digests and public-archive check, compare its images with every other
    dataset's, and add the issues to ``report``; returns its ``contamination`` section (counts only)."""
    section = dict(harvest.summary.get("contamination") or {})
    if not section:
        return {}
    if (section.get("pixel_hashes") or {}).get("enabled"):
        # Rewritten only when they changed (a re-harvest of an unchanged tree writes none of its 10k rows): the
        # duplicate checks compare the digests, never the per-digest file counts.
        stored = catalog.pixel_hashes(dataset_id)
        if stored != {series: set(found) for series, found in harvest.pixels.items() if found}:
            catalog.put_pixel_hashes(dataset_id, harvest.pixels)

    def access_of(other: str) -> str | None:
        current = catalog.get("ImagingDataset", other)
        return (current.document or {}).get("access_level") if current is not None else None

    section["duplicates"] = duplicates(catalog, dataset_id, access_of)
    catalog.put_contamination(dataset_id, section)
    current = catalog.get("ImagingDataset", dataset_id)
    found = [
        *public_issues(section, (current.document if current else None) or dataset_id, file),
        *duplicate_issues(dataset_id, section["duplicates"], file),
    ]
    report.extend(found)
    section["errors"] = sum(i.severity is Severity.ERROR for i in found)
    section["warnings"] = sum(i.severity is Severity.WARNING for i in found)
    return section


def check_splits(catalog: Catalog, task_id: str, file: str, report: Report, cases_of: CasesOf) -> list[dict[str, Any]]:
    """The images a stored task's test splits share with its training splits (errors added to ``report``);
    ``cases_of``: exports/croissant.py ``case_files``."""
    leaks = task_split_leaks(catalog, task_id, cases_of)
    report.extend(split_issues(task_id, leaks, file))
    return leaks


def bundle_contamination(sent: Any) -> dict[str, tuple[dict[str, Any], dict[str, dict[str, int]]]]:
    """A bundle's contamination part checked before anything is stored: (section, pixel digests by series) per
    dataset id; digests are 32 hex digits, counts positive integers, or the bundle is refused whole."""
    if not sent:
        return {}
    if not isinstance(sent, dict):
        raise Unprocessable("the bundle's contamination part must be an object by dataset id")
    out = {}
    for dataset_id, part in sent.items():
        section = part.get("section") if isinstance(part, dict) else None
        pixels = (part.get("pixels") if isinstance(part, dict) else None) or {}
        if (
            not isinstance(section, dict)
            or not isinstance(pixels, dict)
            or not all(
                isinstance(series, str)
                and isinstance(found, dict)
                and all(
                    isinstance(d, str) and _DIGEST.fullmatch(d) and type(n) is int and n > 0 for d, n in found.items()
                )
                for series, found in pixels.items()
            )
        ):
            raise Unprocessable(
                f"the bundle's contamination part of dataset {dataset_id!r} is malformed: a "
                "section object and pixel digests {series id: {32 hex digits: files}}"
            )
        out[str(dataset_id)] = (section, pixels)
    return out


def check_bundle(
    catalog: Catalog,
    sent: dict[str, tuple[dict[str, Any], dict[str, dict[str, int]]]],
    puts: Sequence[PutResult],
    report: Report,
    cases_of: CasesOf,
) -> None:
    """The contamination checks of a stored bundle's datasets, from the sections and pixel digests its sender's
    harvest made (the catalog never sees a hidden-test dataset's images), then of its tasks' splits."""
    stored = {p.id for p in puts if p.kind == "ImagingDataset" and not p.problems}
    for dataset_id, (section, pixels) in sent.items():
        if dataset_id in stored:
            check_dataset(
                catalog,
                dataset_id,
                SimpleNamespace(summary={"contamination": section}, pixels=pixels),
                "submission",
                report,
            )
    for put in puts:
        if put.kind == "BenchmarkTask" and not put.problems:
            check_splits(catalog, put.id, "submission", report, cases_of)
