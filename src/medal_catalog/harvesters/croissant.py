"""Import a Croissant (1.0 or 1.1) dataset description as an ImagingDataset, keeping the original document.

The file gets the one verdict `medal validate` and the API give too (validators/croissant.croissant_verdict):
its locations must stay inside the Croissant file's folder (no ``..``, absolute paths, ``file:`` URLs, symlinks out
or remote URLs), mlcroissant's validation, its local files present and audited, the mapped entry's checks. The dataset's metadata is mapped to the MEDAL schema (licence as SPDX, creators with ORCID,
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
from typing import TYPE_CHECKING, Any, Callable

from medal_catalog._version import __version__
from medal_catalog.croissant.reading import collect_files, dicom_paths, is_croissant
from medal_catalog.report import Issue, Report, Severity
from medal_catalog.dicom.deidentify import Deidentifier, dataset_key, plan, rewrite_content
from medal_catalog.documents import Document, DocumentError, load_json
from medal_catalog.validators.croissant import croissant_verdict, entry_issues

if TYPE_CHECKING:
    from medal_catalog.config import Settings

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
        return {
            "source": self.source,
            "kind": "croissant",
            "ok": self.ok,
            "dataset": (self.dataset or {}).get("id"),
            "stored": [self.stored.to_dict()] if self.stored is not None else [],
            "files": [f.to_dict() for f in self.stored_files]
            if self.stored_files
            else [{"path": p, "byte_size": len(b), "media_type": t} for p, (b, t) in self.files.items()],
            "series": len(self.series),
            "dicom": self.dicom,
            "report": self.report.to_dict(),
        }


def import_croissant(
    path: Path,
    *,
    access_level: str | None = None,
    dataset_id: str | None = None,
    keep_files: bool = True,
    display: str | None = None,
    today: dt.date | None = None,
    settings: Settings,
) -> CroissantImport:
    """Validate and map the Croissant file ``path`` (:func:`medal_catalog.ingestion.ingest_croissant` stores the
    result). ``access_level`` applies when the document has no ``medal:accessLevel`` (default: open for
    an open SPDX licence); ``dataset_id`` replaces the id made from the dataset's name. With ``keep_files`` False
    (documents sent over HTTP) only the original document is kept. ``settings`` (the caller's: the CLI's, a
    catalog's) key the pseudonyms and rewrites of the DICOM it lists, and bound their header reads."""

    display = display or str(path)
    report = Report()
    result = CroissantImport(display, report)
    started = dt.datetime.now(dt.timezone.utc)
    issue = _issuer(report, display)

    try:
        raw = path.read_bytes()
        data = load_json(raw)
    except DocumentError as exc:  # too deep, too many values, bad syntax: the bounded reader's own codes
        report.add(
            Issue(
                Severity.ERROR,
                exc.code,
                display,
                exc.message,
                pointer="",
                hint=exc.hint,
                line=exc.line,
                column=exc.column,
            )
        )
        return result
    except (OSError, ValueError) as exc:
        issue("croissant.unreadable", f"not a readable JSON document ({type(exc).__name__})")
        return result
    if not is_croissant(data):
        issue(
            "croissant.not-croissant",
            "not a Croissant document (a schema.org Dataset with the Croissant context or conformsTo)",
            pointer="",
            hint="Croissant files declare conformsTo http://mlcommons.org/croissant/1.1.",
        )
        return result
    folder = path.parent
    # The one verdict validate and the API give too (validators/croissant.py): locations, mlcroissant, local
    # files and their Annex E audit, the mapped entry's checks.
    verdict = croissant_verdict(
        Document(path, display, raw.decode("utf-8", "replace"), data, "json"),
        access_level=access_level,
        dataset_id=dataset_id,
        today=today,
    )
    report.extend(verdict.issues)
    if not report.ok or verdict.dataset is None:
        return result
    dataset = verdict.dataset
    issue = _issuer(report, display)  # from here, an issue the verdict already reported is not repeated
    result.files[path.name] = (raw, "application/ld+json")
    if keep_files and dataset.get("access_level") == "open":
        collect_files(
            data, folder, path, dataset, result.files, issue, _auditor(report, display, settings.dicom_max_header_bytes)
        )
    ended = dt.datetime.now(dt.timezone.utc)
    dataset.setdefault("provenance", {})["harvest_runs"] = [
        {
            "id": f"{dataset['id'][:100]}.harvest-{started:%Y%m%dt%H%M%S}",
            "started_at": _iso(started),
            "ended_at": _iso(ended),
            "tool": TOOL,
            "tool_version": __version__,
            "source_kind": "croissant",
            "files_seen": len(result.files),
            "files_read": len(result.files),
            "files_skipped": 0,
        }
    ]
    if keep_files and report.ok:
        declared = dict(dataset.get("deidentification") or {})  # the document's, before the harvest's merge
        dataset = _with_dicom(data, folder, path, dataset, result, settings)
        _rewrite_dicom(result, dataset["id"], declared, path.name, issue, settings)
    if result.dicom is not None:  # the merged harvest may change the entry: checked again, nothing repeated
        for found in entry_issues(dataset, display, today):
            _add_new(report, found)
    result.dataset = dataset
    return result


def _with_dicom(
    data: dict[str, Any],
    folder: Path,
    source: Path,
    dataset: dict[str, Any],
    result: CroissantImport,
    settings: Settings,
) -> dict[str, Any]:
    """The dataset merged with the harvest of the local DICOM its distribution lists (files, file sets, the
    archives they are contained in): typed series, counts, modalities, the Annex E audit, as for a submission.
    Its own distribution stays as the Croissant describes it."""
    paths = dicom_paths(data, folder, source)
    if not paths:
        return dataset
    # inline: loads pydantic, which this module does not
    from medal_catalog.harvesters.dicom import harvest_dicom
    from medal_catalog.harvesters.dicom_records import merge_harvest

    harvest = harvest_dicom(
        paths,
        dataset["id"],
        title=dataset.get("title"),
        access_level=dataset.get("access_level", "controlled"),
        license_id=(dataset.get("license") or {}).get("spdx_id", "LicenseRef-unspecified"),
        settings=settings,
    )
    result.dicom = harvest.summary
    if not harvest.series:
        return dataset
    merged, result.series = merge_harvest(dataset, harvest, distributions=False)
    return merged


def _rewrite_dicom(
    result: CroissantImport, dataset_id: str, declared: dict[str, Any], original: str, issue, settings: Settings
) -> None:
    """Replace every kept file holding DICOM by the catalog's rewrite (dicom/deidentify.py, keyed like the
    harvested series' UIDs); a DICOM file that cannot be kept is an error naming it, and then nothing is stored.
    The export's checksums are the kept copies' (croissant/source.py)."""
    from medal_catalog.dicom.audit import audit_content  # inline: adds ~120 ms to this module's import

    deidentifier = None
    for rel, (content, media) in list(result.files.items()):
        if rel == original or not audit_content(content, rel, settings.dicom_max_header_bytes)[0]:
            continue
        if deidentifier is None:
            key = dataset_key(dataset_id, settings.deid_secret)[:16]  # the harvest's salt
            deidentifier = Deidentifier(key, plan(declared))
        copy, problems = rewrite_content(content, rel, deidentifier, declared.get("burned_in_annotation"))
        for member, why in problems:
            issue(
                "dicom.not-kept",
                f"{rel + '!' + member if member else rel}: the catalog cannot keep it as its "
                f"de-identified rewrite: {why}",
                pointer=None,
                hint="Add medal:burnedInAnnotation NO only for data without burned-in text.",
            )
        if copy is not None:
            result.files[rel] = (copy, media)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _auditor(report: Report, display: str, limit: int) -> Callable[[Any, str], bool]:
    """``audited(content or path, relative path)``: True when no DICOM file in it fails the Annex E audit;
    otherwise its problems are reported (members named ``file!member``)."""
    from medal_catalog.dicom.audit import audit_issues  # inline: adds ~120 ms to this module's import

    base = Path(display).parent

    def audited(data: Any, rel: str) -> bool:
        issues = audit_issues(data, rel, (base / rel).as_posix(), unreadable="croissant.missing-file", limit=limit)
        for found in issues:  # (the verdict audited the local files already)
            _add_new(report, found)
        return not issues

    return audited


def _add_new(report: Report, found: Issue) -> None:
    """Add ``found`` unless the report holds the same issue (code, file, pointer, message) already."""
    if not any(
        (i.code, i.file, i.pointer, i.message) == (found.code, found.file, found.pointer, found.message)
        for i in report.issues
    ):
        report.add(found)


def _issuer(report: Report, display: str):
    def issue(
        code: str,
        message: str,
        *,
        pointer: str | None = "",
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        _add_new(report, Issue(severity, code, display, message, pointer=pointer, hint=hint))

    return issue


__all__ = ["CroissantImport", "import_croissant"]
