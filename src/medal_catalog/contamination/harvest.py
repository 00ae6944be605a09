"""A DICOM harvest's contamination part (issue 19): from its per-file records, the dataset's public-archive section
and its pixel digests by series, which contamination/stored.py keeps and compares with the catalog's other
datasets. harvesters/dicom.py reads the files and hands the records in."""

from __future__ import annotations

from typing import Any, Iterable

from medal_catalog.contamination.check import facts_of, section


def dataset_contamination(
    rows: list[dict[str, Any]],
    records: list[dict[str, Any]],
    index: Any,
    missing: str | None,
    pixel_hash: bool,
    methods: Iterable[tuple[str | None, int]],
) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    """The dataset's ``contamination`` section and its pixel digests by series id ({series id: {digest: files}});
    ``rows`` are the consolidated series (build_series), ``index`` the public index used (None, and ``missing``
    saying why, when there was none), ``methods`` (DeidentificationMethod text, files carrying it)."""
    series_of = {(r["study_instance_uid"], r["series_instance_uid"]): r["id"] for r in rows}
    facts: dict[str, tuple[str, str, Any]] = {}
    pixels: dict[str, dict[str, int]] = {}
    for r in records:
        sid = series_of.get((r["study"], r["series"]))
        if sid is None:
            continue
        facts.setdefault(sid, (r["study"], sid, r.get("public")))
        if r.get("pixels"):
            slot = pixels.setdefault(sid, {})
            slot[r["pixels"]] = slot.get(r["pixels"], 0) + 1
    hashed = sum(n for slot in pixels.values() for n in slot.values())
    distinct = len({d for slot in pixels.values() for d in slot})
    return section(
        facts.values(),
        methods,
        index=index,
        missing=missing,
        hashed=hashed,
        distinct=distinct,
        pixel_hashing=pixel_hash,
        files=len(records),
    ), pixels


def look_up(records: list[dict[str, Any]], index: Any) -> None:
    """Fill in each fresh record's public-archive facts from the keys of its original UIDs, then drop the keys:
    they never reach the cache or any output. One lookup per distinct pair (a series' files share it)."""
    found: dict[tuple, Any] = {}
    if hasattr(index, "resolve"):  # a scanned index: every UID of the harvest looked up at once
        keys_of = [record.get("_uid_keys") or (0, 0, None, None, None) for record in records]
        index.resolve({k[3] for k in keys_of if k[3]}, {k[4] for k in keys_of if k[4]})
    for record in records:
        keys = tuple(record.pop("_uid_keys", None) or (0, 0, None, None, None))
        if keys not in found:
            found[keys] = facts_of(index, keys)
        record["public"] = found[keys]
