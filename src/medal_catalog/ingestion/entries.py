"""What every way into the catalog shares: the result of one source, the one write of entries (put_entries),
and what an entry attaches to (the ownership rule's input)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from medal_catalog.catalog import Catalog
from medal_catalog.errors import MedalError
from medal_catalog.report import Issue, Report, Severity
from medal_catalog.store.base import PutResult, entry_key
from medal_catalog.exports.jsonld import REFERENCES
from medal_catalog.labels import label_dataset
from medal_catalog.panel import merge_workflow
from medal_catalog.panel.reviews import store_recorded_review

#: The author of the versions a machine step writes (never a token name: those have no spaces).
HARVEST_AUTHOR = "medal harvest"


SourceKind = Literal["submission", "dicom", "croissant", "idc"]


#: Raises (a MedalError: 404 or 403) unless the caller may write these entries and attach each to the entries it
#: points at (:func:`attachments`): the API's ownership rule, decided in ``api/access.py`` (check_writes).
CheckWrites = Callable[[Sequence[dict[str, Any]]], None]


@dataclass
class IngestResult:
    """What one source did to the catalog: its kind, whether anything in it failed, and the summary the CLI prints
    and ``--json`` shows (counts, entries stored and changed, files kept, what was left out and why)."""

    source: str
    kind: SourceKind
    failed: bool
    summary: dict[str, Any]
    #: The outcome of every entry written (or skipped as unchanged), in the order they were given.
    puts: list[PutResult] = field(default_factory=list)
    #: The harvester's own result (a SubmissionHarvest, HarvestResult or CroissantImport), for callers that print.
    detail: Any = None


def put_entries(
    catalog: Catalog,
    entries: Sequence[dict[str, Any]],
    *,
    author: str,
    reason: str,
    report: Report | None = None,
    source: str = "",
    deletions: Sequence[tuple[str, str]] = (),
    files: dict[str, dict[str, tuple[bytes, str]]] | None = None,
) -> list[PutResult]:
    """Store entries (all in one transaction with the ``deletions`` and the datasets' kept ``files``, {dataset id:
    {path: (content, media type)}}, then indexed in bulk: readers never see a dataset with part of its series or
    files), skipping those whose only change is a newer harvest-run record, so that
    ingesting unchanged input again writes no new version. Returns one result per entry, then per deletion.

    The workflow is the panel's, never the file's: a task keeps the status the catalog has (a new one enters as
    ``submitted``; a ``status`` that differs in the file is an info in ``report``), except that an edit of an
    accepted task changing what the panel judged sends it back to review (see panel.merge_workflow). Reviews are
    stored as reviews of the task's current version, and only while it is open for review."""
    # inline: adds ~240 ms to this module's import
    from medal_catalog.harvesters.dicom_records import same_but_harvest_runs

    results: dict[int, PutResult] = {}
    to_write: list[tuple[int, dict[str, Any]]] = []
    alone: list[tuple[int, dict[str, Any], str]] = []
    reviews: list[tuple[int, dict[str, Any]]] = []
    for i, entry in enumerate(entries):
        kind = entry.get("type")
        current = catalog.get(kind, entry["id"]) if kind and entry.get("id") else None
        if kind == "ReviewAssessment":
            reviews.append((i, entry))
            continue
        if kind == "BenchmarkTask":
            workflow = merge_workflow(entry, current)
            entry = workflow.entry
            if workflow.note and report is not None:
                report.add(
                    Issue(
                        Severity.INFO,
                        "workflow.status",
                        source or reason,
                        f"task {entry['id']!r}: {workflow.note}",
                        pointer="/status",
                    )
                )
            if workflow.back_to_review:
                alone.append((i, entry, f"{reason}; {workflow.note}"))
                continue
        if current is not None and not current.deleted and same_but_harvest_runs(entry, current.document):
            results[i] = PutResult(entry_key(kind, entry["id"]), "unchanged", current.version)
        else:
            to_write.append((i, entry))
    kept = {("ImagingDataset", ds): content for ds, content in (files or {}).items()}
    written = (
        catalog.put_many([e for _, e in to_write], author=author, reason=reason, deletions=deletions, files=kept)
        if to_write or deletions or kept
        else []
    )
    results.update({i: put for (i, _), put in zip(to_write, written)})
    retired = written[len(to_write) :]
    for i, entry, why in alone:
        results[i] = catalog.put(entry, author=author, reason=why)
    for i, entry in reviews:
        try:
            results[i] = store_recorded_review(catalog, entry, author).review
        except MedalError as err:
            results[i] = PutResult(entry_key("ReviewAssessment", str(entry.get("id"))), "invalid", None, (str(err),))
    return [*(results[i] for i in range(len(entries))), *retired]


def attachments(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The entries (kind, id) an entry attaches to, so that writing it changes what they show: every slot whose
    range is an entry class (a series' dataset, a task's datasets_used, a review's task) and a task's label
    table's dataset (which decides what of that table is published)."""

    found: dict[tuple[str, str], None] = {}
    for slot, kind in REFERENCES.items():
        values = entry.get(slot)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str) and value:
                found[(kind, value)] = None
    if entry.get("type") == "BenchmarkTask" and entry.get("labels"):
        dataset = label_dataset(entry)
        if dataset:
            found[("ImagingDataset", dataset)] = None
    return list(found)


def store_import(catalog: Catalog, result: Any, author: str, reason: str) -> None:
    """Store an error-free Croissant import (a CroissantImport): the dataset, its harvested series, then its kept
    files (rewritten only when they changed); the outcome goes into ``result``."""
    dataset = result.dataset
    # One transaction: the dataset, its series and its kept files appear together or not at all (an import
    # killed half-way leaves the catalog as it was; running it again completes it).
    written = put_entries(
        catalog, [dataset, *result.series], author=author, reason=reason, files={dataset["id"]: result.files}
    )
    result.stored = written[0]
    if result.stored.problems:
        result.report.add(
            Issue(
                Severity.ERROR,
                "croissant.refused",
                result.source,
                f"the catalog refused the mapped dataset: {result.stored.problems[0]}",
                pointer="",
            )
        )
        return
    if result.series:
        result.stored_series = written[1 : 1 + len(result.series)]
    result.stored_files = catalog.list_files("ImagingDataset", dataset["id"])


def of_stored(
    entries: Sequence[dict[str, Any]], files: dict[str, dict[str, tuple[bytes, str]]]
) -> dict[str, dict[str, tuple[bytes, str]]]:
    """The kept files of the datasets the entries hold (files of any other dataset are not this unit's to write);
    written with the entries in one transaction, and not for a dataset the store refuses."""
    held = {e.get("id") for e in entries if e.get("type") == "ImagingDataset"}
    return {ds: kept for ds, kept in files.items() if ds in held}


def kept_files(
    catalog: Catalog, puts: Sequence[PutResult], files: dict[str, dict[str, tuple[bytes, str]]]
) -> dict[str, list[Any]]:
    """What each dataset given files and stored now keeps, by dataset id (a refused dataset keeps nothing)."""
    stored = {p.id for p in puts if p.kind == "ImagingDataset" and not p.problems}
    return {ds: catalog.list_files("ImagingDataset", ds) for ds in files if ds in stored}
