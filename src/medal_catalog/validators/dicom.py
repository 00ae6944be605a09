"""DICOM files in a submission: not DICOM, unreadable, or carrying identifying attributes (PHI audit).

The audit and the issues it becomes live in the DICOM format package (dicom/audit.py, shared with the harvester
and the Croissant import); this module only decides which data files are audited how. Values of flagged
attributes never reach the report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from dataclasses import replace

from medal_catalog.dicom.archives import is_archive_file
from medal_catalog.dicom.audit import AUDIT_CAPTURE, AUDIT_WATCH, PhiAudit, attribute_issues, audit_file, audit_issues
from medal_catalog.dicom.header import DEFAULT_MAX_HEADER_BYTES, DICOM_SUFFIXES, FileProblem, HeaderError, read
from medal_catalog.report import Issue, Severity
from medal_catalog.dicom.audit import audit_header, text

_STUDY_UID, _SERIES_UID, _METHOD = 0x0020000D, 0x0020000E, 0x00120063
_CAPTURE = AUDIT_CAPTURE | {_STUDY_UID, _SERIES_UID, _METHOD}


@dataclass(slots=True)
class FileRead:
    """All that `medal validate` needs of one data file, from one open and one header read (issue 29): the audit
    (or why the file is not readable DICOM), whether it is Part 10 (preamble and "DICM"), and the public-check
    facts of contamination/check.py ``read_facts`` (None when not asked for, or not readable DICOM)."""

    audit: PhiAudit | FileProblem
    part10: bool
    facts: dict[str, Any] | None = None


def read_once(path: Path, pixel_hash: bool | None, limit: int = DEFAULT_MAX_HEADER_BYTES) -> FileRead:
    """Read a data file once for the audit, the Part 10 test and (``pixel_hash`` not None) the public-check facts,
    with the pixel digest when ``pixel_hash``; the same verdicts as audit_file, _is_part10 and read_facts.
    ``limit``: the most bytes a header may take (the caller's MEDAL_DICOM_MAX_HEADER_BYTES)."""

    name = os.fspath(path)
    try:
        with open(name, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            part10 = stream.read(132)[128:] == b"DICM"
            stream.seek(0)
            header = read(stream, size, _CAPTURE, AUDIT_WATCH, limit)
            facts = None
            if pixel_hash is not None:
                # inline: `medal validate FILE.dcm` does not need dicom.pixels at start-up
                from medal_catalog.dicom.pixels import header_pixel_digest

                try:
                    series = text(header.top.get(_SERIES_UID))
                    facts = (
                        {
                            "study": text(header.top.get(_STUDY_UID)) or "",
                            "series": series,
                            "method": text(header.top.get(_METHOD)),
                            "pixels": header_pixel_digest(stream, header) if pixel_hash else None,
                        }
                        if series
                        else None
                    )
                except (OSError, MemoryError, ValueError):
                    facts = None
    except HeaderError as exc:
        return FileRead(
            FileProblem(name, exc.reason, "skipped" if exc.not_dicom else "error", exc.not_dicom), _is_part10(path)
        )
    except OSError as exc:
        return FileRead(FileProblem(name, f"cannot read: {exc.strerror or exc.__class__.__name__}"), False)
    audit = audit_header(header)
    if header.truncated:
        audit = replace(audit, truncated=header.truncated)
    return FileRead(audit, part10, facts)


def check_data_files(
    paths: Iterable[Path],
    display: Callable[[Path], str],
    progress: Callable[[str], None] | None = None,
    reads: dict[Path, FileRead] | None = None,
    pixel_hash: bool | None = None,
    limit: int | None = None,
) -> Iterator[Issue]:
    """Issues for the data files of a submission: DICOM recognised by content, then audited. With ``reads``,
    each file is read once (:func:`read_once`, public-check facts unless ``pixel_hash`` is None) and what was
    read is kept there for the folder's other checks. ``limit``: the most bytes a header may take (None: the
    default, DEFAULT_MAX_HEADER_BYTES)."""
    limit = DEFAULT_MAX_HEADER_BYTES if limit is None else limit
    for path in paths:
        if progress:
            progress(str(path))
        if reads is not None:
            reads[path] = done = read_once(path, pixel_hash, limit)
            result = done.audit
        else:
            result = audit_file(path, limit)
        name = display(path)
        if isinstance(result, FileProblem):
            if result.not_dicom and is_archive_file(path):
                yield from audit_issues(path, name, name, limit=limit)
                continue
            if result.not_dicom:
                # Data files (CSV labels, NIfTI, reports) are expected; only a DICOM name on non-DICOM is wrong.
                if path.suffix.lower() in DICOM_SUFFIXES:
                    yield Issue(
                        Severity.ERROR,
                        "dicom.not-dicom",
                        name,
                        "named like a DICOM file but it is not one",
                        hint="DICOM files start with a 128-byte preamble and 'DICM'.",
                    )
                continue
            yield Issue(Severity.ERROR, "dicom.unreadable", name, f"the DICOM file cannot be read: {result.reason}")
            continue
        if result.truncated:
            yield Issue(
                Severity.WARNING,
                "dicom.truncated",
                name,
                f"the DICOM file looks cut short: {result.truncated}",
                hint="Copy the file again from its source; a harvest keeps its header but not a whole image.",
            )
        yield from attribute_issues(result.findings, name)


def rewrite_notes(
    datasets: Iterable[tuple[str, dict]], dicom_files: list[Path], reads: dict[Path, FileRead] | None = None
) -> Iterator[Issue]:
    """One ``dicom.rewrite`` info per dataset of a submission folder with DICOM: how many files the catalog would
    rewrite before keeping them, and how (dicom/deidentify.py), so that the served copies surprise nobody.
    ``datasets``: (display name of its metadata file, the dataset entry)."""
    # inline: `medal validate FILE.dcm` does not need dicom.deidentify at start-up
    from medal_catalog.dicom.deidentify import plan

    count = sum(1 for p in dicom_files if _part10(p, reads))
    if not count:
        return
    for display, dataset in datasets:
        declared = dataset.get("deidentification") or {}
        if dataset.get("access_level") not in ("open", "controlled"):
            message = (
                f"{count} DICOM files are harvested for their headers only: the catalog keeps none, since "
                "the dataset is neither open nor controlled access"
            )
        elif declared.get("burned_in_annotation") != "NO":
            # A warning, said here before harvest says it: an open dataset whose images the catalog cannot serve
            # is rarely what the contributor meant.
            yield Issue(
                Severity.WARNING,
                "dicom.burned-in-not-declared",
                display,
                f"{count} DICOM files of this open dataset would not be kept or served: "
                "`deidentification.burned_in_annotation` is not declared NO",
                pointer="/deidentification/burned_in_annotation",
                hint="Once you have checked that no pixel data hold burned-in text (names, dates, IDs), "
                'set `deidentification.burned_in_annotation: "NO"`; otherwise leave it and the '
                "catalog keeps the metadata only.",
            )
            continue
        else:
            message = (
                f"{count} DICOM files would be kept only as the catalog's rewrite, each audited again "
                f"(files the audit flags stay out): {plan(declared).describe()}"
            )
        yield Issue(
            Severity.INFO,
            "dicom.rewrite",
            display,
            message,
            pointer="/deidentification",
            hint="The catalog serves only copies it de-identified itself; the originals are never stored.",
        )


#: Files named in an undeclared-DICOM warning before "and N more".
_EXAMPLES = 3


def undeclared_dicom(
    datasets: Iterable[tuple[str, dict]],
    dicom_files: list[Path],
    display: Callable[[Path], str],
    reads: dict[Path, FileRead] | None = None,
) -> Iterator[Issue]:
    """One ``distribution.undeclared-dicom`` warning per dataset that declares DICOM file sets when DICOM files
    of the folder (recognised by content, whatever their names) match none of the folder's datasets' ``includes``
    patterns: harvest would leave them out silently. ``datasets``: (display name of its metadata file, entry)."""
    declaring = [(name, dataset, patterns) for name, dataset in datasets if (patterns := _dicom_patterns(dataset))]
    if not declaring:
        return  # a lone dataset without file sets takes the whole folder; nothing is left out
    included = {
        p.resolve() for name, _, patterns in declaring for pattern in patterns for p in Path(name).parent.glob(pattern)
    }
    left = [p for p in dicom_files if p.resolve() not in included and _part10(p, reads)]
    if not left:
        return
    shown = ", ".join(display(p) for p in left[:_EXAMPLES]) + (
        f" and {len(left) - _EXAMPLES} more" if len(left) > _EXAMPLES else ""
    )
    for name, _, patterns in declaring:
        base = Path(name).parent
        try:
            folder = left[0].parent.relative_to(base).as_posix()
        except ValueError:
            folder = ""
        suggestion = f"{folder.split('/')[0]}/**/*" if folder and folder != "." else "**/*"
        yield Issue(
            Severity.WARNING,
            "distribution.undeclared-dicom",
            name,
            f"{len(left)} DICOM files in the folder match no `includes` pattern "
            f"({', '.join(patterns)}), so harvest leaves them out: {shown}",
            pointer="/distribution",
            hint=f"DICOM is recognised by content, not by name (GE writes files such as i22.MRDC.1): "
            f"widen the file set's pattern, e.g. `includes: {suggestion}`, or add a file set that "
            "matches them.",
        )


def _dicom_patterns(dataset: dict) -> list[str]:
    """The ``includes`` patterns of a dataset's local DICOM file sets (as harvesters/submission.py reads them)."""
    return [
        d["includes"]
        for d in dataset.get("distribution") or []
        if isinstance(d, dict)
        and d.get("distribution_kind") == "file_set"
        and isinstance(d.get("includes"), str)
        and d.get("media_type") in ("application/dicom", "image/dicom")
        and not d.get("url")
    ]


def _part10(path: Path, reads: dict[Path, FileRead] | None) -> bool:
    done = reads.get(path) if reads is not None else None
    return done.part10 if done is not None else _is_part10(path)


def _is_part10(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(132)[128:] == b"DICM"
    except OSError:
        return False
