"""Croissant 1.1 (with RAI 1.0) for an ImagingDataset: its metadata and a `series` record set over the series
manifest.

The series manifest is the dataset's harvested ImagingSeries (their typed, de-identified header fields), one JSON
object per line; it is what `mlcroissant ... .records("series")` yields. It carries no data locations, so the
same export serves open, controlled and hidden-test datasets. The DICOM files the catalog keeps are added (an
``images`` record set over ``dicom.zip``) only for a caller who may fetch them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

from medal_catalog.croissant.vocabulary import CONFORMS_TO, CROISSANT_CONTEXT, duo_terms
from medal_catalog.schema.facts import slot_ranges

#: The series manifest's columns: the ImagingSeries slots it carries, in this order.
SERIES_COLUMNS = (
    "id",
    "series_instance_uid",
    "study_instance_uid",
    "series_number",
    "modality",
    "body_part",
    "manufacturer",
    "manufacturer_model_name",
    "magnetic_field_strength",
    "slice_thickness",
    "rows",
    "columns",
    "instance_count",
    "repetition_time",
    "echo_time",
    "kvp",
    "convolution_kernel",
    "series_description",
    "deidentification_status",
)
#: The Croissant data type of a slot's LinkML range; every other range (strings, enums, entry ids) is text.
_DATA_TYPES = {"integer": "sc:Integer", "float": "sc:Float", "double": "sc:Float", "boolean": "sc:Boolean"}


def _series_fields() -> dict[str, str]:
    ranges = slot_ranges("ImagingSeries")
    return {name: _DATA_TYPES.get(ranges[name], "sc:Text") for name in SERIES_COLUMNS}


#: Series manifest columns: ImagingSeries slot -> the Croissant data type of its range in the schema.
SERIES_FIELDS: dict[str, str] = _series_fields()


def series_manifest(series: Iterable[dict[str, Any]]) -> bytes:
    """The series manifest (JSON lines, every column present, sorted by id) as bytes."""
    rows = sorted(({k: s.get(k) for k in SERIES_FIELDS} for s in series), key=lambda r: r["id"])
    return b"".join(json.dumps(row, ensure_ascii=False, sort_keys=True).encode() + b"\n" for row in rows)


def license_url(license_: dict[str, Any]) -> str | None:
    """The URL of an entry's licence: the SPDX page of an SPDX licence, else the URL it gives (or None)."""
    spdx = license_.get("spdx_id")
    if spdx and not spdx.startswith("LicenseRef-"):
        return f"https://spdx.org/licenses/{spdx}.html"
    return license_.get("url")


def person(p: dict[str, Any]) -> dict[str, Any]:
    """A schema.org Person of a MEDAL person, identified by its ORCID iD when it has one."""
    out: dict[str, Any] = {"@type": "sc:Person", "name": p.get("name")}
    if p.get("orcid"):
        out["@id"] = out["identifier"] = p["orcid"]
    return out


def dataset_croissant(
    dataset: dict[str, Any],
    manifest: bytes,
    *,
    identifier: str,
    manifest_url: str,
    published: str | None = None,
    archive: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The Croissant document of ``dataset``; ``identifier`` is its resolvable id, ``manifest_url`` locates the
    series manifest (relative to the document or absolute), ``published`` is the date it entered the catalog.
    ``archive`` ({"url", "sha256", "byte_size"}) is the zip of DICOM files the catalog serves for the dataset, if
    any: it adds a FileSet of its DICOM files and an ``images`` record set (see :func:`dicom_nodes`)."""
    consent = dataset.get("consent") or {}
    provenance = dataset.get("provenance") or {}
    rai = dataset.get("responsible_ai") or {}
    deid = dataset.get("deidentification") or {}
    period = dataset.get("collection_period") or {}
    contributors = [person(p) for p in provenance.get("contributors") or []]
    doc: dict[str, Any] = {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "@id": identifier,
        "conformsTo": list(CONFORMS_TO),
        "name": dataset["id"],
        "alternateName": dataset.get("title"),
        "description": dataset.get("description") or dataset.get("title"),
        "url": identifier,
        "version": dataset.get("version", "0.0.0"),
        "license": license_url(dataset.get("license") or {}),
        "creator": contributors or [{"@type": "sc:Organization", "name": "MEDAL contributors"}],
        "datePublished": dataset.get("created") or published or dataset.get("modified"),
        "keywords": dataset.get("keywords") or [],
        "citeAs": dataset.get("citation") or f"{dataset.get('title')} (MEDAL dataset {dataset['id']})",
        "usageInfo": duo_terms(consent),
        "prov:wasDerivedFrom": [{"@id": d} for d in provenance.get("derived_from") or []],
        "prov:wasGeneratedBy": [
            {
                "@type": "prov:Activity",
                "name": f"{run.get('tool', 'medal harvest')} {run.get('tool_version', '')}".strip(),
                "prov:startedAtTime": run.get("started_at"),
                "prov:endedAtTime": run.get("ended_at"),
            }
            for run in provenance.get("harvest_runs") or []
        ],
        "prov:wasAttributedTo": contributors,
        "rai:dataCollection": rai.get("data_collection"),
        "rai:dataCollectionTimeframe": [d for d in (period.get("start_date"), period.get("end_date")) if d],
        "rai:dataPreprocessingProtocol": rai.get("preprocessing"),
        "rai:dataAnnotationProtocol": rai.get("annotation_protocol"),
        "rai:annotatorDemographics": rai.get("annotator_expertise"),
        "rai:dataAnnotationAnalysis": rai.get("annotator_agreement"),
        "rai:dataBiases": rai.get("data_biases"),
        "rai:dataLimitations": rai.get("data_limitations"),
        "rai:dataUseCases": rai.get("use_cases"),
        "rai:personalSensitiveInformation": _deid_text(deid),
        "medal:accessLevel": dataset.get("access_level"),
        "distribution": [],
        "recordSet": [],
    }
    if manifest:  # a dataset without harvested series (an imported Croissant) gets no empty record set
        manifest_file, series = series_nodes(manifest, manifest_url)
        doc["distribution"].append(manifest_file)
        doc["recordSet"].append(series)
    if archive is not None:
        files, images = dicom_nodes(archive)
        doc["distribution"] += files
        doc["recordSet"].append(images)
    return {k: v for k, v in doc.items() if v not in (None, [], "")}


def series_nodes(manifest: bytes, manifest_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The series manifest (FileObject ``series-manifest``) and the ``series`` record set over it, keyed by
    ``series/id``."""
    manifest_file = {
        "@type": "cr:FileObject",
        "@id": "series-manifest",
        "name": "series-manifest",
        "description": "One line per harvested DICOM series: its de-identified, typed header fields.",
        "contentUrl": manifest_url,
        "encodingFormat": "application/jsonlines",
        "contentSize": f"{len(manifest)} B",
        "sha256": hashlib.sha256(manifest).hexdigest(),
    }
    series = {
        "@type": "cr:RecordSet",
        "@id": "series",
        "name": "series",
        "key": {"@id": "series/id"},
        "description": "The dataset's DICOM series.",
        "field": [
            {
                "@type": "cr:Field",
                "@id": f"series/{name}",
                "name": name,
                "dataType": dtype,
                "source": {"fileObject": {"@id": "series-manifest"}, "extract": {"column": name}},
            }
            for name, dtype in SERIES_FIELDS.items()
        ],
    }
    return manifest_file, series


def dicom_nodes(archive: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The DICOM archive (FileObject), its DICOM files (FileSet) and the ``images`` record set: one record per
    file with its local path once loaded, its file name and its series id, joined to the series manifest (so each
    image record also carries its series' modality). The archive is laid out ``<series id>/<n>.dcm``.

    mlcroissant 1.1.1 lists a DICOM FileSet only when its encodingFormat includes ``image/dicom``, and cannot cast
    DICOM pixel content to sc:ImageObject, so the record set gives file paths, which it loads; read the pixels
    with pydicom from those paths."""
    files = [
        {
            "@type": "cr:FileObject",
            "@id": "dicom-archive",
            "name": "dicom-archive",
            "description": "The dataset's de-identified DICOM files that passed the catalog's audit, one folder "
            "per series.",
            "contentUrl": archive["url"],
            "encodingFormat": "application/zip",
            "contentSize": f"{archive['byte_size']} B",
            "sha256": archive["sha256"],
        },
        {
            "@type": "cr:FileSet",
            "@id": "dicom-files",
            "name": "dicom-files",
            "containedIn": {"@id": "dicom-archive"},
            "includes": "*/*.dcm",
            "encodingFormat": ["application/dicom", "image/dicom"],
        },
    ]

    def from_files(prop: str, **extra: Any) -> dict[str, Any]:
        return {"fileSet": {"@id": "dicom-files"}, "extract": {"fileProperty": prop}, **extra}

    # Each field reads its own file property: mlcroissant's join rewrites the joined column in place, so the
    # series id (the archive path's folder) cannot share a column with another field.
    images = {
        "@type": "cr:RecordSet",
        "@id": "images",
        "name": "images",
        "key": {"@id": "images/file"},
        "description": "One record per DICOM file: where the loader put it (open it with pydicom), its file "
        "name in its series folder, its series and the series' modality.",
        "field": [
            {
                "@type": "cr:Field",
                "@id": "images/file",
                "name": "file",
                "dataType": "sc:Text",
                "source": from_files("filepath"),
            },
            {
                "@type": "cr:Field",
                "@id": "images/filename",
                "name": "filename",
                "dataType": "sc:Text",
                "source": from_files("filename"),
            },
            {
                "@type": "cr:Field",
                "@id": "images/series_id",
                "name": "series_id",
                "dataType": "sc:Text",
                "source": from_files("fullpath", transform={"regex": "^([^/]+)/.*$"}),
                "references": {"fileObject": {"@id": "series-manifest"}, "extract": {"column": "id"}},
            },
            {
                "@type": "cr:Field",
                "@id": "images/modality",
                "name": "modality",
                "dataType": "sc:Text",
                "source": {"fileObject": {"@id": "series-manifest"}, "extract": {"column": "modality"}},
            },
        ],
    }
    return files, images


def _deid_text(deid: dict[str, Any]) -> str | None:
    if not deid:
        return None
    audit = deid.get("audit") or {}
    parts = [f"PatientIdentityRemoved={'YES' if deid.get('patient_identity_removed') else 'not declared'}"]
    if deid.get("profile_options"):
        parts.append("PS3.15 Annex E options: " + ", ".join(deid["profile_options"]))
    if audit:
        parts.append(
            f"catalog audit: {audit.get('files_with_findings', 0)} of {audit.get('files_audited', 0)} "
            "files with identifying attributes (left out of the catalog)"
        )
    return "; ".join(parts)


def content_addressed(document: dict[str, Any], base: str) -> dict[str, Any]:
    """The document with ``?sha256=<digest>`` added to the contentUrl of every FileObject with a sha256 that the
    catalog at ``base`` serves (other URLs, such as an imported dataset's remote or signed ones, stay as they are).

    mlcroissant caches a download under a hash of its URL alone and never fetches that URL again; a catalog URL
    whose content changes (a re-harvest, a new label table, another caller's view) would then fail its checksum.
    With the digest in the URL, new content is a new URL. The catalog's routes ignore the parameter."""
    prefix = base.rstrip("/") + "/api/"
    for node in document.get("distribution") or []:
        url, digest = node.get("contentUrl"), node.get("sha256")
        if isinstance(url, str) and digest and url.startswith(prefix) and "sha256=" not in url:
            node["contentUrl"] = f"{url}{'&' if '?' in url else '?'}sha256={digest}"
    return document


def with_contamination(doc: dict[str, Any], section: dict[str, Any] | None) -> dict[str, Any]:
    """The document with what the catalog checked of the dataset's contamination (issue 19): one sentence more in
    ``rai:dataLimitations`` and ``medal:contaminationCheck`` (when, against which public index, counts only)."""
    if not section:
        return doc
    index = section.get("public_index") or {}
    pixels = section.get("pixel_hashes") or {}
    when = str(section.get("checked_at") or "")[:10]
    if index:
        against = (
            f"against the NCI Imaging Data Commons index (idc-index-data {index.get('version')}, IDC release "
            f"{index.get('idc_version')})"
        )
        found = (
            f"{section.get('public_series', 0)} of {section.get('series_checked', 0)} series and "
            f"{section.get('public_studies', 0)} of {section.get('studies_checked', 0)} studies were found "
            "public there"
        )
    else:
        against, found = "against no public index (it was not installed)", "public UIDs were not looked up"
    sentence = (
        f"Contamination check by the MEDAL catalog on {when}: the original DICOM UIDs {against}: {found}; "
        f"{sum(r['series'] for r in section.get('public_uid_roots') or [])} series under public-release "
        f"UID roots, {sum(p['files'] for p in section.get('public_pipelines') or [])} files de-identified "
        "by a public archive's pipeline"
        + (
            f"; {pixels.get('instances_hashed', 0)} images compared by pixel digest with the catalog's "
            f"other datasets, {len(section.get('duplicates') or [])} of which share images with it."
            if pixels.get("enabled")
            else "; pixel data were not compared."
        )
    )
    limitations = doc.get("rai:dataLimitations") or []
    doc["rai:dataLimitations"] = [*(limitations if isinstance(limitations, list) else [limitations]), sentence]
    doc["medal:contaminationCheck"] = {
        "medal:checkedAt": section.get("checked_at"),
        "medal:publicIndex": f"idc-index-data {index.get('version')}" if index else None,
        "medal:idcVersion": index.get("idc_version"),
        "medal:seriesChecked": section.get("series_checked", 0),
        "medal:publicSeries": section.get("public_series", 0),
        "medal:publicStudies": section.get("public_studies", 0),
        "medal:pixelHashing": bool(pixels.get("enabled")),
        "medal:datasetsSharingImages": len(section.get("duplicates") or []),
    }
    doc["medal:contaminationCheck"] = {k: v for k, v in doc["medal:contaminationCheck"].items() if v is not None}
    return doc
