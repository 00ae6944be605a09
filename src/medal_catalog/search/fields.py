"""The fields of the search index document and the schema slots each is filled from.

The schema's ``search`` annotations (fulltext, facet, range) say which slots are searchable; this table says under
which index field each lands, because one facet gathers several slots (a task's ``modalities``, a series'
``modality`` and a dataset's inlined ``series.modality`` are all ``modality``). Value types (keyword, text,
integer, float, date) are not written here: the mapping generator reads them from the slots' ranges, and a test
fails when an annotated slot is missing from this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["meta", "text", "facet", "range"]


@dataclass(frozen=True)
class IndexField:
    """One field of the index document: its role, the slot paths it is filled from and, for text, its weight."""

    name: str
    role: Role
    sources: tuple[str, ...]
    weight: float = 1.0
    help: str = ""


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
    # Facets: exact values, filterable and counted.
    IndexField("type", "facet", ("type",), help="entry kind"),
    IndexField("modality", "facet", ("modalities", "modality", "series.modality")),
    IndexField("body_part", "facet", ("body_parts", "body_part", "series.body_part")),
    IndexField("manufacturer", "facet", ("manufacturer", "acquisition.manufacturers", "series.manufacturer")),
    IndexField("model", "facet", ("manufacturer_model_name", "acquisition.models",
                                  "series.manufacturer_model_name")),
    IndexField("task_type", "facet", ("task_type",)),
    IndexField("specialty", "facet", ("clinical_specialty",)),
    IndexField("license", "facet", ("license.spdx_id",)),
    IndexField("access_level", "facet", ("access_level",)),
    IndexField("country", "facet", ("countries",)),
    IndexField("status", "facet", ("status",)),
    IndexField("publication_status", "facet", ("publication_status",)),
    IndexField("deidentification_status", "facet", ("deidentification_status", "series.deidentification_status")),
    IndexField("dataset", "facet", ("dataset", "datasets_used"), help="the dataset a series or task belongs to"),
    # Ranges: inclusive bounds over numbers and dates; a document matches when any of its values falls inside.
    IndexField("subject_count", "range", ("subject_count",)),
    IndexField("series_count", "range", ("series_count",)),
    IndexField("slice_thickness", "range", ("slice_thickness", "acquisition.slice_thickness_range.minimum",
                                            "acquisition.slice_thickness_range.maximum", "series.slice_thickness")),
    IndexField("field_strength", "range", ("magnetic_field_strength", "acquisition.field_strengths",
                                           "series.magnetic_field_strength")),
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
#: The inlined class indexed as nested documents (Elasticsearch ``nested``) under a dataset.
NESTED = {"series": "ImagingSeries"}
#: Facets shown when the caller names none.
DEFAULT_FACETS = ("type", "modality", "body_part")
