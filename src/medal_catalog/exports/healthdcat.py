"""A dataset's DCAT-AP node (from :func:`~medal_catalog.exports.dcat.to_dcat`, of an already redacted document)
extended to HealthDCAT-AP release 8, the profile of the EU health data catalogues (EHDS): the applicable
legislation on the dataset and every distribution, health category, health data access body and publisher with a
contact point, counts of records and individuals, typical ages, population coverage, coding systems, the DICOM
standard, personal data, legal basis and purpose.

Small numbers are never written: a count or an age range computed over fewer people than the catalog's
small-cell threshold (MEDAL_SMALL_CELL_THRESHOLD, 5 by default) is left out and the population coverage says
"< 5 individuals" instead. Everything else comes from what the caller's view of the document holds; a hidden-test
dataset's reduced view has no population, consent or provenance, and its node says only what that view says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medal_catalog.config import Settings

#: The European Health Data Space Regulation (EU) 2025/327, by its ELI.
EHDS = "http://data.europa.eu/eli/reg/2025/327/oj"
_HDEU = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
#: Health category (EHDS Art. 51) of imaging data held in electronic health records.
HEALTH_CATEGORY = f"{_HDEU}healthcategories/EHRS"
#: The DICOM standard in the HealthDCAT-AP Standard list (the identifier follows the list's pattern, e.g.
#: standard/OMOP-CDM; docs/aggregators.md says it was not checked against the list offline).
DICOM_STANDARD = f"{_HDEU}standard/DICOM"
_CODING = {
    "SNOMEDCT": f"{_HDEU}coding-system/SNOMED-CT",
    "LOINC": f"{_HDEU}coding-system/LOINC",
    "ICD10": f"{_HDEU}coding-system/ICD-10",
}
_DPV = "https://w3id.org/dpv#"
_PD = "https://w3id.org/dpv/pd#"
_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
_DATASET_TYPE = "http://publications.europa.eu/resource/authority/dataset-type/"


@dataclass(frozen=True)
class HealthContext:
    """What the catalog adds: where people ask for access, and the small-cell threshold."""

    base: str
    contact_email: str
    small_cell: int = 5

    @classmethod
    def of(cls, settings: Settings, base: str) -> HealthContext:
        return cls(base=base, contact_email=settings.contact_email, small_cell=settings.small_cell_threshold)


def _contact(context: HealthContext, page: str) -> dict[str, Any]:
    return {
        "@type": "http://data.europa.eu/m8g/ContactPoint",
        "http://data.europa.eu/m8g/email": context.contact_email,
        "http://data.europa.eu/m8g/contactPage": {"@id": page},
    }


def _agent(name: str, context: HealthContext, page: str, iri: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "@type": "foaf:Agent",
        "foaf:name": name,
        "http://data.europa.eu/m8g/contactPoint": _contact(context, page),
    }
    if iri:
        out["@id"] = iri
    return out


def _int(value: int) -> dict[str, str]:
    return {"@value": str(value), "@type": "xsd:nonNegativeInteger"}


def _population(document: dict[str, Any], context: HealthContext) -> tuple[dict[str, Any], str | None]:
    """The counted properties and the population-coverage text; none of the numbers when they are small."""
    out: dict[str, Any] = {}
    subjects = document.get("subject_count")
    population = document.get("population") if isinstance(document.get("population"), dict) else {}
    small = isinstance(subjects, int) and subjects < context.small_cell
    parts = []
    if isinstance(subjects, int):
        if small:
            parts.append(f"< {context.small_cell} individuals")
        else:
            out["http://healthdataportal.eu/ns/health#numberOfUniqueIndividuals"] = _int(subjects)
            parts.append(f"{subjects} individuals")
    if isinstance(document.get("instance_count"), int) and not small:
        out["http://healthdataportal.eu/ns/health#numberOfRecords"] = _int(document["instance_count"])
    ages = population.get("age_range") if isinstance(population.get("age_range"), dict) else {}
    if not small and isinstance(ages.get("minimum"), (int, float)) and isinstance(ages.get("maximum"), (int, float)):
        out["http://healthdataportal.eu/ns/health#minTypicalAge"] = _int(int(ages["minimum"]))
        out["http://healthdataportal.eu/ns/health#maxTypicalAge"] = _int(int(ages["maximum"]))
        parts.append(f"aged {int(ages['minimum'])} to {int(ages['maximum'])}")
    if document.get("countries"):
        parts.append("from " + ", ".join(str(c) for c in document["countries"]))
    if document.get("modalities"):
        parts.append("imaged by " + ", ".join(str(m) for m in document["modalities"]))
    return out, ("; ".join(parts) or None)


def _legal_basis(document: dict[str, Any]) -> list[dict[str, str]]:
    consent = document.get("consent") if isinstance(document.get("consent"), dict) else {}
    if not consent:
        return []
    if consent.get("consent_type") == "waiver":
        return [{"@id": f"{_GDPR}A9-2-j"}]  # scientific research, consent waived by an ethics committee
    return [{"@id": f"{_DPV}Consent"}, {"@id": f"{_GDPR}A9-2-a"}]


def to_healthdcat(node: dict[str, Any], document: dict[str, Any], context: HealthContext) -> dict[str, Any]:
    """The DCAT-AP dataset ``node`` as a HealthDCAT-AP release 8 dataset, from the (redacted) ``document``."""
    out = dict(node)
    page = f"{context.base}/datasets/{document['id']}"
    legislation = {"@id": EHDS, "@type": "http://data.europa.eu/eli/ontology#LegalResource"}
    out["http://data.europa.eu/r5r/applicableLegislation"] = legislation
    out.setdefault("dcterms:identifier", out["@id"])
    out["http://healthdataportal.eu/ns/health#healthCategory"] = {"@id": HEALTH_CATEGORY}
    out["http://healthdataportal.eu/ns/health#hdab"] = _agent("MEDAL data access committee", context, page)
    publisher = out.get("dcterms:publisher")
    if isinstance(publisher, dict):
        out["dcterms:publisher"] = {**publisher, "http://data.europa.eu/m8g/contactPoint": _contact(context, page)}
    else:
        out["dcterms:publisher"] = _agent("MEDAL consortium", context, f"{context.base}/")
    out["http://healthdataportal.eu/ns/health#hasStructuredData"] = {"@value": "false", "@type": "xsd:boolean"}
    counts, coverage = _population(document, context)
    out.update(counts)
    if coverage:
        out["http://healthdataportal.eu/ns/health#populationCoverage"] = coverage
    out["dcterms:conformsTo"] = [c for c in _as_list(out.get("dcterms:conformsTo"))] + [
        {"@id": DICOM_STANDARD, "@type": "dcterms:Standard"}
    ]
    systems = sorted(
        {
            _CODING[c["code_system"]]
            for c in document.get("target_conditions") or []
            if isinstance(c, dict) and c.get("code_system") in _CODING
        }
    )
    if systems:
        out["http://healthdataportal.eu/ns/health#hasCodingSystem"] = [{"@id": s} for s in systems]
    out["https://w3id.org/dpv#hasPersonalData"] = [
        {"@id": f"{_PD}MedicalHealth"},
        {"@id": f"{_PD}Age"},
        {"@id": f"{_PD}Gender"},
    ]
    basis = _legal_basis(document)
    if basis:
        out["https://w3id.org/dpv#hasLegalBasis"] = basis
    out["https://w3id.org/dpv#hasPurpose"] = {"@id": f"{_DPV}ScientificResearch"}
    out["dcat:contactPoint"] = {
        "@type": "http://www.w3.org/2006/vcard/ns#Kind",
        "http://www.w3.org/2006/vcard/ns#fn": "MEDAL data access committee",
        "http://www.w3.org/2006/vcard/ns#hasEmail": {"@id": f"mailto:{context.contact_email}"},
        "http://www.w3.org/2006/vcard/ns#hasURL": {"@id": page},
    }
    # A benchmark's data are test data (EU dataset-type list): models are evaluated on them, not trained.
    out["dcterms:type"] = {
        "@id": f"{_DATASET_TYPE}TEST_DATA",
        "@type": "skos:Concept",
        "skos:prefLabel": {"@value": "Test data", "@language": "en"},
    }
    out["dcterms:provenance"] = {
        "@type": "dcterms:ProvenanceStatement",
        "http://www.w3.org/2000/01/rdf-schema#label": _provenance(document),
    }
    for key in ("distribution", "dcat:distribution"):
        if isinstance(out.get(key), list):
            out[key] = [{**d, "http://data.europa.eu/r5r/applicableLegislation": legislation} for d in out[key]]
    if not out.get("distribution") and not out.get("dcat:distribution"):
        # HealthDCAT-AP wants a distribution: for a dataset whose view has none, the way to ask for it.
        out["dcat:distribution"] = [
            {
                "@type": "dcat:Distribution",
                "dcterms:title": "Access request",
                "dcat:accessURL": {"@id": page},
                "http://data.europa.eu/r5r/applicableLegislation": legislation,
            }
        ]
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _provenance(document: dict[str, Any]) -> str:
    provenance = document.get("provenance") if isinstance(document.get("provenance"), dict) else {}
    activity = provenance.get("collection_activity") if isinstance(provenance.get("collection_activity"), dict) else {}
    if activity.get("description"):
        return str(activity["description"])
    return (
        "Medical images contributed to the MEDAL benchmark, de-identified and described by the MEDAL catalog "
        "(harvested DICOM headers and the contributor's submission)."
    )


def catalog_legislation() -> dict[str, Any]:
    """What HealthDCAT-AP adds to the catalog node."""
    return {
        "http://data.europa.eu/r5r/applicableLegislation": {
            "@id": EHDS,
            "@type": "http://data.europa.eu/eli/ontology#LegalResource",
        }
    }
