"""The findings of one unit of validation work (a whole run, or one metadata file or a slice of one in a worker
process), shared by the walk over a submission (submission.py) and the checks of its entries (entries.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from medal_catalog.documents import Document
from medal_catalog.report import EntrySummary, Issue, Report, Severity
from medal_catalog.validators.labels import DatasetFiles

#: Position lookups re-parse the file; beyond this size reports give pointers only.
MAX_POSITION_BYTES = 512 * 1024


class Run:
    """Findings of one unit of work (a whole run, or one metadata file or slice of one in a worker)."""

    def __init__(self, today: str, locate: bool = True) -> None:
        self.report = Report()
        self.today = today
        self.locate = locate  # look up line and column of issues (small files only)
        # (cls, id, file, pointer, shift) and (target cls, id, file, pointer, shift), in file order. Thousands of
        # them, read only to report the rare duplicate or unresolved id: rather than renumbered when a slice is
        # placed in its file, they share the slice's offset (a one-item list, see shift) and _check_ids applies it.
        self.offset = [0]
        self.ids: list[tuple[str, str, str, str, list[int]]] = []
        self.references: list[tuple[str, str, str, str, list[int]]] = []
        self.count = 0  # entries seen in the slice (a slice's pointers count from its own first entry)
        # For the label-table checks once every file is read: tasks that declare one (file, its path, pointer,
        # shift, the task's labels/splits/datasets_used) and every dataset's distributions.
        self.label_tables: list[tuple[str, Path, str, list[int], dict]] = []
        self.datasets: list[DatasetFiles] = []

    def issue(
        self,
        severity: Severity,
        code: str,
        file: str,
        message: str,
        *,
        pointer: str | None = None,
        hint: str | None = None,
        doc: Document | None = None,
        line: int | None = None,
        column: int | None = None,
        tag: str | None = None,
    ) -> None:
        if self.locate and doc is not None and line is None and len(doc.text) <= MAX_POSITION_BYTES:
            line, column = doc.position(pointer)
        self.report.add(
            Issue(severity, code, file, message, pointer=pointer, hint=hint, tag=tag, line=line, column=column)
        )

    def place(self, found: Issue, file: str, prefix: str, doc: Document | None = None) -> None:
        """Record an issue found within a record (report.record_issue) as found in ``file``, below the record's
        pointer ``prefix``."""
        self.issue(
            found.severity, found.code, file, found.message, pointer=prefix + found.pointer, hint=found.hint, doc=doc
        )

    def merge(self, other: "Run") -> None:
        self.report.issues.extend(other.report.issues)
        self.report.entries.extend(other.report.entries)
        self.report.files_checked += other.report.files_checked
        self.ids.extend(other.ids)
        self.references.extend(other.references)
        self.label_tables.extend(other.label_tables)
        self.datasets.extend(other.datasets)

    def shift(self, offset: int) -> None:
        """Renumber a slice's entries as if the slice began at entry ``offset`` of its list."""
        if not offset:
            return
        report = self.report
        report.issues = [replace(i, pointer=shift_pointer(i.pointer, offset)) for i in report.issues]
        for entry in report.entries:
            entry.pointer = shift_pointer(entry.pointer, offset)
        self.offset[0] += offset

    def __getstate__(self) -> tuple:
        # Sent back from worker processes: plain tuples pickle several times faster than dataclass instances.
        report = self.report
        return (
            self.today,
            self.locate,
            self.count,
            self.offset,
            report.files_checked,
            self.ids,
            self.references,
            self.label_tables,
            self.datasets,
            [
                (i.severity.value, i.code, i.file, i.message, i.pointer, i.hint, i.tag, i.line, i.column)
                for i in report.issues
            ],
            [(e.file, e.pointer, e.type, e.id, e.valid, e.fair) for e in report.entries],
        )

    def __setstate__(self, state: tuple) -> None:
        (
            self.today,
            self.locate,
            self.count,
            self.offset,
            files,
            self.ids,
            self.references,
            self.label_tables,
            self.datasets,
            issues,
            entries,
        ) = state
        self.report = Report(
            [
                Issue(Severity(sev), code, file, message, pointer, hint, tag, line, column)
                for sev, code, file, message, pointer, hint, tag, line, column in issues
            ],
            [EntrySummary(*e) for e in entries],
            files,
        )


def shift_pointer(pointer: str | None, offset: int) -> str | None:
    if not pointer or not offset:
        return pointer
    head, sep, tail = pointer[1:].partition("/")
    return f"/{int(head) + offset}{sep}{tail}"
