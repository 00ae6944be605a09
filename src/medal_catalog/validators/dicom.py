"""DICOM files in a submission: not DICOM, unreadable, or carrying identifying attributes (PHI audit).

The audit itself lives in validators/phi.py (shared with the DICOM harvester); this module only turns its
results into report issues. Values of flagged attributes never reach the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator

from medal_catalog.validators.report import Issue, Severity

DICOM_SUFFIXES = {".dcm", ".dicom", ".dic", ".ima"}


def check_data_files(paths: Iterable[Path], display: Callable[[Path], str],
                     progress: Callable[[str], None] | None = None) -> Iterator[Issue]:
    """Issues for the data files of a submission: DICOM recognised by content, then audited."""
    from medal_catalog.harvesters.base import FileProblem
    from medal_catalog.validators.phi import audit_file

    for path in paths:
        if progress:
            progress(str(path))
        result = audit_file(path)
        name = display(path)
        if isinstance(result, FileProblem):
            if result.not_dicom:
                # Data files (CSV labels, NIfTI, reports) are expected; only a DICOM name on non-DICOM is wrong.
                if path.suffix.lower() in DICOM_SUFFIXES:
                    yield Issue(Severity.ERROR, "dicom.not-dicom", name, "named like a DICOM file but it is not one",
                                hint="DICOM files start with a 128-byte preamble and 'DICM'.")
                continue
            yield Issue(Severity.ERROR, "dicom.unreadable", name, f"the DICOM file cannot be read: {result.reason}")
            continue
        for finding in result.findings:
            yield Issue(Severity.ERROR, "dicom.phi", name,
                        f"{finding.keyword}: {finding.reason} (PS3.15 Annex E action {finding.action}); "
                        "its value is not shown",
                        tag=finding.tag, hint="De-identify with the Basic Profile before submitting.")
