"""The contamination check of a submission folder (`medal validate`, `medal check-public`): each dataset's DICOM
files against the public archives (IDC index, public UID roots, pipeline names), and the datasets of the folder
against each other by pixel digest (a hidden-test dataset sharing an image with another is an error). The
catalog-wide checks (other datasets, a task's splits) run at harvest, against the digests the catalog keeps
(stored.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from medal_catalog.dicom.header import DEFAULT_MAX_HEADER_BYTES
from medal_catalog.report import Issue, Severity
from medal_catalog.contamination.check import check_files, issues
from medal_catalog.documents import METADATA_SUFFIXES, read_document
from medal_catalog.store.base import iter_entries

if TYPE_CHECKING:
    from medal_catalog.config import Settings


#: As validators/submission.py's SKIP_DIRS (the dot-folders .git, .venv... are skipped by their dot); not imported
#: from there: validators/ sits above this package.
_SKIP_DIRS = {"__MACOSX", "__pycache__", "node_modules", "medal-out"}


def _files_of(name: str, dataset: dict[str, Any], data: list[Path], single: bool) -> list[Path]:
    patterns = [
        d["includes"]
        for d in dataset.get("distribution") or []
        if isinstance(d, dict)
        and d.get("distribution_kind") == "file_set"
        and isinstance(d.get("includes"), str)
        and d.get("media_type") in ("application/dicom", "image/dicom")
        and not d.get("url")
    ]
    if not patterns:
        return list(data) if single else []
    base = Path(name).parent
    matched = {p.resolve() for pattern in patterns for p in base.glob(pattern)}
    return [p for p in data if p.resolve() in matched]


def check_folder(
    datasets: Iterable[tuple[str, dict[str, Any]]],
    data: list[Path],
    *,
    pixel_hash: bool = True,
    progress: Callable[[str], None] | None = None,
    known: dict[Path, Any] | None = None,
    cache_dir: Path | None = None,
    limit: int | None = None,
) -> tuple[dict[str, Any], list[Issue]]:
    """The ``contamination`` sections of a folder's datasets (by id) and the issues they raise; ``known``: the
    facts of files already read (validators/dicom.py ``read_once``), which are not read again; ``cache_dir``: where
    the public index is cached (None: the user cache); ``limit``: the most bytes a header may take (None: the
    default)."""

    datasets = list(datasets)
    sections: dict[str, Any] = {}
    found: list[Issue] = []
    digests: dict[str, tuple[str, dict[str, Any], set[str]]] = {}
    for name, dataset in datasets:
        files = _files_of(name, dataset, data, single=len(datasets) == 1)
        if not files:
            continue
        section, by_digest = check_files(
            files,
            pixel_hash=pixel_hash,
            progress=progress,
            known=known,
            cache_dir=cache_dir,
            limit=DEFAULT_MAX_HEADER_BYTES if limit is None else limit,
        )
        sections[str(dataset.get("id"))] = section
        found += issues(section, dataset, name)
        digests[str(dataset.get("id"))] = (name, dataset, set(by_digest))
    ids = sorted(digests)
    for i, first in enumerate(ids):
        for second in ids[i + 1 :]:
            (name, a, mine), (_, b, theirs) = digests[first], digests[second]
            shared = len(mine & theirs)
            if not shared:
                continue
            leak = (a.get("access_level") == "hidden_test") != (b.get("access_level") == "hidden_test")
            both = f"dataset {first!r} and dataset {second!r} share {shared} images (of {len(mine)} and {len(theirs)})"
            sections[first].setdefault("duplicates", []).append(
                {"other": second, "shared_images": shared, "leak": leak}
            )
            sections[second].setdefault("duplicates", []).append(
                {"other": first, "shared_images": shared, "leak": leak}
            )
            if leak:
                found.append(
                    Issue(
                        Severity.ERROR,
                        "contamination.hidden-test-leak",
                        name,
                        f"{both}: one is hidden-test and the other is not, so the hidden labels would leak",
                        pointer="/access_level",
                        hint="Remove the shared images from one of the two datasets; hidden-test "
                        "images must be seen nowhere else.",
                    )
                )
            else:
                found.append(
                    Issue(
                        Severity.WARNING,
                        "contamination.duplicate",
                        name,
                        both,
                        pointer="/distribution",
                        hint="Keep each image in one dataset, or say in both datasets' provenance "
                        "where they come from.",
                    )
                )
    return sections, found


def check_public(
    path: Path,
    *,
    unpublished: bool = False,
    pixel_hash: bool = True,
    progress: Callable[[str], None] | None = None,
    settings: Settings | None = None,
) -> tuple[dict[str, Any], list[Issue]]:
    """`medal check-public`: the datasets a submission folder (or metadata file) declares, each with its DICOM
    files, or a bare DICOM folder as one dataset (declared unpublished with ``unpublished``), checked as
    :func:`check_folder` does, with the public-index cache and header limit of ``settings`` (None: the defaults).
    Raises MissingExtraError when the IDC index is not installed."""
    from medal_catalog.contamination.index import load_index  # inline: loads numpy, which this module does not

    cache_dir = Path(settings.public_index_cache) if settings is not None and settings.public_index_cache else None
    load_index(cache_dir)  # the point of the command: say so at once when the extra is missing
    folder = path if path.is_dir() else path.parent
    files = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part in _SKIP_DIRS or part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    metadata = [path] if path.is_file() else [p for p in files if p.suffix.lower() in METADATA_SUFFIXES]
    datasets: list[tuple[str, dict[str, Any]]] = []
    for candidate in metadata:
        try:
            data = read_document(candidate, str(candidate)).data
        except Exception:  # noqa: BLE001 - a file that is not metadata is a data file here
            continue
        if isinstance(data, dict):
            datasets += [
                (str(candidate), e)
                for e in iter_entries(data)
                if isinstance(e, dict) and e.get("type") == "ImagingDataset"
            ]
        elif isinstance(data, list):
            datasets += [(str(candidate), e) for e in data if isinstance(e, dict) and e.get("type") == "ImagingDataset"]
    data_files = [p for p in files if p.suffix.lower() not in METADATA_SUFFIXES]
    if not datasets:
        declared = {
            "id": folder.name,
            "publication_status": "unpublished" if unpublished else None,
            "access_level": None,
        }
        datasets = [(str(folder / "_"), declared)]
    elif unpublished:
        datasets = [(name, {**d, "publication_status": "unpublished"}) for name, d in datasets]
    return check_folder(
        datasets,
        data_files,
        pixel_hash=pixel_hash,
        progress=progress,
        cache_dir=cache_dir,
        limit=settings.dicom_max_header_bytes if settings is not None else DEFAULT_MAX_HEADER_BYTES,
    )
