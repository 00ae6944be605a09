"""What a dataset or task page shows a reader, beyond the entry's fields: a summary panel (what, who, how much,
licence, access and how to get it), human sizes and units, demographics and acquisition as small tables, the
series as a paged table with thumbnails, and one-line summaries of the de-identification and contamination audits
(the page collapses their detail). Everything here is computed from what the caller's view already shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Request

from medal_catalog.api.access import Caller, search_scope
from medal_catalog.api.pages.words import MODALITY_WORDS, human_size, parameter_value, series_title
from medal_catalog.api.previews import Previews, check_access, previews_of
from medal_catalog.catalog import Catalog
from medal_catalog.contamination.overlap import dataset_counts
from medal_catalog.errors import MedalError


class LandingView(Protocol):
    """What a reader's parts take from a landing page (``landing.Landing``, which calls :func:`page_parts`: named
    here by what it offers, so that this module does not import the one that imports it)."""

    @property
    def id(self) -> str: ...
    @property
    def document(self) -> dict[str, Any]: ...
    @property
    def view(self) -> str: ...
    @property
    def related(self) -> list[str]: ...
    @property
    def schemaorg(self) -> dict[str, Any]: ...


#: Series rows per page of a dataset's series table.
SERIES_PAGE = 10

#: How each access level is reached, in a sentence.
ACCESS_HOW = {
    "open": "Open: anyone may download the catalog's de-identified copy below, or load it with mlcroissant.",
    "controlled": "Controlled: the metadata are public; the images are served only to the dataset's owner and the "
    "catalog's admins. Ask for access under its data-use conditions.",
    "registered": "Registered: the catalog describes the data; the data stay with their holder (see the "
    "distribution and the data-use conditions).",
    "hidden_test": "Hidden test set: sequestered for evaluation; its images, series and labels are never served.",
}


@dataclass
class Reader:
    """The reader's parts of one landing page."""

    summary: list[tuple[str, str]] = field(default_factory=list)
    access_how: str | None = None
    demographics: list[tuple[str, str]] = field(default_factory=list)
    #: (sex, count): a count under the small-cell threshold reaches an anonymous caller as text ("< 5")
    sexes: list[tuple[str, int | str]] = field(default_factory=list)
    acquisition: list[tuple[str, str]] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)
    series_total: int = 0
    series_page: int = 1
    series_pages: int = 1
    thumbnails: bool = False
    no_thumbnails: str | None = None
    audit_line: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    contamination_line: str | None = None
    contamination: dict[str, Any] | None = None


def _range(node: Any, unit: str = "") -> str:
    if not isinstance(node, dict):
        return ""
    low, high = node.get("minimum"), node.get("maximum")
    if low is None and high is None:
        return ""
    if low is None:
        text = f"≤ {high:g}"
    else:
        text = f"{low:g}" if low == high or high is None else f"{low:g}–{high:g}"
    return f"{text} {unit}".strip()


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def dataset_reader(
    catalog: Catalog,
    caller: Caller,
    document: dict[str, Any],
    view: str,
    previews: Previews,
    related: list[str],
    page: int = 1,
) -> Reader:
    """The reader's parts of a dataset page for ``caller`` (``document`` as their view shows it)."""
    out = Reader()
    doc = document
    what = [", ".join(MODALITY_WORDS.get(m, m) for m in doc.get("modalities") or [])]
    if doc.get("body_parts"):
        what.append(", ".join(str(b).lower() for b in doc["body_parts"]))
    out.summary.append(("What", " · ".join(w for w in what if w) or "not stated"))
    counts = [
        (doc.get("subject_count"), "subject"),
        (doc.get("study_count"), "study"),
        (doc.get("series_count"), "series"),
        (doc.get("instance_count"), "image"),
    ]
    much = [
        _plural(n, w).replace("studys", "studies").replace("seriess", "series") for n, w in counts if isinstance(n, int)
    ]
    if doc.get("byte_size"):
        much.append(human_size(doc["byte_size"]))
    out.summary.append(("How much", " · ".join(much) or "not stated"))
    who = []
    period = doc.get("collection_period") or {}
    if isinstance(period, dict) and (period.get("start") or period.get("end")):
        who.append(f"collected {period.get('start') or '?'} to {period.get('end') or '?'}")
    if doc.get("countries"):
        who.append("in " + ", ".join(doc["countries"]))
    if doc.get("site_count"):
        who.append(_plural(doc["site_count"], "site"))
    if who:
        out.summary.append(("When and where", "; ".join(who)))
    licence = doc.get("license") or {}
    text = str(licence.get("spdx_id") or "not stated").replace("LicenseRef-", "")
    if licence.get("dua_required"):
        text += " · a data-use agreement is required"
    out.summary.append(("Licence", text))
    out.summary.append(("Used by", _plural(len(related), "task") if related else "no task you may see"))
    if doc.get("citation"):
        out.summary.append(("Citation", str(doc["citation"])))
    out.access_how = ACCESS_HOW.get(str(doc.get("access_level")))

    population = doc.get("population") or {}
    if population.get("age_range"):
        out.demographics.append(("Age range", _range(population["age_range"], "years")))
    # Counts below the small-cell threshold reach an anonymous caller as text ("< 5", api/access.small_cells).
    for b in population.get("age_bins") or []:
        count = b.get("count", 0)
        shown = _plural(count, "subject") if isinstance(count, int) else f"{count} subjects"
        out.demographics.append((f"Aged {_range(b, 'years')}", shown))
    out.sexes = [(k, v) for k, v in (population.get("sex_counts") or {}).items() if isinstance(v, (int, str))]

    acquisition = doc.get("acquisition") or {}
    units = {"field_strengths": "magnetic_field_strength"}
    for key, value in acquisition.items():
        label = key.replace("_", " ").replace(" range", "").capitalize()
        if key == "field_strengths":
            shown = ", ".join(parameter_value(units[key], float(v)) for v in value)
        elif key.endswith("_range"):
            shown = _range(value, "mm" if "spacing" in key or "thickness" in key else "")
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        if shown:
            out.acquisition.append((label, shown))

    deid = doc.get("deidentification") or {}
    audit = deid.get("audit") or {}
    if audit:
        findings = [f for f in audit.get("findings") or [] if isinstance(f, dict)]
        flagged, audited = audit.get("files_with_findings", 0), audit.get("files_audited", 0)
        kinds = len({f.get("attribute") for f in findings})
        out.audit_line = (
            f"The audit of the submitted headers found identifying attributes in {flagged:,} of "
            f"{audited:,} files ({_plural(kinds, 'kind')} of attribute); the catalog never keeps "
            "their values and serves only its own rewrite."
            if flagged
            else f"The audit of the submitted headers found no identifying attribute in {audited:,} files."
        )
        out.findings = findings

    if view != "hidden":
        _series_table(catalog, caller, doc, previews, page, out)
    return out


def contamination_line(counts: dict[str, Any] | None) -> str | None:
    """One line over the contamination counts (contamination/overlap.py) a dataset's JSON carries."""
    if not counts:
        return None
    parts = [
        f"{counts.get('public_series', 0)} of {counts.get('series_checked', 0)} series found in public "
        f"archives (IDC index {counts.get('public_index_version') or '?'})"
    ]
    if counts.get("pixel_hashing"):
        parts.append(
            f"{counts.get('shared_images', 0):,} of {counts.get('images_hashed', 0):,} images shared "
            f"with {_plural(counts.get('datasets_sharing_images', 0), 'other dataset')}"
        )
    if counts.get("hidden_test_leaks"):
        parts.append(f"{counts['hidden_test_leaks']} overlap with a hidden test set")
    return "Contamination check: " + "; ".join(parts) + "."


def _series_table(
    catalog: Catalog, caller: Caller, doc: dict[str, Any], previews: Previews, page: int, out: Reader
) -> None:
    dataset_id = str(doc.get("id"))
    result = catalog.search(
        "",
        filters={"type": "ImagingSeries", "dataset": dataset_id},
        sort="key",
        page=page,
        size=SERIES_PAGE,
        scope=search_scope(catalog, caller),
    )
    out.series_total, out.series_page = result.total, page
    out.series_pages = max(1, -(-result.total // SERIES_PAGE))
    found = catalog.get_many(h.key for h in result.hits)
    documents = [(h.id, (found[h.key].document or {}) if h.key in found else {}) for h in result.hits]
    if documents:
        try:
            _, dataset = check_access(catalog, caller, documents[0][0])
            out.thumbnails = True
        except MedalError as err:
            out.no_thumbnails = str(err)
    for series_id, series in documents:
        thumbnail = False
        if out.thumbnails:
            try:
                previews.series(catalog, series_id, dataset)
                thumbnail = True
            except MedalError:
                pass
        out.series.append(
            {
                "id": series_id,
                "title": series_title(series),
                "thumbnail": thumbnail,
                "instances": series.get("instance_count"),
                "size": human_size(series.get("byte_size")),
                "matrix": f"{series['rows']} × {series['columns']}" if series.get("rows") else "",
                "thickness": parameter_value("slice_thickness", series.get("slice_thickness")),
            }
        )


def page_parts(request: Request, catalog: Catalog, caller: Caller, landing: LandingView) -> dict[str, Any]:
    """The template context a dataset landing page adds for readers (``?series_page=N`` pages its series)."""
    try:
        page = max(1, int(request.query_params.get("series_page", "1")))
    except ValueError:
        page = 1
    reader = dataset_reader(
        catalog, caller, landing.document, landing.view, previews_of(request.app.state), landing.related, page
    )

    def access_of(other: str) -> str | None:
        found = catalog.get("ImagingDataset", other)
        return (found.document or {}).get("access_level") if found is not None else None

    if landing.view != "hidden":
        reader.contamination = dataset_counts(catalog, landing.id, access_of)
        reader.contamination_line = contamination_line(reader.contamination)
    creators = [c.get("name") for c in landing.schemaorg.get("creator") or [] if c.get("name")]
    if creators:
        reader.summary.insert(2, ("Who", ", ".join(creators)))
    return {"reader": reader}
