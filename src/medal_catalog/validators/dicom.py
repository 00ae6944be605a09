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


def rewrite_notes(datasets: Iterable[tuple[str, dict]], dicom_files: list[Path]) -> Iterator[Issue]:
    """One ``dicom.rewrite`` info per dataset of a submission folder with DICOM: how many files the catalog would
    rewrite before keeping them, and how (dicom/deidentify.py), so that the served copies surprise nobody.
    ``datasets``: (display name of its metadata file, the dataset entry)."""
    from medal_catalog.dicom.deidentify import plan

    count = sum(1 for p in dicom_files if _is_part10(p))
    if not count:
        return
    for display, dataset in datasets:
        declared = dataset.get("deidentification") or {}
        if dataset.get("access_level") not in ("open", "controlled"):
            message = (f"{count} DICOM files are harvested for their headers only: the catalog keeps none, since "
                       "the dataset is neither open nor controlled access")
        elif declared.get("burned_in_annotation") != "NO":
            message = (f"{count} DICOM files would not be kept: burned-in annotation is not declared NO")
        else:
            message = (f"{count} DICOM files would be kept only as the catalog's rewrite, each audited again "
                       f"(files the audit flags stay out): {plan(declared).describe()}")
        yield Issue(Severity.INFO, "dicom.rewrite", display, message, pointer="/deidentification",
                    hint="The catalog serves only copies it de-identified itself; the originals are never stored.")


def _is_part10(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(132)[128:] == b"DICM"
    except OSError:
        return False
