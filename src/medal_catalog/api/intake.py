"""Check a metadata document sent over HTTP with exactly the validator `medal validate` runs.

The body is written to a temporary file and validated by :func:`validate_paths`, so the API reports the same
issues, codes and locations as the command line. Only metadata travels over HTTP, so the checks of declared data
files against the submission folder (``distribution.missing-file``, ``distribution.empty-file-set``) cannot apply
and are left out; sizes and digests of files that are present are never at stake.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from medal_catalog.documents import read_document
from medal_catalog.report import Report, Severity
from medal_catalog.validators.submission import validate_paths

#: Issues about data files, which an HTTP submission does not carry.
NOT_APPLICABLE = {"distribution.missing-file", "distribution.empty-file-set"}


def check_metadata(body: bytes, syntax: str, name: str = "submission") -> tuple[Report, list[dict[str, Any]]]:
    """The validation report of a YAML or JSON body, and its entries (parsed as the validator parses them)."""
    with tempfile.TemporaryDirectory(prefix="medal-api-") as folder:
        path = Path(folder) / f"{name}.{'json' if syntax == 'json' else 'yaml'}"
        path.write_bytes(body)
        report = validate_paths([path], display_root=Path(folder))
        report.issues = [i for i in report.issues if i.code not in NOT_APPLICABLE]
        for entry in report.entries:
            entry.valid = not any(i.severity is Severity.ERROR and i.file == entry.file
                                  and _within(i.pointer or "", entry.pointer) for i in report.issues)
        entries: list[dict[str, Any]] = []
        if report.ok:
            document = read_document(path, path.name)
            entries = [dict(ref.data, type=ref.cls) for ref in document.entries()]
    return report, entries


def _within(pointer: str, parent: str) -> bool:
    return not parent or pointer == parent or pointer.startswith(parent + "/")
