"""Croissant files: mlcroissant's own validation (croissant.reading.validate), reported as our issues.

Nothing here reaches the network or reads outside the submission (``medal_catalog.croissant.jsonld``): a context
given by URL is used only when it is one we ship (Croissant, schema.org, ours), from the shipped copy; any other
context URL, relative or ``file:`` context is refused (``croissant.remote-context``), and a data location
mlcroissant would fetch or read outside the folder (a URL, an absolute path, ``..``, a symbolic link or archive
member leading out) is refused (``croissant.unsafe-location``). mlcroissant runs only on documents with neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medal_catalog.croissant.jsonld import UnsafeLocation
from medal_catalog.croissant.reading import validate
from medal_catalog.documents import Document
from medal_catalog.report import Issue, Severity
from medal_catalog.croissant.reading import inside, local_data_files, location_problems
from medal_catalog.croissant.vocabulary import as_list, local_path, node_kind
from medal_catalog.store.base import validate_entry
from medal_catalog.validators.entries import check_entry
from medal_catalog.validators.rules import orcid_checksum_ok, spdx_licenses

_CODES = {"context": "croissant.remote-context", "location": "croissant.unsafe-location"}
_HINTS = {
    "context": "Inline the @context (as mlcroissant and Croissant editors write it), or refer to a Croissant "
    "or schema.org context by its standard URL.",
    "location": "Put the file in the submission folder and refer to it by a path relative to the Croissant "
    "file; remote data is never fetched, so the catalog cannot check it.",
    "missing": "Put the file next to the Croissant file (a body sent over HTTP carries no data files: "
    "have the folder harvested with `medal harvest`).",
}


def _refusals(doc: Document, refused: list[UnsafeLocation]) -> list[Issue]:
    return [
        Issue(
            Severity.ERROR,
            _CODES[loc.kind],
            doc.display,
            f"refused: {loc.reason}",
            pointer=loc.pointer,
            hint=_HINTS[loc.kind],
        )
        for loc in refused
    ]


def check_croissant(doc: Document) -> list[Issue]:
    """Refused contexts and data locations, else mlcroissant's errors and warnings, as issues."""
    found = validate(doc.data, doc.path.parent)
    if found.refused:
        return _refusals(doc, found.refused)
    issues = [Issue(Severity.ERROR, "croissant.error", doc.display, message, pointer="") for message in found.errors]
    issues += [
        Issue(Severity.WARNING, "croissant.warning", doc.display, message, pointer="") for message in found.warnings
    ]
    if found.failure and not issues:
        issues.append(
            Issue(
                Severity.ERROR,
                "croissant.load-error",
                doc.display,
                f"mlcroissant could not read the file ({found.failure[:300]})",
                pointer="",
            )
        )
    return issues


@dataclass
class CroissantVerdict:
    """What :func:`croissant_verdict` found: the issues, and the ImagingDataset the document maps to (None when it
    could not be mapped, or a check before the mapping found an error)."""

    issues: list[Issue] = field(default_factory=list)
    dataset: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not any(i.severity is Severity.ERROR for i in self.issues)


def croissant_verdict(
    doc: Document,
    *,
    audit: bool = True,
    access_level: str | None = None,
    dataset_id: str | None = None,
    today: dt.date | str | None = None,
) -> CroissantVerdict:
    """The one verdict on a Croissant document, the same for `medal validate`, `medal harvest` and ``POST
    /api/submissions`` (issue 26, "one check everywhere"; docs/contributors.md says why each rule is what it is):

    1. a location that would read outside the document's folder (``..``, absolute, ``file:``, a link out) or a
       context we do not ship is refused, and nothing else runs;
    2. a remote data location (an http(s) ``contentUrl``) is refused (``croissant.unsafe-location``): data are
       never fetched, so a file the catalog cannot check is not accepted on trust;
    3. mlcroissant's own errors and warnings;
    4. every local file a FileObject names must be there (``croissant.missing-file``); a local FileSet matching
       nothing is a warning (``croissant.empty-file-set``); with ``audit``, every local DICOM file passes the
       Annex E audit (a document inside a submission folder is audited with the folder instead);
    5. the document maps to an ImagingDataset (licence, creators, ...) that passes the schema, policy and FAIR
       checks of a submitted one.

    A body sent over HTTP is a document alone in an empty folder: the files it names locally are missing there."""

    verdict = CroissantVerdict()
    issues = verdict.issues
    for problem in location_problems(doc.data, doc.path.parent):  # "<pointer>: <reason>"
        pointer, _, reason = str(problem).partition(": ") if str(problem).startswith("/") else ("", "", str(problem))
        if pointer and any(i.pointer == pointer for i in issues):
            continue  # one refusal per location (the JSON-LD check and the folder check may both name it)
        issues.append(
            Issue(
                Severity.ERROR,
                "croissant.unsafe-location",
                doc.display,
                f"refused: {reason}",
                pointer=pointer.rstrip("/") or "",
                hint=_HINTS["location"],
            )
        )
    if issues:
        return verdict  # never hand a document that points outside its folder to mlcroissant
    issues += check_croissant(doc)
    if any(i.code in ("croissant.unsafe-location", "croissant.remote-context") for i in issues):
        return verdict
    issues += _local_files(doc)
    if audit:
        issues += audit_local_data(doc)
    if any(i.severity is Severity.ERROR for i in issues):
        return verdict
    verdict.dataset = _mapped(doc, issues, access_level=access_level, dataset_id=dataset_id, today=today)
    return verdict


def _local_files(doc: Document) -> list[Issue]:
    """A FileObject's local file that is not in the folder is an error; a local FileSet that matches no file is a
    warning (the same codes and messages as the import's, harvesters/croissant.py)."""

    folder = doc.path.parent
    root = folder.resolve()
    issues: list[Issue] = []
    for i, node in enumerate(as_list(doc.data.get("distribution"))):
        if not isinstance(node, dict) or node.get("containedIn"):
            continue
        kind, where = node_kind(node), f"/distribution/{i}"
        if kind == "FileObject":
            rel = local_path(node.get("contentUrl"))
            target = folder / rel if rel else None
            if target is not None and not (target.is_file() and inside(target, root)):
                issues.append(
                    Issue(
                        Severity.ERROR,
                        "croissant.missing-file",
                        doc.display,
                        "the file the distribution names is not next to the Croissant file",
                        pointer=f"{where}/contentUrl",
                        hint=_HINTS["missing"],
                    )
                )
        elif kind == "FileSet" and node.get("includes"):
            one = {**doc.data, "distribution": [node]}
            if not local_data_files(one, folder, doc.path):
                issues.append(
                    Issue(
                        Severity.WARNING,
                        "croissant.empty-file-set",
                        doc.display,
                        "no file next to the Croissant file matches the file set's includes",
                        pointer=f"{where}/includes",
                    )
                )
    return issues


def _mapped(
    doc: Document, issues: list[Issue], *, access_level: str | None, dataset_id: str | None, today: dt.date | str | None
) -> dict[str, Any] | None:
    """The document's ImagingDataset (croissant.mapping, licences and ORCID iDs judged by the catalog's rules),
    checked as a submitted dataset is; its problems are appended to ``issues``."""
    from medal_catalog.croissant.mapping import map_dataset  # inline: adds ~100 ms to this module's import

    def issue(
        code: str,
        message: str,
        *,
        pointer: str | None = "",
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        issues.append(Issue(severity, code, doc.display, message, pointer=pointer, hint=hint))

    dataset = map_dataset(
        doc.data,
        doc.path,
        issue,
        access_level=access_level,
        dataset_id=dataset_id,
        licenses=spdx_licenses,
        orcid_ok=orcid_checksum_ok,
    )
    if dataset is not None:
        issues += entry_issues(dataset, doc.display, today)
    return dataset


def entry_issues(dataset: dict[str, Any], display: str, today: dt.date | str | None = None) -> list[Issue]:
    """A mapped dataset must pass what a submitted one passes: schema, policy rules, the pydantic model."""

    day = today if isinstance(today, str) else (today or dt.date.today()).isoformat()
    findings, _, _ = check_entry("ImagingDataset", dataset, day)
    out = [
        Issue(f.severity, f.code, display, f"the mapped dataset: {f.message}", pointer=f.pointer, hint=f.hint)
        for f in findings
        if f.severity is not Severity.INFO
    ]
    out += [
        Issue(Severity.ERROR, "croissant.mapped-invalid", display, f"the mapped dataset: {problem}", pointer="")
        for problem in validate_entry(dataset, "ImagingDataset").problems
    ]
    return out


def audit_local_data(doc: Document) -> list[Issue]:
    """The Annex E audit of the local data files a Croissant file names (archives opened), for a Croissant file
    validated on its own: in a submission folder its data files are audited with the folder's."""

    from medal_catalog.dicom.audit import audit_issues  # inline: adds ~90 ms to this module's import

    issues: list[Issue] = []
    base = Path(doc.display).parent
    for rel, path in local_data_files(doc.data, doc.path.parent, doc.path):
        issues += audit_issues(path, rel, (base / rel).as_posix())
    return issues
