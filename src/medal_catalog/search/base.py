"""The search index interface, its request and result types, shared by the SQLite FTS5 and Elasticsearch backends."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from medal_catalog.errors import UsageError
from medal_catalog.search.fields import DATE_FIELDS, FACET_FIELDS, RANGE_FIELDS, SORT_FIELDS, canonical
from medal_catalog.search.query import Node, parse

Bound = float | int | str | None
#: Called with the number of documents indexed so far during a rebuild.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class SearchRequest:
    """A checked search: the parsed query, filters (field -> allowed values), facets to count, inclusive ranges."""

    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    ranges: Mapping[str, tuple[Bound, Bound]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    tree: Node | None = None
    #: Access scope: when not empty, a document must also match at least one clause (field -> allowed values,
    #: every field of a clause must match; ``key`` may name exact entries). Applied before facets and totals.
    scope: tuple[Mapping[str, tuple[str, ...]], ...] = ()

    @classmethod
    def make(
        cls,
        query: str = "",
        filters: Mapping[str, Iterable[str] | str] | None = None,
        facets: Iterable[str] = (),
        ranges: Mapping[str, tuple[Bound, Bound]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        size: int = 10,
        scope: Iterable[Mapping[str, Iterable[str]]] | None = None,
    ) -> SearchRequest:
        """Check every name and bound; raise UsageError (400) or QuerySyntaxError (400) at the first bad one."""
        clean_filters: dict[str, tuple[str, ...]] = {}
        for name, values in (filters or {}).items():
            if name not in FACET_FIELDS:
                raise UsageError(f"cannot filter on {name!r}: filters are {', '.join(FACET_FIELDS)}")
            values = (values,) if isinstance(values, str) else tuple(values)
            if values:
                # Written as the index holds them, so that modality=ct finds CT as the facet counts show it.
                clean_filters[name] = tuple(dict.fromkeys(canonical(name, str(v)) for v in values))
        for name in facets:
            if name not in FACET_FIELDS:
                raise UsageError(f"cannot count {name!r}: facets are {', '.join(FACET_FIELDS)}")
        clean_ranges = {name: _bounds(name, lo, hi) for name, (lo, hi) in (ranges or {}).items()}
        if sort != "relevance" and sort.lstrip("-") not in SORT_FIELDS:
            raise UsageError(
                f"cannot sort by {sort!r}: use relevance or {', '.join(SORT_FIELDS)} (a leading - sorts descending)"
            )
        if page < 1 or not 1 <= size <= 1000:
            raise UsageError("page must be 1 or more and size between 1 and 1000")
        clean_scope = []
        for clause in scope or ():
            for name in clause:
                if name != "key" and name not in FACET_FIELDS:
                    raise UsageError(f"cannot scope on {name!r}: use key or {', '.join(FACET_FIELDS)}")
            clean_scope.append({name: tuple(str(v) for v in values) for name, values in clause.items()})
        return cls(
            query=query or "",
            filters=clean_filters,
            facets=tuple(dict.fromkeys(facets)),
            ranges=clean_ranges,
            sort=sort,
            page=page,
            size=size,
            tree=parse(query or ""),
            scope=tuple(clean_scope),
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def _bounds(name: str, lo: Bound, hi: Bound) -> tuple[Bound, Bound]:
    if name not in RANGE_FIELDS:
        raise UsageError(f"no range on {name!r}: ranges are {', '.join(RANGE_FIELDS)}")
    out: list[Bound] = []
    for bound in (lo, hi):
        if bound is None or bound == "":
            out.append(None)
        elif name in DATE_FIELDS:
            try:
                out.append(date.fromisoformat(str(bound)).isoformat())
            except ValueError:
                raise UsageError(f"{name}: {bound!r} is not a date (yyyy-mm-dd)") from None
        else:
            try:
                out.append(float(bound))
            except (TypeError, ValueError):
                raise UsageError(f"{name}: {bound!r} is not a number") from None
    return out[0], out[1]


@dataclass(frozen=True)
class Hit:
    """One matching document: its key, score (None when not ranked by relevance), highlights and index document."""

    key: str
    type: str
    id: str
    label: str
    score: float | None
    highlights: dict[str, list[str]]
    document: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.type,
            "id": self.id,
            "label": self.label,
            "score": self.score,
            "highlights": self.highlights,
            "document": self.document,
        }


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, the total number of matches, and value counts per requested facet (most frequent first)."""

    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    page: int
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in counts] for name, counts in self.facets.items()},
        }


def order_facets(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Facet buckets as both backends list them: by count, most first, then by value."""
    return sorted(((v, c) for v, c in counts if c > 0), key=lambda vc: (-vc[1], vc[0]))


class SearchIndex(ABC):
    """A search index over flattened catalog entries (see :func:`medal_catalog.search.document.flatten`)."""

    #: A stable description of the target, e.g. ``sqlite:///catalog.db`` or ``http://host:9200/medal``.
    url: str

    @abstractmethod
    def index(self, doc: Mapping[str, Any]) -> None:
        """Add or replace one document (by its ``key``), visible to the next search."""

    @abstractmethod
    def bulk_index(self, docs: Iterable[Mapping[str, Any]]) -> list[str]:
        """Add or replace many documents; return the problems (one line per rejected document)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove a document; removing an absent one is not an error."""

    @abstractmethod
    def get(self, key: str) -> dict[str, Any] | None:
        """The indexed document, or None."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """Run a checked search request."""

    @abstractmethod
    def count(self, request: SearchRequest) -> int:
        """How many documents match (facets, sort and page are ignored)."""

    @abstractmethod
    def rebuild(self, docs: Iterable[Mapping[str, Any]], progress: Progress | None = None) -> list[str]:
        """Replace the whole index by ``docs`` without a moment where searches see a partial index."""

    def close(self) -> None:
        """Release connections."""
