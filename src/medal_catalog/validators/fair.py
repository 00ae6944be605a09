"""FAIR completeness: which recommended fields an entry fills, scored per principle (F, A, I, R).

Missing fields named in MEDAL's submission guide are warnings; the rest are infos, except that a dataset holding
DICOM (patients' images) without consent, ethics approval or a de-identification description gets a warning for
each: a controlled dataset of real scans is not merely incomplete without them. The score of a principle is
the share of its recommended fields present (0..1); `overall` is the share over all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from medal_catalog.report import Issue, Severity, record_issue
from medal_catalog.validators.schema import Gate, all_of as _all_of
from medal_catalog.schema.facts import slot_description

MIN_DESCRIPTION = 100
MIN_KEYWORDS = 3


@dataclass(frozen=True, slots=True)
class Check:
    """One recommended field: its principle, the pointer to report, a test, and the warning it raises."""

    principle: str
    code: str
    pointer: str
    present: Callable[[dict], bool]
    message: str
    severity: Severity = Severity.INFO
    #: The severity instead when the record holds DICOM (see :func:`holds_dicom`).
    dicom_severity: Severity | None = None


_EMPTY = (None, "", [], {})


def _twin(schema: dict) -> Callable[[Callable[[dict], bool]], Callable[[dict], bool]]:
    """Attach to a presence test the JSON Schema that a record satisfies only when the test holds (see fair_gate)."""

    def attach(test: Callable[[dict], bool]) -> Callable[[dict], bool]:
        test.schema = schema  # type: ignore[attr-defined]
        return test

    return attach


def _present_schema(*keys: str) -> dict:
    """`_has(*keys)` as JSON Schema: each key there, and the last value not one of _EMPTY."""
    schema: dict = {"not": {"enum": list(_EMPTY)}}
    for key in reversed(keys):
        schema = {"type": "object", "required": [key], "properties": {key: schema}}
    return schema


def _has(*keys: str) -> Callable[[dict], bool]:
    if len(keys) == 1:
        key = keys[0]
        return _twin(_present_schema(key))(lambda record: record.get(key) not in _EMPTY)

    @_twin(_present_schema(*keys))
    def test(record: dict) -> bool:
        value: Any = record
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value not in _EMPTY

    return test


def _description(record: dict) -> bool:
    text = record.get("description")
    return isinstance(text, str) and len(text.strip()) >= MIN_DESCRIPTION


@_twin({"required": ["keywords"], "properties": {"keywords": {"type": "array", "minItems": MIN_KEYWORDS}}})
def _keywords(record: dict) -> bool:
    return isinstance(record.get("keywords"), list) and len(record["keywords"]) >= MIN_KEYWORDS


@_twin(_present_schema("submitter", "orcid"))
def _submitter_orcid(record: dict) -> bool:
    return _has("submitter", "orcid")(record)


# A non-empty string is truthy; other truthy values take the slow path.
@_twin(
    {
        "required": ["provenance"],
        "properties": {
            "provenance": {
                "type": "object",
                "required": ["contributors"],
                "properties": {
                    "contributors": {
                        "type": "array",
                        "contains": {
                            "type": "object",
                            "required": ["orcid"],
                            "properties": {"orcid": {"type": "string", "minLength": 1}},
                        },
                    }
                },
            }
        },
    }
)
def _contributor_orcid(record: dict) -> bool:
    people = (
        (record.get("provenance") or {}).get("contributors") if isinstance(record.get("provenance"), dict) else None
    )
    return isinstance(people, list) and any(isinstance(p, dict) and p.get("orcid") for p in people)


W = Severity.WARNING
_COMMON = [
    Check(
        "F",
        "fair.description-short",
        "/description",
        _description,
        f"a description of at least {MIN_DESCRIPTION} characters helps others find and judge the entry",
        W,
    ),
    Check("F", "fair.missing-keywords", "/keywords", _keywords, f"give at least {MIN_KEYWORDS} keywords", W),
    Check("F", "fair.missing-version", "/version", _has("version"), "give a version, such as 1.0.0", W),
    Check("R", "fair.missing-citation", "/citation", _has("citation"), "say how to cite the entry", W),
]

CHECKS: dict[str, list[Check]] = {
    "BenchmarkTask": _COMMON
    + [
        Check(
            "F",
            "fair.missing-target-conditions",
            "/target_conditions",
            _has("target_conditions"),
            "code the target condition (SNOMED CT, ICD-10 or MONDO)",
        ),
        Check("A", "fair.missing-datasets", "/datasets_used", _has("datasets_used"), "name the datasets used"),
        Check(
            "A",
            "fair.missing-contact",
            "/submitter/email",
            _has("submitter", "email"),
            "give a contact e-mail for the submitter",
        ),
        Check("I", "fair.missing-anatomy", "/anatomy", _has("anatomy"), "code the anatomy involved"),
        Check("I", "fair.missing-io-spec", "/input_spec", _has("input_spec"), "describe the model's input"),
        Check(
            "R", "fair.missing-creator-orcid", "/submitter/orcid", _submitter_orcid, "give the submitter's ORCID iD", W
        ),
        Check(
            "R",
            "fair.missing-reference-standard",
            "/reference_standard",
            _has("reference_standard"),
            "describe the reference standard",
        ),
        Check("R", "fair.missing-metrics", "/metrics", _has("metrics"), "name the evaluation metrics"),
        Check(
            "R",
            "fair.missing-rationale",
            "/clinical_rationale",
            _has("clinical_rationale"),
            "explain the clinical rationale",
        ),
    ],
    "ImagingDataset": _COMMON
    + [
        Check(
            "A",
            "fair.missing-license-url",
            "/license/url",
            _has("license", "url"),
            "give the URL of the licence text",
            W,
        ),
        Check(
            "A",
            "fair.missing-distribution",
            "/distribution",
            _has("distribution"),
            "list the dataset's files or file sets",
        ),
        Check("I", "fair.missing-modalities", "/modalities", _has("modalities"), "give the modalities"),
        Check("I", "fair.missing-body-parts", "/body_parts", _has("body_parts"), "give the body parts examined"),
        Check("I", "fair.missing-file-formats", "/file_formats", _has("file_formats"), "give the file formats"),
        Check("I", "fair.missing-countries", "/countries", _has("countries"), "give the countries of origin"),
        Check(
            "R",
            "fair.missing-creator-orcid",
            "/provenance/contributors",
            _contributor_orcid,
            "give at least one contributor with an ORCID iD",
            W,
        ),
        Check("R", "fair.missing-consent", "/consent", _has("consent"), "describe the consent", dicom_severity=W),
        Check(
            "R",
            "fair.missing-deidentification",
            "/deidentification",
            _has("deidentification"),
            "describe the de-identification",
            dicom_severity=W,
        ),
        Check(
            "R",
            "fair.missing-responsible-ai",
            "/responsible_ai",
            _has("responsible_ai"),
            "add responsible-AI notes (biases, limitations, annotation)",
        ),
        Check(
            "R",
            "fair.missing-collection-period",
            "/collection_period",
            _has("collection_period"),
            "give the collection period",
        ),
    ],
}


def fair_assessment(cls: str, record: Any) -> tuple[dict[str, float] | None, list[Issue]]:
    """The FAIR scores of one record and the issues for its missing recommended fields."""
    checks = CHECKS.get(cls)
    if not checks or not isinstance(record, dict):
        return None, []
    issues: list[Issue] = []
    present = {"F": 0, "A": 0, "I": 0, "R": 0}
    for check in checks:
        if check.present(record):
            present[check.principle] += 1
        else:
            severity = check.dicom_severity if check.dicom_severity and holds_dicom(record) else check.severity
            issues.append(record_issue(severity, check.code, check.pointer, check.message, _hint(check.pointer)))
    if cls == "ImagingDataset" and not _ethics_ok(record):
        issues.append(
            record_issue(
                W,
                "fair.missing-ethics",
                "/ethics_approval",
                "the dataset holds DICOM of patients but names no ethics approval",
                _hint("/ethics_approval"),
            )
        )
    totals = _TOTALS[cls]
    scores = {p: round(present[p] / n, 2) for p, n in totals.items()}
    scores["overall"] = round(sum(present.values()) / sum(totals.values()), 2)
    return scores, issues


@lru_cache(maxsize=64)
def _hint(pointer: str) -> str:
    """What to write, from the schema: the slot the pointer names (``/submitter/orcid`` -> submitter.orcid) and
    its description."""

    keys = [k for k in pointer.split("/") if k]
    meaning = slot_description(keys[-1]) if keys else None
    return f"Add `{'.'.join(keys)}`" + (f": {meaning}" if meaning else ".")


_TOTALS = {
    cls: {p: n for p in "FAIR" if (n := sum(c.principle == p for c in checks))} for cls, checks in CHECKS.items()
}


def holds_dicom(record: dict) -> bool:
    """Whether a dataset says it holds DICOM: in its file formats, or a distribution's media type."""
    formats = record.get("file_formats")
    if isinstance(formats, list) and any(f in DICOM_MEDIA_TYPES for f in formats if isinstance(f, str)):
        return True
    items = record.get("distribution")
    return isinstance(items, list) and any(
        isinstance(d, dict) and d.get("media_type") in DICOM_MEDIA_TYPES
        for d in items
        if isinstance(d, dict) and isinstance(d.get("media_type"), str)
    )


def _ethics_ok(record: dict) -> bool:
    """No ethics warning due: the dataset names its approval, or holds no DICOM (not a FAIR score: a check of
    the data's nature, kept out of the scores so that they mean the same for every dataset)."""
    return record.get("ethics_approval") not in _EMPTY or not holds_dicom(record)


DICOM_MEDIA_TYPES = ("application/dicom", "image/dicom")


def fair_gate(cls: str) -> Gate:
    """FAIR completeness as a Gate: a record that passes it has every recommended field (see full_scores)."""
    checks = CHECKS.get(cls, [])
    schemas = [check.present.schema for check in checks if hasattr(check.present, "schema")]
    residual = tuple(check.present for check in checks if not hasattr(check.present, "schema"))
    if cls == "ImagingDataset":
        residual += (_ethics_ok,)
    return Gate(schema=_all_of(schemas), residual=residual)


def full_scores(cls: str) -> dict[str, float] | None:
    """The FAIR scores fair_assessment gives a ``cls`` record that has every recommended field (a new dict)."""
    full = _FULL.get(cls)
    return None if full is None else full.copy()


_FULL = {cls: {**{p: 1.0 for p in totals}, "overall": 1.0} for cls, totals in _TOTALS.items()}
