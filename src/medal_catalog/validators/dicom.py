"""DICOM files in a submission: not DICOM, unreadable, or carrying identifying attributes (PHI audit).

The audit and the issues it becomes live in the DICOM format package (dicom/audit.py, shared with the harvester
and the Croissant import); this module only decides which data files are audited how. Values of flagged
attributes never reach the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator

from medal_catalog.dicom.archives import is_archive_file
from medal_catalog.dicom.audit import attribute_issues, audit_file, audit_issues
from medal_catalog.dicom.header import DICOM_SUFFIXES, FileProblem
from medal_catalog.report import Issue, Severity


def check_data_files(paths: Iterable[Path], display: Callable[[Path], str],
                     progress: Callable[[str], None] | None = None) -> Iterator[Issue]:
    """Issues for the data files of a submission: DICOM recognised by content, then audited."""
    for path in paths:
        if progress:
            progress(str(path))
        result = audit_file(path)
        name = display(path)
        if isinstance(result, FileProblem):
            if result.not_dicom and is_archive_file(path):
                yield from audit_issues(path, name, name)
                continue
            if result.not_dicom:
                # Data files (CSV labels, NIfTI, reports) are expected; only a DICOM name on non-DICOM is wrong.
                if path.suffix.lower() in DICOM_SUFFIXES:
                    yield Issue(Severity.ERROR, "dicom.not-dicom", name, "named like a DICOM file but it is not one",
                                hint="DICOM files start with a 128-byte preamble and 'DICM'.")
                continue
            yield Issue(Severity.ERROR, "dicom.unreadable", name, f"the DICOM file cannot be read: {result.reason}")
            continue
        yield from attribute_issues(result.findings, name)
