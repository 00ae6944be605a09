"""The fields of the search index document and the schema slots each is filled from.

The schema's ``search`` annotations (fulltext, facet, range) say which slots are searchable; this table says under
which index field each lands, because one facet gathers several slots (a task's ``modalities``, a series'
``modality`` and a dataset's inlined ``series.modality`` are all ``modality``). Value types (keyword, text,
integer, float, date) are not written here: the mapping generator reads them from the slots' ranges, and a test
fails when an annotated slot is missing from this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from medal_catalog.schema import ENTRY_CLASSES, facts

Role = Literal["meta", "text", "facet", "range"]
#: How a keyword value is written canonically: an enum's permissible value, upper case (DICOM Code Strings,
#: ISO 3166 codes), lower case (catalog ids), or exactly as given (vendor and model names).
Case = Literal["enum", "upper", "lower", "exact"]


@dataclass(frozen=True)
class IndexField:
    """One field of the index document: its role, the slot paths it is filled from and, for text, its weight."""

    name: str
    role: Role
    sources: tuple[str, ...]
    weight: float = 1.0
    help: str = ""
    case: Case = "exact"


FIELDS: tuple[IndexField, ...] = (
    IndexField("key", "meta", (), help="Kind:id, unique in the catalog"),
    IndexField("id", "meta", ("id",)),
    IndexField("label", "meta", (), help="a display title"),
    # Full text, BM25-ranked; the weights favour short, curated fields over long free text.
    IndexField("title", "text", ("title",), weight=10.0),
    IndexField("clinical_question", "text", ("clinical_question",), weight=4.0),
    IndexField("keywords", "text", ("keywords",), weight=4.0),
    IndexField("conditions", "text", ("target_conditions.label",), weight=4.0),
    IndexField("anatomy", "text", ("anatomy.label",), weight=3.0),
    IndexField("series_description", "text", ("series_description",), weight=2.0),
    IndexField("description", "text", ("description",), weight=1.0),
    IndexField("study_description", "text", ("study_description",), weight=1.0),
    # Vendor and model names are facets, and words too: free text "SIGNA" finds the scanners so named.
    IndexField(
        "equipment",
        "text",
        (
            "manufacturer",
            "acquisition.manufacturers",
            "series.manufacturer",
            "manufacturer_model_name",
            "acquisition.models",
            "series.manufacturer_model_name",
        ),
        weight=2.0,
    ),
    # Facets: exact values, filterable and counted.
    IndexField("type", "facet", ("type",), help="entry kind", case="enum"),
    IndexField("modality", "facet", ("modalities", "modality", "series.modality"), case="enum"),
    # BodyPartExamined is a DICOM Code String (upper case); a task also answers through its anatomy and datasets.
    IndexField(
        "body_part",
        "facet",
        ("body_parts", "body_part", "series.body_part"),
        case="upper",
        help="DICOM BodyPartExamined term; tasks match through their anatomy and datasets",
    ),
    IndexField("manufacturer", "facet", ("manufacturer", "acquisition.manufacturers", "series.manufacturer")),
    IndexField("model", "facet", ("manufacturer_model_name", "acquisition.models", "series.manufacturer_model_name")),
    IndexField("task_type", "facet", ("task_type",), case="enum"),
    IndexField("specialty", "facet", ("clinical_specialty",), case="enum"),
    IndexField("license", "facet", ("license.spdx_id",)),
    IndexField("access_level", "facet", ("access_level",), case="enum"),
    IndexField("country", "facet", ("countries",), case="upper", help="ISO 3166-1 alpha-2 code"),
    IndexField("status", "facet", ("status",), case="enum"),
    IndexField("publication_status", "facet", ("publication_status",), case="enum"),
    IndexField(
        "deidentification_status", "facet", ("deidentification_status", "series.deidentification_status"), case="enum"
    ),
    IndexField(
        "dataset", "facet", ("dataset", "datasets_used"), help="the dataset a series or task belongs to", case="lower"
    ),
    # Ranges: inclusive bounds over numbers and dates; a document matches when any of its values falls inside.
    IndexField("subject_count", "range", ("subject_count",)),
    IndexField("series_count", "range", ("series_count",)),
    IndexField(
        "slice_thickness",
        "range",
        (
            "slice_thickness",
            "acquisition.slice_thickness_range.minimum",
            "acquisition.slice_thickness_range.maximum",
            "series.slice_thickness",
        ),
    ),
    IndexField(
        "field_strength",
        "range",
        ("magnetic_field_strength", "acquisition.field_strengths", "series.magnetic_field_strength"),
    ),
    IndexField("created", "range", ("created",)),
    IndexField("modified", "range", ("modified",)),
)

BY_NAME = {f.name: f for f in FIELDS}
TEXT_FIELDS = tuple(f for f in FIELDS if f.role == "text")
FACET_FIELDS = tuple(f.name for f in FIELDS if f.role == "facet")
RANGE_FIELDS = tuple(f.name for f in FIELDS if f.role == "range")
#: Range fields whose values are dates (ISO yyyy-mm-dd); the others are numbers. Checked against the schema.
DATE_FIELDS = ("created", "modified")
#: Sort keys besides relevance; a leading ``-`` sorts descending.
SORT_FIELDS = ("title", "key", *RANGE_FIELDS)
#: The HTTP query parameters (and CLI options) of a range field's inclusive bounds, e.g. ``slice_thickness_min``.
RANGE_PARAMETERS: dict[str, tuple[str, int]] = {
    f"{name}_{end}": (name, i) for name in RANGE_FIELDS for i, end in enumerate(("min", "max"))
}
#: The inlined class indexed as nested documents (Elasticsearch ``nested``) under a dataset.
NESTED = {"series": "ImagingSeries"}
#: Facets shown when the caller names none.
DEFAULT_FACETS = ("type", "modality", "body_part")


def _last_step(source: str) -> str:
    return source.rpartition(".")[2]


@lru_cache(maxsize=None)
def enum_values(name: str) -> tuple[str, ...]:
    """The values a ``case="enum"`` facet can hold: its source slots' enum values (entry classes for ``type``)."""
    field = BY_NAME[name]
    if name == "type":
        return ENTRY_CLASSES
    values: list[str] = []
    for source in field.sources:
        enum = facts.slot_range(_last_step(source))
        if enum and enum in facts.enum_names():
            values += [v for v in facts.enum_values(enum) if v not in values]
    return tuple(values)


@lru_cache(maxsize=None)
def _folded(name: str) -> dict[str, str]:
    return {v.casefold(): v for v in enum_values(name)}


def canonical(name: str, value: str) -> str:
    """A keyword value of facet ``name`` written as the index holds it (``ct`` -> ``CT``, ``brain`` -> ``BRAIN``);
    a value the schema does not know is returned unchanged (it matches nothing rather than something else)."""
    case = BY_NAME[name].case
    if case == "enum":
        return _folded(name).get(value.casefold(), value)
    if case == "upper":
        return value.upper()
    if case == "lower":
        return value.lower()
    return value


def facet_help(name: str) -> str:
    """What a facet filter accepts, for the CLI's and the API's help: its meaning, its values, its case rule."""
    field = BY_NAME[name]
    text = field.help or name.replace("_", " ")
    if field.case == "enum":
        return f"{text}: one of {', '.join(enum_values(name))} (any case)"
    if field.case in ("upper", "lower"):
        return f"{text} (any case)"
    return f"{text} (exact value, as the facet counts show it)"
