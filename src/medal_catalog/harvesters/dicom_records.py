"""From parsed DICOM headers to catalog records: one small per-file record, then series and dataset summaries.

A per-file record is a plain JSON-ready dict (it is what the incremental cache stores) holding technical fields,
the audit's findings (keywords and tags only) and, for the population summary, a salted hash of the subject,
the sex and a ten-year age bin — never a name, an ID, a date of birth or any other flagged value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import struct
from collections import Counter, defaultdict
from datetime import date
from typing import Any, Iterable

from medal_catalog.contamination.check import uid_keys
from medal_catalog.dicom.header import FileProblem, Header
from medal_catalog.model import medal as m
from medal_catalog.dicom.audit import AUDIT_CAPTURE, audit_header, text

DICOMDIR_CLASS = "1.2.840.10008.1.3.10"
UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")
MODALITIES = frozenset(item.value for item in m.ModalityEnum)
AGE_BIN_WIDTH, AGE_TOP_BIN = 10, 90  # ages of 90 and over share one bin (HIPAA safe harbour)
AGE_TOP_MAX = 120

# Technical fields: name -> (tag, decoder). Decoders: s text, ss multi-valued text, f first decimal,
# ff all decimals, i first integer, us unsigned short, fd double.
TECH: dict[str, tuple[int, str]] = {
    "modality": (0x00080060, "s"),
    "body_part": (0x00180015, "s"),
    "manufacturer": (0x00080070, "s"),
    "manufacturer_model_name": (0x00081090, "s"),
    "magnetic_field_strength": (0x00180087, "f"),
    "slice_thickness": (0x00180050, "f"),
    "pixel_spacing": (0x00280030, "ff"),
    "rows": (0x00280010, "us"),
    "columns": (0x00280011, "us"),
    "sop_class_uid": (0x00080016, "s"),
    "image_type": (0x00080008, "ss"),
    "repetition_time": (0x00180080, "f"),
    "echo_time": (0x00180081, "f"),
    "kvp": (0x00180060, "f"),
    "convolution_kernel": (0x00181210, "s"),
    "series_number": (0x00200011, "i"),
}
# Enhanced (multi-frame) objects keep acquisition parameters in functional group sequences.
FUNCTIONAL_GROUPS = (0x52009229, 0x52009230)
NESTED_FALLBACK = {
    "slice_thickness": 0x00180050,
    "pixel_spacing": 0x00280030,
    "repetition_time": 0x00180080,
    "echo_time": 0x00189082,
    "magnetic_field_strength": 0x00180087,
    "kvp": 0x00180060,
}
STUDY_UID, SERIES_UID = 0x0020000D, 0x0020000E
PATIENT_ID, PATIENT_NAME, PATIENT_SEX, PATIENT_AGE = 0x00100020, 0x00100010, 0x00100040, 0x00101010
BIRTH_DATE, STUDY_DATE, ACQUISITION_DATE, CONTENT_DATE = 0x00100030, 0x00080020, 0x00080022, 0x00080023
EFFECTIVE_ECHO_TIME = 0x00189082

CAPTURE = (
    AUDIT_CAPTURE
    | {tag for tag, _ in TECH.values()}
    | {
        STUDY_UID,
        SERIES_UID,
        PATIENT_ID,
        PATIENT_NAME,
        PATIENT_SEX,
        PATIENT_AGE,
        BIRTH_DATE,
        STUDY_DATE,
        EFFECTIVE_ECHO_TIME,
    }
)


def _decode(raw: bytes | None, kind: str, little: bool) -> Any:
    if not raw:
        return None
    if kind == "us":
        return int.from_bytes(raw[:2], "little" if little else "big") if len(raw) >= 2 else None
    if kind == "fd":
        return struct.unpack("<d" if little else ">d", raw[:8])[0] if len(raw) >= 8 else None
    value = text(raw)
    if value is None:
        return None
    parts = [p.strip() for p in value.split("\\")]
    try:
        if kind == "s":
            return parts[0] or None
        if kind == "ss":
            return [p for p in parts if p] or None
        if kind == "f":
            return _finite(float(parts[0]))
        if kind == "ff":
            values = [_finite(float(p)) for p in parts if p]
            return values if values and None not in values else None
        if kind == "i":
            return int(float(parts[0]))
    except (ValueError, OverflowError):
        return None
    return None


def _finite(value: float) -> float | None:
    return value if value == value and abs(value) != float("inf") else None


def instance_record(header: Header, size: int, salt: bytes, name: str) -> dict[str, Any] | FileProblem:
    """The per-file record of one parsed header, or a FileProblem (path filled in by the caller).

    ``name`` is the file's relative path: the audit checks it too, and the manifest withholds it if it mentions
    an identifying value of the header.
    """
    top = header.top
    sop_class = text(top.get(0x00080016)) or header.media_storage_sop_class
    if sop_class == DICOMDIR_CLASS or header.media_storage_sop_class == DICOMDIR_CLASS:
        return FileProblem("", "DICOMDIR (a media directory, not an image)", "skipped")
    series_uid, study_uid = text(top.get(SERIES_UID)), text(top.get(STUDY_UID))
    if not series_uid:
        return FileProblem("", "no SeriesInstanceUID (0020,000E): the file cannot be grouped into a series")
    if not UID.match(series_uid) or len(series_uid) > 64:
        return FileProblem("", "SeriesInstanceUID (0020,000E) is not a valid DICOM UID")
    if not study_uid:
        return FileProblem("", "no StudyInstanceUID (0020,000D): the file cannot be grouped into a study")
    little = header.little_endian
    tech = {name: _decode(top.get(tag), kind, little) for name, (tag, kind) in TECH.items()}
    tech["sop_class_uid"] = sop_class
    for field_name, tag in NESTED_FALLBACK.items():
        if tech[field_name] is None:
            for group in FUNCTIONAL_GROUPS:
                values = header.nested.get((group, tag))
                if values:
                    kind = "fd" if tag == EFFECTIVE_ECHO_TIME else TECH[field_name][1]
                    tech[field_name] = _decode(values[0], kind, little)
                    break
    if tech["modality"]:
        tech["modality"] = tech["modality"].upper()
    if tech["body_part"]:
        tech["body_part"] = tech["body_part"].upper()
    audit = audit_header(header, name)
    # Checked against the public archives while the original UIDs are at hand (issue 19): their keys go to the
    # harvest's parent, which looks them up once the index is loaded and drops them (issue 29); only the finding
    # stays ("public", filled in by the parent: see contamination/harvest.py ``look_up``).
    keys = uid_keys(study_uid, series_uid)
    # Original UIDs may embed device serial numbers and dates, and a declared replacement is not proof of one
    # (issue 15): keep only keyed pseudonyms, the UIDs the catalog's rewritten files carry.
    study_uid, series_uid = pseudonymous_uid(salt, study_uid), pseudonymous_uid(salt, series_uid)
    record = {
        "study": study_uid,
        "series": series_uid,
        "ts": header.transfer_syntax,
        "size": size,
        "subject": _subject_key(top, study_uid, salt),
        "sex": _sex(top),
        "age_bin": _age_bin(top),
        "tech": tech,
        "public": None,
        "_uid_keys": keys,
        "audit": {
            "findings": [[f.keyword, f.tag, f.action, f.reason] for f in audit.findings],
            "removed": audit.patient_identity_removed,
            "method": audit.deidentification_method,
            "options": list(audit.profile_options),
            "burned": audit.burned_in_annotation,
            "ltim": audit.longitudinal_temporal_information_modified,
            "series_description": audit.series_description,
            "study_description": audit.study_description,
            "path_withheld": audit.path_withheld,
        },
    }
    if header.truncated:
        record["truncated"] = header.truncated
    return record


def pseudonymous_uid(salt: bytes, uid: str) -> str:
    """A stable stand-in for an original UID: a 2.25 (UUID-derived) UID from a keyed hash of it."""
    digest = hmac.new(salt, uid.encode(), hashlib.sha256).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


def _subject_key(top: dict[int, bytes], study_uid: str, salt: bytes) -> str:
    """A keyed hash that tells subjects apart without keeping who they are; one subject per study without IDs."""
    identity = top.get(PATIENT_ID, b"").strip(b"\x00 ") or top.get(PATIENT_NAME, b"").strip(b"\x00 ")
    if not identity:
        identity = b"study:" + study_uid.encode()
    return hmac.new(salt, identity, hashlib.sha256).hexdigest()[:16]


def _sex(top: dict[int, bytes]) -> str | None:
    value = (text(top.get(PATIENT_SEX)) or "").upper()
    return value if value in ("F", "M", "O") else None


def _age_bin(top: dict[int, bytes]) -> int | None:
    """The lower bound of the ten-year bin of the subject's age at the study, from PatientAge or dates."""
    years = None
    age = text(top.get(PATIENT_AGE))
    if age and len(age) == 4 and age[:3].isdigit() and age[3] in "DWMY":
        years = int(age[:3]) if age[3] == "Y" else int(age[:3]) // {"D": 365, "W": 52, "M": 12}[age[3]]
    else:
        born = _date(text(top.get(BIRTH_DATE)))
        seen = _date(text(top.get(STUDY_DATE)) or text(top.get(ACQUISITION_DATE)) or text(top.get(CONTENT_DATE)))
        if born and seen and seen >= born:
            years = seen.year - born.year - ((seen.month, seen.day) < (born.month, born.day))
    if years is None or years > 150:
        return None
    return min(years // AGE_BIN_WIDTH * AGE_BIN_WIDTH, AGE_TOP_BIN)


def _date(value: str | None) -> date | None:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8])) if value and len(value) >= 8 else None
    except ValueError:
        return None


def _mode(values: Iterable[tuple[Any, int]]) -> Any:
    """The value carried by most files, from (value, number of files) pairs; None when no file has one."""
    counts: Counter[str] = Counter()
    first: dict[str, Any] = {}
    for value, weight in values:
        if value is not None:
            key = repr(value)
            counts[key] += weight
            first.setdefault(key, value)
    return first[counts.most_common(1)[0][0]] if counts else None


def _unique(records: list[dict[str, Any]], part: str) -> list[tuple[dict[str, Any], int]]:
    """The distinct shared parts (tech or audit) of records with how many files carry each.

    Records of one series share these dicts (interned on load and after reading), so a 10,000-file series
    is summarised from a handful of objects.
    """
    seen: dict[int, list[Any]] = {}
    for record in records:
        obj = record[part]
        slot = seen.get(id(obj))
        if slot is None:
            seen[id(obj)] = [obj, 1]
        else:
            slot[1] += 1
    return [(obj, n) for obj, n in seen.values()]


#: Per-file fields that files of one series usually share; stored once in the cache like tech and audit.
GROUP_KEYS = ("study", "series", "ts", "subject", "sex", "age_bin", "public")


def intern(records: list[dict[str, Any]], table: dict[str, Any]) -> None:
    """Make records with equal tech fields and audits share one dict each (see :func:`_unique`)."""
    for record in records:
        record["group"] = {k: record[k] for k in GROUP_KEYS}
        for part in ("tech", "audit", "group"):
            key = part + json.dumps(record[part], sort_keys=True)
            record[part] = table.setdefault(key, record[part])


def series_id(dataset_id: str, series_uid: str, number: int | None) -> str:
    """A stable catalog id for a series: the dataset id, the series number and a digest of its UID."""
    digest = hashlib.sha256(series_uid.encode()).hexdigest()[:12]
    middle = f"s{number}-" if number is not None and 0 <= number < 10**9 else ""
    return f"{dataset_id[:100]}.{middle}{digest}"


def build_series(dataset_id: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group per-file records into series and consolidate each one: per field, the value most files agree on."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[(record["study"], record["series"])].append(record)
    series = []
    for (study_uid, series_uid), members in sorted(groups.items()):
        techs, audits = _unique(members, "tech"), _unique(members, "audit")
        tech = {name: _mode((t.get(name), n) for t, n in techs) for name in TECH}
        descriptions = {}
        for key, keyword in (("series_description", "SeriesDescription"), ("study_description", "StudyDescription")):
            dropped = any(f[0] == keyword for a, _ in audits for f in a["findings"])
            descriptions[key] = None if dropped else _mode((a[key], n) for a, n in audits)
        if any(a["findings"] for a, _ in audits):
            status = "flagged"
        elif all(a["removed"] for a, _ in audits):
            status = "clean"
        else:
            status = "not_declared"
        modality = tech["modality"] if tech["modality"] in MODALITIES else "OT"
        series.append(
            {
                "id": series_id(dataset_id, series_uid, tech["series_number"]),
                "dataset": dataset_id,
                "study_instance_uid": study_uid,
                "series_instance_uid": series_uid,
                **tech,
                "modality": modality,
                "instance_count": len(members),
                "byte_size": sum(r["size"] for r in members),
                "transfer_syntax_uid": _mode((r["ts"], 1) for r in members),
                **descriptions,
                "deidentification_status": status,
                "audit_findings_count": sum(len(a["findings"]) * n for a, n in audits),
                "_modality_as_found": tech["modality"],
            }
        )
    return series


def series_model(row: dict[str, Any]) -> m.ImagingSeries:
    """The validated ImagingSeries of one consolidated series row; fields that break the schema are dropped."""
    fields = {k: v for k, v in row.items() if not k.startswith("_") and v is not None}
    for key in ("study_instance_uid", "sop_class_uid", "transfer_syntax_uid"):
        if key in fields and not UID.match(fields[key]):
            del fields[key]  # a malformed UID in the file: leave the optional field out rather than fail
    for key in ("rows", "columns"):
        if key in fields and fields[key] < 1:
            del fields[key]
    return m.ImagingSeries(**fields)


def _range(values: list[float]) -> m.NumericRange | None:
    return m.NumericRange(minimum=min(values), maximum=max(values)) if values else None


def dataset_summaries(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate-only dataset fields: counts, acquisition and population summaries, body parts, modalities."""
    techs = [t for t, _ in _unique(records, "tech")]
    subjects: dict[str, dict[str, Any]] = {}
    for r in records:
        subject = subjects.setdefault(r["subject"], {"sex": None, "age_bin": None})
        subject["sex"] = subject["sex"] or r["sex"]
        if r["age_bin"] is not None:
            subject["age_bin"] = r["age_bin"] if subject["age_bin"] is None else min(subject["age_bin"], r["age_bin"])
    sexes = Counter(s["sex"] for s in subjects.values())
    bins = Counter(s["age_bin"] for s in subjects.values() if s["age_bin"] is not None)
    age_bins = [
        m.AgeBin(minimum=low, maximum=AGE_TOP_MAX if low == AGE_TOP_BIN else low + AGE_BIN_WIDTH - 1, count=count)
        for low, count in sorted(bins.items())
    ]
    population = m.PopulationSummary(
        sex_counts=m.SexCounts(female=sexes["F"], male=sexes["M"], other=sexes["O"], unknown=sexes[None]),
        age_bins=age_bins or None,
        age_range=m.NumericRange(minimum=age_bins[0].minimum, maximum=age_bins[-1].maximum) if age_bins else None,
    )
    spacing = [v for t in techs for v in (t.get("pixel_spacing") or [])]
    acquisition = m.AcquisitionSummary(
        manufacturers=sorted({t["manufacturer"] for t in techs if t.get("manufacturer")}) or None,
        models=sorted({t["manufacturer_model_name"] for t in techs if t.get("manufacturer_model_name")}) or None,
        field_strengths=sorted(
            {round(t["magnetic_field_strength"], 3) for t in techs if t.get("magnetic_field_strength")}
        )
        or None,
        slice_thickness_range=_range([t["slice_thickness"] for t in techs if t.get("slice_thickness")]),
        pixel_spacing_range=_range(spacing),
    )
    modalities = {t["modality"] for t in techs if t.get("modality")}
    return {
        "modalities": sorted(modalities & MODALITIES) or None,
        "body_parts": sorted({t["body_part"] for t in techs if t.get("body_part")}) or None,
        "file_formats": ["application/dicom"],
        "subject_count": len(subjects),
        "study_count": len({r["study"] for r in records}),
        "series_count": len({(r["study"], r["series"]) for r in records}),
        "instance_count": len(records),
        "byte_size": sum(r["size"] for r in records),
        "acquisition": acquisition,
        "population": population,
    }


def deidentification_record(records: list[dict[str, Any]], series: list[dict[str, Any]]) -> m.DeidentificationRecord:
    """What the files declare about their de-identification, and the audit's counts per attribute."""
    files_per_finding: Counter[tuple[str, str | None]] = Counter()
    series_per_finding: dict[tuple[str, str | None], set[tuple[str, str]]] = defaultdict(set)
    by_series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_series[(r["study"], r["series"])].append(r)
    for key_series, members in by_series.items():
        for audit, n in _unique(members, "audit"):
            for key in {(f[0], f[1]) for f in audit["findings"]}:
                files_per_finding[key] += n
                series_per_finding[key].add(key_series)
    audits = [a for a, _ in _unique(records, "audit")]
    with_findings = sum(n for a, n in _unique(records, "audit") if a["findings"])
    findings = [
        m.AuditFinding(attribute=k[0], tag=k[1], count=n, series_count_flagged=len(series_per_finding[k]))
        for k, n in sorted(files_per_finding.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or ""))
    ]
    burned = {a["burned"] for a in audits}
    options = set.intersection(*(set(a["options"]) for a in audits)) if audits else set()
    methods = sorted({a["method"] for a in audits if a["method"]})
    ltims = sorted({a["ltim"] or "NOT DECLARED" for a in audits})
    return m.DeidentificationRecord(
        patient_identity_removed=bool(audits) and all(a["removed"] for a in audits),
        deidentification_method="; ".join(methods[:5]) or None,
        profile_options=sorted(options) or None,
        burned_in_annotation="YES" if "YES" in burned else "NO" if burned == {"NO"} else "UNKNOWN",
        longitudinal_temporal_information_modified=", ".join(ltims) if ltims else None,
        audit=m.AuditSummary(files_audited=len(records), files_with_findings=with_findings, findings=findings or None),
    )


#: ImagingDataset fields the harvester owns; everything else (title, licence, consent...) belongs to the submitter.
HARVESTED_FIELDS = (
    "modalities",
    "body_parts",
    "file_formats",
    "subject_count",
    "study_count",
    "series_count",
    "instance_count",
    "byte_size",
    "acquisition",
    "population",
    "deidentification",
)
HARVESTED_DISTRIBUTIONS = ("dicom-files", "manifest")
KEPT_HARVEST_RUNS = 20


def same_but_harvest_runs(a: dict[str, Any], b: dict[str, Any] | None) -> bool:
    """True when two dataset documents differ at most in their list of harvest runs (a re-run on unchanged input)."""

    def strip(doc: dict[str, Any]) -> dict[str, Any]:
        provenance = {k: v for k, v in (doc.get("provenance") or {}).items() if k != "harvest_runs"}
        return {**doc, "provenance": provenance}

    return b is not None and strip(a) == strip(b)


def merge_dataset(harvested: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """The dataset entry to store: the existing one with the harvested fields replaced and this run appended.

    Without an existing entry the harvested record (with its placeholder title, access level and licence) is used.
    """
    if not existing:
        return harvested
    merged = {k: v for k, v in existing.items() if k not in HARVESTED_FIELDS}
    merged.update({k: harvested[k] for k in HARVESTED_FIELDS if k in harvested})
    runs = [
        *((existing.get("provenance") or {}).get("harvest_runs") or []),
        *((harvested.get("provenance") or {}).get("harvest_runs") or []),
    ]
    merged["provenance"] = {**(existing.get("provenance") or {}), "harvest_runs": runs[-KEPT_HARVEST_RUNS:]}
    kept = [d for d in existing.get("distribution") or [] if d.get("name") not in HARVESTED_DISTRIBUTIONS]
    merged["distribution"] = kept + [
        d for d in harvested.get("distribution") or [] if d.get("name") in HARVESTED_DISTRIBUTIONS
    ]
    return merged


def merge_harvest(
    dataset: dict[str, Any], harvest: Any, *, distributions: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A described dataset (a submission's, an imported Croissant's) merged with the DICOM harvest of its files
    (a HarvestResult), and the harvested series entries. The description of the de-identification (tool,
    version, method) stays; the files' declarations and the audit come from the harvest. Without
    ``distributions`` the dataset's own distribution stays as it is (an import describes its files itself)."""
    harvested = harvest.dataset.model_dump(mode="json", exclude_none=True)
    merged = merge_dataset(harvested, dataset)
    if not distributions:
        merged["distribution"] = dataset.get("distribution") or []
    merged["deidentification"] = {
        **(dataset.get("deidentification") or {}),
        **(harvested.get("deidentification") or {}),
    }
    return merged, [s.model_dump(mode="json", exclude_none=True) for s in harvest.series]
