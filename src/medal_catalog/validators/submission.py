"""Validate submission folders, metadata files and Croissant files offline, into one Report.

Each metadata document is parsed (documents.py), each entry checked against the schema (schema.py), the MEDAL
rules (rules.py) and FAIR completeness (fair.py); a dataset's declared files are checked against the folder;
Croissant files go through mlcroissant (croissant.py); DICOM files through the PHI audit (dicom.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from medal_catalog.documents import METADATA_SUFFIXES, Document, DocumentError, is_entry_class, read_document
from medal_catalog.schema import ENTRY_CLASSES
from medal_catalog.validators.fair import fair_assessment
from medal_catalog.validators.report import EntrySummary, Issue, Report, Severity
from medal_catalog.validators.rules import check_rules
from medal_catalog.validators.schema import schema_checker

#: Folders never descended into (version control, OS litter, our own outputs).
SKIP_DIRS = {".git", ".hg", ".svn", "__MACOSX", "__pycache__", ".venv", "node_modules", "medal-out"}
#: Position lookups re-parse the file; beyond this size reports give pointers only.
MAX_POSITION_BYTES = 4 * 1024 * 1024

Progress = Callable[[str], None]


class _Run:
    """State of one validation run: the report, ids seen, references to resolve."""

    def __init__(self, today: str) -> None:
        self.report = Report()
        self.today = today
        self.ids: dict[tuple[str, str], str] = {}
        self.references: list[tuple[str, str, str, str]] = []  # (cls, id, file, pointer)

    def issue(self, severity: Severity, code: str, file: str, message: str, *, pointer: str | None = None,
              hint: str | None = None, doc: Document | None = None, line: int | None = None,
              column: int | None = None, tag: str | None = None) -> None:
        if doc is not None and line is None and len(doc.text) <= MAX_POSITION_BYTES:
            line, column = doc.position(pointer)
        self.report.add(Issue(severity, code, file, message, pointer=pointer, hint=hint, tag=tag, line=line,
                              column=column))


def validate_paths(paths: Iterable[Path], *, progress: Progress | None = None, today: dt.date | None = None,
                   display_root: Path | None = None) -> Report:
    """Validate every path (folder, metadata file or Croissant file) and return the combined report."""
    run = _Run((today or dt.date.today()).isoformat())
    for path in paths:
        path = Path(path)
        if path.is_dir():
            _validate_folder(run, path, display_root or path, progress)
        else:
            _validate_file(run, path, display_root or path, explicit=True, folder=path.parent)
            if progress:
                progress(str(path))
    _resolve_references(run)
    return run.report


def _display(path: Path, root: Path) -> str:
    """How a file is named in reports: as given on the command line, or relative to the folder given."""
    if path == root:
        return str(path)
    try:
        return str(root / path.relative_to(root))
    except ValueError:
        return str(path)


def _walk(run: _Run, folder: Path, root: Path) -> tuple[list[Path], list[Path]]:
    """Metadata candidates and data files under ``folder``; reports symlink loops and unreadable folders."""
    metadata, data = [], []
    seen_dirs: set[tuple[int, int]] = set()

    def onerror(exc: OSError) -> None:
        run.issue(Severity.ERROR, "path.unreadable", _display(Path(exc.filename or folder), root),
                  f"cannot read this folder ({exc.strerror})")

    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True, onerror=onerror):
        here = Path(dirpath)
        st = here.stat()
        if (st.st_dev, st.st_ino) in seen_dirs:
            run.issue(Severity.WARNING, "path.symlink-loop", _display(here, root),
                      "a symbolic link leads back into a folder already visited; not followed again")
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            file = here / name
            (metadata if file.suffix.lower() in METADATA_SUFFIXES else data).append(file)
    return metadata, data


def _validate_folder(run: _Run, folder: Path, root: Path, progress: Progress | None) -> None:
    metadata, data = _walk(run, folder, root)
    run.report.files_checked += len(metadata) + len(data)
    if not metadata and not data:
        run.issue(Severity.ERROR, "submission.empty", _display(folder, root) or ".", "the folder holds no files",
                  hint="A submission folder holds metadata files (YAML or JSON) and its data files.")
        return
    found_entries = len(run.report.entries)
    for file in metadata:
        _validate_file(run, file, root, explicit=False, folder=folder)
        if progress:
            progress(str(file))
    if len(run.report.entries) == found_entries and not any(
            i.code == "file.parse-error" for i in run.report.issues):
        run.issue(Severity.ERROR, "submission.no-metadata", _display(folder, root),
                  "no MEDAL metadata file (task, dataset, catalog or Croissant) was found in the folder",
                  hint="Add task.yaml / dataset.yaml with `type: BenchmarkTask` / `type: ImagingDataset`.")
    from medal_catalog.validators.dicom import check_data_files

    for issue in check_data_files(data, lambda p: _display(p, root), progress=progress):
        run.report.add(issue)


def _validate_file(run: _Run, path: Path, root: Path, *, explicit: bool, folder: Path) -> None:
    display = _display(path, root)
    if explicit:
        run.report.files_checked += 1
    if path.suffix.lower() not in METADATA_SUFFIXES:
        if explicit:
            from medal_catalog.validators.dicom import check_data_files

            run.report.extend(check_data_files([path], lambda p: display))
        return
    try:
        doc = read_document(path, display)
    except DocumentError as exc:
        run.issue(Severity.ERROR, exc.code, display, exc.message, pointer="", hint=exc.hint, line=exc.line,
                  column=exc.column)
        return
    kind = doc.kind
    if kind == "croissant":
        from medal_catalog.validators.croissant import check_croissant

        run.report.extend(check_croissant(doc))
        return
    if kind == "other":
        severity = Severity.ERROR if explicit else Severity.INFO
        run.issue(severity, "file.not-metadata", display,
                  "not a MEDAL metadata file (no `type:` entry, catalog lists, or Croissant context)",
                  pointer="", hint="Treated as a data file." if not explicit else
                  "Metadata files hold one entry with `type:` or lists under tasks/datasets/series/reviews.")
        return
    _validate_entries(run, doc, folder)


def _validate_entries(run: _Run, doc: Document, folder: Path) -> None:
    checker = schema_checker()
    for ref in doc.entries():
        if not is_entry_class(ref.cls):
            run.issue(Severity.ERROR, "schema.enum", doc.display, "`type` is not a kind of catalog entry",
                      pointer=f"{ref.pointer}/type", hint=f"Allowed: {', '.join(ENTRY_CLASSES)}", doc=doc)
            continue
        problems = checker.problems(ref.cls, ref.data)
        for p in problems:
            run.issue(Severity.ERROR, p.code, doc.display, p.message, pointer=ref.pointer + p.pointer, hint=p.hint,
                      doc=doc)
        rule_issues = check_rules(ref.cls, ref.data, run.today)
        scores, fair_issues = fair_assessment(ref.cls, ref.data)
        for r in [*rule_issues, *fair_issues]:
            run.issue(r.severity, r.code, doc.display, r.message, pointer=ref.pointer + r.pointer, hint=r.hint,
                      doc=doc)
        if ref.cls == "ImagingDataset":
            _check_distribution(run, doc, ref.pointer, ref.data, folder)
        entry_id = ref.data.get("id") if isinstance(ref.data.get("id"), str) else None
        valid = not problems and not any(r.severity is Severity.ERROR for r in rule_issues)
        run.report.entries.append(EntrySummary(doc.display, ref.pointer, ref.cls, entry_id, valid, scores))
        _note_ids(run, doc, ref.pointer, ref.cls, ref.data, entry_id)
    for code, pointer, message in doc.problems:
        run.issue(Severity.ERROR, code, doc.display, message, pointer=pointer, doc=doc)


def _note_ids(run: _Run, doc: Document, pointer: str, cls: str, data: dict, entry_id: str | None) -> None:
    if entry_id:
        key = (cls, entry_id)
        if key in run.ids:
            run.issue(Severity.ERROR, "entry.duplicate-id", doc.display,
                      f"another {cls} with the same id is in {run.ids[key]}", pointer=f"{pointer}/id", doc=doc)
        else:
            run.ids[key] = doc.display
    refs = {"BenchmarkTask": [("ImagingDataset", "datasets_used")], "ReviewAssessment": [("BenchmarkTask", "task")],
            "ImagingSeries": [("ImagingDataset", "dataset")]}.get(cls, [])
    for target, slot in refs:
        values = data.get(slot)
        for i, value in enumerate(values if isinstance(values, list) else [values]):
            if isinstance(value, str):
                where = f"{pointer}/{slot}/{i}" if isinstance(values, list) else f"{pointer}/{slot}"
                run.references.append((target, value, doc.display, where))


def _resolve_references(run: _Run) -> None:
    for target, value, file, pointer in run.references:
        if (target, value) not in run.ids:
            run.issue(Severity.INFO, "reference.unresolved", file,
                      f"refers to a {target} that is not in this submission; it must already be in the catalog",
                      pointer=pointer)


def _check_distribution(run: _Run, doc: Document, pointer: str, data: dict, folder: Path) -> None:
    """Declared files exist inside the submission, with the declared size and sha256; file sets match files."""
    base = doc.path.parent
    items = data.get("distribution")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        where = f"{pointer}/distribution/{i}"
        rel = item.get("path")
        if isinstance(rel, str):
            if PurePosixPath(rel).is_absolute() or ".." in PurePosixPath(rel).parts:
                run.issue(Severity.ERROR, "distribution.path-outside", doc.display,
                          "a distribution path must stay inside the submission folder", pointer=f"{where}/path",
                          doc=doc)
                continue
            target = base / rel
            if not target.is_file():
                run.issue(Severity.ERROR, "distribution.missing-file", doc.display,
                          "the declared file is not in the submission", pointer=f"{where}/path", doc=doc)
                continue
            size = target.stat().st_size
            if isinstance(item.get("byte_size"), int) and item["byte_size"] != size:
                run.issue(Severity.ERROR, "distribution.size-mismatch", doc.display,
                          f"the file has {size} bytes, not the declared byte_size", pointer=f"{where}/byte_size",
                          doc=doc)
            if isinstance(item.get("sha256"), str):
                if _sha256(target) != item["sha256"]:
                    run.issue(Severity.ERROR, "distribution.sha256-mismatch", doc.display,
                              "the file's SHA-256 differs from the declared sha256", pointer=f"{where}/sha256",
                              doc=doc, hint="Recompute it with `sha256sum` after the file's last change.")
        pattern = item.get("includes")
        if isinstance(pattern, str) and item.get("distribution_kind") == "file_set" and not item.get("url"):
            if not any(p.is_file() for p in base.glob(pattern)):
                run.issue(Severity.WARNING, "distribution.empty-file-set", doc.display,
                          "no file in the submission matches the file set's `includes` pattern",
                          pointer=f"{where}/includes", doc=doc)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


__all__ = ["validate_paths"]
