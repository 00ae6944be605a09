"""The DICOM harvest's contamination part (issue 19): from the per-file records, the dataset's public-archive
section and its pixel digests by series, which ingestion/contamination.py keeps and compares with the catalog's other datasets."""

from __future__ import annotations

from typing import Any

from medal_catalog.contamination.check import section
from medal_catalog.harvesters.dicom_records import _unique


def dataset_contamination(rows: list[dict[str, Any]], records: list[dict[str, Any]], index: Any,
                          missing: str | None, pixel_hash: bool) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    """The dataset's ``contamination`` section and its pixel digests by series id ({series id: {digest: files}});
    ``rows`` are the consolidated series (build_series), ``index`` the public index used (None, and ``missing``
    saying why, when there was none)."""
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
    methods = [(a["method"], n) for a, n in _unique(records, "audit")]
    hashed = sum(n for slot in pixels.values() for n in slot.values())
    distinct = len({d for slot in pixels.values() for d in slot})
    return section(facts.values(), methods, index=index, missing=missing, hashed=hashed, distinct=distinct,
                   pixel_hashing=pixel_hash, files=len(records)), pixels
