"""Elasticsearch backend behaviour a healthy osmem-server cannot show: back-off on 429, unreachable nodes."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from medal_catalog.errors import IndexUnavailableError, UnsupportedURLError
from medal_catalog.search import SearchRequest, open_index
from medal_catalog.search.elasticsearch import parse_url

from search_corpus import corpus_docs


class _Busy(BaseHTTPRequestHandler):
    """A stand-in node that refuses the first bulk request's documents with 429, then accepts them."""

    bulk_calls: list[int] = []

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: dict | None = None) -> None:
        data = json.dumps(body or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_HEAD(self):
        self._answer(200)

    def do_GET(self):
        self._answer(200, {"acknowledged": True})

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if "_bulk" not in self.path:
            return self._answer(200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})
        ids = [json.loads(line)["index"]["_id"] for line in body.splitlines()[::2] if line]
        self.bulk_calls.append(len(ids))
        status = 429 if len(self.bulk_calls) == 1 else 201
        items = [
            {
                "index": {
                    "_id": i,
                    "status": status,
                    **({"error": {"type": "es_rejected_execution_exception"}} if status == 429 else {}),
                }
            }
            for i in ids
        ]
        self._answer(200, {"took": 1, "errors": status == 429, "items": items})

    do_POST = do_PUT


def test_bulk_backs_off_and_resends_documents_refused_with_429():
    """Documents a busy node refuses with 429 are sent again after a pause, and end up indexed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Busy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        index = open_index(f"http://127.0.0.1:{server.server_port}/medal", backoff=0.05)
        docs = corpus_docs()[:3]
        assert index.bulk_index(docs) == []
        assert _Busy.bulk_calls == [3, 3]
    finally:
        server.shutdown()


def test_unreachable_node_is_a_clear_error():
    """Nothing listening: IndexUnavailableError (HTTP 503) that says store writes are queued."""
    index = open_index("elasticsearch://127.0.0.1:9/medal", timeout=2)
    with pytest.raises(IndexUnavailableError, match="unreachable") as caught:
        index.search(SearchRequest.make("brain"))
    assert caught.value.http_status == 503


def test_index_urls():
    """elasticsearch://, elasticsearch+https:// and http(s):// URLs; the path names the alias."""
    assert parse_url("elasticsearch://es:9200/catalog") == ("http://es:9200", "catalog")
    assert parse_url("elasticsearch+https://es:9243") == ("https://es:9243", "medal")
    assert parse_url("http://localhost:9200/") == ("http://localhost:9200", "medal")
    with pytest.raises(UnsupportedURLError):
        parse_url("elasticsearch://es:9200/a/b")


class _Recording(_Busy):
    """A stand-in node that accepts everything and records each request's media types."""

    seen: list[tuple[str, str, str]] = []

    def _answer(self, status: int, body: dict | None = None) -> None:
        self.seen.append((self.command, self.headers.get("Accept", ""), self.headers.get("Content-Type", "")))
        super()._answer(200 if status == 429 else status, body)


@pytest.mark.parametrize(
    "compat, media", [("elasticsearch", "application/vnd.elasticsearch+"), ("json", "application/")]
)
def test_compat_json_sends_plain_json_media_types(compat, media):
    """MEDAL_ELASTICSEARCH_COMPAT=json (compat="json") sends application/json and application/x-ndjson, which
    OpenSearch-compatible servers accept; the default keeps the client's compatible-with=9 vendor types."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recording)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _Recording.seen.clear()
        index = open_index(f"http://127.0.0.1:{server.server_port}/medal", compat=compat, backoff=0.01)
        index.bulk_index(corpus_docs()[:2])
        index.close()
    finally:
        server.shutdown()
    bulk = [row for row in _Recording.seen if row[2]]
    assert bulk and all(value.startswith(media) for row in _Recording.seen for value in row[1:] if value)
    plain = all("compatible-with" not in value for row in _Recording.seen for value in row[1:])
    assert plain == (compat == "json")
    assert any("x-ndjson" in row[2] for row in bulk)


def test_an_unknown_compat_mode_is_a_usage_error():
    """A mistyped MEDAL_ELASTICSEARCH_COMPAT names the modes there are."""
    from medal_catalog.errors import UsageError

    with pytest.raises(UsageError, match="elasticsearch or json"):
        open_index("http://127.0.0.1:9/medal", compat="opensearch")
