"""Public collections (the NCI Imaging Data Commons index) into the catalog, a collection staged and published
whole, with a second process indexing while big harvests write."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
import multiprocessing
import time

from medal_catalog.catalog import Catalog
from medal_catalog.ingestion.entries import HARVEST_AUTHOR, IngestResult
from medal_catalog.store.base import PutResult


def ingest_idc(
    catalog: Catalog,
    collections: Sequence[str] | None = None,
    *,
    index_folder: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestResult:
    """Take the IDC index (``idc-index-data``, or the parquet files in ``index_folder``) into ``catalog``: every
    collection, or the named ones, as an open published dataset with its series. Series are compared by
    content, so a re-run of the same index writes nothing, a new index
    version writes what changed, and a series gone from the index is deleted (a version, as every deletion).

    Each collection is staged in batches and published in one transaction (Store.stage / publish): readers see a
    whole collection or what was there before, never part of one.

    ``progress(collection_id, series_done, series_in_collection)`` is called after each batch."""
    from medal_catalog.harvesters import idc  # inline: adds ~170 ms to this module's import

    start = time.perf_counter()
    index = idc.locate(index_folder)
    reason = f"harvested from the IDC index ({index.version})"
    # Big harvests index in a second process that drains the store's index queue while this one validates and
    # stores the next batches: the two halves of the work cost about the same, and a harvest gets two cores.
    indexer = (
        _BackgroundIndexer(catalog)
        if catalog.index is not None and idc.count_series(index, collections) >= BACKGROUND_INDEX_SERIES
        else None
    )
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "invalid": 0}
    invalid: list[dict[str, Any]] = []
    per_collection: dict[str, dict[str, int]] = {}

    def tally(puts: Sequence[PutResult], mine: dict[str, int]) -> None:
        for put in puts:
            counts[put.status] += 1
            mine[put.status] = mine.get(put.status, 0) + 1
            if put.status == "invalid" and len(invalid) < 50:
                invalid.append({"key": put.key, "problems": list(put.problems)})

    try:
        for collection in idc.read(index, collections):
            mine: dict[str, int] = {}
            seen: set[str] = set()
            done = 0
            # A collection is one unit: its series are staged in batches (no reader sees them), then the dataset
            # and all of them are published in one transaction, so a killed harvest never leaves part of a
            # collection visible; a re-run stages it again from the start and publishes it whole.
            unit = f"idc:{collection.dataset_id}"
            catalog.discard(unit)
            for batch in collection.batches:
                seen.update(e["id"] for e in batch)
                tally([r for r in catalog.stage(unit, batch) if r.status != "staged"], mine)
                done += len(batch)
                if progress:
                    progress(collection.collection_id, done, collection.size)
            gone = [i for i in catalog.ids_under("ImagingSeries", collection.dataset_id + ".") if i not in seen]
            # The dataset last: its counts and summaries are those of the series just read.
            tally([r for r in catalog.stage(unit, [collection.dataset()]) if r.status != "staged"], mine)
            puts, deleted = catalog.publish(
                unit,
                HARVEST_AUTHOR,
                reason,
                [("ImagingSeries", s) for s in gone],
                deletion_reason=f"no longer in the IDC index ({index.version})",
            )
            tally([*puts, *deleted], mine)
            if indexer is None and (puts or deleted):
                catalog.sync_index()
            mine["series"] = collection.aggregate.series
            mine["descriptions_dropped"] = collection.aggregate.descriptions_dropped
            per_collection[collection.collection_id] = mine
    finally:
        if indexer:
            indexer.finish()
    catalog.sync_index()  # what the background indexer left, and deletions when there was none
    seconds = time.perf_counter() - start
    series = sum(c["series"] for c in per_collection.values())
    summary = {
        "source": "idc",
        "index_version": index.version,
        "collections": len(per_collection),
        "series": series,
        **counts,
        "changed": counts["created"] + counts["updated"] + counts["deleted"],
        "seconds": round(seconds, 2),
        "series_per_second": round(series / seconds, 1) if seconds else None,
        "index_pending": catalog.pending_count(),
        "invalid_entries": invalid,
        "by_collection": per_collection,
    }
    return IngestResult(
        source=f"idc:{','.join(collections or [])}", kind="idc", failed=bool(counts["invalid"]), summary=summary
    )


#: From this many series on, `ingest_idc` indexes in a second process.
BACKGROUND_INDEX_SERIES = 20_000


def _drain_index_queue(catalog_url: str, index_url: str, stop: Any) -> None:
    """In a child process: apply the store's queued index updates until ``stop`` is set and none are left."""

    with Catalog.open(catalog_url, index_url) as catalog:
        while True:
            finishing = stop.is_set()
            if catalog.pending_count():
                if not catalog.sync_index():
                    if catalog.index_problems and "unreachable" in catalog.index_problems[-1]:
                        return  # the index is down: the queue waits for `medal reindex`
                    time.sleep(0.5)  # the store was busy (the harvest's own write): try again
            elif finishing:
                return
            else:
                time.sleep(0.1)


class _BackgroundIndexer:
    """A child process draining a catalog's index queue while the caller writes (see :func:`ingest_idc`)."""

    def __init__(self, catalog: Catalog) -> None:
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.process = context.Process(
            target=_drain_index_queue, daemon=True, args=(catalog.url, catalog.index.url, self.stop)
        )
        self.process.start()

    def finish(self) -> None:
        self.stop.set()
        self.process.join()
