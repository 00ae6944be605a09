"""Harvest a MEDAL submission (metadata files + data files): validate, harvest its DICOM, merge, ready to store.

Entries that fail validation are left out with their issues; every valid entry goes through. A dataset's
DICOM files are the ones its DICOM file sets include (relative to its metadata file), or, for a submission
folder with a single dataset and no DICOM file set, every file in the folder; the harvested counts, acquisition and
population summaries and audit replace the submitted ones, while what the submitter declared is kept.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from medal_catalog.croissant.reading import is_croissant
from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE
from medal_catalog.documents import METADATA_SUFFIXES, read_document
from medal_catalog.harvesters.base import HarvestResult
from medal_catalog.report import Report, Severity
from medal_catalog.validators.submission import SKIP_DIRS, validate_paths
from medal_catalog.dicom.header import DEFAULT_MAX_HEADER_BYTES
from medal_catalog.dicom.audit import audit_content
from medal_catalog.dicom.deidentify import Deidentifier, plan, served_copy

if TYPE_CHECKING:
    from medal_catalog.config import Settings

DICOM_MEDIA_TYPES = {"application/dicom", "image/dicom"}


@dataclass
class SubmissionHarvest:
    """What a submission yields: entries to store (in order), DICOM harvests by dataset id, and the report."""

    report: Report
    entries: list[dict[str, Any]] = field(default_factory=list)
    dicom: dict[str, HarvestResult] = field(default_factory=dict)
    left_out: list[dict[str, Any]] = field(default_factory=list)  # {"file", "pointer", "type", "id", "errors"}
    #: Data files the catalog keeps, by dataset id: {path: (content, media type)} (see :func:`kept_files`).
    files: dict[str, dict[str, tuple[bytes, str]]] = field(default_factory=dict)
    #: Declared files not kept, and why: {"dataset", "path", "reason"}.
    not_kept: list[dict[str, str]] = field(default_factory=list)
    #: What each dataset's metadata declares of burned-in annotation (its entry then says what the files say).
    burned_in_declared: dict[str, str | None] = field(default_factory=dict)


def is_submission(path: Path) -> bool:
    """True for a MEDAL metadata file, or a folder holding at least one (as opposed to a bare DICOM tree)."""
    for candidate in [path] if path.is_file() else _metadata_candidates(path, 200):
        try:
            document = read_document(candidate)
            if not is_croissant(document.data) and document.kind in ("entry", "entry-list", "container"):
                return True
        except Exception:  # noqa: BLE001 - an unreadable candidate just is not evidence of a submission
            continue
    return False


def _metadata_candidates(folder: Path, limit: int) -> list[Path]:
    """Up to ``limit`` files named like metadata under ``folder``, skipped and hidden folders pruned: an os.walk
    looking at names only (a pathlib rglob of a 10k-file DICOM tree cost a re-harvest half a second)."""
    found: list[Path] = []
    for here, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            dot = name.rfind(".")
            if name[:1] == "." or dot < 0 or name[dot:].lower() not in METADATA_SUFFIXES:  # hidden, no suffix
                continue
            if os.path.isfile(os.path.join(here, name)):
                found.append(Path(here, name))
                if len(found) >= limit:
                    return found
    return found


def _resolve(doc: Any, pointer: str) -> Any:
    for part in [p for p in pointer.split("/") if p]:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part.replace("~1", "/").replace("~0", "~")]
    return doc


def harvest_submission(
    path: Path,
    *,
    out_root: Path = Path("medal-out"),
    jobs: int | None = None,
    timeout: float = 30.0,
    use_cache: bool = True,
    progress: Callable[..., None] | None = None,
    pixel_hash: bool | None = None,
    force: bool = False,
    settings: Settings,
) -> SubmissionHarvest:
    """Validate ``path`` and collect its valid entries, with each dataset's DICOM harvested and merged in, and the
    files the catalog keeps (an open or controlled dataset's ``dicom.zip`` is the rewrite :func:`dicom_archive`
    builds). ``settings``: the caller's (see harvesters/dicom.py ``harvest_dicom``)."""
    # inline: loads pydantic, which this module does not
    from medal_catalog.harvesters.dicom import CACHE_NAME, harvest_dicom, write_outputs
    from medal_catalog.harvesters.dicom_records import merge_harvest

    # The public-archive and duplicate checks come from the harvest itself (contamination/stored.py), once per dataset.
    report = validate_paths([path], contamination=False, settings=settings)
    result = SubmissionHarvest(report)
    errors_at: dict[tuple[str, str], list[str]] = {}
    for issue in report.issues:
        if issue.severity is Severity.ERROR:
            errors_at.setdefault((issue.file, issue.pointer or ""), []).append(issue.code)
    docs: dict[str, Any] = {}
    datasets: list[tuple[dict[str, Any], Path]] = []
    for entry in report.entries:
        if not entry.valid:
            codes = sorted(
                {c for (f, p), cs in errors_at.items() if f == entry.file and p.startswith(entry.pointer) for c in cs}
            )
            result.left_out.append(
                {"file": entry.file, "pointer": entry.pointer, "type": entry.type, "id": entry.id, "errors": codes}
            )
            continue
        if entry.file not in docs:
            docs[entry.file] = read_document(Path(entry.file), entry.file)
        data = _resolve(docs[entry.file].data, entry.pointer)
        result.entries.append(data)
        if entry.type == "ImagingDataset":
            datasets.append((data, Path(entry.file).parent))
    folder = path if path.is_dir() else path.parent
    for dataset, base in datasets:
        kept, skipped = kept_files(dataset, base, folder, settings.dicom_max_header_bytes)
        result.burned_in_declared[dataset["id"]] = (dataset.get("deidentification") or {}).get("burned_in_annotation")
        result.files[dataset["id"]] = kept
        result.not_kept += [{"dataset": dataset["id"], "path": p, "reason": why} for p, why in skipped]
        files = _dicom_files(dataset, base, folder, single=path.is_dir() and len(datasets) == 1)
        if not files:
            continue
        out = out_root / dataset["id"]
        # Controlled data is kept too, served only to those who may fetch it (api/access.py), so that a task's
        # cases can be joined to their images; registered and hidden-test data never leave the contributor.
        keeps_dicom = dataset.get("access_level") in DICOM_KEPT_LEVELS
        harvest = harvest_dicom(
            files,
            dataset["id"],
            cache_file=out / CACHE_NAME if use_cache else None,
            jobs=jobs,
            timeout=timeout,
            progress=progress,
            title=dataset.get("title"),
            instances=keeps_dicom,
            pixel_hash=pixel_hash,
            force=force,
            settings=settings,
            access_level=dataset.get("access_level", "controlled"),
            license_id=(dataset.get("license") or {}).get("spdx_id", "LicenseRef-unspecified"),
        )
        write_outputs(harvest, out)
        result.dicom[dataset["id"]] = harvest
        if keeps_dicom:
            archive, reason = dicom_archive(harvest, dataset)
            if archive is not None:
                result.files[dataset["id"]][DICOM_ARCHIVE] = (archive, "application/zip")
            if reason:
                result.not_kept.append({"dataset": dataset["id"], "path": DICOM_ARCHIVE, "reason": reason})
        merged, series = merge_harvest(dataset, harvest)
        index = next(i for i, e in enumerate(result.entries) if e is dataset)
        result.entries[index] = merged
        result.entries.extend(series)
    return result


#: The access levels whose DICOM the harvest keeps (as the catalog's rewrite) in dicom.zip.
DICOM_KEPT_LEVELS = ("open", "controlled")
#: Larger declared files are not kept by the catalog (it is a catalog, not an archive).
MAX_KEPT_BYTES = 64 * 1024 * 1024


def kept_files(
    dataset: dict[str, Any], base: Path, folder: Path, limit: int = DEFAULT_MAX_HEADER_BYTES
) -> tuple[dict[str, tuple[bytes, str]], list[tuple[str, str]]]:
    """The declared single-file, non-DICOM distributions of a dataset (labels, clinical tables) that the catalog
    keeps: local paths inside the submission folder only, at most MAX_KEPT_BYTES each, content matching the
    declared sha256 (validation already rejected a mismatch; the check is repeated on the bytes kept). Returns
    the files and the (path, reason) of declared files not kept; ``limit``: the header limit of their audit."""
    kept: dict[str, tuple[bytes, str]] = {}
    skipped: list[tuple[str, str]] = []
    root = folder.resolve()
    for item in dataset.get("distribution") or []:
        if (
            not isinstance(item, dict)
            or item.get("distribution_kind") != "file"
            or not item.get("path")
            or item.get("url")
            or item.get("media_type") in DICOM_MEDIA_TYPES
        ):
            continue
        declared = item["path"]
        target = (base / declared).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            skipped.append((declared, "not a file inside the submission folder"))
            continue
        if target.stat().st_size > MAX_KEPT_BYTES:
            skipped.append((declared, f"larger than {MAX_KEPT_BYTES // 2**20} MiB"))
            continue
        data = target.read_bytes()
        if item.get("sha256") and hashlib.sha256(data).hexdigest() != item["sha256"]:
            skipped.append((declared, "content does not match the declared sha256"))
            continue
        why = _not_servable(data, declared, dataset, limit)
        if why:
            skipped.append((declared, why))
            continue
        kept[declared] = (data, item.get("media_type") or "application/octet-stream")
    return kept, skipped


def _not_servable(data: bytes, path: str, dataset: dict[str, Any], limit: int = DEFAULT_MAX_HEADER_BYTES) -> str | None:
    """Why a declared file may not be kept and served as it is (None when it may): it holds DICOM (itself, or in
    an archive, whatever its declared media type) that the Annex E audit flags or cannot read, or DICOM pixels
    while burned-in annotation is not declared NO."""

    count, problems = audit_content(data, path, limit)
    if problems:
        return (
            f"{len(problems)} of {count} DICOM files in it carry identifying attributes or cannot be audited"
            if count
            else "it holds an archive that cannot be audited"
        )
    if count and (dataset.get("deidentification") or {}).get("burned_in_annotation") != "NO":
        return "it holds DICOM and burned-in annotation (`deidentification.burned_in_annotation`) is not declared NO, so the pixel data are not served"
    return None


MAX_ARCHIVE_BYTES = 512 * 1024 * 1024


def dicom_archive(harvest: HarvestResult, dataset: dict[str, Any]) -> tuple[bytes | None, str | None]:
    """A zip of an open or controlled dataset's DICOM files for the catalog to serve, laid out ``<series id>/<n>.dcm`` (no
    original file names: a path may carry an identifying value), and why files were left out (or None).

    Every file in it is the catalog's own rewrite (dicom/deidentify.py: the Basic Profile with the options the
    dataset declares, UIDs keyed like the series entries'), audited again after rewriting; the original bytes
    never go in. A file is left out when the audit flags its original, it cannot be rewritten, its rewrite still
    fails the audit, it may carry burned-in text (see :func:`~medal_catalog.dicom.deidentify.served_copy`), or was read from inside a zip. The archive
    is deterministic: the same files give the same bytes."""

    declared = dataset.get("deidentification") or {}
    if declared.get("burned_in_annotation") != "NO":
        return (
            None,
            "burned-in annotation (`deidentification.burned_in_annotation`) is not declared NO, so the pixel data are not served",
        )
    series_of = {s.series_instance_uid: s.id for s in harvest.series}
    rows = [r for r in harvest.manifest if r.get("kind") == "instance"]
    # A file whose original the audit flags stays out even though the rewrite would clean it: the audit cannot
    # see what a flagged header's sender also put where it does not look (pixels, unknown tags).
    candidates = sorted(
        (series_of[r["series_instance_uid"]], r["path"])
        for r in rows
        if r.get("path")
        and r.get("phi_findings") == 0
        and harvest.locations.get(r["path"])
        and r["series_instance_uid"] in series_of
    )
    if sum(r["size"] for r in rows if r.get("path") in {p for _, p in candidates}) > MAX_ARCHIVE_BYTES:
        return None, f"the DICOM files exceed {MAX_ARCHIVE_BYTES // 2**20} MiB"
    deidentifier = Deidentifier(harvest.salt, plan(declared))
    buffer = io.BytesIO()
    counters: dict[str, int] = {}
    reasons: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for series_id, name in candidates:
            number = counters.get(series_id, 0) + 1
            member = f"{series_id}/{number:05d}.dcm"
            copy, why = served_copy(
                Path(harvest.locations[name]).read_bytes(), member, deidentifier, declared.get("burned_in_annotation")
            )
            if copy is None:
                reasons[why or "left out"] = reasons.get(why or "left out", 0) + 1
                continue
            counters[series_id] = number
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, copy)
    kept = sum(counters.values())
    if not candidates:
        return None, "no DICOM file is clean of identifying attributes"
    if not kept:
        return None, "no DICOM file could be rewritten clean of identifying attributes" + _why(reasons)
    left_out = len(rows) - kept
    if not left_out:
        return buffer.getvalue(), None
    message = f"{left_out} of {len(rows)} DICOM files left out of {DICOM_ARCHIVE}"
    if len(candidates) < len(rows):
        message += " (identifying attributes or paths, or inside a zip)"
    return buffer.getvalue(), message + _why(reasons)


def _why(reasons: dict[str, int]) -> str:
    """The reasons rewritten files were left out, with counts (they hold no value of any file)."""
    return (
        "; rewritten and left out: " + "; ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        if reasons
        else ""
    )


def _dicom_files(dataset: dict[str, Any], base: Path, folder: Path, single: bool) -> list[Path]:
    """The files a dataset's DICOM file sets include, or the whole folder for a lone dataset without any."""
    patterns = [
        d.get("includes")
        for d in dataset.get("distribution") or []
        if isinstance(d, dict)
        and d.get("distribution_kind") == "file_set"
        and d.get("includes")
        and d.get("media_type") in DICOM_MEDIA_TYPES
        and not d.get("url")
    ]
    inside = folder.resolve()  # never a file a symbolic link leads to outside the submission
    if patterns:
        return sorted(
            {
                p
                for pattern in patterns
                for p in base.glob(pattern)
                if p.is_file() and p.resolve().is_relative_to(inside)
            }
        )
    if single:
        return sorted(
            p
            for p in folder.rglob("*")
            if p.is_file()
            and p.suffix.lower() not in METADATA_SUFFIXES
            and not any(part in SKIP_DIRS or part.startswith(".") for part in p.relative_to(folder).parts)
            and p.resolve().is_relative_to(inside)
        )
    return []
