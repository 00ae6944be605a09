"""Import a Croissant (1.0 or 1.1) dataset description as an ImagingDataset, keeping the original document.

The file is checked with mlcroissant (our validator) and its local file locations are checked before anything is
read: a location must stay inside the Croissant file's folder (no ``..``, absolute paths, ``file:`` URLs or
symlinks out). The dataset's metadata is mapped to the MEDAL schema (licence as SPDX, creators with ORCID,
distribution with checksums, record-set summaries, RAI notes, DUO consent from ``usageInfo``), and the entry must
pass the same schema and policy checks as a submitted one. The original document is kept unchanged with the entry;
for an open-access dataset, its local data files are kept too (their declared checksums verified), so that the
catalog serves them and the dataset's Croissant export loads the same records (see croissant/source.py).
Problems are collected in a report; when there is an error nothing is stored.

Reading, checking and mapping the document are the Croissant format's (medal_catalog.croissant); this module runs
them with the catalog's validators, audits the local DICOM, harvests it into series (harvesters/dicom.py) and
stores the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from medal_catalog._version import __version__
from medal_catalog.croissant.mapping import map_dataset
from medal_catalog.croissant.reading import collect_files, dicom_paths, is_croissant, location_problems, remote_masked
from medal_catalog.report import Issue, Report, Severity

TOOL = "medal harvest"


@dataclass
class CroissantImport:
    """What importing one Croissant file produced: the report, the mapped dataset and the files to keep with it
    (path -> (content, media type), the original document included), and what the catalog stored."""

    source: str
    report: Report
    dataset: dict[str, Any] | None = None
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    stored: Any = None  # the PutResult of the dataset, once stored
    stored_files: list[Any] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)  # harvested from the dataset's local DICOM
    dicom: dict[str, Any] | None = None  # the summary of that harvest
    stored_series: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the dataset was mapped without error (and so may be, or was, stored)."""
        return self.dataset is not None and self.report.ok

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "kind": "croissant", "ok": self.ok,
                "dataset": (self.dataset or {}).get("id"),
                "stored": [self.stored.to_dict()] if self.stored is not None else [],
                "files": [f.to_dict() for f in self.stored_files] if self.stored_files else
                         [{"path": p, "byte_size": len(b), "media_type": t} for p, (b, t) in self.files.items()],
                "series": len(self.series), "dicom": self.dicom,
                "report": self.report.to_dict()}


def import_croissant(path: Path, *, access_level: str | None = None, dataset_id: str | None = None,
                     keep_files: bool = True, display: str | None = None, today: dt.date | None = None
                     ) -> CroissantImport:
    """Validate and map the Croissant file ``path`` (:func:`medal_catalog.ingestion.ingest_croissant` stores the
    result). ``access_level`` applies when the document has no ``medal:accessLevel`` (default: open for
    an open SPDX licence); ``dataset_id`` replaces the id made from the dataset's name. With ``keep_files`` False
    (documents sent over HTTP) only the original document is kept."""
    from medal_catalog.documents import Document
    from medal_catalog.validators.croissant import check_croissant

    display = display or str(path)
    report = Report()
    result = CroissantImport(display, report)
    started = dt.datetime.now(dt.timezone.utc)
    issue = _issuer(report, display)
    from medal_catalog.documents import DocumentError, load_json

    try:
        raw = path.read_bytes()
        data = load_json(raw)
    except DocumentError as exc:  # too deep, too many values, bad syntax: the bounded reader's own codes
        report.add(Issue(Severity.ERROR, exc.code, display, exc.message, pointer="", hint=exc.hint,
                         line=exc.line, column=exc.column))
        return result
    except (OSError, ValueError) as exc:
        issue("croissant.unreadable", f"not a readable JSON document ({type(exc).__name__})")
        return result
    if not is_croissant(data):
        issue("croissant.not-croissant", "not a Croissant document (a schema.org Dataset with the Croissant context "
              "or conformsTo)", pointer="", hint="Croissant files declare conformsTo http://mlcommons.org/croissant/1.1.")
        return result
    folder = path.parent
    for problem in location_problems(data, folder):
        report.add(problem if isinstance(problem, Issue) else Issue(
            Severity.ERROR, "croissant.unsafe-location", display, str(problem), pointer=""))
    if not report.ok:
        return result  # never hand a document that points outside its folder to mlcroissant
    checked = remote_masked(data)
    report.extend(check_croissant(Document(path, display, raw.decode("utf-8", "replace"), checked, "json")))
    if not report.ok:
        return result
    dataset = _map(data, path, issue, access_level=access_level, dataset_id=dataset_id)
    if dataset is None:
        return result
    result.files[path.name] = (raw, "application/ld+json")
    if keep_files and dataset.get("access_level") == "open":
        collect_files(data, folder, path, dataset, result.files, issue, _auditor(report, display))
    ended = dt.datetime.now(dt.timezone.utc)
    dataset.setdefault("provenance", {})["harvest_runs"] = [{
        "id": f"{dataset['id'][:100]}.harvest-{started:%Y%m%dt%H%M%S}", "started_at": _iso(started),
        "ended_at": _iso(ended), "tool": TOOL, "tool_version": __version__, "source_kind": "croissant",
        "files_seen": len(result.files), "files_read": len(result.files), "files_skipped": 0}]
    if keep_files and report.ok:
        declared = dict(dataset.get("deidentification") or {})  # the document's, before the harvest's merge
        dataset = _with_dicom(data, folder, path, dataset, result)
        _rewrite_dicom(result, dataset["id"], declared, path.name, issue)
    _check_entry(dataset, issue, today)
    result.dataset = dataset
    return result


def _check_entry(dataset: dict[str, Any], issue, today: dt.date | None) -> None:
    """The mapped entry must pass what a submitted one passes: schema, policy rules, the pydantic model."""
    from medal_catalog.store.base import validate_entry
    from medal_catalog.validators.entries import check_entry

    findings, _, _ = check_entry("ImagingDataset", dataset, (today or dt.date.today()).isoformat())
    for found in findings:
        if found.severity is not Severity.INFO:
            issue(found.code, f"the mapped dataset: {found.message}", pointer=found.pointer, hint=found.hint,
                  severity=found.severity)
    validated = validate_entry(dataset, "ImagingDataset")
    for problem in validated.problems:
        issue("croissant.mapped-invalid", f"the mapped dataset: {problem}")


def _map(data: dict[str, Any], path: Path, issue, *, access_level: str | None,
         dataset_id: str | None) -> dict[str, Any] | None:
    """The ImagingDataset of a valid Croissant document (croissant.mapping), licences and ORCID iDs judged by the
    catalog's rules; None (with error issues) when it cannot be one."""
    from medal_catalog.validators.rules import orcid_checksum_ok, spdx_licenses

    return map_dataset(data, path, issue, access_level=access_level, dataset_id=dataset_id, licenses=spdx_licenses,
                       orcid_ok=orcid_checksum_ok)


def _with_dicom(data: dict[str, Any], folder: Path, source: Path, dataset: dict[str, Any],
                result: CroissantImport) -> dict[str, Any]:
    """The dataset merged with the harvest of the local DICOM its distribution lists (files, file sets, the
    archives they are contained in): typed series, counts, modalities, the Annex E audit, as for a submission.
    Its own distribution stays as the Croissant describes it."""
    paths = dicom_paths(data, folder, source)
    if not paths:
        return dataset
    from medal_catalog.harvesters.dicom import harvest_dicom
    from medal_catalog.harvesters.dicom_records import merge_harvest

    harvest = harvest_dicom(paths, dataset["id"], title=dataset.get("title"),
                            access_level=dataset.get("access_level", "controlled"),
                            license_id=(dataset.get("license") or {}).get("spdx_id", "LicenseRef-unspecified"))
    result.dicom = harvest.summary
    if not harvest.series:
        return dataset
    merged, result.series = merge_harvest(dataset, harvest, distributions=False)
    return merged


def _rewrite_dicom(result: CroissantImport, dataset_id: str, declared: dict[str, Any], original: str,
                   issue) -> None:
    """Replace every kept file holding DICOM by the catalog's rewrite (dicom/deidentify.py, keyed like the
    harvested series' UIDs); a DICOM file that cannot be kept is an error naming it, and then nothing is stored.
    The export's checksums are the kept copies' (croissant/source.py)."""
    from medal_catalog.config import get_settings
    from medal_catalog.dicom.audit import audit_content
    from medal_catalog.dicom.deidentify import Deidentifier, dataset_key, plan, rewrite_content

    deidentifier = None
    for rel, (content, media) in list(result.files.items()):
        if rel == original or not audit_content(content, rel)[0]:
            continue
        if deidentifier is None:
            key = dataset_key(dataset_id, get_settings().deid_secret)[:16]  # the harvest's salt
            deidentifier = Deidentifier(key, plan(declared))
        copy, problems = rewrite_content(content, rel, deidentifier, declared.get("burned_in_annotation"))
        for member, why in problems:
            issue("dicom.not-kept", f"{rel + '!' + member if member else rel}: the catalog cannot keep it as its "
                  f"de-identified rewrite: {why}", pointer=None,
                  hint="Add medal:burnedInAnnotation NO only for data without burned-in text.")
        if copy is not None:
            result.files[rel] = (copy, media)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _auditor(report: Report, display: str) -> Callable[[Any, str], bool]:
    """``audited(content or path, relative path)``: True when no DICOM file in it fails the Annex E audit;
    otherwise its problems are reported (members named ``file!member``)."""
    from medal_catalog.dicom.audit import audit_issues

    base = Path(display).parent

    def audited(data: Any, rel: str) -> bool:
        issues = audit_issues(data, rel, (base / rel).as_posix(), unreadable="croissant.missing-file")
        report.extend(issues)
        return not issues
    return audited


def _issuer(report: Report, display: str):
    def issue(code: str, message: str, *, pointer: str | None = "", hint: str | None = None,
              severity: Severity = Severity.ERROR) -> None:
        report.add(Issue(severity, code, display, message, pointer=pointer, hint=hint))
    return issue


__all__ = ["CroissantImport", "import_croissant"]
