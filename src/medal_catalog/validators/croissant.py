"""Croissant files: mlcroissant's own validation (croissant.reading.validate), reported as our issues.

Nothing here reaches the network or reads outside the submission (``medal_catalog.croissant.jsonld``): a context
given by URL is used only when it is one we ship (Croissant, schema.org, ours), from the shipped copy; any other
context URL, relative or ``file:`` context is refused (``croissant.remote-context``), and a data location
mlcroissant would fetch or read outside the folder (a URL, an absolute path, ``..``, a symbolic link or archive
member leading out) is refused (``croissant.unsafe-location``). mlcroissant runs only on documents with neither.
"""

from __future__ import annotations

from medal_catalog.croissant.jsonld import UnsafeLocation
from medal_catalog.croissant.reading import validate
from medal_catalog.documents import Document
from medal_catalog.report import Issue, Severity

_CODES = {"context": "croissant.remote-context", "location": "croissant.unsafe-location"}
_HINTS = {"context": "Inline the @context (as mlcroissant and Croissant editors write it), or refer to a Croissant "
                     "or schema.org context by its standard URL.",
          "location": "Put the file in the submission folder and refer to it by a path relative to the Croissant "
                      "file; remote data is never fetched during validation."}


def _refusals(doc: Document, refused: list[UnsafeLocation]) -> list[Issue]:
    return [Issue(Severity.ERROR, _CODES[loc.kind], doc.display, f"refused: {loc.reason}", pointer=loc.pointer,
                  hint=_HINTS[loc.kind]) for loc in refused]


def check_croissant(doc: Document) -> list[Issue]:
    """Refused contexts and data locations, else mlcroissant's errors and warnings, as issues."""
    found = validate(doc.data, doc.path.parent)
    if found.refused:
        return _refusals(doc, found.refused)
    issues = [Issue(Severity.ERROR, "croissant.error", doc.display, message, pointer="") for message in found.errors]
    issues += [Issue(Severity.WARNING, "croissant.warning", doc.display, message, pointer="")
               for message in found.warnings]
    if found.failure and not issues:
        issues.append(Issue(Severity.ERROR, "croissant.load-error", doc.display,
                            f"mlcroissant could not read the file ({found.failure[:300]})", pointer=""))
    return issues


def audit_local_data(doc: Document) -> list[Issue]:
    """The Annex E audit of the local data files a Croissant file names (archives opened), for a Croissant file
    validated on its own: in a submission folder its data files are audited with the folder's."""
    from pathlib import Path

    from medal_catalog.croissant.reading import local_data_files
    from medal_catalog.dicom.audit import audit_issues

    issues: list[Issue] = []
    base = Path(doc.display).parent
    for rel, path in local_data_files(doc.data, doc.path.parent, doc.path):
        issues += audit_issues(path, rel, (base / rel).as_posix())
    return issues
