"""De-identify a contributor's DICOM on their own machine (`medal deidentify IN OUT`), with the catalog's own rules.

Every file goes through the same checked rewrite as the catalog's served copy (dicom/deidentify.py: the PS3.15
Annex E Basic Profile, then the audit of dicom/audit.py again, which must find nothing), with the options the
contributor chooses (:data:`~medal_catalog.dicom.deidentify.LOCAL_OPTIONS`). What this module adds:

  * a per-submission secret key, created once and kept in a local *linkage folder* (never inside OUT): UIDs become
    ``2.25.<HMAC-SHA256(key, uid)>`` in every file and every label table, so series, studies and references join;
    dates move by a keyed offset per patient; PatientID becomes a keyed pseudonym;
  * the linkage itself (``linkage.sqlite`` in that folder: original -> new UIDs, patients and their offsets,
    input file -> output file), so the contributor can re-identify their own results; it is never sent;
  * an output laid out ``study-<h>/<MODALITY>-<series number>-<h>/<instance number>-<h>.dcm`` (``<h>``: a few
    letters from a digest of the *new* UIDs), names that hold no identifier and that no report masks as one;
  * files written to a temporary name and renamed, so a file is whole or absent; an interrupted run continues
    where it stopped (the linkage folder records what was done);
  * pixel cleaning (Clean Pixel Data): regions the contributor names are blanked in files whose header declares
    burned-in annotation (or whose modality burns text in without saying NO), for uncompressed transfer syntaxes
    only (:data:`CLEANABLE_SYNTAXES`); compressed pixel data otherwise pass untouched;
  * the ``deidentification:`` block of the dataset file, saying what was done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
import csv
import json
import warnings

from medal_catalog.dicom.deidentify import (
    LOCAL_OPTIONS,
    Deidentifier,
    RewriteError,
    plan,
)
from medal_catalog._version import __version__
from medal_catalog.dicom.archives import archive_kind
from medal_catalog.dicom.deidentify import burned_in_refusal, checked_copy, read_original
from medal_catalog.errors import UsageError
from medal_catalog.report import PathShower

TOOL = "medal deidentify"
#: Transfer syntaxes whose pixel data the rewrite can clean (native, little endian): any other is compressed or
#: big endian, and its files are left out when they need cleaning.
CLEANABLE_SYNTAXES = {
    "1.2.840.10008.1.2": "Implicit VR Little Endian",
    "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
}
_CLEANABLE_PHOTOMETRIC = frozenset({"MONOCHROME1", "MONOCHROME2", "RGB", "PALETTE COLOR"})
_TEMP_SUFFIX = ".medal-tmp"
_CHUNK = 16
_UID_CELL = re.compile(r"^\s*[0-2](\.(0|[1-9][0-9]*)){3,}\s*$")


@dataclass(frozen=True)
class LocalOptions:
    """What a contributor chooses: CID 7050 option names besides basic_profile (see LOCAL_OPTIONS), regions
    (x, y, width, height in pixels) to blank when cleaning pixel data, worker processes, the linkage folder
    (default: under the user's data folder, named after OUT) and label tables whose UID cells to replace."""

    options: tuple[str, ...] = ()
    masks: tuple[tuple[int, int, int, int], ...] = ()
    workers: int = 1
    linkage: Path | None = None
    tables: tuple[Path, ...] = ()


@dataclass
class Summary:
    """What a run did: counts, the files left out and why (paths as reports may show them), the linkage folder
    and the ``deidentification`` block for the dataset file."""

    source: str
    target: str
    linkage: str
    applied: tuple[str, ...]
    not_applied: tuple[str, ...]
    written: int = 0
    already_done: int = 0
    not_dicom: int = 0
    left_out: list[dict[str, str]] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    bytes_read: int = 0
    seconds: float = 0.0
    block: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The summary as `medal deidentify --json` prints it."""
        rate = self.written / self.seconds if self.seconds else None
        return {
            "input": self.source,
            "output": self.target,
            "linkage": self.linkage,
            "options": list(self.applied),
            "not_applied": list(self.not_applied),
            "written": self.written,
            "already_done": self.already_done,
            "not_dicom": self.not_dicom,
            "left_out": self.left_out,
            "tables": self.tables,
            "seconds": round(self.seconds, 3),
            "files_per_second": round(rate, 1) if rate else None,
            "mb_per_second": round(self.bytes_read / 1e6 / self.seconds, 2) if self.seconds else None,
            "deidentification": self.block,
        }


def default_linkage(target: Path) -> Path:
    """The linkage folder of OUT when none is given: under $XDG_DATA_HOME (~/.local/share)/medal/linkage, named
    after OUT's folder name and a digest of its absolute path."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    resolved = target.resolve()
    return base / "medal" / "linkage" / f"{resolved.name}-{hashlib.sha256(str(resolved).encode()).hexdigest()[:10]}"


def deidentify(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    options: LocalOptions | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> Summary:
    """De-identify every DICOM file under ``source`` into ``target`` (see the module docstring); ``progress``
    gets (files done, files in all, bytes read). Returns the Summary; raises UsageError for folders that cannot
    be used (OUT inside IN, the linkage folder inside OUT, options other than a previous run's)."""

    options = options or LocalOptions()
    src, out = Path(source).resolve(), Path(target).resolve()
    linkage = (options.linkage or default_linkage(out)).resolve()
    if not src.is_dir():
        raise UsageError(f"{source} is not a folder: give the folder holding the DICOM files")
    for inner, outer, what in (
        (out, src, "OUT inside IN"),
        (src, out, "IN inside OUT"),
        (linkage, out, "the linkage folder inside OUT"),
        (out, linkage, "OUT inside the linkage folder"),
    ):
        if inner == outer or outer in inner.parents:
            raise UsageError(
                f"{what}: choose separate folders (the linkage re-identifies patients and must never be sent)"
                if "linkage" in what
                else f"{what}: choose separate folders"
            )
    unknown = sorted(set(options.options) - set(LOCAL_OPTIONS) - {"basic_profile"})
    if unknown:
        raise UsageError(f"unknown option(s) {', '.join(unknown)}: choose from {', '.join(LOCAL_OPTIONS)}")
    if "clean_pixel_data" in options.options and not options.masks:
        raise UsageError("clean_pixel_data needs at least one region to blank (--mask X,Y,WIDTH,HEIGHT)")
    the_plan = plan({"profile_options": list(options.options)}, LOCAL_OPTIONS)
    store = Linkage(linkage)
    store.check_options(the_plan.applied, options.masks)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.rglob(f"*{_TEMP_SUFFIX}"):
        stale.unlink()  # a run interrupted while writing: its half file never counts
    shower = PathShower(src)
    summary = Summary(str(source), str(target), str(linkage), the_plan.applied, the_plan.not_applied)
    started = time.perf_counter()
    files = sorted(_walk(src))
    done = store.done()
    todo: list[tuple[str, int, int]] = []
    for rel, size, mtime in files:
        previous = done.get(rel)
        if previous and previous[:2] == (size, mtime) and (previous[2] != "written" or (out / previous[3]).is_file()):
            summary.already_done += 1
            if previous[2] == "left-out":
                summary.left_out.append({"file": shower.show(rel) or rel, "reason": previous[4]})
            elif previous[2] == "not-dicom":
                summary.not_dicom += 1
            continue
        todo.append((rel, size, mtime))
        if previous and previous[2] == "written":
            # Changed since its output was written: that output goes now, so a file that is no longer clean (or
            # whose UIDs changed) never stays in OUT beside, or instead of, its new outcome.
            _remove_output(out, previous[3])
    present = {rel for rel, _, _ in files}
    gone = [rel for rel in done if rel not in present]
    for rel in gone:  # removed from IN since the last run: nothing of it stays in OUT
        if done[rel][2] == "written":
            _remove_output(out, done[rel][3])
    if gone:
        store.forget(gone)
    finished = len(files) - len(todo)
    if progress:
        progress(finished, len(files), 0)
    job = _Job(store.key, the_plan.applied, options.masks, str(src), str(out))
    chunks = [todo[i : i + _CHUNK] for i in range(0, len(todo), _CHUNK)]
    for results in _run(job, chunks, options.workers):
        store.record(results)
        for r in results:
            summary.bytes_read += r.size
            if r.status == "written":
                summary.written += 1
            elif r.status == "not-dicom":
                summary.not_dicom += 1
            else:
                summary.left_out.append({"file": shower.show(r.rel) or r.rel, "reason": r.reason})
        finished += len(results)
        if progress:
            progress(finished, len(files), summary.bytes_read)
    deid = Deidentifier(store.key, the_plan, per_patient_dates=True)
    patient_ids = store.patient_ids()
    for table in options.tables:
        written = out / table.name
        map_table(table, written, deid, patient_ids)
        summary.tables.append(str(written))
    store.close()
    summary.seconds = time.perf_counter() - started
    summary.block = block(the_plan.applied, written=bool(summary.written or summary.already_done))
    return summary


def block(applied: Iterable[str], written: bool = True) -> dict[str, Any]:
    """The dataset file's ``deidentification:`` block for a run with the options ``applied``."""

    applied = list(applied)
    shifted = "retain_longitudinal_modified_dates" in applied
    return {
        "patient_identity_removed": True,
        "deidentification_method": f"{TOOL} {__version__}: PS3.15 Annex E Basic Profile"
        + (f" with {', '.join(o.replace('_', ' ') for o in applied[1:])}" if len(applied) > 1 else ""),
        "profile_options": applied,
        "tool": TOOL,
        "tool_version": __version__,
        # Every file written says NO, was cleaned, or is of a modality that does not burn text in: the
        # catalog's own rule (deidentify.burned_in_refusal) for serving pixel data.
        "burned_in_annotation": "NO" if written else "UNKNOWN",
        "longitudinal_temporal_information_modified": "MODIFIED" if shifted else "REMOVED",
        "deidentification_date": dt.date.today().isoformat(),
    }


def block_yaml(the_block: dict[str, Any]) -> str:
    """The block as YAML lines of a dataset file (``deidentification:`` and its slots, the date unquoted)."""
    import yaml  # inline: PyYAML takes ~40 ms to import

    shown = dict(the_block)
    if isinstance(shown.get("deidentification_date"), str):  # a YAML date, not a quoted string
        shown["deidentification_date"] = dt.date.fromisoformat(shown["deidentification_date"])
    return yaml.safe_dump({"deidentification": shown}, sort_keys=False, allow_unicode=True, width=116)


def write_block(dataset_file: str | os.PathLike[str], the_block: dict[str, Any]) -> None:
    """Put ``the_block`` as the ``deidentification:`` of a dataset file (YAML: the block's lines replaced, the
    rest of the file, comments included, kept; JSON: the key set). Written to a temporary file and renamed."""

    path = Path(dataset_file)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        document = json.loads(text)
        document["deidentification"] = the_block
        new = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    else:
        lines = text.splitlines(keepends=True)
        dumped = block_yaml(the_block)
        start = next((i for i, line in enumerate(lines) if re.match(r"deidentification\s*:", line)), None)
        if start is None:
            new = text + ("" if text.endswith("\n") or not text else "\n") + dumped
        else:
            end = start + 1
            while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
                end += 1
            if end < len(lines) and lines[end].startswith("# `medal deidentify"):
                while end < len(lines) and lines[end].startswith("#"):
                    end += 1  # the template's commented example of this block: now filled in
            rest = "".join(lines[end:])
            new = "".join(lines[:start]) + dumped + ("\n" if rest.startswith("#") else "") + rest
    temp = path.with_name(path.name + _TEMP_SUFFIX)
    temp.write_text(new, encoding="utf-8")
    os.replace(temp, path)


def map_table(source: Path, target: Path, deidentifier: Deidentifier, patient_ids: set[str] | None = None) -> int:
    """Copy a CSV/TSV label table with every cell that is a UID replaced as in the files (keyed, so it joins), and
    every cell equal to an original PatientID of the files (``patient_ids``) replaced by that patient's pseudonym,
    as inside the files; other cells unchanged. Returns how many cells were replaced."""

    dialect = "excel-tab" if source.suffix.lower() in (".tsv", ".tab") else "excel"
    replaced = 0
    temp = target.with_name(target.name + _TEMP_SUFFIX)
    with open(source, newline="", encoding="utf-8-sig") as inp, open(temp, "w", newline="", encoding="utf-8") as outp:
        writer = csv.writer(outp, dialect=dialect)
        for row in csv.reader(inp, dialect=dialect):
            new = [
                deidentifier.uid(cell)
                if _UID_CELL.match(cell)
                else deidentifier.pseudonym(cell.strip())
                if patient_ids and cell.strip() in patient_ids
                else cell
                for cell in row
            ]
            replaced += sum(a != b for a, b in zip(row, new))
            writer.writerow(new)
    os.replace(temp, target)
    return replaced


class Linkage:
    """The linkage folder: the secret key (``key``) and ``linkage.sqlite`` (UIDs, patients, files, options).
    Created with owner-only permissions; it re-identifies patients, so it stays on the contributor's machine."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key_file = folder / "key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as stream:
                stream.write(secrets.token_hex(32) + "\n")
        self.key = bytes.fromhex(key_file.read_text().strip())
        self.db = sqlite3.connect(folder / "linkage.sqlite")
        os.chmod(folder / "linkage.sqlite", 0o600)
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS uids (original TEXT PRIMARY KEY, replacement TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS patients (original_id TEXT PRIMARY KEY, pseudonym TEXT, offset_days INTEGER);
            CREATE TABLE IF NOT EXISTS files (source TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,
                                              status TEXT, output TEXT, reason TEXT);
            CREATE INDEX IF NOT EXISTS uids_replacement ON uids (replacement);""")

    def check_options(self, applied: tuple[str, ...], masks: tuple[tuple[int, int, int, int], ...]) -> None:
        """Record the options of the first run; a later run into the same OUT must use the same ones."""

        wanted = ",".join(applied) + ";" + ",".join(":".join(map(str, m)) for m in masks)
        row = self.db.execute("SELECT value FROM meta WHERE name = 'options'").fetchone()
        if row is None:
            with self.db:
                self.db.execute("INSERT INTO meta VALUES ('options', ?)", (wanted,))
        elif row[0] != wanted:
            raise UsageError(
                f"OUT was started with other options ({row[0].replace(';', '; masks ')}): "
                "continue with the same options, or choose a new OUT (and linkage folder)"
            )

    def done(self) -> dict[str, tuple[int, int, str, str, str]]:
        return {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in self.db.execute("SELECT * FROM files")}

    def patient_ids(self) -> set[str]:
        """The original PatientIDs of the files written so far (to pseudonymise them in label tables too)."""
        return {row[0] for row in self.db.execute("SELECT original_id FROM patients") if row[0]}

    def forget(self, rels: list[str]) -> None:
        """Drop the records of source files gone from IN (their outputs are removed by the caller)."""
        with self.db:
            self.db.executemany("DELETE FROM files WHERE source = ?", [(rel,) for rel in rels])

    def record(self, results: list[_Result]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                [(r.rel, r.size, r.mtime, r.status, r.output, r.reason) for r in results],
            )
            self.db.executemany("INSERT OR IGNORE INTO uids VALUES (?, ?)", [pair for r in results for pair in r.uids])
            self.db.executemany(
                "INSERT OR IGNORE INTO patients VALUES (?, ?, ?)", [r.patient for r in results if r.patient]
            )

    def original(self, uid: str) -> str | None:
        """The original of a replaced UID (re-identification of the contributor's own results)."""
        row = self.db.execute("SELECT original FROM uids WHERE replacement = ?", (uid.strip(),)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()


@dataclass(frozen=True)
class _Job:
    key: bytes
    applied: tuple[str, ...]
    masks: tuple[tuple[int, int, int, int], ...]
    source: str
    target: str


@dataclass(frozen=True)
class _Result:
    rel: str
    size: int
    mtime: int
    status: str  # written, left-out, not-dicom
    output: str | None = None
    reason: str | None = None
    uids: tuple[tuple[str, str], ...] = ()
    patient: tuple[str, str, int] | None = None


def _walk(root: Path) -> Iterator[tuple[str, int, int]]:
    """(path relative to root, size, mtime_ns) of every regular file under root; symbolic links not followed."""
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if os.path.isfile(path) and not os.path.islink(path):
                yield os.path.relpath(path, root).replace(os.sep, "/"), info.st_size, info.st_mtime_ns


_WORKER: tuple[_Job, Deidentifier] | None = None


def _init_worker(job: _Job) -> None:
    global _WORKER

    warnings.simplefilter("ignore")  # pydicom warns about vendor values longer than their VR allows
    _WORKER = (
        job,
        Deidentifier(job.key, plan({"profile_options": list(job.applied)}, LOCAL_OPTIONS), per_patient_dates=True),
    )


def _work(chunk: list[tuple[str, int, int]]) -> list[_Result]:
    assert _WORKER is not None
    job, deid = _WORKER
    return [_one(job, deid, *item) for item in chunk]


def _run(job: _Job, chunks: list[list[tuple[str, int, int]]], workers: int) -> Iterator[list[_Result]]:
    """Results chunk by chunk, in one process or ``workers`` processes (each with its own Deidentifier: keyed
    UIDs need no shared state)."""
    if workers <= 1 or len(chunks) <= 1:
        _init_worker(job)
        for chunk in chunks:
            yield _work(chunk)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(job,))
    try:
        yield from pool.map(_work, chunks)
    finally:
        # Interrupted (Ctrl-C, a failed write): the chunks not started are dropped, not waited for; the next run
        # redoes whatever was not recorded.
        pool.shutdown(wait=True, cancel_futures=True)


def _one(job: _Job, deid: Deidentifier, rel: str, size: int, mtime: int) -> _Result:
    """De-identify one input file into OUT (written whole or not at all)."""

    def left(reason: str) -> _Result:
        return _Result(rel, size, mtime, "left-out", reason=reason)

    try:
        data = Path(job.source, rel).read_bytes()
    except OSError as exc:
        return left(f"cannot be read ({exc.strerror or type(exc).__name__})")
    kind = archive_kind(data[:512])
    if kind is not None:
        return left(f"a {kind} archive: extract it into IN first")
    original = read_original(data)
    if isinstance(original, str):
        return (
            _Result(rel, size, mtime, "not-dicom")
            if "not DICOM" in original or "empty file" in original
            else left(original)
        )
    header, audit = original
    pixels = None
    refusal = burned_in_refusal(header, audit)
    if refusal:
        if "clean_pixel_data" not in job.applied:
            return left(f"{refusal}: look at its pixels; to blank the text, choose clean_pixel_data with --mask")
        pixels = _cleaner(job.masks)
    deid.replaced.clear()
    out, ds, why = checked_copy(data, "image.dcm", deid, audit, pixels)
    if out is None:
        return left(why or "left out")
    output = _output_name(ds)
    target = Path(job.target, output)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}{_TEMP_SUFFIX}")
    temp.write_bytes(out)
    os.replace(temp, target)
    patient_id = header.top.get(0x00100020)
    patient = None
    if patient_id and patient_id.strip(b"\x00 "):
        original_id = patient_id.rstrip(b"\x00 ").decode("latin-1").strip()
        patient = (original_id, deid.pseudonym(original_id), deid.patient_offset(original_id).days)
    return _Result(rel, size, mtime, "written", output, uids=tuple(deid.replaced.items()), patient=patient)


def _remove_output(out: Path, output: str | None) -> None:
    """Delete an earlier run's output file (a path inside OUT only) and the folders it leaves empty."""
    if not output:
        return
    target = (out / output).resolve()
    root = out.resolve()
    if root not in target.parents:
        return
    target.unlink(missing_ok=True)
    for folder in target.parents:
        if folder == root or not folder.is_dir() or any(folder.iterdir()):
            break
        folder.rmdir()


#: Hex digits written as letters that spell no word a report masks (mrn, dob, nhs, ssn, birth: no b, d, m, n,
#: o, s) and make no digit run that looks like a date or a record number (report.identifying_component).
_LETTERS = str.maketrans("0123456789abcdef", "acefghjkpqrtuvwx")


def _short(uid: Any) -> str:
    return hashlib.sha256(str(uid or "").encode()).hexdigest()[:8].translate(_LETTERS)


def _output_name(ds: Any) -> str:
    """study-<h>/<MODALITY>-<series number>-<h>/<instance number>-<h>.dcm from the rewritten header (new UIDs,
    numbers and a modality code: nothing that identifies anyone)."""
    modality = re.sub(r"[^A-Z0-9]", "", str(ds.get("Modality", "") or "").upper())[:8] or "OT"
    series = min(_number(ds.get("SeriesNumber")), 99999)  # never 6 digits: reports mask those as IDs
    instance = min(_number(ds.get("InstanceNumber")), 99999)
    return (
        f"study-{_short(ds.get('StudyInstanceUID'))}/"
        f"{modality}-{series:03d}-{_short(ds.get('SeriesInstanceUID'))[:6]}/"
        f"{instance:05d}-{_short(ds.get('SOPInstanceUID'))[:6]}.dcm"
    )


def _number(value: Any) -> int:
    try:
        return max(0, int(str(value).strip()))
    except (TypeError, ValueError):
        return 0


def _cleaner(masks: tuple[tuple[int, int, int, int], ...]) -> Callable[[Any], None]:
    """Blank the regions ``masks`` in every frame of an uncompressed image and declare BurnedInAnnotation NO."""

    def clean(ds: Any) -> None:
        syntax = str(ds.file_meta.get("TransferSyntaxUID", ""))
        if syntax not in CLEANABLE_SYNTAXES:
            raise RewriteError(
                f"pixel data in transfer syntax {syntax} cannot be cleaned: only "
                f"{' and '.join(CLEANABLE_SYNTAXES.values())} can (decompress it first)"
            )
        photometric = str(ds.get("PhotometricInterpretation", ""))
        if (
            photometric not in _CLEANABLE_PHOTOMETRIC
            or int(ds.get("BitsAllocated", 0)) not in (8, 16, 32)
            or int(ds.get("PlanarConfiguration", 0) or 0) != 0
        ):
            raise RewriteError(f"pixel data in {photometric or 'this'} layout cannot be cleaned here")
        if "PixelData" not in ds:
            raise RewriteError("burned-in annotation declared but no Pixel Data to clean")
        pixels = ds.pixel_array.copy()
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
        for x, y, width, height in masks:
            if samples > 1:
                pixels[..., y : y + height, x : x + width, :] = 0
            else:
                pixels[..., y : y + height, x : x + width] = 0
        ds.PixelData = pixels.tobytes()
        ds.BurnedInAnnotation = "NO"

    return clean


__all__ = [
    "CLEANABLE_SYNTAXES",
    "Linkage",
    "LocalOptions",
    "Summary",
    "block",
    "default_linkage",
    "deidentify",
    "map_table",
    "write_block",
]
