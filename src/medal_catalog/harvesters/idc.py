"""The NCI Imaging Data Commons index (PyPI ``idc-index-data``) as catalog entries: each collection an open,
published ImagingDataset, each of its DICOM series an ImagingSeries.

The index is two parquet files: ``idc_index.parquet`` (one row per series, 1,044,191 in 25.0.5) and
``collections_index.parquet`` (one row per collection). They are read column by column with pyarrow, one
collection at a time and in batches of rows, so a collection of 600,000 series never sits in memory as dicts.

Patient identifiers never leave this module: ``PatientID`` is read only to decide which free-text descriptions
may be kept (and to count nothing else), and ``PatientAge``, ``PatientSex``, study and series dates are not read.
A description is kept only when every word of it occurs in the descriptions of at least :data:`MIN_PATIENTS`
different patients of the index (a name or a date written into one patient's description does not) and it does
not contain the patient's own identifier.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medal_catalog.errors import UsageError
from medal_catalog.harvesters.dicom_records import series_id

#: The extra that brings the index (and pyarrow, which reads it).
EXTRA = "public-index"
SERIES_FILE, COLLECTIONS_FILE = "idc_index.parquet", "collections_index.parquet"
#: A description word must be used for this many different patients to be kept (k-anonymity of free text).
MIN_PATIENTS = 5
#: Series read from parquet at a time.
BATCH_ROWS = 5000
#: The series columns read; PatientID only for the description check above (never stored).
SERIES_COLUMNS = (
    "collection_id",
    "PatientID",
    "SeriesInstanceUID",
    "StudyInstanceUID",
    "source_DOI",
    "StudyDescription",
    "SeriesDescription",
    "BodyPartExamined",
    "Modality",
    "SOPClassUID",
    "TransferSyntaxUID",
    "Manufacturer",
    "ManufacturerModelName",
    "SeriesNumber",
    "instanceCount",
    "license_short_name",
    "series_size_MB",
    "analysis_result_id",
)
#: Modality codes of the schema's ModalityEnum; others (RTPLAN, KO, ANN, ...) are stored as OT, like DICOM trees.
MODALITIES = frozenset("CT MR PT NM US CR DX MG XA RF SM OP OPT ES XC IVOCT IVUS PX IO SC SEG SR RTSTRUCT OT".split())
_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")
_DOI = re.compile(r"^10\.[0-9]{4,9}/\S+$")
_WORD = re.compile(r"[a-z0-9]+")
_TAG = re.compile(r"<[^>]+>")
_LICENSES = {
    "CC BY 4.0": "CC-BY-4.0",
    "CC BY 3.0": "CC-BY-3.0",
    "CC BY-NC 4.0": "CC-BY-NC-4.0",
    "CC BY-NC 3.0": "CC-BY-NC-3.0",
    "CC0 1.0": "CC0-1.0",
    "CC BY-SA 4.0": "CC-BY-SA-4.0",
    "CC BY-NC-SA 4.0": "CC-BY-NC-SA-4.0",
}


@dataclass(frozen=True)
class IdcIndex:
    """Where the two parquet files are, and the index version they are (the package's, or a digest of the files)."""

    series_path: Path
    collections_path: Path
    version: str


def locate(folder: Path | str | None = None) -> IdcIndex:
    """The index in ``folder`` (holding idc_index.parquet and collections_index.parquet), or the one the installed
    ``idc-index-data`` package ships."""
    if folder is not None:
        folder = Path(folder)
        series, collections = folder / SERIES_FILE, folder / COLLECTIONS_FILE
        missing = [p.name for p in (series, collections) if not p.is_file()]
        if missing:
            raise UsageError(f"{folder} is not an IDC index folder: it lacks {', '.join(missing)}")
        digest = hashlib.sha256()
        for path in (series, collections):
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
        return IdcIndex(series, collections, f"files-{digest.hexdigest()[:12]}")
    try:
        import idc_index_data  # inline: the optional public-index extra
    except ImportError:
        raise UsageError(
            f"the IDC index is not installed: pip install 'medal-catalog[{EXTRA}]' (or give --idc-index FOLDER)"
        ) from None
    series = Path(idc_index_data.IDC_INDEX_PARQUET_FILEPATH)
    return IdcIndex(series, series.with_name(COLLECTIONS_FILE), f"idc-index-data {idc_index_data.__version__}")


def _pyarrow() -> Any:
    try:
        # inline: pyarrow takes ~0.3 s to import
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(f"reading the IDC index needs pyarrow: pip install 'medal-catalog[{EXTRA}]'") from None
    return pq, pc


def dataset_id(collection_id: str) -> str:
    """The catalog id of an IDC collection's dataset (``idc-`` and the collection id, in the id alphabet)."""
    return "idc-" + re.sub(r"[^a-z0-9._-]+", "-", collection_id.lower()).strip("-")[:120]


def _text(value: Any) -> str | None:
    """Plain text from the index's HTML-ish descriptions and citations."""
    if not value:
        return None
    cleaned = re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", str(value)))).strip()
    return cleaned or None


def _doi(value: Any) -> str | None:
    doi = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", str(value or "").strip(), flags=re.I)
    return doi if _DOI.match(doi) else None


def spdx(short_name: str | None) -> str:
    """The SPDX id of an IDC licence short name (``CC BY 4.0`` -> ``CC-BY-4.0``); others as ``LicenseRef-``."""
    if not short_name:
        return "LicenseRef-unspecified"
    if short_name in _LICENSES:
        return _LICENSES[short_name]
    return "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.]+", "-", short_name).strip("-")[:60] or "unspecified")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) >= 3}


class DescriptionFilter:
    """Which study and series descriptions may be kept: see the module docstring."""

    def __init__(self, common: set[str]) -> None:
        self.common = common

    @classmethod
    def of(cls, index: IdcIndex) -> DescriptionFilter:
        """Count, over the whole index, the patients each description word is used for."""
        pq, _ = _pyarrow()
        table = pq.read_table(
            index.series_path, columns=["collection_id", "PatientID", "StudyDescription", "SeriesDescription"]
        )
        patients: dict[str, set[tuple[str, str]]] = {}
        for column in ("StudyDescription", "SeriesDescription"):
            pairs = table.group_by(["collection_id", "PatientID", column]).aggregate([])
            for collection, patient, text in zip(
                pairs["collection_id"].to_pylist(),
                pairs["PatientID"].to_pylist(),
                pairs[column].to_pylist(),
                strict=True,
            ):
                if not text:
                    continue
                for word in _words(text):
                    seen = patients.setdefault(word, set())
                    if len(seen) < MIN_PATIENTS:
                        seen.add((collection, patient))
        return cls({w for w, seen in patients.items() if len(seen) >= MIN_PATIENTS})

    def keep(self, text: str | None, patient: str | None) -> str | None:
        if not text or not text.strip():
            return None
        if patient and len(patient) >= 3 and patient.lower() in text.lower():
            return None
        return text.strip() if _words(text) <= self.common else None


@dataclass
class Aggregate:
    """A collection's dataset-level figures, summed over its series as they stream past."""

    series: int = 0
    instances: int = 0
    byte_size: int = 0
    studies: set[str] = field(default_factory=set)
    modalities: Counter = field(default_factory=Counter)
    body_parts: Counter = field(default_factory=Counter)
    manufacturers: Counter = field(default_factory=Counter)
    models: Counter = field(default_factory=Counter)
    licenses: Counter = field(default_factory=Counter)
    dois: Counter = field(default_factory=Counter)
    descriptions_dropped: int = 0


def series_entry(row: dict[str, Any], ds_id: str, words: DescriptionFilter, agg: Aggregate) -> dict[str, Any] | None:
    """The ImagingSeries of one index row (None without a series UID), counted into ``agg``."""
    uid = row.get("SeriesInstanceUID")
    if not uid or not _UID.match(uid) or len(uid) > 64:
        return None
    number = row.get("SeriesNumber")
    number = int(number) if isinstance(number, str) and number.strip().isdigit() and len(number) < 10 else None
    modality = row.get("Modality") if row.get("Modality") in MODALITIES else "OT"
    entry: dict[str, Any] = {
        "type": "ImagingSeries",
        "id": series_id(ds_id, uid, number),
        "dataset": ds_id,
        "series_instance_uid": uid,
        "modality": modality,
        "instance_count": max(0, int(row.get("instanceCount") or 0)),
    }
    study = row.get("StudyInstanceUID")
    if study and _UID.match(study) and len(study) <= 64:
        entry["study_instance_uid"] = study
        agg.studies.add(study)
    if number is not None:
        entry["series_number"] = number
    for key, column in (
        ("body_part", "BodyPartExamined"),
        ("manufacturer", "Manufacturer"),
        ("manufacturer_model_name", "ManufacturerModelName"),
    ):
        value = (row.get(column) or "").strip()
        if value:
            entry[key] = value[:200]
    for key, column in (("sop_class_uid", "SOPClassUID"), ("transfer_syntax_uid", "TransferSyntaxUID")):
        value = (row.get(column) or "").split(",")[0].strip()
        if value and _UID.match(value) and len(value) <= 64:
            entry[key] = value
    if row.get("series_size_MB") is not None:
        entry["byte_size"] = max(0, round(float(row["series_size_MB"]) * 1_000_000))
    for key, column in (("series_description", "SeriesDescription"), ("study_description", "StudyDescription")):
        kept = words.keep(row.get(column), row.get("PatientID"))
        if kept:
            entry[key] = kept[:500]
        elif row.get(column):
            agg.descriptions_dropped += 1
    agg.series += 1
    agg.instances += entry["instance_count"]
    agg.byte_size += entry.get("byte_size", 0)
    agg.modalities[modality] += 1
    for counter, key in (
        (agg.body_parts, "body_part"),
        (agg.manufacturers, "manufacturer"),
        (agg.models, "manufacturer_model_name"),
    ):
        if key in entry:
            counter[entry[key]] += 1
    agg.licenses[row.get("license_short_name") or ""] += 1
    if row.get("analysis_result_id") is None and (doi := _doi(row.get("source_DOI"))):
        agg.dois[doi] += 1
    return entry


def _split_list(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", str(value or "")) if part.strip()]


def dataset_entry(collection: dict[str, Any], ds_id: str, agg: Aggregate) -> dict[str, Any]:
    """The ImagingDataset of a collection: its own row plus what its series add up to."""
    keywords = list(
        dict.fromkeys(
            _split_list(collection.get("cancer_types"))
            + _split_list(collection.get("tumor_locations"))
            + _split_list(collection.get("species"))
            + ["IDC", "TCIA"]
        )
    )
    sources = collection.get("sources") or []
    original = [s for s in sources if (s or {}).get("source_type") == "original_data"] or sources
    doi = (
        agg.dois.most_common(1)[0][0]
        if agg.dois
        else next((d for s in original if (d := _doi((s or {}).get("source_doi")))), None)
    )
    licence = agg.licenses.most_common(1)[0][0] if agg.licenses else None
    if not licence and original:
        licence = ((original[0] or {}).get("license") or {}).get("license_short_name")
    name = collection.get("collection_name") or collection["collection_id"]
    citation = next((_text(s.get("citation")) for s in original if s and s.get("citation")), None)
    entry: dict[str, Any] = {
        "type": "ImagingDataset",
        "id": ds_id,
        "title": name,
        "access_level": "open",
        "license": {"spdx_id": spdx(licence)},
        "publication_status": "published",
        "keywords": keywords,
        "series_count": agg.series,
        "instance_count": agg.instances,
        "byte_size": agg.byte_size,
        "study_count": len(agg.studies),
    }
    if url := next(((s or {}).get("license") or {}).get("license_url") for s in original if s):
        entry["license"]["url"] = url
    if len(agg.licenses) > 1:
        others = ", ".join(f"{k or 'unspecified'} ({n} series)" for k, n in agg.licenses.most_common()[1:])
        entry["data_use_conditions"] = f"Some series are under other licences: {others}; see the IDC portal."
    if description := _text(collection.get("description")):
        entry["description"] = description
    if collection.get("subjects") is not None:
        entry["subject_count"] = max(0, int(collection["subjects"]))
    if doi:
        entry["doi"] = doi
    entry["citation"] = citation or (f"{name}. NCI Imaging Data Commons." + (f" https://doi.org/{doi}" if doi else ""))
    if agg.modalities:
        entry["modalities"] = sorted(agg.modalities)
    if agg.body_parts:
        entry["body_parts"] = sorted(agg.body_parts)
    acquisition = {"manufacturers": sorted(agg.manufacturers)[:100], "models": sorted(agg.models)[:200]}
    acquisition = {k: v for k, v in acquisition.items() if v}
    if acquisition:
        entry["acquisition"] = acquisition
    updated = str(collection.get("updated") or "")[:10]
    if re.match(r"^\d{4}-\d{2}-\d{2}$", updated):
        entry["modified"] = updated
    return entry


@dataclass
class Collection:
    """One collection being read: its id, its dataset id, and its series in batches (the dataset is built after
    the last batch, from what they added up to)."""

    collection_id: str
    dataset_id: str
    row: dict[str, Any]
    aggregate: Aggregate
    batches: Iterator[list[dict[str, Any]]]
    #: Rows of the index for this collection (series without a valid UID among them are skipped).
    size: int = 0

    def dataset(self) -> dict[str, Any]:
        return dataset_entry(self.row, self.dataset_id, self.aggregate)


def collection_ids(index: IdcIndex) -> list[str]:
    """Every collection id of the index, sorted."""
    pq, _ = _pyarrow()
    return sorted(pq.read_table(index.collections_path, columns=["collection_id"])["collection_id"].to_pylist())


def count_series(index: IdcIndex, wanted: Iterable[str] | None = None) -> int:
    """How many series rows the index has (in the ``wanted`` collections)."""
    pq, pc = _pyarrow()
    ids = pq.read_table(index.series_path, columns=["collection_id"])["collection_id"]
    if wanted is None:
        return len(ids)
    return int(pc.sum(pc.is_in(ids, value_set=__import__("pyarrow").array(list(wanted)))).as_py() or 0)


def read(
    index: IdcIndex, wanted: Iterable[str] | None = None, words: DescriptionFilter | None = None
) -> Iterator[Collection]:
    """The collections (all, or the ``wanted`` ids, in id order) with their series; unknown ids are a UsageError
    that lists a few known ones."""
    pq, pc = _pyarrow()
    collections = {r["collection_id"]: r for r in pq.read_table(index.collections_path).to_pylist()}
    chosen = sorted(collections) if wanted is None else sorted(dict.fromkeys(wanted))
    unknown = [c for c in chosen if c not in collections]
    if unknown:
        raise UsageError(
            f"not in the IDC index ({index.version}): {', '.join(unknown)}; known collections include "
            f"{', '.join(sorted(collections)[:8])}, ... (`medal harvest idc: --list` lists them)"
        )
    words = words or DescriptionFilter.of(index)
    table = pq.read_table(index.series_path, columns=list(SERIES_COLUMNS))
    if wanted is not None:
        table = table.filter(pc.is_in(table["collection_id"], value_set=__import__("pyarrow").array(chosen)))
    table = table.sort_by([("collection_id", "ascending"), ("SeriesInstanceUID", "ascending")])
    ids = table["collection_id"]
    for cid in chosen:
        # Rows of one collection are contiguous after the sort: slice them out without copying.
        start = pc.index(ids, cid).as_py()
        count = 0 if start < 0 else int(pc.sum(pc.equal(ids.slice(start), cid)).as_py() or 0)
        part = table.slice(max(start, 0), count)
        ds_id, agg = dataset_id(cid), Aggregate()

        def batches(part: Any = part, ds_id: str = ds_id, agg: Aggregate = agg) -> Iterator[list[dict[str, Any]]]:
            for batch in part.to_batches(max_chunksize=BATCH_ROWS):
                out = [e for row in batch.to_pylist() if (e := series_entry(row, ds_id, words, agg)) is not None]
                if out:
                    yield out

        yield Collection(cid, ds_id, collections[cid], agg, batches(), count)
