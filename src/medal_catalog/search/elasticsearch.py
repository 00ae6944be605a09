"""The Elasticsearch backend (official ``elasticsearch`` client, 9.x), for catalogs that outgrow one file.

URL: ``elasticsearch://host:9200/medal`` (``elasticsearch+https://`` for TLS; plain ``http(s)://host:9200/medal``
works too). The last path segment is an **alias**: writes and searches go through it, and ``rebuild`` fills a
fresh index ``medal-<time>`` then moves the alias in one atomic ``_aliases`` call, so searches never see a half
index. The mapping is the generated artefact ``schema/generated/medal.es-mapping.json``.

Media types (``compat``, the setting MEDAL_ELASTICSEARCH_COMPAT): the 9.x client sends
``application/vnd.elasticsearch+json; compatible-with=9``, which Elasticsearch 8.x/9.x expects and which
OpenSearch-compatible servers refuse. ``compat="json"`` sends plain ``application/json`` (``application/x-ndjson``
for bulk) instead; the request bodies and answers are the same.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from medal_catalog.errors import (
    IndexUnavailableError,
    MissingExtraError,
    SearchBackendError,
    UnsupportedURLError,
    UsageError,
)
from medal_catalog.search.base import Hit, Progress, SearchIndex, SearchRequest, SearchResult, order_facets
from medal_catalog.search.fields import TEXT_FIELDS
from medal_catalog.search.mapping import load_mapping
from medal_catalog.search.query import And, Leaf, Node, Not, positive

try:
    import elastic_transport
    from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers
except ImportError:  # pragma: no cover - exercised only without the extra
    Elasticsearch = None  # type: ignore[assignment,misc]

SCHEMES = {
    "elasticsearch": "http",
    "elasticsearch+http": "http",
    "elasticsearch+https": "https",
    "http": "http",
    "https": "https",
}
_FIELDS = [f"{f.name}^{f.weight:g}" for f in TEXT_FIELDS]
_BUCKETS = 1000
#: The media-type modes: ``elasticsearch`` (the client's vendor types) and ``json`` (plain JSON, for
#: OpenSearch-compatible servers).
COMPAT_MODES = ("elasticsearch", "json")


def parse_url(url: str) -> tuple[str, str]:
    """The node URL and the alias name from an index URL (alias ``medal`` when the path is empty)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.netloc:
        raise UnsupportedURLError(f"not an Elasticsearch URL: {url!r} (expected elasticsearch://host:9200/medal)")
    alias = parts.path.strip("/") or "medal"
    if "/" in alias or alias != alias.lower():
        raise UnsupportedURLError(f"{url!r}: the index alias must be one lower-case path segment")
    return urlunsplit((SCHEMES[parts.scheme], parts.netloc, "", "", "")), alias


def es_query(node: Node | None) -> dict[str, Any]:
    """The Elasticsearch query for a parsed query tree (every leaf a phrase over the weighted text fields)."""
    if node is None:
        return {"match_all": {}}
    if isinstance(node, Leaf):
        return {
            "multi_match": {
                "query": " ".join(node.tokens),
                "fields": _FIELDS,
                "type": "phrase_prefix" if node.prefix else "phrase",
            }
        }
    if isinstance(node, Not):
        return {"bool": {"must_not": [es_query(node.item)]}}
    if isinstance(node, And):
        return {"bool": {"must": [es_query(i) for i in node.items]}}
    return {"bool": {"should": [es_query(i) for i in node.items], "minimum_should_match": 1}}


def es_body(request: SearchRequest) -> dict[str, Any]:
    """The search body: query and filters, facet aggregations, sort, highlight and page."""
    filters: list[dict[str, Any]] = [{"terms": {name: list(values)}} for name, values in request.filters.items()]
    for name, (lo, hi) in request.ranges.items():
        bounds = {k: v for k, v in (("gte", lo), ("lte", hi)) if v is not None}
        filters.append({"range": {name: bounds}})
    if request.scope:
        filters.append(
            {
                "bool": {
                    "should": [
                        {"bool": {"filter": [{"terms": {name: list(values)}} for name, values in clause.items()]}}
                        for clause in request.scope
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    body: dict[str, Any] = {
        "query": {"bool": {"must": [es_query(request.tree)], "filter": filters}},
        "aggs": {name: {"terms": {"field": name, "size": _BUCKETS}} for name in request.facets},
        "from": request.offset,
        "size": request.size,
        "track_total_hits": True,
    }
    if request.sort == "relevance":
        body["sort"] = [{"_score": {"order": "desc"}}, {"key": {"order": "asc"}}]
    else:
        name, order = request.sort.lstrip("-"), "desc" if request.sort.startswith("-") else "asc"
        field = "title.raw" if name == "title" else name
        body["sort"] = [{field: {"order": order, "missing": "_last"}}, {"key": {"order": "asc"}}]
    if positive(request.tree) is not None:
        body["highlight"] = {
            "fields": {f.name: {} for f in TEXT_FIELDS},
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "require_field_match": True,
        }
    return body


class ElasticsearchIndex(SearchIndex):
    """The catalog index in Elasticsearch (or an API-compatible server), behind an alias."""

    def __init__(
        self,
        url: str,
        timeout: float = 10.0,
        client: Any = None,
        backoff: float = 0.5,
        compat: str = "elasticsearch",
        **client_options: Any,
    ) -> None:
        if Elasticsearch is None:
            raise MissingExtraError(
                "the Elasticsearch backend needs the elasticsearch client: pip install 'medal-catalog[elasticsearch]'"
            )
        if compat not in COMPAT_MODES:
            raise UsageError(
                f"unknown Elasticsearch media-type mode {compat!r} (MEDAL_ELASTICSEARCH_COMPAT): "
                f"use {' or '.join(COMPAT_MODES)}"
            )
        if compat == "json" and "node_class" not in client_options:
            client_options["node_class"] = _plain_json_node()
        self.url = url
        self.node, self.alias = parse_url(url)
        self.client = client or Elasticsearch(
            self.node, request_timeout=timeout, max_retries=1, retry_on_timeout=False, **client_options
        )
        self._ready = False
        #: First wait (seconds) before resending documents refused with 429; it doubles up to 30 s, 6 tries.
        self.backoff = backoff

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except elastic_transport.TransportError as err:
            if isinstance(err, (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout)):
                raise IndexUnavailableError(
                    f"Elasticsearch at {self.node} is unreachable ({err.message}); "
                    "store writes are kept and queued: run `medal reindex` later"
                ) from None
            raise SearchBackendError(f"Elasticsearch at {self.node}: {err}") from None
        except ApiError as err:
            raise SearchBackendError(
                f"Elasticsearch at {self.node} answered {err.meta.status}: {err.message} {_reason(err)}"
            ) from None

    def _new_index(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        mapping = load_mapping()
        self.client.indices.create(index=name, settings=mapping["settings"], mappings=mapping["mappings"])
        return name

    def _ensure(self) -> None:
        """Create the first index and its alias on first write; later writes skip the check.

        Several processes (`medal serve --workers N`) may make their first write at once: the first index has one
        name, ``<alias>-first``, and is created with its alias in one call, so that one of them creates it and the
        others find it made (resource_already_exists_exception). Each making an index of its own and adding it to
        the alias left the alias on several indices, where every later write fails."""
        if self._ready:
            return
        with self._errors():
            if not self.client.indices.exists_alias(name=self.alias):
                # exists() answers true for an alias too: one another process has just made, or a real index.
                if self.client.indices.exists(index=self.alias):
                    if self.client.indices.exists_alias(name=self.alias):
                        self._ready = True
                        return
                    raise SearchBackendError(f"{self.alias} is an index, not an alias; delete it or pick another name")
                mapping = load_mapping()
                try:
                    self.client.indices.create(
                        index=f"{self.alias}-first",
                        settings=mapping["settings"],
                        mappings=mapping["mappings"],
                        aliases={self.alias: {}},
                    )
                except ApiError as err:
                    if getattr(err, "error", "") != "resource_already_exists_exception":
                        raise
                    if not self.client.indices.exists_alias(name=self.alias):
                        raise SearchBackendError(
                            f"{self.alias}-first exists without the alias {self.alias}: "
                            "run `medal reindex` to make a fresh index behind it"
                        ) from None
        self._ready = True

    # --- writes -----------------------------------------------------------------------------------------------
    def index(self, doc: Mapping[str, Any]) -> None:
        self._ensure()
        with self._errors():
            self.client.index(index=self.alias, id=doc["key"], document=dict(doc), refresh=True)

    def _bulk(self, index: str, docs: Iterable[Mapping[str, Any]], progress: Progress | None = None) -> list[str]:
        actions = ({"_index": index, "_id": d["key"], "_source": dict(d)} for d in docs)
        problems, done = [], 0
        with self._errors():
            # streaming_bulk retries documents rejected with 429 (too many requests), backing off exponentially.
            for ok, item in helpers.streaming_bulk(
                self.client,
                actions,
                chunk_size=500,
                max_retries=6,
                initial_backoff=self.backoff,
                max_backoff=30,
                raise_on_error=False,
            ):
                done += 1
                if not ok:
                    info = item.get("index", item)
                    problems.append(f"{info.get('_id')}: {info.get('error')}")
                if progress and done % 500 == 0:
                    progress(done)
        if progress:
            progress(done)
        return problems

    def bulk_index(self, docs: Iterable[Mapping[str, Any]]) -> list[str]:
        self._ensure()
        problems = self._bulk(self.alias, docs)
        with self._errors():
            self.client.indices.refresh(index=self.alias)
        return problems

    def delete(self, key: str) -> None:
        self._ensure()
        with self._errors():
            try:
                self.client.delete(index=self.alias, id=key, refresh=True)
            except NotFoundError:
                pass

    def rebuild(self, docs: Iterable[Mapping[str, Any]], progress: Progress | None = None) -> list[str]:
        with self._errors():
            try:
                old = list(self.client.indices.get_alias(name=self.alias).body)
            except NotFoundError:
                old = []
                if self.client.indices.exists(index=self.alias):
                    raise SearchBackendError(
                        f"{self.alias} is an index, not an alias; delete it or pick another name"
                    ) from None
            name = self._new_index()
        try:
            problems = self._bulk(name, docs, progress)
            with self._errors():
                self.client.indices.refresh(index=name)
                # One atomic call: searches see the old index until the new one replaces it.
                self.client.indices.update_aliases(
                    actions=[
                        *({"remove": {"index": i, "alias": self.alias}} for i in old),
                        {"add": {"index": name, "alias": self.alias}},
                    ]
                )
        except BaseException:
            with self._errors():
                self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        with self._errors():
            for index in old:
                self.client.indices.delete(index=index, ignore_unavailable=True)
        self._ready = True
        return problems

    # --- reads ------------------------------------------------------------------------------------------------
    def get(self, key: str) -> dict[str, Any] | None:
        with self._errors():
            try:
                return dict(self.client.get(index=self.alias, id=key)["_source"])
            except NotFoundError:
                return None

    def count(self, request: SearchRequest) -> int:
        body = es_body(request)
        with self._errors():
            try:
                return int(self.client.count(index=self.alias, query=body["query"])["count"])
            except NotFoundError:
                return 0

    def search(self, request: SearchRequest) -> SearchResult:
        body = es_body(request)
        with self._errors():
            try:
                response = self.client.search(index=self.alias, **body).body
            except NotFoundError:
                return SearchResult(
                    hits=[], total=0, facets={n: [] for n in request.facets}, page=request.page, size=request.size
                )
        scored = request.sort == "relevance" and positive(request.tree) is not None
        hits = []
        for item in response["hits"]["hits"]:
            source = item["_source"]
            hits.append(
                Hit(
                    key=source["key"],
                    type=source["type"],
                    id=source["id"],
                    label=source.get("label", ""),
                    score=item.get("_score") if scored else None,
                    highlights={k: list(v) for k, v in item.get("highlight", {}).items()},
                    document=source,
                )
            )
        facets = {
            name: order_facets(
                (b["key"], b["doc_count"]) for b in response.get("aggregations", {}).get(name, {}).get("buckets", [])
            )
            for name in request.facets
        }
        total = response["hits"]["total"]
        return SearchResult(
            hits=hits,
            total=total["value"] if isinstance(total, dict) else int(total),
            facets=facets,
            page=request.page,
            size=request.size,
        )

    def close(self) -> None:
        self.client.close()


def _plain_json_node() -> type:
    """A urllib3 transport node that sends plain ``application/json`` (``application/x-ndjson`` for bulk) where
    the 9.x client asks for ``application/vnd.elasticsearch+...; compatible-with=9``: the client rewrites the media
    types of every request unconditionally, so the node puts them back just before they are sent."""
    # inline: the elasticsearch client takes ~0.2 s to import
    from elastic_transport._node._base import NodeApiResponse
    from elastic_transport.client_utils import DEFAULT, DefaultType

    class PlainJsonNode(elastic_transport.Urllib3HttpNode):
        def perform_request(
            self,
            method: str,
            target: str,
            body: bytes | None = None,
            headers: elastic_transport.HttpHeaders | None = None,
            request_timeout: DefaultType | float | None = DEFAULT,
        ) -> NodeApiResponse:
            if headers:
                headers = headers.copy()
                for name in ("accept", "content-type"):
                    value = headers.get(name)
                    if value and "compatible-with" in value:
                        headers[name] = "application/x-ndjson" if "x-ndjson" in value else "application/json"
            return super().perform_request(method, target, body, headers, request_timeout=request_timeout)

    return PlainJsonNode


def _reason(err: Any) -> str:
    body = getattr(err, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        cause = body["error"].get("root_cause") or [body["error"]]
        return "; ".join(f"{c.get('type')}: {c.get('reason')}" for c in cause if isinstance(c, dict))
    return ""
