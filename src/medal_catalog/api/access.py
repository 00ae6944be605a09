"""Who may see and write what, in one place; the routes (and the web pages) only ask.

Roles: anonymous (no token), contributor, reviewer (expert panel), admin (panel chair).

**The visibility rule** (one rule, two implementations side by side below, kept equal by
tests/api/test_visibility_property.py):

* **Public** entries, visible to everyone: tasks whose status is ``accepted``; datasets used by an accepted task
  (``datasets_used``); *reference* datasets, open and already published elsewhere (``access_level: open`` and
  ``publication_status: published``, such as a public collection from ``medal harvest idc:``), which a task may
  cite and whose data anyone may get from their source anyway; series of all these datasets. Reviews are never
  public.
* A **contributor** also sees the entries they own (the author of an entry's first version) in full.
* A **reviewer** sees every task, dataset and review (everything under review and beyond); series only of
  datasets that are not ``hidden_test``.
* An **admin** sees everything in full.

Views: unless the caller is an admin or the entry's owner, a dataset that is not ``open`` (``registered``,
``controlled``) shows its metadata but never data locations (distribution ``path``, ``url``, ``includes``), and a
``hidden_test`` dataset shows only what a task needs to be understood (:data:`HIDDEN_VIEW_SLOTS`): no file
locations, no series, no labels.

**Found vs. read**: an entry is *listed* (search hits, totals, facet counts, ``/api/datasets``, ``/api/tasks``,
``/api/catalog`` DCAT, a dataset's series list) exactly when the caller's view of it is ``full`` or ``public``
(:func:`listed`); an entry in the ``hidden`` view can be read by its URL (a task links to it) but is never found,
so a hidden-test dataset leaks through neither hits, totals nor facet counts, for any role. Search restrictions
are a query-level scope (:func:`search_scope`), so totals and facets count only what is listed.

Entry points (for the API routes and the web pages):

* :func:`view_of` (a stored entry -> ``"full"`` / ``"public"`` / ``"hidden"`` / None), :func:`listed` (a view ->
  whether it is found), :func:`not_visible` (the one 404 for what the caller may not see);
* :func:`search_scope` (the caller's scope for :meth:`Catalog.search`; every search and listing passes it);
* :func:`redact`, :func:`may_fetch_data`, :func:`require_data` (what a view shows and whether data may be fetched);
* :func:`check_writes` (raise unless the caller may write these entries and attach them where they point), built
  on :func:`may_write` / :func:`owner_of`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from medal_catalog.api.tokens import Role as TokenRole
from medal_catalog.catalog import Catalog
from medal_catalog.errors import Conflict, Forbidden, NotFound, Unauthorized
from medal_catalog.ingestion import attachments
from medal_catalog.schema import CONTAINER_SLOTS, KIND_PATHS
from medal_catalog.schema.facts import access_levels
from medal_catalog.search import SearchRequest
from medal_catalog.store import StoredVersion, entry_key

#: A caller's role: a token's role, or anonymous without one.
Role = Literal["anonymous", TokenRole]
View = Literal["full", "public", "hidden"]

#: The slots of a hidden-test dataset everyone who may see it gets: what the task needs to be understood.
HIDDEN_VIEW_SLOTS = (
    "type",
    "id",
    "title",
    "description",
    "version",
    "keywords",
    "modalities",
    "body_parts",
    "file_formats",
    "subject_count",
    "study_count",
    "series_count",
    "publication_status",
    "access_level",
    "license",
    "data_use_conditions",
    "created",
    "modified",
    "citation",
)
#: Distribution slots that locate data; stripped from every dataset not seen in full.
LOCATION_SLOTS = ("path", "url", "includes")
#: URL segment -> entry class: the segments are the MedalCatalog container's list slots.
KINDS = CONTAINER_SLOTS
PATH_OF = KIND_PATHS


@dataclass(frozen=True)
class Caller:
    """The caller of one request: a role and, with a token, the token's name (the author of their writes)."""

    role: Role = "anonymous"
    name: str | None = None
    #: The start of the caller's token's digest (:data:`~medal_catalog.api.links.TOKEN_ID_LENGTH` hex digits),
    #: which a signed link carries so that revoking the token revokes its links at once.
    token: str | None = None

    @property
    def panel(self) -> bool:
        return self.role in ("reviewer", "admin")


ANONYMOUS = Caller()


def owner_of(catalog: Catalog, kind: str, entry_id: str) -> str | None:
    """The author of an entry's first version."""
    first = catalog.get(kind, entry_id, 1)
    return first.author if first is not None else None


def may_write(catalog: Catalog, caller: Caller, kind: str, entry_id: str) -> bool:
    """Whether ``caller`` may write the entry: a new one, one they own (wrote first), or any as an admin."""
    if caller.role == "admin":
        return True
    owner = owner_of(catalog, kind, entry_id)
    return owner is None or owner == caller.name


def not_visible(kind: str, entry_id: str) -> NotFound:
    """The one answer for an entry the caller may not see, whether it exists or not (GET, writes, attachments)."""
    return NotFound(f"no {kind} {entry_id!r} visible to you")


def _require_owner(
    catalog: Catalog, caller: Caller, kind: str, entry_id: str, what: str, written: bool = False
) -> None:
    """Return when ``caller`` may write (``written``: the entry itself) or attach to an entry; else refuse."""
    if may_write(catalog, caller, kind, entry_id):
        return
    current = catalog.get(kind, entry_id)
    if current is not None and written and view_of(catalog, caller, current) is None:
        # The id the caller wants for their own entry: saying it is taken reveals only that it is (as any
        # registry does), and "not visible" would send them looking for an entry they never made.
        raise Conflict(f"the id {entry_id!r} is taken: another contributor's {kind} has it; choose another id")
    if current is None or view_of(catalog, caller, current) is None:
        raise not_visible(kind, entry_id)  # as GET answers: no oracle of what others hold
    raise Forbidden(
        f"{kind} {entry_id!r} belongs to another contributor: {what} (ask its owner, or an admin, to submit it)"
    )


def check_writes(catalog: Catalog, caller: Caller, entries: Sequence[dict[str, Any]]) -> None:
    """Return when ``caller`` may write every entry (new, their own, or any as an admin) and attach each to every
    entry it points at (:func:`~medal_catalog.ingestion.attachments`: a series to its dataset, a task to its
    datasets and label table), which must be in the same submission or already in the catalog and theirs. Else
    raise: 404, as GET answers, for an entry the caller may not see (or that does not exist); 403 for one they
    see but do not own."""
    pending = {(e.get("type"), e.get("id")) for e in entries}
    checked: set[tuple[str, str]] = set()  # a bundle's 1,200 series attach to one dataset: check it once
    for entry in entries:
        kind, entry_id = str(entry.get("type")), str(entry.get("id"))
        _require_owner(catalog, caller, kind, entry_id, "only its owner may change it", written=True)
        for target_kind, target in attachments(entry):
            if (target_kind, target) in pending or (target_kind, target) in checked:
                continue  # checked as an entry of this submission, or already
            checked.add((target_kind, target))
            if catalog.get(target_kind, target) is None:
                raise not_visible(target_kind, target)
            _require_owner(catalog, caller, target_kind, target, f"{kind} {entry_id!r} may not attach to it")


def owned_keys(catalog: Catalog, name: str) -> list[str]:
    """The keys of the entries whose first version ``name`` wrote."""
    return catalog.keys_created_by(name)


def _facet_values(catalog: Catalog, facet: str, filters: dict[str, Any]) -> list[str]:
    request = SearchRequest.make(filters=filters, facets=[facet], size=1)
    return [value for value, _ in catalog.index.search(request).facets[facet]] if catalog.index else []


def accepted_datasets(catalog: Catalog) -> set[str]:
    """The ids of the datasets some accepted task uses."""
    return set(_facet_values(catalog, "dataset", {"type": "BenchmarkTask", "status": "accepted"}))


#: The filters of a reference dataset: open and already published elsewhere (see the module's rule).
REFERENCE = {"type": "ImagingDataset", "access_level": "open", "publication_status": "published"}


def is_reference(document: dict[str, Any] | None) -> bool:
    """Whether a dataset is a reference dataset, public whether or not an accepted task uses it."""
    return document is not None and all(document.get(k) == v for k, v in REFERENCE.items())


def reference_datasets(catalog: Catalog) -> set[str]:
    """The ids of the reference datasets (:func:`is_reference`), through the index."""
    if catalog.index is None:
        return set()
    ids: set[str] = set()
    page = 1
    while True:
        request = SearchRequest.make(filters=REFERENCE, sort="key", page=page, size=100)
        result = catalog.index.search(request)
        ids.update(h.id for h in result.hits)
        if page * 100 >= result.total:
            return ids
        page += 1


def _not_hidden(catalog: Catalog, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that are stored datasets whose access level is not ``hidden_test``."""
    found = catalog.get_many(entry_key("ImagingDataset", i) for i in ids)
    return {v.id for v in found.values() if v.document is not None and v.document.get("access_level") != "hidden_test"}


#: The views in which an entry is found (search, lists, DCAT); the ``hidden`` view is read by URL only.
LISTED_VIEWS = ("full", "public")


def listed(view: View | None) -> bool:
    """Whether an entry seen in ``view`` is found by search and listed (see the module's rule)."""
    return view in LISTED_VIEWS


def search_scope(catalog: Catalog, caller: Caller) -> list[dict[str, list[str]]] | None:
    """The search scope of a caller (clauses, any of which a document must match), or None for no limit: exactly
    the entries :func:`view_of` shows the caller in a :func:`listed` view."""
    if caller.role == "admin":
        return None
    if caller.role == "reviewer":
        levels = [level for level in access_levels() if level != "hidden_test"]
        series_of = _not_hidden(catalog, _facet_values(catalog, "dataset", {"type": "ImagingSeries"}))
        scope = [
            {"type": ["BenchmarkTask", "ReviewAssessment"]},
            {"type": ["ImagingDataset"], "access_level": levels},
            {"type": ["ImagingSeries"], "dataset": sorted(series_of)},
        ]
    else:
        shown = _not_hidden(catalog, accepted_datasets(catalog)) | reference_datasets(catalog)
        scope = [
            {"type": ["BenchmarkTask"], "status": ["accepted"]},
            {"key": [entry_key("ImagingDataset", d) for d in sorted(shown)]},
            {"type": ["ImagingSeries"], "dataset": sorted(shown)},
        ]
    if caller.role != "anonymous" and caller.name:
        scope.append({"key": owned_keys(catalog, caller.name)})
    return scope


def view_of(catalog: Catalog, caller: Caller, current: StoredVersion) -> View | None:
    """How ``caller`` may see an entry (by its current version): in full, the public view, the hidden-test view,
    or not at all (None)."""
    if caller.role == "admin":
        return "full"
    if caller.name is not None and owner_of(catalog, current.kind, current.id) == caller.name:
        return "full"
    doc = current.document or {}
    kind = current.kind
    if kind == "ImagingDataset":
        hidden = doc.get("access_level") == "hidden_test"
        if caller.role == "reviewer" or is_reference(doc) or _used_by_accepted(catalog, current.id):
            return "hidden" if hidden else "public"
        return None
    if kind == "ImagingSeries":
        dataset = catalog.get("ImagingDataset", str(doc.get("dataset", "")))
        if dataset is None or dataset.document is None or dataset.document.get("access_level") == "hidden_test":
            return None
        public = is_reference(dataset.document) or _used_by_accepted(catalog, dataset.id)
        return "public" if caller.role == "reviewer" or public else None
    if caller.role == "reviewer":
        return "public"
    if kind == "BenchmarkTask" and doc.get("status") == "accepted":
        return "public"
    return None


def _used_by_accepted(catalog: Catalog, dataset_id: str) -> bool:
    if catalog.index is None:
        return False
    request = SearchRequest.make(filters={"type": "BenchmarkTask", "status": "accepted", "dataset": dataset_id})
    return catalog.index.count(request) > 0


def may_fetch_data(document: dict[str, Any] | None, view: View) -> bool:
    """Whether a caller with ``view`` of a dataset may download its data files from the catalog: in full view
    (owner, admin), or an open-access dataset in the public view. Never in the hidden-test view."""
    if document is None or view == "hidden" or document.get("access_level") == "hidden_test" and view != "full":
        return False
    return view == "full" or document.get("access_level") == "open"


def require_data(caller: Caller, document: dict[str, Any] | None, view: View, what: str) -> None:
    """Return when the caller may fetch the dataset's data; else refuse with the reason: 401 without
    credentials, 403 with them. What must not be revealed (a hidden-test dataset's data outside its full view) is
    a 404, as an entry the caller cannot see is."""
    if may_fetch_data(document, view):
        return
    level = (document or {}).get("access_level")
    if document is None or view == "hidden" or level == "hidden_test":
        raise NotFound(f"{what} is not published")
    reason = (
        f"{what} belongs to a {level} dataset: only its owner and admins may fetch it from the catalog "
        "(see its access conditions)"
    )
    if caller.role == "anonymous":
        raise Unauthorized(f"{reason}; send a Bearer token or use a signed link")
    raise Forbidden(f"{reason}; {caller.name or 'your token'} ({caller.role}) is neither")


def small_cells(
    document: dict[str, Any] | None, caller: Caller, threshold: int, *, drop: bool = False
) -> dict[str, Any] | None:
    """The document with its demographic counts (population.sex_counts, population.age_bins[].count) from 1 to
    ``threshold`` - 1 shown as "< threshold" to an anonymous caller, as /campaign shows them (0 stays 0): a cell
    of one or two people can single them out. With ``drop`` (typed machine formats such as DCAT, where a count must
    be a number) such counts are left out instead. Callers with a token see the counts; the stored entry is
    unchanged."""
    if document is None or caller.role != "anonymous" or not isinstance(document.get("population"), dict):
        return document

    def cell(value: Any) -> Any:
        return (
            (None if drop else f"< {threshold}")
            if isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold
            else value
        )

    population = dict(document["population"])
    if isinstance(population.get("sex_counts"), dict):
        population["sex_counts"] = {k: c for k, v in population["sex_counts"].items() if (c := cell(v)) is not None}
    if isinstance(population.get("age_bins"), list):
        bins = []
        for b in population["age_bins"]:
            if isinstance(b, dict) and "count" in b:
                shown = cell(b.get("count"))
                b = {**b, "count": shown} if shown is not None else {k: v for k, v in b.items() if k != "count"}
            bins.append(b)
        population["age_bins"] = bins
    return {**document, "population": population}


def redact(document: dict[str, Any] | None, view: View) -> dict[str, Any] | None:
    """The document as a view shows it (``full`` unchanged; a copy otherwise)."""
    if document is None or view == "full":
        return document
    if document.get("type") != "ImagingDataset":
        return document
    if view == "hidden" or document.get("access_level") == "hidden_test":
        return {k: v for k, v in document.items() if k in HIDDEN_VIEW_SLOTS}
    out = dict(document)
    if "distribution" in out and document.get("access_level") != "open":
        out["distribution"] = [
            {k: v for k, v in item.items() if k not in LOCATION_SLOTS} for item in out["distribution"]
        ]
    return out
