"""Validate submission folders, metadata files and Croissant files offline, into one Report.

This module walks what it is given and shares the work out: it finds the metadata and data files of a folder, has
each metadata document parsed (documents.py) and its entries checked (entries.py), in worker processes when there
is much of it, and then checks across files (duplicate ids, unresolved references, label tables against their
tasks). Croissant files go through mlcroissant (croissant.py); DICOM files through the PHI audit (dicom.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable
import gc
import pickle

from medal_catalog.affinity import usable_cpus, widen
from medal_catalog.documents import (
    MAX_METADATA_BYTES,
    METADATA_SUFFIXES,
    Document,
    DocumentError,
    check_json_shape,
    read_document,
)
from medal_catalog.validators.run import MAX_POSITION_BYTES, Run, shift_pointer
from medal_catalog.validators.labels import DatasetFiles, check_task_labels
from medal_catalog.report import PathShower, Report, Severity

if TYPE_CHECKING:  # annotations only: importing pydantic-settings costs `medal validate FILE` a third of its start
    from medal_catalog.config import Settings

#: Folders never descended into (version control, OS litter, our own outputs).
SKIP_DIRS = {".git", ".hg", ".svn", "__MACOSX", "__pycache__", ".venv", "node_modules", "medal-out"}

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class _Job:
    """One metadata file to check."""

    path: Path
    display: str
    explicit: bool
    folder: Path


@dataclass(frozen=True, slots=True)
class _Slice:
    """Bytes ``start:end`` of job ``job``'s file, a JSON list of entries cut between two entries.

    Parsed on its own, with the brackets it lacks added, it gives that run of entries.
    """

    job: int
    start: int
    end: int
    first: bool
    last: bool


#: Metadata beyond this many bytes in one run is checked by worker processes (one per core).
PARALLEL_MIN_BYTES = 1024 * 1024
#: A JSON list of entries beyond this many bytes is cut into slices, so that every core gets a fair share of parsing
#: and checking whatever the sizes of the files.
SLICE_MIN_BYTES = MAX_POSITION_BYTES
#: Into how many slices per worker a large JSON list is cut (at most; no slice is smaller than SLICE_MIN_BYTES).
SLICES_PER_WORKER = 8


def _validate_entries(run: Run, doc: Document, folder: Path) -> None:
    """:func:`~medal_catalog.validators.entries.validate_entries`, imported on first use: the schema, rule and FAIR
    checks cost about 70 ms to import, which `medal validate FILE.dcm` never needs (issue 29)."""
    from medal_catalog.validators.entries import validate_entries

    validate_entries(run, doc, folder)


def validate_paths(
    paths: Iterable[Path],
    *,
    progress: Progress | None = None,
    today: dt.date | None = None,
    display_root: Path | None = None,
    contamination: bool = True,
    pixel_hash: bool | None = None,
    settings: Settings | None = None,
) -> Report:
    """Validate every path (folder, metadata file or Croissant file) and return the combined report.

    With ``contamination`` each folder's datasets are checked against public archives and each other (the
    report's ``contamination`` section); ``pixel_hash`` (default: the settings' ``pixel_hash``) compares images
    by their pixel digests. ``settings`` come from the caller (the CLI passes the environment's); None: the
    defaults of config.Settings (pixel hashing on, a 64 MiB header limit, the user cache for the public index)."""
    limit = settings.dicom_max_header_bytes if settings is not None else None  # None: dicom.header's default
    run = Run((today or dt.date.today()).isoformat())
    jobs: list[_Job] = []
    folders: list[tuple[Path, str, list[_Job], list[Path]]] = []
    for path in paths:
        path = Path(path)
        root = display_root or path
        if path.is_dir():
            metadata, data = _walk(run, path, root)
            run.report.files_checked += len(metadata) + len(data)
            if not metadata and not data:
                run.issue(
                    Severity.ERROR,
                    "submission.empty",
                    _display(path, root),
                    "the folder holds no files",
                    hint="A submission folder holds metadata files (YAML or JSON) and its data files.",
                )
                continue
            folder_jobs = [_Job(f, _display(f, root), False, path) for f in metadata]
            folders.append((path, _display(path, root), folder_jobs, data))
            jobs.extend(folder_jobs)
        elif path.suffix.lower() in METADATA_SUFFIXES:
            run.report.files_checked += 1
            jobs.append(_Job(path, _display(path, root), True, path.parent))
        else:
            run.report.files_checked += 1
            # inline: `medal validate FILE.yaml` does not need validators.dicom at start-up
            from medal_catalog.validators.dicom import check_data_files

            run.report.extend(check_data_files([path], lambda p, d=_display(path, root): d, limit=limit))
    results = _run_jobs(jobs, run.today, progress)
    for job, part in zip(jobs, results):
        run.merge(part)
    for path, display, folder_jobs, data in folders:
        files = {job.display for job in folder_jobs}
        if not any(e.file in files for e in run.report.entries) and not any(
            i.file in files and i.code.startswith(("file.", "croissant.")) for i in run.report.issues
        ):
            run.issue(
                Severity.ERROR,
                "submission.no-metadata",
                display,
                "no MEDAL metadata file (task, dataset, catalog or Croissant) was found in the folder",
                hint="Add task.yaml / dataset.yaml with `type: BenchmarkTask` / `type: ImagingDataset`.",
            )
        # inline: `medal validate FILE.yaml` does not need validators.dicom at start-up
        from medal_catalog.validators.dicom import check_data_files, rewrite_notes, undeclared_dicom

        hashing = None
        if contamination and data:
            hashing = (settings.pixel_hash if settings is not None else True) if pixel_hash is None else pixel_hash
        # Each data file is opened and its header read once, for the audit, the Part 10 test and the public check
        # (which read it again each before issue 29).
        reads: dict = {}
        run.report.extend(
            check_data_files(
                data, lambda p, r=path: _display(p, r), progress=progress, reads=reads, pixel_hash=hashing, limit=limit
            )
        )
        datasets = _datasets_of(run, files)
        run.report.extend(undeclared_dicom(datasets, data, lambda p, r=path: _display(p, r), reads))
        run.report.extend(rewrite_notes(datasets, data, reads))
        if hashing is not None:
            # inline: `medal validate FILE.yaml` does not need contamination.folder at start-up
            from medal_catalog.contamination.folder import check_folder

            sections, found = check_folder(
                datasets,
                data,
                progress=progress,
                pixel_hash=hashing,
                known={p: r.facts for p, r in reads.items()},
                cache_dir=Path(settings.public_index_cache)
                if settings is not None and settings.public_index_cache
                else None,
                limit=limit,
            )
            run.report.contamination.update(sections)
            run.report.extend(found)
    _check_ids(run)
    _check_label_tables(run)
    return PathShower().report(run.report)  # no patient-named path in any report (issue 13)


def _datasets_of(run: Run, files: set[str]) -> list[tuple[str, dict]]:
    """The valid ImagingDataset entries of a folder's metadata files, as (display name, entry)."""

    found = []
    for entry in run.report.entries:
        if entry.type != "ImagingDataset" or entry.file not in files or not entry.valid:
            continue
        try:
            data = read_document(Path(entry.file), entry.file).data
            for part in [p for p in entry.pointer.split("/") if p]:
                data = data[int(part)] if isinstance(data, list) else data[part]
        except Exception:  # noqa: BLE001 - an entry that cannot be found again just gets no note
            continue
        if isinstance(data, dict):
            found.append((entry.file, data))
    return found


def _run_jobs(jobs: list[_Job], today: str, progress: Progress | None) -> list[Run]:
    """Check every metadata job, in worker processes when there is enough metadata to pay for them."""
    workers = min(usable_cpus(), 8)  # in a server pinned to one CPU: the CPUs it had (the children widen())
    sizes = [_size(job.path) for job in jobs]
    if workers < 2 or sum(sizes) < PARALLEL_MIN_BYTES or not hasattr(os, "fork"):
        out = []
        for job in jobs:
            out.append(_check_job(job, today))
            if progress:
                progress(job.display)
        return out
    # Units of work: slices of the large JSON lists and whole other files, largest first. Workers take the next unit
    # when they finish one, so that a slower core simply does fewer.
    units: list[int | _Slice] = []
    sliced: set[int] = set()
    for index, (job, size) in enumerate(zip(jobs, sizes)):
        # (Slices do not locate issues by line, so only files too large to be located anyway are sliced.)
        slicing = size > max(SLICE_MIN_BYTES, MAX_POSITION_BYTES)
        parts = min(SLICES_PER_WORKER * workers, -(-size // SLICE_MIN_BYTES))
        slices = _slices(index, job.path, size, parts) if slicing else []
        if len(slices) > 1:
            sliced.add(index)
            units.extend(slices)
        else:
            units.append(index)
    units.sort(key=lambda unit: -(unit.end - unit.start if isinstance(unit, _Slice) else sizes[unit]))
    done = dict(zip(units, _shared_out(lambda unit: _check_unit(jobs, unit, today), units, workers)))
    merged: list[Run] = []
    for index, job in enumerate(jobs):
        if index not in sliced:
            run = done[index]
        else:
            parts = [
                done[unit]
                for unit in sorted(
                    (unit for unit in done if isinstance(unit, _Slice) and unit.job == index),
                    key=lambda unit: unit.start,
                )
            ]
            if any(part is None for part in parts):
                run = _check_job(job, today)  # not a clean list of entries after all: read it as a whole
            else:
                run, offset = Run(today), 0
                for part in parts:
                    part.shift(offset)
                    offset += part.count
                    run.merge(part)
        merged.append(run)
        if progress:
            progress(job.display)
    return merged


def _shared_out(work: Callable, units: list, workers: int) -> list:
    """``[work(unit) for unit in units]``, shared out among this process and ``workers - 1`` forked children.

    The unit numbers wait in a pipe; each process reads the next one (a one-byte read from a pipe is atomic) until the
    pipe is empty. A child that fails has its units done here instead (raising here, if it must). Children are ours
    and short-lived: they do not collect cycles, and leave without freeing what they parsed.
    """

    global _UNFREED
    if len(units) > 255:  # one byte per unit number
        return [work(unit) for unit in units]
    queue, feed = os.pipe()
    os.write(feed, bytes(range(len(units))))
    os.close(feed)

    def take() -> dict[int, object]:
        out = {}
        while number := os.read(queue, 1):
            out[number[0]] = work(units[number[0]])
        return out

    children = []
    for _ in range(workers - 1):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            status = 1
            try:
                os.close(read)
                widen()  # forked by a server pinned to one CPU: not on the CPU that answers its requests
                gc.disable()
                _UNFREED = []
                data = pickle.dumps(take(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        children.append((pid, read))
    results = take()
    os.close(queue)
    for pid, read in children:
        with os.fdopen(read, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(pid, 0)
        if status == 0 and data:
            results.update(pickle.loads(data))
    return [results[i] if i in results else work(unit) for i, unit in enumerate(units)]


def _check_unit(jobs: list[_Job], unit: int | _Slice, today: str) -> Run | None:
    """Check a whole file (by job index) or a slice of a large one."""
    return _check_slice(jobs[unit.job], unit, today) if isinstance(unit, _Slice) else _check_job(jobs[unit], today)


#: Where one entry of a JSON list ends and the next begins (group 1), if the next begins with the list's first key.
_BETWEEN = rb"\}\s*,\s*(\{)\s*"
_FIRST_KEY = re.compile(rb'\A\s*\[\s*\{\s*("(?:[^"\\]|\\.)*")')
_WINDOW = 1 << 16


def _slices(index: int, path: Path, size: int, parts: int) -> list[_Slice]:
    """Cut a JSON list of entries into ``parts`` slices of similar size, between entries; [] if it is not one.

    A cut is only a guess here (a `},{` inside a string or a nested list looks the same); the worker's parse proves
    it: a slice that is not a run of whole entries does not parse, and the file is then read as a whole.
    """
    cuts: list[tuple[int, int]] = []  # (just after one entry, start of the next)
    try:
        with path.open("rb") as fh:
            first = _FIRST_KEY.match(fh.read(_WINDOW))
            if first is None or size > MAX_METADATA_BYTES:
                return []
            between = re.compile(_BETWEEN + re.escape(first.group(1)))
            for k in range(1, parts):
                at = max(size * k // parts, cuts[-1][1] if cuts else 0)
                fh.seek(at)
                found = between.search(fh.read(_WINDOW))
                if found:
                    cuts.append((at + found.start() + 1, at + found.start(1)))
    except OSError:
        return []
    bounds = [0, *[c for cut in cuts for c in cut], size]
    return [_Slice(index, bounds[2 * k], bounds[2 * k + 1], k == 0, k == len(cuts)) for k in range(len(cuts) + 1)]


def _check_slice(job: _Job, piece: _Slice, today: str) -> Run | None:
    """Check the entries of one slice; None when the slice is not a run of whole entries (see _slices)."""
    import orjson  # inline: orjson takes ~20 ms to import

    try:
        with job.path.open("rb") as fh:
            fh.seek(piece.start)
            raw = fh.read(piece.end - piece.start)
        raw = (b"" if piece.first else b"[") + raw + (b"" if piece.last else b"]")
        check_json_shape(raw)  # a slice too deep is refused as the whole file would be (read_document)
        data = orjson.loads(raw)
    except (OSError, orjson.JSONDecodeError, DocumentError):
        return None
    if not isinstance(data, list) or not data or not all(isinstance(x, dict) and "type" in x for x in data):
        return None
    run = Run(today, locate=False)
    run.count = len(data)
    doc = Document(path=job.path, display=job.display, text="", data=data, syntax="json")
    _validate_entries(run, doc, job.folder)
    if _UNFREED is not None:
        _UNFREED.append(data)
    return run


#: In a forked worker, what it parsed: kept, since the worker leaves with os._exit and freeing thousands of entries
#: object by object would only delay its answer. None in any other process.
_UNFREED: list | None = None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _display(path: Path, root: Path) -> str:
    """How a file is named in reports: as given on the command line, or relative to the folder given."""
    if path == root:
        return str(path)
    try:
        return str(root / path.relative_to(root))
    except ValueError:
        return str(path)


def _walk(run: Run, folder: Path, root: Path) -> tuple[list[Path], list[Path]]:
    """Metadata candidates and data files under ``folder``; reports symlink loops and unreadable folders."""
    metadata, data = [], []
    seen_dirs: set[tuple[int, int]] = set()

    def onerror(exc: OSError) -> None:
        run.issue(
            Severity.ERROR,
            "path.unreadable",
            _display(Path(exc.filename or folder), root),
            f"cannot read this folder ({exc.strerror})",
        )

    inside = folder.resolve()

    def outside(path: Path) -> bool:
        if path.resolve().is_relative_to(inside):
            return False
        run.issue(
            Severity.ERROR,
            "path.outside",
            _display(path, root),
            "a symbolic link leads out of the submission folder; not read",
            hint="Copy the file into the submission instead of linking to it.",
        )
        return True

    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True, onerror=onerror):
        here = Path(dirpath)
        if outside(here):
            dirnames[:] = []
            continue
        st = here.stat()
        if (st.st_dev, st.st_ino) in seen_dirs:
            run.issue(
                Severity.WARNING,
                "path.symlink-loop",
                _display(here, root),
                "a symbolic link leads back into a folder already visited; not followed again",
            )
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            file = here / name
            if file.is_symlink() and outside(file):
                continue
            (metadata if file.suffix.lower() in METADATA_SUFFIXES else data).append(file)
    return metadata, data


def _check_job(job: _Job, today: str) -> Run:
    """Read and check one metadata file (or one slice of its entries)."""
    run = Run(today)
    display = job.display
    try:
        doc = read_document(job.path, display)
    except DocumentError as exc:
        run.issue(
            Severity.ERROR, exc.code, display, exc.message, pointer="", hint=exc.hint, line=exc.line, column=exc.column
        )
        return run
    # Imported here: the Croissant reader costs about 45 ms to import, which `medal validate FILE.dcm` never needs.
    from medal_catalog.croissant.reading import is_croissant

    kind = "croissant" if is_croissant(doc.data) else doc.kind
    if kind == "croissant":
        # inline: `medal validate FILE.yaml` does not need validators.croissant at start-up
        from medal_catalog.validators.croissant import croissant_verdict

        # The verdict `medal harvest` and the API give (issue 26); a folder's data files are audited with the folder.
        run.report.extend(croissant_verdict(doc, audit=job.explicit, today=today).issues)
        return run
    if kind == "other":
        severity = Severity.ERROR if job.explicit else Severity.INFO
        run.issue(
            severity,
            "file.not-metadata",
            display,
            "not a MEDAL metadata file (no `type:` entry, catalog lists, or Croissant context)",
            pointer="",
            hint="Treated as a data file."
            if not job.explicit
            else "Metadata files hold one entry with `type:` or lists under tasks/datasets/series/reviews.",
        )
        return run
    _validate_entries(run, doc, job.folder)
    return run


def _check_ids(run: Run) -> None:
    """Duplicate ids across the whole run are errors; references to entries not in it are infos."""
    first: dict[tuple[str, str], str] = {}
    for cls, entry_id, file, pointer, offset in run.ids:
        if (cls, entry_id) in first:
            run.issue(
                Severity.ERROR,
                "entry.duplicate-id",
                file,
                f"another {cls} with the same id is in {first[(cls, entry_id)]}",
                pointer=shift_pointer(pointer, offset[0]),
            )
        else:
            first[(cls, entry_id)] = file
    for target, value, file, pointer, offset in run.references:
        if (target, value) not in first:
            run.issue(
                Severity.INFO,
                "reference.unresolved",
                file,
                f"refers to a {target} that is not in this submission; it must already be in the catalog",
                pointer=shift_pointer(pointer, offset[0]),
                hint=f"Add the {target} to the submission, or check that the catalog holds one with this id "
                "(`medal search` or GET /api/search).",
            )


def _check_label_tables(run: Run) -> None:
    """Each declared label table against its task (see validators/labels.py); a task whose table is wrong is not
    valid, so harvest leaves it out."""
    if not run.label_tables:
        return
    datasets: dict[str, DatasetFiles] = {}
    for files in run.datasets:
        datasets.setdefault(files.id, files)  # a second dataset of the same id is an entry.duplicate-id error
    wrong: set[tuple[str, str]] = set()
    for file, path, pointer, offset, task in run.label_tables:
        pointer = shift_pointer(pointer, offset[0]) or ""
        found = check_task_labels(task, datasets)
        doc = _located(path, file) if found else None
        for issue in found:
            run.place(issue, file, pointer, doc)
            if issue.severity is Severity.ERROR:
                wrong.add((file, pointer))
    for entry in run.report.entries:
        if (entry.file, entry.pointer) in wrong:
            entry.valid = False


def _located(path: Path, display: str) -> Document | None:
    """The document again, to give line and column of issues found once it is gone (small files only)."""
    try:
        return read_document(path, display) if _size(path) <= MAX_POSITION_BYTES else None
    except DocumentError:
        return None


__all__ = ["validate_paths"]
