"""The catalog store's interface and result types: the source of truth, every entry with its version history.

An entry is a validated document of one of the entry classes (BenchmarkTask, ImagingDataset, ImagingSeries,
ReviewAssessment), keyed by its kind (the ``type`` designator) and its ``id``; ids are unique within a kind.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from medal_catalog.schema import CONTAINER_SLOTS, ENTRY_CLASSES

PutStatus = Literal["created", "updated", "unchanged", "deleted", "invalid", "staged"]


def entry_key(kind: str, entry_id: str) -> str:
    """The catalog-wide key of an entry, ``Kind:id`` (ids never contain a colon, so the key is unambiguous)."""
    return f"{kind}:{entry_id}"


def split_key(key: str) -> tuple[str, str]:
    """The (kind, id) pair of a key made by :func:`entry_key`."""
    kind, _, entry_id = key.partition(":")
    return kind, entry_id


@dataclass(frozen=True)
class PutResult:
    """What one write did: ``changed`` is False for an identical document (idempotent) or an invalid one."""

    key: str
    status: PutStatus
    version: int | None
    problems: tuple[str, ...] = ()
    #: False when the search index could not be updated now; the entry waits in the index queue.
    indexed: bool = True

    @property
    def changed(self) -> bool:
        return self.status in ("created", "updated", "deleted")

    @property
    def kind(self) -> str:
        return split_key(self.key)[0]

    @property
    def id(self) -> str:
        return split_key(self.key)[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "changed": self.changed,
            "version": self.version,
            "problems": list(self.problems),
            "indexed": self.indexed,
        }


@dataclass(frozen=True)
class StoredVersion:
    """One version of an entry as recorded: the document (None for a deletion) and who changed it, when and why."""

    kind: str
    id: str
    version: int
    document: dict[str, Any] | None
    author: str
    reason: str
    recorded_at: str

    @property
    def key(self) -> str:
        return entry_key(self.kind, self.id)

    @property
    def deleted(self) -> bool:
        return self.document is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "id": self.id,
            "version": self.version,
            "author": self.author,
            "reason": self.reason,
            "recorded_at": self.recorded_at,
            "deleted": self.deleted,
            "document": self.document,
        }


@dataclass(frozen=True)
class StoredFile:
    """A file kept with an entry (see :meth:`Store.put_files`); ``data`` is None in listings."""

    path: str
    sha256: str
    byte_size: int
    media_type: str
    recorded_at: str
    data: bytes | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "byte_size": self.byte_size,
            "media_type": self.media_type,
            "recorded_at": self.recorded_at,
        }


@dataclass(frozen=True)
class StoredToken:
    """An API token as kept: the sha256 ``digest`` of the token (never the token), its holder's ``name`` and
    ``role``, and when it was made. The store keeps these as given; what a role allows is the API's business."""

    digest: str
    name: str
    role: str
    created_at: str


@dataclass(frozen=True)
class StoredEvaluation:
    """A scoring of predictions on a task's split (issue 27): who asked, about which model (``about``: model_name,
    model_version, code_url, predictions_sha256), its ``status`` (queued, running, done, failed), its public
    ``result`` (aggregates only) or ``error``, and, only when asked for, the primary metric's bootstrap replicates
    (float64 bytes, never served). ``version`` counts the submitter's evaluations of that model on that split."""

    id: str
    task: str
    split: str
    submitter: str
    version: int
    status: str
    about: dict[str, Any]
    created_at: str
    finished_at: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    replicates: bytes | None = None


@dataclass(frozen=True)
class StoredArtefact:
    """Something a page derives from the catalog (issue 29), kept under ``key`` with the ``fingerprint`` of the
    inputs it was computed from: a reader uses it only while its inputs' fingerprint is the same."""

    key: str
    fingerprint: str
    media_type: str
    data: bytes
    created_at: str = ""


@dataclass(frozen=True)
class SharedImages:
    """Images (distinct pixel digests) that ``dataset`` shares with ``other``, and how many each holds."""

    dataset: str
    other: str
    shared: int
    images: int
    other_images: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "other": self.other,
            "shared_images": self.shared,
            "images": self.images,
            "other_images": self.other_images,
        }


@dataclass(frozen=True)
class QueuedChange:
    """An entry whose search-index update is still owed: ``op`` is ``index`` or ``delete``."""

    seq: int
    key: str
    op: Literal["index", "delete"]
    #: When it was queued (ISO 8601, UTC): an old one was left by a writer that stopped before its index sync.
    queued_at: str = ""


@dataclass
class Validated:
    """An entry document after validation: its kind, id, canonical form and digest, or the problems found."""

    kind: str | None = None
    id: str | None = None
    document: dict[str, Any] | None = None
    digest: str | None = None
    problems: list[str] = field(default_factory=list)


def iter_entries(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The entries of a file's content: the entry itself (it has ``type``), or each entry of a MedalCatalog
    container (``tasks``, ``datasets``, ``series``, ``reviews``), with ``type`` filled in from its list."""
    if document.get("type") in ENTRY_CLASSES or not any(slot in document for slot in CONTAINER_SLOTS):
        yield dict(document)
        return
    for slot, kind in CONTAINER_SLOTS.items():
        for entry in document.get(slot) or []:
            yield {**entry, "type": entry.get("type", kind)} if isinstance(entry, Mapping) else entry


def canonical_json(document: Mapping[str, Any]) -> str:
    """The stable text form of a document: sorted keys, no whitespace; equal documents give equal text."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def validate_entry(document: Mapping[str, Any] | Any, kind: str | None = None) -> Validated:
    """Validate one entry through the generated pydantic model named by its ``type`` (or ``kind``)."""
    from pydantic import BaseModel, ValidationError  # inline: pydantic takes ~45 ms to import

    from medal_catalog.model import ENTRY_MODELS  # inline: `medal --help` does not need model at start-up

    if isinstance(document, BaseModel):
        document = document.model_dump(mode="json", exclude_none=True, by_alias=True)
    if not isinstance(document, Mapping):
        return Validated(problems=[f"an entry must be a mapping, not {type(document).__name__}"])
    kind = document.get("type") or kind
    if kind not in ENTRY_CLASSES:
        return Validated(problems=[f"type: {kind!r} is not an entry class ({', '.join(ENTRY_CLASSES)})"])
    cls = ENTRY_MODELS[kind]
    try:
        instance = cls.model_validate({**document, "type": kind})
    except ValidationError as err:
        return Validated(
            kind=kind,
            id=document.get("id") if isinstance(document.get("id"), str) else None,
            problems=[f"{'.'.join(str(p) for p in e['loc']) or '(entry)'}: {e['msg']}" for e in err.errors()],
        )
    canonical = instance.model_dump(mode="json", exclude_none=True, by_alias=True)
    text = canonical_json(canonical)
    return Validated(
        kind=kind, id=instance.id, document=canonical, digest=hashlib.sha256(text.encode("utf-8")).hexdigest()
    )


class Store(ABC):
    """The source of truth: current and past versions of every entry, plus the queue of owed index updates."""

    url: str

    @abstractmethod
    def put(self, document: Mapping[str, Any], author: str, reason: str, kind: str | None = None) -> PutResult:
        """Validate and write one entry in one transaction; an identical current document is left alone."""

    def put_batch(self, documents: Iterable[Mapping[str, Any]], author: str, reason: str) -> list[PutResult]:
        """Validate and write many entries in one transaction, one result each in order (invalid ones reported,
        identical ones left alone); for bulk harvests, where a transaction per entry costs more than the entry."""
        return [self.put(document, author, reason) for document in documents]

    def ids_under(self, kind: str, prefix: str) -> list[str]:
        """The ids of the live entries of ``kind`` that start with ``prefix``, in order."""
        return sorted(v.id for v in self.iter_current([kind]) if v.id.startswith(prefix))

    @abstractmethod
    def delete(self, kind: str, entry_id: str, author: str, reason: str) -> PutResult:
        """Record a deletion as a new version; earlier versions stay readable."""

    def put_many(
        self,
        documents: Iterable[Mapping[str, Any]],
        author: str,
        reason: str,
        deletions: Iterable[tuple[str, str]] = (),
        files: Mapping[tuple[str, str], Mapping[str, tuple[bytes, str]]] | None = None,
    ) -> tuple[list[PutResult], list[PutResult]]:
        """Write ``documents``, record the ``deletions`` ((kind, id) pairs) as :meth:`put` and :meth:`delete` do,
        and replace the ``files`` kept with entries ({(kind, id): {path: (content, media type)}}, as
        :meth:`put_files`, unless unchanged; not for an entry refused here), all in one transaction, so that
        readers see a dataset with all of its series and files or as it was before (a harvest or an import killed
        while writing leaves no half dataset). Returns (put results, delete results).

        This default writes one at a time; stores with transactions override it (store/sql.py)."""
        puts = [self.put(document, author, reason) for document in documents]
        gone = [self.delete(kind, entry_id, author, reason) for kind, entry_id in deletions]
        refused = {p.key for p in puts if p.status == "invalid"}
        for (kind, entry_id), kept in (files or {}).items():
            if entry_key(kind, entry_id) not in refused:
                self.put_files(kind, entry_id, kept)
        return puts, gone

    @abstractmethod
    def get(self, kind: str, entry_id: str, version: int | None = None) -> StoredVersion | None:
        """The current version (or the numbered one) of an entry; None when absent."""

    @abstractmethod
    def get_many(self, keys: Iterable[str]) -> dict[str, StoredVersion]:
        """The current versions of the live entries among ``keys``, by key (absent and deleted ones left out)."""

    @abstractmethod
    def history(self, kind: str, entry_id: str) -> list[StoredVersion]:
        """Every version of an entry, oldest first."""

    @abstractmethod
    def iter_current(self, kinds: Iterable[str] | None = None) -> Iterator[StoredVersion]:
        """Every entry's current, non-deleted version, in key order."""

    def dataset_series(self, dataset_id: str) -> list[StoredVersion]:
        """The current ImagingSeries of a dataset (those whose ``dataset`` is ``dataset_id``), in key order."""
        return [v for v in self.iter_current(["ImagingSeries"]) if (v.document or {}).get("dataset") == dataset_id]

    @abstractmethod
    def deleted_ids(self, kind: str) -> list[str]:
        """The ids of the entries of ``kind`` whose current version records their deletion, in id order."""

    @abstractmethod
    def count(self, kind: str | None = None) -> int:
        """How many live (non-deleted) entries there are, of one kind or all."""

    @abstractmethod
    def pending(self, limit: int = 1000, keys: Iterable[str] | None = None) -> list[QueuedChange]:
        """The oldest owed index updates (only those of ``keys``, entry keys, when given)."""

    @abstractmethod
    def pending_count(self) -> int:
        """How many index updates are owed."""

    @abstractmethod
    def clear_pending(self, up_to_seq: int, keys: Iterable[str] | None = None) -> None:
        """Forget owed updates with ``seq <= up_to_seq`` (only for ``keys`` when given): the index has them now."""

    @abstractmethod
    def clear_queued(self, seqs: Iterable[int]) -> None:
        """Forget exactly the owed updates numbered ``seqs`` (those a drainer read and applied). Unlike
        :meth:`clear_pending`, this keeps an update whose transaction took a lower number but committed after the
        drainer read the queue (PostgreSQL hands out numbers at insert, not at commit)."""

    @abstractmethod
    def last_seq(self) -> int:
        """The sequence number of the newest owed update (0 when none)."""

    # --- staged units: what is too big for one transaction, published in one (issue 31) ----------------------
    @abstractmethod
    def stage(self, unit: str, documents: Iterable[Mapping[str, Any]]) -> list[PutResult]:
        """Validate ``documents`` and keep the valid ones staged under ``unit`` (replacing a staged entry of the
        same key), where no reader, search or list sees them; ``staged``, ``invalid`` or ``unchanged`` (published
        already as it is: not staged) per document."""

    @abstractmethod
    def discard(self, unit: str) -> int:
        """Forget what is staged under ``unit`` (a unit being staged again from the start); how many entries."""

    @abstractmethod
    def publish(
        self,
        unit: str,
        author: str,
        reason: str,
        deletions: Iterable[tuple[str, str]] = (),
        deletion_reason: str | None = None,
    ) -> tuple[list[PutResult], list[PutResult]]:
        """Write every entry staged under ``unit`` as :meth:`put_batch` does and record the ``deletions`` (with
        ``deletion_reason``), all in one transaction, and clear the stage: readers see the whole unit or what was
        there before. Returns (put results, delete results)."""

    @abstractmethod
    def put_files(self, kind: str, entry_id: str, files: Mapping[str, tuple[bytes, str]]) -> list[StoredFile]:
        """Replace the files kept with an entry by ``files`` (path -> (content, media type)), in one transaction.
        Paths are relative POSIX paths chosen by the caller; the store does not interpret them."""

    @abstractmethod
    def list_files(self, kind: str, entry_id: str) -> list[StoredFile]:
        """The files kept with an entry, by path, without their content."""

    @abstractmethod
    def files_at(self, kind: str, path: str) -> dict[str, str]:
        """Which entries of ``kind`` keep a file at ``path``: entry id -> the file's SHA-256, in one query."""

    @abstractmethod
    def get_file(self, kind: str, entry_id: str, path: str) -> StoredFile | None:
        """One file kept with an entry, with its content; None when there is none at ``path``."""

    @abstractmethod
    def keys_created_by(self, author: str) -> list[str]:
        """The keys of the entries whose first version ``author`` wrote (deleted ones too), in key order."""

    # --- API tokens: kept by their digest only ----------------------------------------------------------------
    @abstractmethod
    def put_token(self, digest: str, name: str, role: str, created_at: str) -> StoredToken:
        """Keep a new token by its digest; a digest already kept is a :class:`~medal_catalog.errors.StoreError`."""

    @abstractmethod
    def token_holder(self, digest: str) -> StoredToken | None:
        """The token kept under ``digest``; None when there is none (never made, or revoked)."""

    @abstractmethod
    def list_tokens(self) -> list[StoredToken]:
        """Every token kept, oldest first (then by name)."""

    @abstractmethod
    def revoke_token(self, digest: str) -> bool:
        """Forget the token kept under ``digest``; False when there was none."""

    # --- the catalog's own secrets ---------------------------------------------------------------------------
    @abstractmethod
    def secret(self, name: str, make: Callable[[], str]) -> str:
        """The secret kept under ``name``, made by ``make()`` and kept on first use (the same one for every
        process on this catalog)."""

    # --- pixel digests and public-archive checks (issue 19) -----------------------------------------------------
    @abstractmethod
    def put_pixel_hashes(self, dataset: str, by_series: Mapping[str, Mapping[str, int]]) -> int:
        """Replace the pixel digests kept for ``dataset`` by ``by_series`` ({series id: {digest: files}}); returns
        how many (series, digest) rows it keeps."""

    @abstractmethod
    def pixel_hashes(self, dataset: str) -> dict[str, set[str]]:
        """The pixel digests kept for ``dataset``, by series id."""

    @abstractmethod
    def shared_pixel_hashes(self, dataset: str) -> list[SharedImages]:
        """Every other dataset sharing at least one pixel digest with ``dataset``, with the counts, by its id."""

    @abstractmethod
    def put_contamination(self, dataset: str, section: Mapping[str, Any]) -> None:
        """Keep the last public-archive check of ``dataset`` (replacing the one before)."""

    @abstractmethod
    def get_contamination(self, dataset: str) -> dict[str, Any] | None:
        """The last public-archive check kept for ``dataset``; None when it was never checked."""

    # --- evaluations (issue 27) ----------------------------------------------------------------------------------
    @abstractmethod
    def add_evaluation(self, record: Mapping[str, Any], limit: int | None, since: str) -> StoredEvaluation | None:
        """Queue an evaluation (``record``: id, task, split, submitter, about) unless its submitter already has
        ``limit`` evaluations of that task and split created at or after ``since`` that did not fail; checked and
        written in one transaction, so that parallel requests cannot pass the limit. None when refused."""

    @abstractmethod
    def finish_evaluation(
        self,
        evaluation_id: str,
        status: str,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
        replicates: bytes | None = None,
    ) -> None:
        """Record an evaluation's new status (running, done, failed) with its result or error."""

    @abstractmethod
    def get_evaluation(self, evaluation_id: str, with_replicates: bool = False) -> StoredEvaluation | None:
        """One evaluation; None when there is none of that id."""

    @abstractmethod
    def list_evaluations(
        self,
        task: str | None = None,
        split: str | None = None,
        submitter: str | None = None,
        status: str | None = None,
        with_replicates: bool = False,
    ) -> list[StoredEvaluation]:
        """The evaluations matching every filter given, oldest first."""

    # --- derived artefacts (issue 29): a cache, never the source of truth --------------------------------------
    def get_artefacts(self, keys: Iterable[str]) -> dict[str, StoredArtefact]:
        """The artefacts kept under these keys, by key (missing ones left out); the caller compares each one's
        fingerprint with its inputs' before using it. A store without the table keeps none."""
        return {}

    def artefact_fingerprints(self, prefix: str) -> dict[str, str]:
        """The fingerprints of the artefacts whose key starts with ``prefix``, by key, without their bytes."""
        return {}

    def put_artefacts(self, artefacts: Iterable[StoredArtefact]) -> int:
        """Keep (or replace) artefacts under their keys; how many were written (0 when the store cannot be
        written now: a cache loses nothing by that)."""
        return 0

    def drop_artefacts(self, prefix: str) -> int:
        """Forget the artefacts whose key starts with ``prefix``; how many."""
        return 0

    def entries_version(self, kinds: Iterable[str]) -> str:
        """A digest that changes whenever any entry of ``kinds`` is written or deleted (cheap: no document is
        read), for fingerprinting what is derived from them."""
        counts = {
            kind: sum(v.version for v in self.iter_current([kind])) + len(self.deleted_ids(kind))
            for kind in sorted(set(kinds))
        }
        return hashlib.sha256(json.dumps(counts).encode()).hexdigest()

    def evaluations_version(self, task: str, split: str | None = None) -> str:
        """A digest that changes whenever an evaluation of ``task`` (of ``split`` when given) is added or
        changes status."""
        found = [[e.id, e.status, e.finished_at] for e in self.list_evaluations(task=task, split=split)]
        return hashlib.sha256(json.dumps(found).encode()).hexdigest()

    @abstractmethod
    def close(self) -> None:
        """Release connections."""
