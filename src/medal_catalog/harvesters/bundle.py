"""A submission as the bundle `medal submit` sends to a catalog: harvested on the contributor's machine, so that
only de-identified metadata (entries whose DICOM part is the harvest's: counts, acquisition, keyed UIDs, the
audit) and the declared files the catalog would keep leave it: label and clinical tables, and the ``dicom.zip``
of an open or controlled dataset as the harvest builds it (harvesters/submission.py ``dicom_archive``: the
files whose audit found nothing, each rewritten here with the Basic Profile and audited again, laid out
``<series id>/<n>.dcm``), so that no original DICOM byte leaves the machine.

The wire format (``multipart/form-data`` to ``POST /api/submissions``): a part ``bundle`` holding the JSON
:meth:`Bundle.manifest`, and one part ``file`` per file, named ``<dataset id>/<declared path>``, whose sha256 and
size the manifest states and the catalog checks. The catalog does not trust the archive: it rewrites and audits
every member again with its own key, re-keys the series' UIDs to match, and stores only its rewrite
(ingestion.ingest_bundle); it refuses any other uploaded file that holds DICOM.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from medal_catalog.report import Report

if TYPE_CHECKING:
    from medal_catalog.config import Settings

#: The manifest's format marker; a catalog refuses a bundle of a format it does not know.
BUNDLE_FORMAT = "medal-bundle/1"


@dataclass
class BundleFile:
    """A declared data file of a dataset, sent with the bundle."""

    dataset: str
    path: str
    content: bytes
    media_type: str

    @property
    def name(self) -> str:
        """The multipart file name: ``<dataset id>/<declared path>``."""
        return f"{self.dataset}/{self.path}"

    def describe(self) -> dict[str, Any]:
        """What the manifest says of the file (never its content)."""
        return {
            "dataset": self.dataset,
            "path": self.path,
            "media_type": self.media_type,
            "size": len(self.content),
            "sha256": hashlib.sha256(self.content).hexdigest(),
        }


@dataclass
class Bundle:
    """A harvested submission ready to send: its validation report, the entries (tasks, datasets with their
    harvested DICOM summary and audit, series), the files to upload, and the declared files not sent and why."""

    source: str
    report: Report
    entries: list[dict[str, Any]] = field(default_factory=list)
    files: list[BundleFile] = field(default_factory=list)
    not_sent: list[dict[str, str]] = field(default_factory=list)
    #: Entries validation left out, as harvest reports them ({"file", "pointer", "type", "id", "errors"}).
    left_out: list[dict[str, Any]] = field(default_factory=list)
    #: Per dataset: the DICOM harvest's counts (files seen, read, series, studies).
    dicom: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per dataset: burned-in annotation as its metadata declares it (the entry says what the files' headers say).
    burned_in_declared: dict[str, str | None] = field(default_factory=dict)
    #: Per dataset: the harvest's contamination section (counts, public collections) and its pixel digests by
    #: series id ({"section": ..., "pixels": {series id: {digest: files}}}), which the catalog compares with its
    #: other datasets' (it never sees the images of a registered or hidden-test dataset).
    contamination: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the bundle may be sent: it holds entries and validation left none out. Errors the DICOM audit
        finds in the files themselves do not stop it, as they do not stop `medal harvest`: no flagged file is
        sent, only the audit's counts, and the catalog sees them in the dataset's harvested de-identification
        status."""
        return bool(self.entries) and not self.left_out

    def file_errors(self) -> int:
        """How many errors the report holds about data files (DICOM audit findings, unreadable files)."""
        entry_files = {e.file for e in self.report.entries}
        return sum(1 for i in self.report.issues if i.severity.value == "error" and i.file not in entry_files)

    def manifest(self) -> bytes:
        """The JSON part ``bundle`` of the upload."""
        return json.dumps(
            {
                "format": BUNDLE_FORMAT,
                "entries": self.entries,
                "files": [f.describe() for f in self.files],
                "not_sent": self.not_sent,
                "dicom": self.dicom,
                "burned_in_declared": self.burned_in_declared,
                "contamination": self.contamination,
            },
            sort_keys=True,
        ).encode()

    def summary(self) -> dict[str, Any]:
        """What `medal submit` prints before sending: counts, files to upload, files not sent and why."""
        kinds: dict[str, int] = {}
        for entry in self.entries:
            kinds[entry["type"]] = kinds.get(entry["type"], 0) + 1
        return {
            "source": self.source,
            "entries": kinds,
            "files": [f.describe() for f in self.files],
            "not_sent": self.not_sent,
            "left_out": self.left_out,
            "dicom": self.dicom,
            "validation": self.report.to_dict()["summary"],
        }


def build_bundle(
    path: Path,
    *,
    out_root: Path,
    jobs: int | None = None,
    timeout: float = 30.0,
    progress: Callable[..., None] | None = None,
    settings: Settings,
) -> Bundle:
    """Validate and harvest the submission at ``path`` on this machine (DICOM headers read here; harvest outputs
    written under ``out_root``) into the bundle to send, with the files `medal harvest` would keep: an open or
    controlled dataset's ``dicom.zip`` is this machine's de-identified rewrite, which the catalog rewrites again.
    ``settings``: this machine's (the CLI's), as for `medal harvest`."""
    from medal_catalog.harvesters.submission import harvest_submission  # inline: adds ~100 ms to this module's import

    harvest = harvest_submission(
        path, out_root=out_root, jobs=jobs, timeout=timeout, progress=progress, settings=settings
    )
    types = {(e.id, e.file): e.type for e in harvest.report.entries}
    by_id = {e.id: e.type for e in harvest.report.entries if e.valid}
    entries = []
    for entry in harvest.entries:
        kind = entry.get("type") or by_id.get(entry.get("id")) or _guess(entry, types)
        entries.append({**entry, "type": kind})
    bundle = Bundle(
        str(path),
        harvest.report,
        entries,
        left_out=harvest.left_out,
        not_sent=[dict(n) for n in harvest.not_kept],
        burned_in_declared=harvest.burned_in_declared,
    )
    for dataset, kept in harvest.files.items():
        for declared, (content, media) in sorted(kept.items()):
            bundle.files.append(BundleFile(dataset, declared, content, media))
    bundle.dicom = {
        ds: {k: r.summary[k] for k in ("files_seen", "dicom_read", "skipped", "series", "studies")}
        for ds, r in harvest.dicom.items()
    }
    bundle.contamination = {
        ds: {"section": r.summary.get("contamination") or {}, "pixels": r.pixels} for ds, r in harvest.dicom.items()
    }
    return bundle


def _guess(entry: dict[str, Any], types: dict[tuple[str, str], str]) -> str:
    """The type of an entry the harvest made rather than read (a series: it names its dataset)."""
    if "series_instance_uid" in entry or "dataset" in entry:
        return "ImagingSeries"
    return next((t for (entry_id, _), t in types.items() if entry_id == entry.get("id")), "ImagingDataset")
