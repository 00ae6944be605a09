"""The catalog as callers use it: the store (source of truth) and the search index kept in step with it.

Every write is one store transaction that also queues the entry for indexing; the index is then brought up to date
from that queue. When the index is unreachable the write still succeeds, ``PutResult.indexed`` is False, and
``sync_index()`` or ``medal reindex`` catches up later. A crash at any point leaves the store consistent and the
queue holding whatever the index still lacks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from medal_catalog.config import Settings, get_settings
from medal_catalog.errors import IndexUnavailableError, SearchBackendError, StoreError, UsageError
from medal_catalog.search import SearchIndex, SearchRequest, SearchResult, flatten, open_index
from medal_catalog.search.base import Bound, Progress
from medal_catalog.store.base import (
    PutResult,
    QueuedChange,
    SharedImages,
    Store,
    StoredArtefact,
    StoredEvaluation,
    StoredFile,
    StoredToken,
    StoredVersion,
)
from medal_catalog.store import open_store


#: Index updates queued longer ago than this were left by a writer that stopped before its index sync (or found the
#: index down): the next write applies them too. Younger ones belong to a writer still at work (a harvest indexing
#: its 1,200 series at low priority), which applies them itself: a request does not take on that work (issue 32).
STALE_QUEUE_SECONDS = 60.0


@dataclass
class ReindexReport:
    """What a rebuild did: the target, how many entries went in, how long it took, rejected documents."""

    target: str
    indexed: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "indexed": self.indexed,
            "seconds": round(self.seconds, 3),
            "problems": self.problems,
        }


class Catalog:
    """A store plus its search index. Open with :meth:`open`; use as a context manager to close both."""

    def __init__(self, store: Store, index: SearchIndex | None, settings: Settings) -> None:
        self.store = store
        self.index = index
        #: The settings the catalog was opened with (the edges, CLI or create_app, pass theirs down through it).
        self.settings = settings
        self._index_down = False
        #: Problems the index reported while catching up (documents it rejected), oldest first.
        self.index_problems: list[str] = []

    @classmethod
    def open(
        cls,
        url: str | None = None,
        index_url: str | None = None,
        settings: Settings | None = None,
        **index_options: Any,
    ) -> Catalog:
        """The catalog at ``url`` (default: MEDAL_CATALOG, then ./medal-catalog.db) with its index (default:
        MEDAL_INDEX, then the FTS5 index inside a SQLite catalog file). ``settings``: the caller's (the CLI's,
        ``create_app``'s); an edge itself, it reads the environment's when given none."""

        settings = settings or get_settings()
        url = url or settings.catalog
        store = open_store(url, busy_timeout=settings.busy_timeout)
        index_url = index_url or settings.index or (url if url.startswith("sqlite") else None)
        try:
            options = {"compat": settings.elasticsearch_compat, **index_options}
            index = (
                open_index(index_url, busy_timeout=settings.busy_timeout, timeout=settings.index_timeout, **options)
                if index_url
                else None
            )
        except BaseException:
            store.close()
            raise
        return cls(store, index, settings)

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self.index is not None:
            self.index.close()
        self.store.close()

    # --- writes -----------------------------------------------------------------------------------------------
    def put(self, entry: Mapping[str, Any], author: str, reason: str, kind: str | None = None) -> PutResult:
        """Validate and store one entry (one transaction), then index it; identical documents change nothing."""
        result = self.store.put(entry, author, reason, kind=kind)
        return replace(result, indexed=self._sync_own([result.key])) if result.changed else result

    def put_many(
        self,
        entries: Iterable[Mapping[str, Any]],
        author: str,
        reason: str,
        deletions: Iterable[tuple[str, str]] = (),
        files: Mapping[tuple[str, str], Mapping[str, tuple[bytes, str]]] | None = None,
    ) -> list[PutResult]:
        """Store the entries, record the ``deletions`` ((kind, id) pairs) and replace the entries' kept ``files``
        in one store transaction, so that readers see all of them or none (a dataset never shows part of its
        series or files), then index them in bulk. One result per entry, then one per deletion."""
        puts, gone = self.store.put_many(list(entries), author, reason, list(deletions), files)
        results = [*puts, *gone]
        waiting = [i for i, result in enumerate(results) if result.changed]
        if waiting:
            self._settle(results, waiting)
        return results

    def put_batch(
        self, entries: Iterable[Mapping[str, Any]], author: str, reason: str, *, sync_index: bool = True
    ) -> list[PutResult]:
        """Store many entries in one transaction (see :meth:`Store.put_batch`), then index the changed ones
        (``sync_index=False``: leave them queued for whoever drains the queue, such as a harvest's indexer)."""
        results = self.store.put_batch(entries, author, reason)
        if sync_index and any(r.changed for r in results):
            indexed = self._sync_own([r.key for r in results if r.changed])
            results = [replace(r, indexed=indexed) if r.changed else r for r in results]
        return results

    def _settle(self, results: list[PutResult], waiting: list[int]) -> None:
        indexed = self._sync_own([results[i].key for i in waiting])
        for i in waiting:
            results[i] = replace(results[i], indexed=indexed)
        waiting.clear()

    def delete(self, kind: str, entry_id: str, author: str, reason: str, *, sync_index: bool = True) -> PutResult:
        """Record the deletion as a new version and remove the entry from the index (``sync_index=False``: leave
        the removal queued)."""
        result = self.store.delete(kind, entry_id, author, reason)
        return replace(result, indexed=self._sync_own([result.key])) if sync_index and result.changed else result

    def stage(self, unit: str, documents: Iterable[Mapping[str, Any]]) -> list[PutResult]:
        """Keep valid entries staged under ``unit``, unseen by readers, until :meth:`publish` (see
        :meth:`Store.stage`)."""
        return self.store.stage(unit, documents)

    def discard(self, unit: str) -> int:
        """Forget what is staged under ``unit``."""
        return self.store.discard(unit)

    def publish(
        self,
        unit: str,
        author: str,
        reason: str,
        deletions: Iterable[tuple[str, str]] = (),
        deletion_reason: str | None = None,
    ) -> tuple[list[PutResult], list[PutResult]]:
        """Write everything staged under ``unit`` and the ``deletions`` in one transaction (see
        :meth:`Store.publish`); the index is left to the caller (:meth:`sync_index`)."""
        return self.store.publish(unit, author, reason, deletions, deletion_reason)

    def put_pixel_hashes(self, dataset: str, by_series: Mapping[str, Mapping[str, int]]) -> int:
        """Replace a dataset's pixel digests (series -> digest -> count); returns how many were kept."""
        return self.store.put_pixel_hashes(dataset, by_series)

    def put_contamination(self, dataset: str, section: Mapping[str, Any]) -> None:
        """Keep a dataset's last contamination section."""
        self.store.put_contamination(dataset, section)

    def _sync_own(self, keys: list[str]) -> bool:
        """Index what this write queued, and what other writers left queued for more than STALE_QUEUE_SECONDS."""
        if not self.sync_index(keys):
            return False
        oldest = self.store.pending(limit=1)
        if oldest and oldest[0].queued_at and oldest[0].queued_at < _ago(STALE_QUEUE_SECONDS):
            return self.sync_index()
        return True

    def sync_index(self, keys: Iterable[str] | None = None) -> bool:
        """Apply the queued index updates (only those of ``keys``, entry keys, when given); False (and the queue
        kept) when the index is unreachable."""
        if self.index is None or self._index_down:
            return False
        keys = list(keys) if keys is not None else None
        if keys == []:
            return True
        while batch := self.store.pending(limit=1000, keys=keys):
            last_op = {change.key: change.op for change in batch}
            current = self.store.get_many(k for k, op in last_op.items() if op == "index")
            try:
                # A task's document carries its datasets' body parts: a changed dataset re-indexes its tasks.
                current.update(
                    self._tasks_using(key.partition(":")[2] for key in last_op if key.startswith("ImagingDataset:"))
                )
                if current:
                    # Flattened before the index's write transaction, so that its lock is held for writing only.
                    docs = [self.document(v.document) for v in current.values() if v.document is not None]
                    self.index_problems += self.index.bulk_index(docs)
                for key in last_op.keys() - current.keys():
                    self.index.delete(key)
            except (IndexUnavailableError, SearchBackendError, StoreError) as err:
                # The store has the change already; it stays queued for the next sync or `medal reindex`.
                self._index_down = isinstance(err, IndexUnavailableError)
                self.index_problems.append(str(err))
                return False
            # Exactly the updates applied: with several writers (`medal serve --workers N` over PostgreSQL) an
            # update numbered below batch[-1] may commit after the queue was read; it stays for the next sync.
            self.store.clear_queued(change.seq for change in batch)
            if keys is not None and len(batch) < 1000:
                break  # the updates of these keys were all in this batch
        return True

    def reindex(self, to: str | None = None, progress: Progress | None = None) -> ReindexReport:
        """Rebuild an index (``to``, default this catalog's) from every current entry, swapping it in whole."""
        settings = self.settings
        target = (
            open_index(
                to,
                busy_timeout=settings.busy_timeout,
                timeout=settings.index_timeout,
                compat=settings.elasticsearch_compat,
            )
            if to
            else self.index
        )
        if target is None:
            raise UsageError(f"{self.store.url} has no search index configured: pass --to URL")
        report = ReindexReport(target=target.url)
        upto = self.store.last_seq()
        start = time.perf_counter()

        def documents() -> Iterable[dict[str, Any]]:
            for version in self.store.iter_current():
                if version.document is not None:  # current versions hold documents; deletions are not current
                    report.indexed += 1
                    yield self.document(version.document)

        try:
            report.problems = target.rebuild(documents(), progress)
        finally:
            if to:
                target.close()
        report.seconds = time.perf_counter() - start
        if target is self.index:
            # Everything queued before the rebuild began is in the new index; later writes stay queued.
            self.store.clear_pending(upto)
            self._index_down = False
        return report

    def document(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """The index document of an entry; a task's also holds the body parts of the datasets it uses, so that
        ``body_part=CHEST`` finds the lung task whose own anatomy says LUNG."""
        doc = flatten(entry)
        if entry.get("type") == "BenchmarkTask":
            parts = list(doc.get("body_part", []))
            for version in self.store.get_many(
                f"ImagingDataset:{d}" for d in entry.get("datasets_used") or ()
            ).values():
                parts += [p for p in flatten(version.document or {}).get("body_part", []) if p not in parts]
            if parts:
                doc["body_part"] = parts
        return doc

    def _tasks_using(self, dataset_ids: Iterable[str]) -> dict[str, StoredVersion]:
        """The current tasks whose index documents name one of the datasets."""
        ids = tuple(dataset_ids)
        if not ids or self.index is None:
            return {}
        request = SearchRequest.make(filters={"type": "BenchmarkTask", "dataset": ids}, size=1000)
        return self.store.get_many(hit.key for hit in self.index.search(request).hits)

    def put_files(self, kind: str, entry_id: str, files: Mapping[str, tuple[bytes, str]]) -> list[StoredFile]:
        """Replace the files kept with an entry (path -> (bytes, media type))."""
        return self.store.put_files(kind, entry_id, files)

    # --- reads ------------------------------------------------------------------------------------------------
    # The reads callers need, so that nothing outside store/ reaches past the catalog into its store.
    @property
    def url(self) -> str:
        """The store's URL (what `--catalog` names)."""
        return self.store.url

    def get(self, kind: str, entry_id: str, version: int | None = None) -> StoredVersion | None:
        """The current (or a numbered) version of an entry."""
        return self.store.get(kind, entry_id, version)

    def get_many(self, keys: Iterable[str]) -> dict[str, StoredVersion]:
        """The current versions of the entries named by ``kind:id`` keys that exist (deleted ones left out)."""
        return self.store.get_many(keys)

    def history(self, kind: str, entry_id: str) -> list[StoredVersion]:
        """Every version of an entry, oldest first."""
        return self.store.history(kind, entry_id)

    def iter_current(self, kinds: Iterable[str] | None = None) -> Iterator[StoredVersion]:
        """Every current entry (of ``kinds``), not deleted."""
        return self.store.iter_current(kinds)

    def dataset_series(self, dataset_id: str) -> list[StoredVersion]:
        """The current ImagingSeries of a dataset, in key order."""
        return self.store.dataset_series(dataset_id)

    def count(self, kind: str | None = None) -> int:
        """How many current entries (of ``kind``) the store holds."""
        return self.store.count(kind)

    def ids_under(self, kind: str, prefix: str) -> list[str]:
        """The ids of current entries of ``kind`` starting with ``prefix`` (a dataset's series)."""
        return self.store.ids_under(kind, prefix)

    def keys_created_by(self, author: str) -> list[str]:
        """The keys of the entries whose first version ``author`` wrote."""
        return self.store.keys_created_by(author)

    def list_files(self, kind: str, entry_id: str) -> list[StoredFile]:
        """The files kept with an entry, without their bytes."""
        return self.store.list_files(kind, entry_id)

    def files_at(self, kind: str, path: str) -> dict[str, str]:
        """Which entries of ``kind`` keep a file at ``path`` (entry id -> SHA-256)."""
        return self.store.files_at(kind, path)

    def get_file(self, kind: str, entry_id: str, path: str) -> StoredFile | None:
        """One kept file with its bytes, or None."""
        return self.store.get_file(kind, entry_id, path)

    def pending(self, limit: int = 1000) -> list[QueuedChange]:
        """The oldest index updates still queued."""
        return self.store.pending(limit)

    def pending_count(self) -> int:
        """How many index updates are still queued (the index's lag behind the store)."""
        return self.store.pending_count()

    def get_contamination(self, dataset: str) -> dict[str, Any] | None:
        """A dataset's last contamination section, or None when never checked."""
        return self.store.get_contamination(dataset)

    def pixel_hashes(self, dataset: str) -> dict[str, set[str]]:
        """A dataset's pixel digests by series."""
        return self.store.pixel_hashes(dataset)

    def shared_pixel_hashes(self, dataset: str) -> list[SharedImages]:
        """The other datasets holding images of ``dataset`` (counts only)."""
        return self.store.shared_pixel_hashes(dataset)

    def deleted_ids(self, kind: str) -> list[str]:
        """The ids of the entries of ``kind`` whose current version is a deletion."""
        return self.store.deleted_ids(kind)

    def list_tokens(self) -> list[StoredToken]:
        """Every token kept (digest, holder, role, date); never a token itself."""
        return self.store.list_tokens()

    # --- evaluations and derived pages (kept by the store beside the entries) -----------------------------------
    def add_evaluation(self, record: Mapping[str, Any], limit: int | None, since: str) -> StoredEvaluation | None:
        """Queue an evaluation unless its submitter reached ``limit`` since ``since`` (see
        :meth:`Store.add_evaluation`); None when refused."""
        return self.store.add_evaluation(record, limit, since)

    def finish_evaluation(
        self,
        evaluation_id: str,
        status: str,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
        replicates: bytes | None = None,
    ) -> None:
        """Record an evaluation's new status with its result or error."""
        self.store.finish_evaluation(evaluation_id, status, result, error, replicates)

    def get_evaluation(self, evaluation_id: str, with_replicates: bool = False) -> StoredEvaluation | None:
        """One evaluation, or None."""
        return self.store.get_evaluation(evaluation_id, with_replicates)

    def list_evaluations(
        self,
        task: str | None = None,
        split: str | None = None,
        submitter: str | None = None,
        status: str | None = None,
        with_replicates: bool = False,
    ) -> list[StoredEvaluation]:
        """The evaluations matching every filter given, oldest first."""
        return self.store.list_evaluations(task, split, submitter, status, with_replicates)

    def get_artefacts(self, keys: Iterable[str]) -> dict[str, StoredArtefact]:
        """Derived artefacts (a page, a preview) kept under these keys; compare their fingerprints before use."""
        return self.store.get_artefacts(keys)

    def artefact_fingerprints(self, prefix: str) -> dict[str, str]:
        """The fingerprints of the artefacts kept under keys starting with ``prefix``."""
        return self.store.artefact_fingerprints(prefix)

    def put_artefacts(self, artefacts: Iterable[StoredArtefact]) -> int:
        """Keep derived artefacts (a cache: one not kept costs a recomputation)."""
        return self.store.put_artefacts(artefacts)

    def drop_artefacts(self, prefix: str) -> int:
        """Forget the derived artefacts kept under keys starting with ``prefix``."""
        return self.store.drop_artefacts(prefix)

    def entries_version(self, kinds: Iterable[str]) -> str:
        """A digest that changes with every write of an entry of ``kinds``."""
        return self.store.entries_version(kinds)

    def evaluations_version(self, task: str, split: str | None = None) -> str:
        """A digest that changes with every evaluation of ``task`` added or finished."""
        return self.store.evaluations_version(task, split)

    def token_holder(self, digest: str) -> StoredToken | None:
        """Who holds the token whose sha256 is ``digest``, or None."""
        return self.store.token_holder(digest)

    def secret(self, name: str, make: Callable[[], str]) -> str:
        """A secret the catalog keeps (made by ``make`` on first use)."""
        return self.store.secret(name, make)

    def search(
        self,
        query: str = "",
        filters: Mapping[str, Iterable[str] | str] | None = None,
        facets: Iterable[str] = (),
        ranges: Mapping[str, tuple[Bound, Bound]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        size: int = 10,
        scope: Iterable[Mapping[str, Iterable[str]]] | None = None,
    ) -> SearchResult:
        """Search the current versions (see :class:`SearchRequest` for the arguments)."""
        if self.index is None:
            raise UsageError(f"{self.store.url} has no search index configured")
        request = SearchRequest.make(query, filters, facets, ranges, sort, page, size, scope)
        return self.index.search(request)


def _ago(seconds: float) -> str:
    """The UTC time ``seconds`` ago, as the store writes ``queued_at``."""
    from datetime import datetime, timedelta, timezone

    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).isoformat(timespec="microseconds")


def open_catalog(
    url: str | None = None, index_url: str | None = None, settings: Settings | None = None, **index_options: Any
) -> Catalog:
    """The catalog at ``url`` with its search index (see :meth:`Catalog.open`); use it as a context manager."""
    return Catalog.open(url, index_url, settings, **index_options)
