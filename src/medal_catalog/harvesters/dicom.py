"""The DICOM harvester: folders and zips in, an ImagingDataset with its series, a manifest and a summary out.

Files are recognised by content, read header-only in a process pool with a per-file time limit, audited for
identifying attributes (dicom/audit.py) and summarised in aggregate (dicom_records.py). A cache of per-file
records keyed by path, size, mtime and inode (zip members: size and CRC) makes a re-harvest of an unchanged tree a
stat walk: no unchanged file is opened, and the public index is not even loaded (issue 29). Every file that cannot be harvested becomes a FileProblem with a reason; the run always finishes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import threading
import time
import zipfile
from operator import attrgetter
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple
import ctypes

from medal_catalog._version import __version__
from medal_catalog.affinity import usable_cpus, widen
from medal_catalog.dicom.archives import MAX_MEMBERS
from medal_catalog.dicom.header import DEFAULT_MAX_HEADER_BYTES, DICOM_SUFFIXES, FileProblem, HeaderError, read
from medal_catalog.dicom.pixels import header_pixel_digest
from medal_catalog.contamination.harvest import dataset_contamination, look_up
from medal_catalog.harvesters.base import HarvestResult
from medal_catalog.harvesters.dicom_records import (
    CAPTURE,
    _unique,
    build_series,
    dataset_summaries,
    deidentification_record,
    instance_record,
    intern,
    series_model,
)
from medal_catalog.model import medal as m
from medal_catalog.report import PathShower
from medal_catalog.dicom.audit import AUDIT_WATCH

if TYPE_CHECKING:  # annotations only: the settings object comes from the caller
    from medal_catalog.config import Settings

CACHE_VERSION = 6  # 4: pixel digests and public-archive findings (issue 19); 5: why a file looks truncated;
# 6: files keyed by inode too, public-index lookups made in the parent (issue 29)
CACHE_NAME = ".harvest-cache.json"
DEFAULT_TIMEOUT = 30.0
TRANSIENT = ("cannot read", "timed out", "the reader process", "unexpected")  # problems not cached
CHUNK = 24  # files per pool task: large enough to hide the IPC cost, small enough for a live progress bar
TOOL = "medal-catalog DICOM harvester"
Progress = Callable[[int, int, int, int], None]  # files done, files total, bytes done, bytes total


class Source(NamedTuple):
    """One file to harvest: a cache key, a name for people (relative path), where to read it and its stamp.

    A NamedTuple rather than a frozen dataclass: a re-harvest makes one per file and the walk is its cost.
    """

    key: str
    name: str
    path: str
    member: str | None
    size: int
    stamp: int  # mtime in ns for files; CRC-32 for zip members
    #: A file replaced by another of the same size and mtime (a copy with -p, a restored backup) has another inode.
    inode: int = 0


# ----------------------------------------------------------------------------------------------------- walk
def walk(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Source], list[FileProblem]]:
    """Every file under the given folders and zips (a stat walk: nothing is opened but zip directories)."""
    roots = [os.path.abspath(os.fspath(p)) for p in paths]
    base = (
        roots[0]
        if len(roots) == 1 and os.path.isdir(roots[0])
        else (os.path.dirname(roots[0]) if len(roots) == 1 else os.path.commonpath([os.path.dirname(r) for r in roots]))
    )
    sources: dict[str, Source] = {}
    problems: list[FileProblem] = []
    prefix = base.rstrip(os.sep) + os.sep  # relpath is slow; every walked path starts with the base

    def add_file(path: str, st: os.stat_result, is_root: bool = False) -> None:
        name = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, base)
        if path.lower().endswith(".zip") or (is_root and zipfile.is_zipfile(path)):
            _walk_zip(path, "" if is_root and len(roots) == 1 else name + "!", sources, problems)
        else:
            sources.setdefault(path, Source(path, name, path, None, st.st_size, st.st_mtime_ns, st.st_ino))

    for root in roots:
        try:
            st = os.stat(root)
        except OSError as exc:
            problems.append(FileProblem(root, f"cannot read: {exc.strerror}"))
            continue
        if not os.path.isdir(root):
            add_file(root, st, is_root=True)
            continue
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=attrgetter("name"))
            except OSError as exc:
                problems.append(FileProblem(os.path.relpath(folder, base), f"cannot list folder: {exc.strerror}"))
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file():
                        path = entry.path
                        if path[-4:].lower() == ".zip":
                            add_file(path, entry.stat())
                        elif path not in sources:  # the common case, inlined: the walk is a re-harvest's cost
                            st = entry.stat()
                            sources[path] = Source(
                                path, path[len(prefix) :], path, None, st.st_size, st.st_mtime_ns, st.st_ino
                            )
                except OSError as exc:
                    problems.append(FileProblem(os.path.relpath(entry.path, base), f"cannot read: {exc.strerror}"))
    return sorted(sources.values(), key=attrgetter("name")), problems


def _walk_zip(path: str, prefix: str, sources: dict[str, Source], problems: list[FileProblem]) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            listing = archive.infolist()
            if len(listing) > MAX_MEMBERS:  # the directory alone would make millions of sources
                problems.append(
                    FileProblem(
                        prefix.rstrip("!") or os.path.basename(path),
                        f"zip archive holds {len(listing):,} members, more than {MAX_MEMBERS:,} "
                        "(the limit per archive); not harvested",
                    )
                )
                return
            for info in listing:
                if info.is_dir():
                    continue
                key = f"{path}!{info.filename}"
                sources.setdefault(
                    key,
                    Source(
                        key,
                        prefix + info.filename,
                        path,
                        info.filename,
                        info.file_size,
                        info.CRC ^ (info.compress_size << 32),
                    ),
                )
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        problems.append(
            FileProblem(
                prefix.rstrip("!") or os.path.basename(path), f"zip archive cannot be read ({exc.__class__.__name__})"
            )
        )


# ----------------------------------------------------------------------------------------------------- read
class _TimeLimit(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _TimeLimit


_archives: dict[str, zipfile.ZipFile] = {}  # per worker process: open zip directories, reused across members


def _open(source: Source):
    if source.member is None:
        return open(source.path, "rb")
    archive = _archives.get(source.path)
    if archive is None:
        archive = _archives[source.path] = zipfile.ZipFile(source.path)
    return archive.open(source.member)


class _Hashing:
    """A read-through stream wrapper that hashes every byte read, so the manifest digest costs no second read."""

    def __init__(self, stream) -> None:
        self.stream, self.digest = stream, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.digest.update(data)
        return data

    def finish(self) -> str:
        while self.read(1 << 20):
            pass
        return self.digest.hexdigest()


def read_one(
    source: Source,
    salt: bytes,
    with_sha: bool,
    timeout: float,
    pixels: bool = False,
    limit: int = DEFAULT_MAX_HEADER_BYTES,
) -> dict[str, Any] | FileProblem:
    """Harvest one file: its record, or a FileProblem whose reason names no value from the file; ``limit``: the
    most bytes its header may take (MEDAL_DICOM_MAX_HEADER_BYTES, passed down from the harvest's settings)."""
    timed = timeout > 0 and threading.current_thread() is threading.main_thread()
    try:
        if timed:
            previous = signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            record = _read_record(source, salt, with_sha, pixels, limit)
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
    except _TimeLimit:  # may also fire inside the finally above, before the timer is cancelled
        return FileProblem(source.name, f"timed out after {timeout:g} s (per-file limit)")
    except HeaderError as exc:
        kind = "error" if not exc.not_dicom or source.name.lower().endswith(DICOM_SUFFIXES) else "skipped"
        return FileProblem(source.name, exc.reason, kind, exc.not_dicom)
    except PermissionError:
        return FileProblem(source.name, "cannot read: permission denied")
    except OSError as exc:
        return FileProblem(source.name, f"cannot read: {exc.strerror or exc.__class__.__name__}")
    except (zipfile.BadZipFile, RuntimeError, EOFError) as exc:  # corrupt or encrypted zip member
        return FileProblem(source.name, f"zip member cannot be read ({exc.__class__.__name__})")
    except MemoryError:
        return FileProblem(source.name, "header too large to hold in memory")
    except Exception as exc:  # noqa: BLE001 - one odd file must not end the run; the class name tells enough
        return FileProblem(source.name, f"unexpected reader failure ({exc.__class__.__name__})")
    if isinstance(record, FileProblem):
        return FileProblem(source.name, record.reason, record.kind)
    return record


def _read_record(
    source: Source, salt: bytes, with_sha: bool, pixels: bool = False, limit: int = DEFAULT_MAX_HEADER_BYTES
) -> dict[str, Any] | FileProblem:
    with _open(source) as raw:
        stream = _Hashing(raw) if with_sha else raw
        header = read(stream, source.size, CAPTURE, AUDIT_WATCH, limit)
        record = instance_record(header, source.size, salt, source.name)
        if isinstance(record, dict) and with_sha:
            record["sha256"] = stream.finish()
        if isinstance(record, dict) and pixels:
            if with_sha:  # the whole file went through the sha256 stream: read the pixels from a fresh one
                with _open(source) as again:
                    record["pixels"] = header_pixel_digest(again, header)
            else:
                record["pixels"] = header_pixel_digest(raw, header)
    return record


def _read_chunk(
    chunk: list[Source],
    salt: bytes,
    with_sha: bool,
    timeout: float,
    pixels: bool = False,
    limit: int = DEFAULT_MAX_HEADER_BYTES,
) -> list[Any]:
    return [read_one(source, salt, with_sha, timeout, pixels, limit) for source in chunk]


_PR_SET_PDEATHSIG = 1


def _reader_started(parent: int) -> None:
    """In each reader process: die with the harvest. Linux kills it when its parent dies (PR_SET_PDEATHSIG, even
    after kill -9 of the parent); elsewhere a thread watches for the parent to go. Ctrl-C is the parent's to
    handle: it stops the readers itself, so they ignore SIGINT rather than each print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    widen()  # started by a server pinned to one CPU (an uploaded submission): not on the CPU answering requests
    armed = False
    if os.uname().sysname == "Linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="medal-parent-watch").start()


def _stop_readers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's reader processes now (an interrupted harvest must not wait for, or leave, any of them)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)


def _run(
    sources: list[Source],
    salt: bytes,
    with_sha: bool,
    timeout: float,
    jobs: int,
    progress: Progress | None,
    done_before: int,
    total: int,
    bytes_before: int,
    total_bytes: int,
    pixels: bool = False,
    loader: Any = None,
    limit: int = DEFAULT_MAX_HEADER_BYTES,
) -> dict[str, Any]:
    """Read the sources, in a process pool when it pays; a crashed worker only costs its files a retry.
    ``loader`` (an IndexLoader) is started once the readers are forked, and waited for before forking again:
    a process must never fork while one of its threads may hold a lock (an import, malloc's)."""
    results: dict[str, Any] = {}
    done, done_bytes = done_before, bytes_before

    def finished(chunk: list[Source], outcome: list[Any]) -> None:
        nonlocal done, done_bytes
        for source, result in zip(chunk, outcome):
            results[source.key] = result
        done += len(chunk)
        done_bytes += sum(s.size for s in chunk)
        if progress:
            progress(done, total, done_bytes, total_bytes)

    if jobs <= 1 or len(sources) <= CHUNK:
        if loader is not None:
            loader.start()
        for source in sources:
            finished([source], [read_one(source, salt, with_sha, timeout, pixels, limit)])
        return results
    chunks = [sources[i : i + CHUNK] for i in range(0, len(sources), CHUNK)]
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pending = list(chunks)
    for attempt in range(2):
        if attempt and loader is not None:
            loader.wait()
        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_reader_started, initargs=(os.getpid(),)
        )
        try:
            futures = {pool.submit(_read_chunk, c, salt, with_sha, timeout, pixels, limit): c for c in pending}
            pending = []
            if attempt == 0 and loader is not None:
                loader.start()  # a fork pool launches all its readers at the first submit
            for future in as_completed(futures):
                try:
                    finished(futures[future], future.result())
                except BrokenProcessPool:
                    pending.append(futures[future])
        except BaseException:  # Ctrl-C, SIGTERM (see cli/harvest.py), an error: no reader outlives the run
            _stop_readers(pool)
            raise
        pool.shutdown(wait=True)
        if not pending:
            return results
        pending = [[s] for c in pending for s in c]  # retry one file per task to isolate the one that kills
    for chunk in pending:
        finished(chunk, [FileProblem(chunk[0].name, "the reader process crashed on this file")])
    return results


# ----------------------------------------------------------------------------------------------------- cache
def _load_cache(path: Path | None, salt: str, checks: str = "") -> dict[str, Any]:
    empty = {"version": CACHE_VERSION, "salt": salt, "files": {}, "blobs": {}, "checks": checks}
    if path is None or not path.is_file():
        return empty
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(cache, dict) or cache.get("version") != CACHE_VERSION or "salt" not in cache:
        return empty
    if cache.get("checks", "") != checks:  # another public index, or pixel hashing switched: read files again
        return {**empty, "salt": cache["salt"]}
    return cache


def _save_cache(
    path: Path,
    salt: str,
    entries: dict[str, tuple[Source, Any]],
    outcome: dict[str, Any] | None,
    checks: str = "",
    described: dict[str, Any] | None = None,
    index_missing: str | None = None,
) -> None:
    """Write per-file records with their shared parts (tech fields, audit) stored once: most files share them."""
    index: dict[int, int] = {}
    blobs: list[Any] = []
    files = {}
    for key, (source, result) in entries.items():
        if isinstance(result, FileProblem):
            if result.reason.startswith(TRANSIENT):
                continue  # try again next time
            files[_cache_key(source)] = [
                source.size,
                [source.stamp, source.inode],
                None,
                [result.reason, result.kind, result.not_dicom],
            ]
            continue
        refs = []
        for part in (result["tech"], result["audit"], result["group"]):
            if id(part) not in index:
                index[id(part)] = len(blobs)
                blobs.append(part)
            refs.append(index[id(part)])
        files[_cache_key(source)] = [
            source.size,
            [source.stamp, source.inode],
            refs,
            result.get("sha256"),
            result.get("pixels"),
            result.get("truncated"),
        ]
    data = {
        "version": CACHE_VERSION,
        "salt": salt,
        "files": files,
        "blobs": blobs,
        "result": outcome,
        "checks": checks,
        "index": described,
        "index_missing": index_missing,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    os.chmod(tmp, 0o600)  # salted subject hashes: for this machine, never for publication
    tmp.replace(path)


def _cache_key(source: Source) -> str:
    """Paths can name patients or sites: the cache keys files by a digest of their path, never the path."""
    return hashlib.sha1(source.key.encode("utf-8", "surrogateescape")).hexdigest()


def _cached(cache: dict[str, Any], source: Source, with_sha: bool) -> Any:
    entry = cache["files"].get(_cache_key(source))
    if not entry or entry[0] != source.size or entry[1] != [source.stamp, source.inode]:
        return None
    if entry[2] is None:
        reason, kind, not_dicom = entry[3]
        return FileProblem(source.name, reason, kind, not_dicom)
    if with_sha and not entry[3]:
        return None
    blobs, refs = cache["blobs"], entry[2]
    hit = {
        **blobs[refs[2]],
        "size": source.size,
        "sha256": entry[3],
        "tech": blobs[refs[0]],
        "audit": blobs[refs[1]],
        "group": blobs[refs[2]],
        "pixels": entry[4] if len(entry) > 4 else None,
    }
    if len(entry) > 5 and entry[5]:
        hit["truncated"] = entry[5]
    return hit


class _Described:
    """What a previous run said of the index it checked against (its ``describe()``), for a run reading no file."""

    def __init__(self, described: dict[str, Any] | None) -> None:
        self._described = described

    def describe(self) -> dict[str, Any] | None:
        return self._described


# ----------------------------------------------------------------------------------------------------- harvest
def harvest_dicom(
    paths: Iterable[str | os.PathLike[str]],
    dataset_id: str,
    *,
    cache_file: Path | None = None,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    instances: bool = False,
    progress: Progress | None = None,
    title: str | None = None,
    access_level: str = "controlled",
    license_id: str = "LicenseRef-unspecified",
    pixel_hash: bool | None = None,
    force: bool = False,
    settings: Settings,
) -> HarvestResult:
    """Harvest DICOM folders and zips into an ImagingDataset, its ImagingSeries, manifest rows and a summary.

    ``instances`` adds one manifest row per file (relative path, size, sha256; this reads whole files).
    With ``cache_file`` unchanged files (same path, size, mtime and inode) are not opened again, unless ``force``
    (every file is read, and the cache rewritten). ``settings`` come from the caller (the CLI, ``create_app``, a
    catalog's): their de-identification secret keys the UID pseudonyms, their header limit bounds each read and
    their public-index cache is used. ``pixel_hash`` (default: the settings' ``pixel_hash``)
    hashes each file's pixel data for the duplicate checks; the original UIDs are checked against the public IDC
    index when the ``public-index`` extra is installed (the summary's ``contamination`` section says what was). Raises pydantic's ValidationError only if the
    records break the schema, which would be a bug here (``dataset_id`` is validated like any entry id).
    """
    started = datetime.now(timezone.utc)
    clock = time.perf_counter()
    sources, problems = walk(paths)
    shower: list[PathShower] = []

    def shown(path: str | None) -> str | None:
        """No patient-named path in reports (issue 13); the shower is made on first use (indexing 10k names cost
        an unchanged re-harvest, which shows no path, a fifth of its time)."""
        if not shower:
            shower.append(PathShower(known=[s.name for s in sources]))
        return shower[0].show(path)

    problems = [FileProblem(shown(p.path), p.reason, p.kind, p.not_dicom) for p in problems]
    # A stable key per dataset (keyed by MEDAL_DEID_SECRET): UID pseudonyms, and the UIDs of the files the
    # catalog rewrites, stay the same from one harvest or import to the next, cache or not.
    from medal_catalog.dicom.deidentify import dataset_key

    # inline: loads numpy, which this module does not
    from medal_catalog.contamination.index import IndexLoader, index_cache, index_stamp

    pixel_hash = settings.pixel_hash if pixel_hash is None else pixel_hash
    # The stamp of the installed index, not the index: a re-harvest that reads no file never loads it.
    checks = f"{index_stamp() or '-'}|{'pixels' if pixel_hash else ''}"
    salt_hex = dataset_key(dataset_id, settings.deid_secret)[:16].hex()
    cache = _load_cache(cache_file, salt_hex, checks) if not force else _load_cache(None, salt_hex, checks)
    chosen = [dataset_id, title, access_level, license_id, instances, __version__, checks]
    listing = "\n".join([f"{s.key}\0{s.size}\0{s.stamp}\0{s.inode}" for s in sources])
    fingerprint = hashlib.sha256(f"{chosen!r}\n{listing}".encode()).hexdigest()
    stored = cache.get("result")
    if stored and stored.get("fingerprint") == fingerprint:  # nothing changed: a stat walk is all it takes
        problems += [FileProblem(**p) for p in stored["problems"]]
        series = [m.ImagingSeries.model_validate(row) for row in stored["series"]]
        return _finish(
            m.ImagingDataset.model_validate(stored["dataset"]),
            series,
            stored["manifest"],
            sources,
            stored["files_read"],
            problems,
            len(sources),
            0,
            started,
            clock,
            bytes.fromhex(cache["salt"]),
            stored.get("contamination") or {},
            stored.get("pixels") or {},
            shown,
        )

    salt = bytes.fromhex(cache["salt"])
    entries: dict[str, tuple[Source, Any]] = {}
    to_read = []
    for source in sources:
        hit = _cached(cache, source, instances)
        if hit is None:
            to_read.append(source)
        else:
            entries[source.key] = (source, hit)
    reused = len(entries)
    total_bytes = sum(s.size for s in sources)
    # No progress call before the pool has forked its workers: the bar's refresh thread must not be forked. The
    # public index loads (or, once per version, builds) in a thread started after the fork, while files are read.
    loader = IndexLoader(index_cache(settings)) if to_read or not sources else None
    results = _run(
        to_read,
        salt,
        instances,
        timeout,
        jobs or usable_cpus(),
        progress,
        reused,
        len(sources),
        total_bytes - sum(s.size for s in to_read),
        total_bytes,
        pixel_hash,
        loader,
        settings.dicom_max_header_bytes,
    )
    for archive in _archives.values():  # sequential reads opened them in this process; a zip may change
        archive.close()
    _archives.clear()
    fresh = [results[s.key] for s in to_read if not isinstance(results[s.key], FileProblem)]
    if loader is not None:
        index, missing = loader.wait()
        look_up(fresh, index)
        described: Any = index if index is not None else _Described(None)
    else:  # every file came from the cache, checked against the index of the same stamp: say what it was
        described, missing = _Described(cache.get("index")), cache.get("index_missing")
    intern(fresh, {})
    for source in to_read:
        entries[source.key] = (source, results[source.key])

    records, names, file_problems = [], [], []
    for source, result in (entries[s.key] for s in sources):
        if isinstance(result, FileProblem):
            file_problems.append(FileProblem(shown(result.path), result.reason, result.kind, result.not_dicom))
        else:
            records.append(result)
            names.append(source.name)
            if result.get("truncated"):  # harvested, and said to look cut short
                file_problems.append(FileProblem(source.name, result["truncated"], "warning"))
    rows = build_series(dataset_id, records)
    series = [series_model(row) for row in rows]
    dataset = m.ImagingDataset(
        id=dataset_id,
        title=title or dataset_id,
        access_level=access_level,
        license=m.License(spdx_id=license_id),
        deidentification=deidentification_record(records, rows) if records else None,
        distribution=[
            m.Distribution(
                name="dicom-files",
                distribution_kind="file_set",
                includes="**/*",
                media_type="application/dicom",
                byte_size=sum(r["size"] for r in records),
            )
        ],
        **(dataset_summaries(records) if records else {"instance_count": 0, "series_count": 0}),
    )
    manifest = _manifest(rows, records, names, instances, shown)
    contamination, pixels = dataset_contamination(
        rows,
        records,
        described if described.describe() else None,
        missing,
        pixel_hash,
        [(a["method"], n) for a, n in _unique(records, "audit")],
    )
    if cache_file is not None:
        transient = any(p.reason.startswith(TRANSIENT) for p in file_problems)
        result = (
            None
            if transient or problems
            else {
                "fingerprint": fingerprint,
                "dataset": dataset.model_dump(mode="json", exclude_none=True),
                "series": [x.model_dump(mode="json", exclude_none=True) for x in series],
                "manifest": manifest,
                "problems": [p.summary_dict() for p in file_problems],
                "files_read": len(records),
                "contamination": contamination,
                "pixels": pixels,
            }
        )
        _save_cache(cache_file, cache["salt"], entries, result, checks, described.describe(), missing)
    return _finish(
        dataset,
        series,
        manifest,
        sources,
        len(records),
        problems + file_problems,
        reused,
        len(to_read),
        started,
        clock,
        salt,
        contamination,
        pixels,
        shown,
    )


def _finish(
    dataset: m.ImagingDataset,
    series: list[m.ImagingSeries],
    manifest: list[dict[str, Any]],
    sources: list[Source],
    files_read: int,
    problems: list[FileProblem],
    reused: int,
    read_now: int,
    started: datetime,
    clock: float,
    salt: bytes,
    contamination: dict[str, Any] | None = None,
    pixels: dict[str, dict[str, int]] | None = None,
    shown: Callable[[str], str | None] = str,
) -> HarvestResult:
    """Stamp the run's provenance on the dataset and assemble the result with its summary."""
    run = m.HarvestRun(
        id=f"{dataset.id[:100]}.harvest-{started:%Y%m%dt%H%M%S}",
        started_at=started,
        ended_at=datetime.now(timezone.utc),
        tool=TOOL,
        tool_version=__version__,
        source_kind="dicom",
        files_seen=len(sources),
        files_read=files_read,
        files_skipped=len(sources) - files_read,
    )
    dataset.provenance = m.Provenance(harvest_runs=[run])
    summary = _summary(dataset, series, sources, files_read, problems, reused, read_now, time.perf_counter() - clock)
    summary["contamination"] = contamination or {}
    return HarvestResult(
        dataset=dataset,
        series=series,
        manifest=manifest,
        problems=problems,
        summary=summary,
        # Keyed as the manifest shows each path: a masked one ("folder 1") still finds its file.
        locations=_Locations(sources, shown),
        salt=salt,
        pixels=pixels or {},
    )


class _Locations(Mapping[str, "str | None"]):
    """Where each harvested name was read, keyed as the manifest shows each path (a masked one, "folder 1", still
    finds its file): made on first use, since only a submission's rewrite asks, and showing every path safely
    was half of an unchanged 10k-file re-harvest's time (issue 29)."""

    def __init__(self, sources: list[Source], shown: Callable[[str], str | None]) -> None:
        self._sources, self._shown = sources, shown
        self._made: dict[str, str | None] | None = None

    def _map(self) -> dict[str, str | None]:
        if self._made is None:
            self._made = {self._shown(s.name) or s.name: None if s.member else s.path for s in self._sources}
        return self._made

    def __getitem__(self, name: str) -> str | None:
        return self._map()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())


def _manifest(
    rows: list[dict[str, Any]],
    records: list[dict[str, Any]],
    names: list[str],
    instances: bool,
    shown: Callable[[str], str | None] = str,
) -> list[dict[str, Any]]:
    """One row per series (and per file when asked): what a Croissant FileSet can point at."""
    out = [
        {
            "kind": "series",
            "series_id": r["id"],
            "series_instance_uid": r["series_instance_uid"],
            "study_instance_uid": r["study_instance_uid"],
            "modality": r["modality"],
            "instance_count": r["instance_count"],
            "byte_size": r["byte_size"],
        }
        for r in rows
    ]
    if instances:
        for name, r in sorted(zip(names, records), key=lambda pair: pair[0]):
            withheld = r["audit"].get("path_withheld", False)
            out.append(
                {
                    "kind": "instance",
                    "path": None if withheld else shown(name),
                    "path_withheld": withheld,
                    "size": r["size"],
                    "sha256": r.get("sha256"),
                    "series_instance_uid": r["series"],
                    "phi_findings": len(r["audit"]["findings"]),
                }
            )
    return out


def _summary(
    dataset: m.ImagingDataset,
    series: list[m.ImagingSeries],
    sources: list[Source],
    files_read: int,
    problems: list[FileProblem],
    reused: int,
    read_now: int,
    seconds: float,
) -> dict[str, Any]:
    audit = dataset.deidentification.audit if dataset.deidentification else None
    return {
        "dataset": dataset.id,
        "files_seen": len(sources),
        "dicom_read": files_read,
        "reused_from_cache": reused,
        "read_now": read_now,
        "skipped": sum(p.kind != "warning" for p in problems),
        "skipped_by_reason": dict(Counter(p.reason for p in problems if p.kind != "warning").most_common()),
        "warnings": sum(p.kind == "warning" for p in problems),
        "problems": [p.summary_dict() for p in problems],
        "series": len(series),
        "studies": dataset.study_count or 0,
        "instances": dataset.instance_count or 0,
        "bytes": dataset.byte_size or 0,
        "series_status": dict(Counter(s.deidentification_status for s in series)),
        "files_with_phi_findings": audit.files_with_findings if audit else 0,
        "phi_findings_by_attribute": [
            {"attribute": f.attribute, "tag": f.tag, "files": f.count, "series": f.series_count_flagged}
            for f in (audit.findings or [])
        ]
        if audit
        else [],
        "seconds": round(seconds, 3),
    }


# ----------------------------------------------------------------------------------------------------- output
def write_outputs(result: HarvestResult, out_dir: Path, fmt: str = "yaml") -> list[Path]:
    """Write catalog.<fmt> (a MedalCatalog with the dataset and its series), manifest.jsonl, harvest-report.json."""
    import yaml  # inline: PyYAML takes ~40 ms to import

    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / "manifest.jsonl"
    manifest_bytes = "".join(json.dumps(row, sort_keys=True) + "\n" for row in result.manifest).encode()
    _replace(manifest_path, manifest_bytes)
    dataset = result.dataset.model_copy(deep=True)
    dataset.distribution = [
        *(dataset.distribution or []),
        m.Distribution(
            name="manifest",
            distribution_kind="file",
            path=manifest_path.name,
            media_type="application/jsonlines",
            byte_size=len(manifest_bytes),
            sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        ),
    ]
    catalog = m.MedalCatalog(datasets=[dataset], series=result.series)
    data = catalog.model_dump(mode="json", exclude_none=True)
    catalog_path = out_dir / f"catalog.{fmt}"
    if fmt == "json":
        _replace(catalog_path, (json.dumps(data, indent=2) + "\n").encode())
    else:
        # libyaml's dumper when there: the pure-Python one took a re-harvest of 60 series a second.
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        _replace(catalog_path, yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True).encode())
    report_path = out_dir / "harvest-report.json"
    _replace(report_path, (json.dumps(result.summary, indent=2) + "\n").encode())
    return [catalog_path, manifest_path, report_path]


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a harvest killed while writing leaves the previous file, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
