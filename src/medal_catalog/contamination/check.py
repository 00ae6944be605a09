"""Is a dataset already public? The per-file facts (raw UIDs against the IDC index and the public roots, the
de-identification method text) and the ``contamination`` section that the harvest summary, the validate report,
the catalog's dataset JSON and its Croissant carry.

Only what the check found is kept: a public match names the archive's collection, DOI and licence (public facts);
the UIDs themselves are looked up and dropped (the catalog keeps only keyed pseudonyms of them).
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from medal_catalog.dicom.header import DEFAULT_MAX_HEADER_BYTES
from medal_catalog.contamination.roots import public_pipeline, public_root
from medal_catalog.contamination.uids import uid_hash

if TYPE_CHECKING:  # index.py imports numpy: loaded when a lookup is made, not by a harvest that reads nothing
    from medal_catalog.contamination.index import PublicIndex
from medal_catalog.report import Issue, Severity
from medal_catalog.contamination.roots import PUBLIC_ROOTS
from medal_catalog.dicom.audit import DEIDENTIFICATION_METHOD, text
from medal_catalog.dicom.header import HeaderError, read
from medal_catalog.dicom.pixels import header_pixel_digest

#: The index the harvest's reader processes use: set in the parent before the pool forks (see :func:`use_index`).
_active: PublicIndex | None = None


def use_index(index: PublicIndex | None) -> None:
    """Make ``index`` the one :func:`uid_facts` looks UIDs up in (forked reader processes inherit it)."""
    global _active
    _active = index


def uid_facts(study_uid: str | None, series_uid: str | None) -> dict[str, Any] | None:
    """What a file's original UIDs say: the public series and study they match ([collection, DOI, licence]) and
    the public-release root they sit under; None when nothing (the usual case, kept small in the harvest cache)."""
    return facts_of(_active, uid_keys(study_uid, series_uid))


def uid_keys(study_uid: str | None, series_uid: str | None) -> tuple[int, int, str | None, str | None, str | None]:
    """What the public check needs of a file's original UIDs: their keys in the lookup (:func:`uid_hash`), the
    public root they sit under, and the UIDs themselves (for an index never built, scanned instead: see
    index.ScannedIndex). A harvest's readers return this to the parent, in memory only; the parent looks it up
    once the index is loaded and drops it before anything is kept (issue 29)."""
    root = public_root(series_uid) or public_root(study_uid)
    return (
        uid_hash(study_uid) if study_uid else 0,
        uid_hash(series_uid) if series_uid else 0,
        root.root if root else None,
        study_uid,
        series_uid,
    )


def facts_of(index: Any, keys: tuple | list[Any]) -> dict[str, Any] | None:
    """:func:`uid_facts` from :func:`uid_keys` (``index``: a PublicIndex or a ScannedIndex, or None)."""
    root = keys[2]
    study, series = index.find(keys) if index is not None else (None, None)
    if series is None and study is None and root is None:
        return None
    return {
        "series": list(series.to_dict().values()) if series else None,
        "study": list(study.to_dict().values()) if study else None,
        "root": root,
    }


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def section(
    series: Iterable[tuple[str, str, dict[str, Any] | None]],
    methods: Iterable[tuple[str | None, int]],
    *,
    index: PublicIndex | None,
    missing: str | None,
    hashed: int = 0,
    distinct: int = 0,
    pixel_hashing: bool = True,
    files: int = 0,
) -> dict[str, Any]:
    """The ``contamination`` section of one dataset: ``series`` are (study key, series key, :func:`uid_facts`)
    per series, ``methods`` (DeidentificationMethod text, files carrying it). Counts and public names only."""

    archives = {r.root: r.archive for r in PUBLIC_ROOTS}
    collections: dict[tuple, dict[str, Any]] = {}
    studies_public: set[str] = set()
    roots: Counter[str] = Counter()
    public_series = 0
    seen_series = 0
    seen_studies: set[str] = set()
    for study, series_key, facts in series:
        seen_series += 1
        seen_studies.add(study)
        if not facts:
            continue
        if facts.get("series"):
            public_series += 1
            slot = collections.setdefault(tuple(facts["series"]), {"series": 0, "studies": set()})
            slot["series"] += 1
        if facts.get("study"):
            studies_public.add(study)
            slot = collections.setdefault(tuple(facts["study"]), {"series": 0, "studies": set()})
            slot["studies"].add(study)
        if facts.get("root"):
            roots[facts["root"]] += 1
    pipelines: Counter[str] = Counter()
    for method, n in methods:
        archive = public_pipeline(method)
        if archive:
            pipelines[archive] += n
    return {
        "checked_at": _now(),
        "public_index": index.describe() if index is not None else None,
        "public_index_missing": missing,
        "series_checked": seen_series,
        "studies_checked": len(seen_studies),
        "public_series": public_series,
        "public_studies": len(studies_public),
        "collections": [
            {"collection": c, "doi": d, "license": lic, "series": v["series"], "studies": len(v["studies"])}
            for (c, d, lic), v in sorted(collections.items(), key=lambda kv: (-kv[1]["series"], str(kv[0])))
        ],
        "public_uid_roots": [{"root": r, "archive": archives.get(r), "series": n} for r, n in roots.most_common()],
        "public_pipelines": [{"archive": a, "files": n} for a, n in pipelines.most_common()],
        "pixel_hashes": {"enabled": pixel_hashing, "files": files, "instances_hashed": hashed, "distinct": distinct},
    }


def issues(sec: dict[str, Any], dataset: dict[str, Any] | str, file: str) -> Iterator[Issue]:
    """The report issues of one dataset's section: a public series or study is an error for a dataset declared
    ``unpublished`` and a warning otherwise; public roots and pipeline names are warnings; a missing index an info."""
    if isinstance(dataset, dict):
        dataset_id, declared = dataset.get("id"), dataset.get("publication_status")
    else:
        dataset_id, declared = dataset, None
    from medal_catalog.contamination.index import INSTALL_HINT  # inline: loads numpy, which this module does not

    unpublished = declared == "unpublished"
    if sec.get("public_index_missing"):
        yield Issue(
            Severity.INFO,
            "contamination.index-missing",
            file,
            f"dataset {dataset_id!r}: the UIDs were not checked against the public IDC index",
            pointer="/publication_status",
            hint=f"Install it: {INSTALL_HINT}",
        )
    for item in sec.get("collections") or []:
        what = []
        if item["series"]:
            what.append(f"{item['series']} series")
        if item["studies"]:
            what.append(f"{item['studies']} studies")
        where = f"IDC collection {item['collection']}" + (f" (DOI {item['doi']})" if item.get("doi") else "")
        yield Issue(
            Severity.ERROR if unpublished else Severity.WARNING,
            "contamination.public",
            file,
            f"dataset {dataset_id!r}: {' and '.join(what)} already public in {where}"
            + (", yet the dataset is declared unpublished" if unpublished else ""),
            pointer="/publication_status",
            hint="Models may have been trained on public images: leave these series out, or declare "
            "`publication_status: published` (or partially_published) with the archive's DOI."
            if unpublished
            else "Say so in `publication_status` and cite the archive's DOI.",
        )
    for item in sec.get("public_uid_roots") or []:
        yield Issue(
            Severity.WARNING,
            "contamination.public-root",
            file,
            f"dataset {dataset_id!r}: {item['series']} series carry UIDs under {item['root']}, the root "
            f"{item['archive']} gives the files it publishes",
            pointer="/publication_status",
            hint="Check that these images were not downloaded from that archive; if they were, declare it.",
        )
    for item in sec.get("public_pipelines") or []:
        yield Issue(
            Severity.WARNING,
            "contamination.public-pipeline",
            file,
            f"dataset {dataset_id!r}: {item['files']} files declare a de-identification by the pipeline "
            f"of {item['archive']} (DeidentificationMethod)",
            pointer="/publication_status",
            hint="Files de-identified by a public archive's pipeline usually come from that archive; "
            "check their origin and declare it in `publication_status` and `provenance`.",
        )


# --- reading files: `medal check-public` and `medal validate` ----------------------------------------------------
def read_facts(
    path: str | os.PathLike[str], pixel_hash: bool = True, limit: int = DEFAULT_MAX_HEADER_BYTES
) -> dict[str, Any] | None:
    """The public-check facts of one file: original Study/Series UIDs (held only in memory), the method text and
    the pixel digest; None when the file is not readable DICOM (or its header runs past ``limit`` bytes)."""

    study, series = 0x0020000D, 0x0020000E
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as stream:
            header = read(stream, size, frozenset({study, series, DEIDENTIFICATION_METHOD}), frozenset(), limit)
            digest = header_pixel_digest(stream, header) if pixel_hash else None
    except (HeaderError, OSError, MemoryError, ValueError):
        return None
    study_uid, series_uid = text(header.top.get(study)), text(header.top.get(series))
    if not series_uid:
        return None
    return {
        "study": study_uid or "",
        "series": series_uid,
        "method": text(header.top.get(DEIDENTIFICATION_METHOD)),
        "pixels": digest,
    }


def check_files(
    paths: Iterable[Path],
    *,
    pixel_hash: bool = True,
    cache_dir: Path | None = None,
    progress: Any = None,
    known: dict[Path, Any] | None = None,
    limit: int = DEFAULT_MAX_HEADER_BYTES,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The section for a set of files taken as one dataset, and the display names of the files per pixel digest
    (within-set duplicates are the caller's to report). The UIDs are looked up and forgotten. ``known``: the
    :func:`read_facts` of files the caller has read already (not read again)."""
    from medal_catalog.contamination.index import try_load_index  # inline: loads numpy, which this module does not

    index, missing = try_load_index(cache_dir)
    previous = _active
    use_index(index)
    try:
        per_series: dict[tuple[str, str], dict[str, Any] | None] = {}
        methods: Counter[str | None] = Counter()
        digests: dict[str, list[str]] = {}
        files = 0
        for path in paths:
            if progress:
                progress(str(path))
            facts = known[path] if known is not None and path in known else read_facts(path, pixel_hash, limit)
            if facts is None:
                continue
            files += 1
            key = (facts["study"], facts["series"])
            if key not in per_series:
                per_series[key] = uid_facts(*key)
            methods[facts["method"]] += 1
            if facts["pixels"]:
                digests.setdefault(facts["pixels"], []).append(str(path))
    finally:
        use_index(previous)
    # Hand on numbers, not the UIDs: the section only counts series and studies.
    study_no: dict[str, int] = {}
    series = [
        (str(study_no.setdefault(k[0], len(study_no))), str(i), facts)
        for i, (k, facts) in enumerate(per_series.items())
    ]
    sec = section(
        series,
        methods.items(),
        index=index,
        missing=missing,
        pixel_hashing=pixel_hash,
        hashed=sum(len(v) for v in digests.values()),
        distinct=len(digests),
        files=files,
    )
    return sec, digests
