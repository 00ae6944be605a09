"""DICOM files in a submission: not DICOM, unreadable, or carrying identifying attributes (PHI audit).

The audit itself lives in dicom/audit.py (shared with the DICOM harvester); this module only turns its
results into report issues. Values of flagged attributes never reach the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from medal_catalog.dicom.header import DICOM_SUFFIXES, FileProblem
from medal_catalog.report import Issue, Severity



def check_data_files(paths: Iterable[Path], display: Callable[[Path], str],
                     progress: Callable[[str], None] | None = None) -> Iterator[Issue]:
    """Issues for the data files of a submission: DICOM recognised by content, then audited."""
    from medal_catalog.dicom.audit import audit_content, audit_file

    for path in paths:
        if progress:
            progress(str(path))
        result = audit_file(path)
        name = display(path)
        if isinstance(result, FileProblem):
            if result.not_dicom and _archive(path):
                try:
                    _, problems = audit_content(path, name)
                except OSError as exc:
                    yield Issue(Severity.ERROR, "path.unreadable", name, f"cannot read the file ({exc.strerror})")
                    continue
                yield from content_issues(problems, name)
                continue
            if result.not_dicom:
                # Data files (CSV labels, NIfTI, reports) are expected; only a DICOM name on non-DICOM is wrong.
                if path.suffix.lower() in DICOM_SUFFIXES:
                    yield Issue(Severity.ERROR, "dicom.not-dicom", name, "named like a DICOM file but it is not one",
                                hint="DICOM files start with a 128-byte preamble and 'DICM'.")
                continue
            yield Issue(Severity.ERROR, "dicom.unreadable", name, f"the DICOM file cannot be read: {result.reason}")
            continue
        yield from _phi_issues(result.findings, name)


DEIDENTIFY = "De-identify with the Basic Profile before submitting."


def content_issues(problems: Iterable[Any], display: str) -> Iterator[Issue]:
    """Issues for the DICOM files inside a file that an audit_content found problems with (``display`` names the
    file; members are named ``display!member``)."""
    for problem in problems:
        name = f"{display}!{problem.member}" if problem.member else display
        if problem.audit is None:
            yield Issue(Severity.ERROR, "dicom.unreadable", name, f"cannot be audited: {problem.reason}",
                        hint="The catalog keeps no DICOM it cannot audit.")
            continue
        yield from _phi_issues(problem.audit.findings, name)


def _phi_issues(findings: Iterable[Any], name: str) -> Iterator[Issue]:
    for finding in findings:
        yield Issue(Severity.ERROR, "dicom.phi", name,
                    f"{finding.keyword}: {finding.reason} (PS3.15 Annex E action {finding.action}); "
                    "its value is not shown", tag=finding.tag, hint=DEIDENTIFY)


def _archive(path: Path) -> bool:
    from medal_catalog.dicom.audit import is_archive

    try:
        with path.open("rb") as stream:
            return is_archive(stream.read(512))
    except OSError:
        return False
