"""`medal check`: the store checked against its own invariants and the search index checked against the store.

What a crash, a kill or a bug could leave behind, each a :class:`Problem` with a stable code:

* ``store.series-count`` — a dataset with harvested series in the store whose recorded ``series_count`` (or
  ``instance_count``) differs from the series the store holds for it (a write cut short);
* ``store.reference`` — an entry naming another entry (a series its dataset, a task its datasets, a review its
  task) that is not in the store;
* ``store.file-missing`` / ``store.file-checksum`` — a file kept with an entry whose bytes are gone or no longer
  match their recorded sha256 (and size);
* ``index.missing`` / ``index.stale`` / ``index.extra`` — the search index lacking a current entry, holding an
  older document of it, or holding an entry the store no longer has, with no queued update that would fix it.

Updates still queued for the index (a process stopped between its store commit and the index sync) are not
problems: the queue is how the catalog recovers, and the next write or `medal reindex` applies them. They are
reported as a note, and ``repair=True`` applies them at once.

Only the index is repaired (``repair=True``: queued updates applied, then a full rebuild from the store when it
still disagrees): the store is the source of truth, and what it holds is the work of people, never overwritten
by a machine step; store problems are reported with what to do.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from medal_catalog.catalog import Catalog
from medal_catalog.schema import ENTRY_CLASSES
from medal_catalog.search import SearchRequest
from medal_catalog.store.base import entry_key
from medal_catalog.schema.facts import slot_ranges


@dataclass(frozen=True)
class Problem:
    """One thing wrong: a code, the entry (``kind:id``) it is about, what is wrong and what to do."""

    code: str
    key: str
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "key": self.key, "message": self.message, "hint": self.hint}


@dataclass
class CheckReport:
    """What `medal check` found (and, with repair, what it fixed)."""

    catalog: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    remaining: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    repair: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing is wrong after the check (after the repair, when one was asked for)."""
        return not (self.remaining if self.repair else self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "catalog": self.catalog,
            "ok": self.ok,
            "counts": self.counts,
            "problems": [p.to_dict() for p in self.problems],
            "notes": self.notes,
            "repaired": self.repaired,
            "remaining": [p.to_dict() for p in self.remaining],
            "seconds": round(self.seconds, 3),
        }


def _references() -> dict[str, dict[str, str]]:
    """Per entry class, its slots whose range is another entry class (from the schema)."""

    return {cls: {slot: rng for slot, rng in slot_ranges(cls).items() if rng in ENTRY_CLASSES} for cls in ENTRY_CLASSES}


def check_store(catalog: Catalog) -> tuple[dict[str, int], list[Problem]]:
    """The store's own invariants: series counts, references, kept files. Returns (entries per kind, problems)."""
    current = {v.key: v.document or {} for v in catalog.iter_current()}
    counts = Counter(key.partition(":")[0] for key in current)
    problems: list[Problem] = []
    references = _references()
    series_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, document in current.items():
        kind = key.partition(":")[0]
        if kind == "ImagingSeries" and isinstance(document.get("dataset"), str):
            series_of[document["dataset"]].append(document)
        for slot, target in references.get(kind, {}).items():
            for ref in _ids(document.get(slot)):
                if entry_key(target, ref) not in current:
                    problems.append(
                        Problem(
                            "store.reference",
                            key,
                            f"`{slot}` names {target} {ref!r}, which the "
                            "store does not hold (deleted, or never stored)",
                            "Store the missing entry, or correct the reference and re-submit.",
                        )
                    )
    for key, document in current.items():
        if not key.startswith("ImagingDataset:"):
            continue
        series = series_of.get(document.get("id", ""), [])
        if not series:
            continue  # counts declared by a contributor for DICOM not harvested here: nothing to compare
        declared, held = document.get("series_count"), len(series)
        if declared is not None and declared != held:
            problems.append(
                Problem(
                    "store.series-count",
                    key,
                    f"records {declared} series, the store holds {held}",
                    "Run the harvest of this dataset again: it rewrites the dataset and its series together.",
                )
            )
        instances = sum(int(s.get("instance_count") or 0) for s in series)
        if document.get("instance_count") is not None and document["instance_count"] != instances:
            problems.append(
                Problem(
                    "store.series-count",
                    key,
                    f"records {document['instance_count']} instances, its series in the store hold {instances}",
                    "Run the harvest of this dataset again.",
                )
            )
    for key in current:
        kind, _, entry_id = key.partition(":")
        for listed in catalog.list_files(kind, entry_id):
            kept = catalog.get_file(kind, entry_id, listed.path)
            if kept is None or kept.data is None:
                problems.append(
                    Problem(
                        "store.file-missing",
                        key,
                        f"kept file {listed.path!r} has no bytes",
                        "Harvest or submit the dataset again to keep its files.",
                    )
                )
            elif hashlib.sha256(kept.data).hexdigest() != listed.sha256 or len(kept.data) != listed.byte_size:
                problems.append(
                    Problem(
                        "store.file-checksum",
                        key,
                        f"kept file {listed.path!r} no longer matches its recorded sha256 and size",
                        "Harvest or submit the dataset again.",
                    )
                )
    return dict(sorted(counts.items())), problems


def _ids(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (v for v in value if isinstance(v, str))


def check_index(catalog: Catalog, notes: list[str] | None = None) -> list[Problem]:
    """The search index against the store: every current entry indexed with its current document and nothing
    more, counting the updates still queued for it as done (they are noted in ``notes``)."""
    index = catalog.index
    if index is None:
        return []
    problems: list[Problem] = []
    behind = catalog.pending_count()
    queued = catalog.pending(limit=behind) if behind else []
    owed = {change.key for change in queued}
    if behind and notes is not None:
        notes.append(
            f"the index is behind by {behind} queued update(s) of {len(owed)} entries: the next write "
            "applies them, or now: medal check --repair (or medal reindex)"
        )
    keys = set()
    for version in catalog.iter_current():
        keys.add(version.key)
        if version.key in owed:
            continue
        indexed = index.get(version.key)
        if indexed is None:
            problems.append(
                Problem(
                    "index.missing", version.key, "current in the store, absent from the index", "medal check --repair"
                )
            )
        elif _canonical(indexed) != _canonical(catalog.document(version.document)):
            problems.append(
                Problem(
                    "index.stale",
                    version.key,
                    f"the index holds another document than the store's current version {version.version}",
                    "medal check --repair",
                )
            )
    total = index.count(SearchRequest.make())
    if total > len(keys) + sum(change.op == "delete" for change in queued):
        problems.append(
            Problem(
                "index.extra",
                "",
                f"the index holds {total} entries, the store {len(keys)} current ones",
                "medal check --repair",
            )
        )
    return problems


def _canonical(document: Any) -> str:
    return json.dumps(document, sort_keys=True, default=str)


def check(catalog: Catalog, repair: bool = False) -> CheckReport:
    """Check the store and the index; with ``repair``, bring the index in step with the store and check again."""
    started = time.perf_counter()
    report = CheckReport(catalog.url, repair=repair)
    report.counts, store_problems = check_store(catalog)
    index_problems = check_index(catalog, report.notes)
    report.problems = store_problems + index_problems
    if repair and (index_problems or report.notes):
        catalog.sync_index()
        if check_index(catalog):
            rebuilt = catalog.reindex()
            report.repaired.append(f"rebuilt the index from the store ({rebuilt.indexed} entries)")
        else:
            report.repaired.append("applied the queued index updates")
        report.remaining = store_problems + check_index(catalog)
    elif repair:
        report.remaining = list(store_problems)
    report.seconds = time.perf_counter() - started
    return report


__all__ = ["CheckReport", "Problem", "check", "check_index", "check_store"]
