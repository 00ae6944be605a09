"""The ImagingDataset of a Croissant (1.0 or 1.1) document: its metadata in the MEDAL schema.

Licence as SPDX, creators with ORCID and ROR, distribution with checksums and roles, record-set summaries, RAI
notes, DUO consent from ``usageInfo``, the access level. What cannot be mapped is reported to an ``issue``
callable (see :mod:`medal_catalog.croissant.reading`); the original document is kept by the caller, unchanged.

The SPDX licence list and the ORCID check digit belong to the catalog's policy (validators.rules, a layer above
the format), so the caller passes them in.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable

from medal_catalog.croissant.reading import byte_size, hex_digest, record_set_fields
from medal_catalog.croissant.vocabulary import (
    MEDAL,
    RAI,
    as_list,
    duo_codes,
    local_name,
    local_path,
    node_id,
    node_kind,
)
from medal_catalog.report import Severity
from medal_catalog.schema.facts import access_levels, enum_values, slot_pattern

ENTRY_ID = re.compile(slot_pattern("id"))
#: DUO permission (DuoPermissionEnum) -> the consent type it states.
PERMISSIONS = {"NRES": "not_applicable", "GRU": "broad", "HMB": "broad", "POA": "broad", "DS": "specific"}
_ORCID = re.compile(r"orcid\.org/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)
_DOI = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_ROR = re.compile(r"^https://ror\.org/0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_RAI_TEXT = {
    "dataCollection": "data_collection",
    "dataAnnotationProtocol": "annotation_protocol",
    "annotatorDemographics": "annotator_expertise",
    "dataAnnotationAnalysis": "annotator_agreement",
    "dataPreprocessingProtocol": "preprocessing",
}
_RAI_LIST = {"dataBiases": "data_biases", "dataLimitations": "data_limitations", "dataUseCases": "use_cases"}
_ARCHIVES = (
    "application/zip",
    "application/x-zip-compressed",
    "application/x-tar",
    "application/gzip",
    "application/x-gzip",
    "application/x-7z-compressed",
)
_ROLE_HINTS = (
    ("labels", re.compile(r"label|annotation|target|ground.?truth|segmentation|mask|split", re.I)),
    ("reports", re.compile(r"report|finding|impression", re.I)),
    ("clinical_data", re.compile(r"clinical|patient|demograph|laborator|ehr|fhir", re.I)),
)


def map_dataset(
    data: dict[str, Any],
    path: Path,
    issue,
    *,
    access_level: str | None,
    dataset_id: str | None,
    licenses: Callable[[], dict[str, Any]],
    orcid_ok: Callable[[str], bool],
) -> dict[str, Any] | None:
    """The ImagingDataset of a valid Croissant document, or None (with error issues) when it cannot be one.
    ``licenses`` gives the SPDX licence list (``{"licenses": {id: {"category"}}, "open_categories"}``),
    ``orcid_ok`` checks an ORCID iD's check digit."""
    name = _text(data.get("name"))
    entry_id = dataset_id or _slug(name or "") or _slug(re.sub(r"(\.croissant)?\.json(ld)?$", "", path.name))
    if not entry_id or not ENTRY_ID.match(entry_id):
        issue(
            "croissant.id",
            "no valid dataset id: the name makes none",
            pointer="/name",
            hint="Give one with --dataset ID (lower-case letters, digits, '.', '_' and '-').",
        )
        return None
    out: dict[str, Any] = {"type": "ImagingDataset", "id": entry_id, "title": name or entry_id}
    _put(out, "description", _text(data.get("description")))
    version = data.get("version")
    _put(out, "version", str(version) if isinstance(version, (str, int, float)) else None)
    _put(out, "keywords", [k for k in (_keyword(v) for v in as_list(data.get("keywords"))) if k])
    license_ = _license(data.get("license"), issue, licenses)
    if license_ is None:
        issue(
            "croissant.no-license",
            "the dataset declares no licence, which the catalog requires",
            pointer="/license",
            hint="Add license (an SPDX URL such as https://spdx.org/licenses/CC-BY-4.0.html).",
        )
        return None
    out["license"] = license_
    level = _access_level(data, license_, access_level, issue, licenses)
    if level is None:
        return None
    out["access_level"] = level
    _put(out, "created", _date(data.get("datePublished"), "/datePublished", issue))
    _put(out, "modified", _date(data.get("dateModified"), "/dateModified", issue))
    _put(out, "citation", _text(data.get("citeAs")) or _text(data.get("citation")))
    provenance = _creators(data.get("creator"), issue, orcid_ok)
    links = [u for u in [*as_list(data.get("url")), *as_list(data.get("sameAs"))] if isinstance(u, str)]
    dois = [
        m.group(1) for u in [*links, *as_list(data.get("identifier"))] if isinstance(u, str) and (m := _DOI.match(u))
    ]
    _put(out, "doi", dois[0] if dois else None)
    _put(provenance, "derived_from", [u for u in dict.fromkeys(links) if re.match(r"^https?://", u)])
    _put(out, "provenance", provenance)
    _put(out, "consent", _consent(data.get("usageInfo"), issue))
    distribution, formats = _distribution(data, issue)
    _put(out, "distribution", distribution)
    _put(out, "file_formats", formats)
    _put(out, "record_sets", [_record_set(r) for r in as_list(data.get("recordSet")) if isinstance(r, dict)])
    burned = _text(data.get("medal:burnedInAnnotation") or data.get(MEDAL + "burnedInAnnotation"))
    if burned is not None:
        if burned.upper() not in ("YES", "NO", "UNKNOWN"):
            issue(
                "croissant.burned-in",
                "medal:burnedInAnnotation is not YES, NO or UNKNOWN",
                pointer="/medal:burnedInAnnotation",
            )
        else:  # the catalog keeps the dataset's DICOM only when this says NO (and each header agrees)
            out["deidentification"] = {"burned_in_annotation": burned.upper()}
    _put(out, "responsible_ai", _rai(data))
    _put(out, "collection_period", _period(_rai_value(data, "dataCollectionTimeframe")))
    out["source_document"] = path.name
    return out


def _access_level(
    data: dict[str, Any], license_: dict[str, Any], given: str | None, issue, licenses: Callable[[], dict[str, Any]]
) -> str | None:
    declared = _text(data.get("medal:accessLevel") or data.get(MEDAL + "accessLevel"))
    if declared is not None and declared not in access_levels():
        issue(
            "croissant.access-level",
            "medal:accessLevel is not one of " + ", ".join(access_levels()),
            pointer="/medal:accessLevel",
        )
        return None
    if declared and given and declared != given:
        issue(
            "croissant.access-level-conflict",
            "the document's medal:accessLevel differs from the one asked for; the document's applies",
            pointer="/medal:accessLevel",
            severity=Severity.WARNING,
        )
    if declared or given:
        return declared or given
    spdx = licenses()
    entry = spdx["licenses"].get(license_["spdx_id"])
    if entry is not None and entry["category"] in spdx["open_categories"]:
        return "open"
    issue(
        "croissant.access-level-required",
        "the licence is not an open SPDX licence, so the access level must be given",
        pointer="/license",
        hint="Pass --access-level registered|controlled|hidden_test (or open), or add "
        "medal:accessLevel to the document.",
    )
    return None


def _license(value: Any, issue, licenses: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    items = [v for v in as_list(value) if v]
    if not items:
        return None
    if len(items) > 1:
        issue(
            "croissant.licenses", "several licences: the first is kept", pointer="/license", severity=Severity.WARNING
        )
    item = items[0]
    url = name = None
    if isinstance(item, dict):
        url = _text(item.get("url")) or (item.get("@id") if isinstance(item.get("@id"), str) else None)
        name = _text(item.get("identifier")) or _text(item.get("name"))
    elif isinstance(item, str):
        url, name = (item, None) if re.match(r"^https?://", item) else (None, item)
    known = {k.lower(): k for k in licenses()["licenses"]}
    candidates = [name] if name else []
    if url:
        u = url.rstrip("/")
        if m := re.search(r"spdx\.org/licenses/([^/?#]+?)(\.html|\.json)?$", u):
            candidates.append(m.group(1))
        if m := re.search(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)", u):
            candidates.append(f"CC-{m.group(1).upper()}-{m.group(2)}")
        if re.search(r"creativecommons\.org/publicdomain/zero/1\.0", u):
            candidates.append("CC0-1.0")
        if m := re.search(r"(?:choosealicense\.com|opensource\.org)/licenses?/([^/?#]+)$", u):
            candidates.append(m.group(1))
    for candidate in candidates:
        spdx = known.get(candidate.strip().lower())
        if spdx:
            return {"spdx_id": spdx, "url": url} if url and "spdx.org" not in url else {"spdx_id": spdx}
    label = name or (url.rstrip("/").rsplit("/", 1)[-1] if url else "unspecified")
    ref = "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.-]+", "-", label).strip("-.") or "unspecified")
    return {"spdx_id": ref, **({"url": url} if url else {})}


def _creators(value: Any, issue, orcid_ok: Callable[[str], bool]) -> dict[str, Any]:
    people, organizations = [], []
    for i, item in enumerate(as_list(value)):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not _text(item.get("name")):
            issue(
                "croissant.creator",
                "a creator without a name is left out",
                pointer=f"/creator/{i}",
                severity=Severity.WARNING,
            )
            continue
        name = _text(item.get("name"))
        ids = [v for key in ("@id", "identifier", "url", "sameAs") for v in as_list(item.get(key))]
        ids = [_text(v.get("value") or v.get("@id")) if isinstance(v, dict) else v for v in ids]
        ids = [v for v in ids if isinstance(v, str)]
        if local_name(item.get("@type")) == "Organization":
            org: dict[str, Any] = {"name": name}
            _put(org, "ror", next((v for v in ids if _ROR.match(v)), None))
            _put(org, "url", next((v for v in ids if re.match(r"^https?://", v) and not _ROR.match(v)), None))
            organizations.append(org)
            continue
        person: dict[str, Any] = {"name": name}
        orcids = [f"https://orcid.org/{m.group(1).upper()}" for v in ids if (m := _ORCID.search(v))]
        if orcids:
            if orcid_ok(orcids[0]):
                person["orcid"] = orcids[0]
            else:
                issue(
                    "croissant.orcid",
                    "a creator's ORCID iD has a wrong check digit and is left out",
                    pointer=f"/creator/{i}",
                    severity=Severity.WARNING,
                )
        email = _text(item.get("email"))
        _put(
            person,
            "email",
            email.removeprefix("mailto:") if email and _EMAIL.match(email.removeprefix("mailto:")) else None,
        )
        affiliation = item.get("affiliation")
        if isinstance(affiliation, dict) and _text(affiliation.get("name")):
            person["affiliation"] = {"name": _text(affiliation.get("name"))}
        people.append(person)
    out: dict[str, Any] = {}
    _put(out, "contributors", people)
    _put(out, "organizations", organizations)
    return out


def _consent(value: Any, issue) -> dict[str, Any] | None:
    code_of = {number: code for code, number in duo_codes().items()}
    codes = []
    for item in as_list(value):
        text = item.get("@id") if isinstance(item, dict) else item
        if isinstance(text, str) and (m := re.search(r"DUO[_:](\d{7})$", text)):
            code = code_of.get(f"DUO_{m.group(1)}")
            if code:
                codes.append(code)
    if not codes:
        return None
    permissions = [c for c in codes if c in PERMISSIONS]
    if len(permissions) != 1:
        named = ", ".join(enum_values("DuoPermissionEnum"))
        issue(
            "croissant.duo",
            f"usageInfo needs exactly one DUO permission ({named}) to state the consent; the DUO "
            "terms are kept in the original only",
            pointer="/usageInfo",
            severity=Severity.WARNING,
        )
        return None
    consent: dict[str, Any] = {
        "consent_type": PERMISSIONS[permissions[0]],
        "duo_permission": permissions[0],
        "description": "From the DUO terms of the imported Croissant's usageInfo; the consent type is inferred "
        "from the DUO permission.",
    }
    _put(consent, "duo_modifiers", [c for c in dict.fromkeys(codes) if c not in PERMISSIONS])
    return consent


def _distribution(data: dict[str, Any], issue) -> tuple[list[dict[str, Any]], list[str]]:
    nodes = [n for n in as_list(data.get("distribution")) if isinstance(n, dict)]
    names = {node_id(n): _text(n.get("name")) or node_id(n) for n in nodes}
    use = _record_set_use(data, nodes)
    out, formats = [], []
    for i, node in enumerate(nodes):
        kind = node_kind(node)
        if kind not in ("FileObject", "FileSet"):
            continue
        media = [m for m in as_list(node.get("encodingFormat")) if isinstance(m, str)]
        formats += media
        item: dict[str, Any] = {
            "name": names[node_id(node)] or f"distribution-{i}",
            "distribution_kind": "file" if kind == "FileObject" else "file_set",
            "distribution_role": _role(node, media, use.get(node_id(node), [])),
            "media_type": media[0] if media else "application/octet-stream",
        }
        _put(item, "description", _text(node.get("description")))
        url = node.get("contentUrl")
        if isinstance(url, str):
            rel = local_path(url)
            _put(item, "path", rel)
            _put(item, "url", url if rel is None and re.match(r"^https?://", url) else None)
        includes = [p for p in as_list(node.get("includes")) if isinstance(p, str)]
        _put(item, "includes", ", ".join(includes) if includes else None)
        container = [c.get("@id") if isinstance(c, dict) else c for c in as_list(node.get("containedIn"))]
        _put(item, "contained_in", ", ".join(names.get(c) or c for c in container if isinstance(c, str)) or None)
        _put(item, "byte_size", byte_size(node.get("contentSize")))
        for algorithm, length in (("sha256", 64), ("md5", 32)):
            declared = node.get(algorithm)
            if isinstance(declared, str) and declared:
                digest = hex_digest(declared)
                if len(digest) == length and re.fullmatch(r"[0-9a-f]+", digest):
                    item[algorithm] = digest
                else:
                    issue(
                        "croissant.checksum",
                        f"a {algorithm} that is not a digest is left out",
                        pointer=f"/distribution/{i}/{algorithm}",
                        severity=Severity.WARNING,
                    )
        out.append(item)
    return out, sorted(dict.fromkeys(formats))


def _record_set_use(data: dict[str, Any], nodes: list[dict[str, Any]]) -> dict[str, list[str]]:
    """distribution @id -> the names (record sets, fields) of what reads it, directly or through a container."""
    use: dict[str, list[str]] = {}
    for record_set in as_list(data.get("recordSet")):
        if not isinstance(record_set, dict):
            continue
        for fld in record_set_fields(record_set):
            source = fld.get("source") if isinstance(fld.get("source"), dict) else {}
            for key in ("fileObject", "fileSet", "distribution"):
                ref = source.get(key)
                ref = ref.get("@id") if isinstance(ref, dict) else ref
                if isinstance(ref, str):
                    use.setdefault(ref, []).extend([_text(record_set.get("name")) or "", _text(fld.get("name")) or ""])
    for node in nodes:  # a container is used by what its members are used for
        for container in as_list(node.get("containedIn")):
            ref = container.get("@id") if isinstance(container, dict) else container
            if isinstance(ref, str):
                use.setdefault(ref, []).extend(use.get(node_id(node) or "", []))
    return use


def _role(node: dict[str, Any], media: list[str], use: list[str]) -> str:
    lowered = [m.lower() for m in media]
    if any("dicom" in m or m.startswith("image/") or "nifti" in m for m in lowered):
        return "images"
    if any(m in _ARCHIVES for m in lowered):
        return "archive"
    if any(m in ("application/ld+json",) for m in lowered) and not use:
        return "metadata"
    words = " ".join([_text(node.get("name")) or "", node_id(node) or "", *use])
    for role, pattern in _ROLE_HINTS:
        if pattern.search(words):
            return role
    if any(m in ("text/plain", "application/pdf", "text/markdown") for m in lowered):
        return "reports" if use else "other"
    return "other"


def _record_set(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": _text(node.get("name")) or node_id(node) or "record-set"}
    _put(out, "description", _text(node.get("description")))
    keys = [k.get("@id") if isinstance(k, dict) else k for k in as_list(node.get("key"))]
    _put(out, "key_fields", [k for k in keys if isinstance(k, str)])
    fields = []
    for fld in record_set_fields(node):
        item: dict[str, Any] = {"name": _text(fld.get("name")) or node_id(fld) or "field"}
        _put(item, "description", _text(fld.get("description")))
        _put(item, "data_types", [t for t in as_list(fld.get("dataType")) if isinstance(t, str)])
        ref = fld.get("references")
        if isinstance(ref, dict):
            target = next((v for v in ref.values() if isinstance(v, (dict, str))), None)
            _put(item, "references", target.get("@id") if isinstance(target, dict) else target)
        fields.append(item)
    _put(out, "fields", fields)
    return out


def _rai(data: dict[str, Any]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for term, slot in _RAI_TEXT.items():
        texts = [t for t in (_text(v) for v in as_list(_rai_value(data, term))) if t]
        _put(out, slot, "\n\n".join(texts) if texts else None)
    for term, slot in _RAI_LIST.items():
        _put(out, slot, [t for t in (_text(v) for v in as_list(_rai_value(data, term))) if t])
    return out or None


def _rai_value(data: dict[str, Any], term: str) -> Any:
    for key in (f"rai:{term}", RAI + term):
        if key in data:
            return data[key]
    return None


def _period(value: Any) -> dict[str, Any] | None:
    dates = sorted(d[:10] for d in (_text(v) for v in as_list(value)) if d and _DATE.match(d))
    if not dates:
        return None
    return {"start_date": dates[0], **({"end_date": dates[-1]} if len(dates) > 1 else {})}


def _date(value: Any, pointer: str, issue) -> str | None:
    text = _text(value)
    if not text:
        return None
    if _DATE.match(text):
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            pass
    issue("croissant.date", "not a date (YYYY-MM-DD): left out", pointer=pointer, severity=Severity.WARNING)
    return None


def _keyword(value: Any) -> str | None:
    return _text(value.get("name")) if isinstance(value, dict) else _text(value)


def _text(value: Any) -> str | None:
    """The text of a plain or language-tagged value (English first), None for anything else."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        if "@value" in value:
            return _text(value["@value"])
        return None
    if isinstance(value, list):
        tagged = [v for v in value if isinstance(v, dict) and str(v.get("@language", "")).startswith("en")]
        for item in [*tagged, *value]:
            text = _text(item)
            if text:
                return text
    return None


def _slug(text: str) -> str | None:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")[:128].rstrip("-._")
    return slug if ENTRY_ID.match(slug) else None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        target[key] = value
