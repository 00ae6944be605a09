#!/usr/bin/env python3
"""Elasticsearch at scale: a catalog's entries streamed into an index behind an alias (bulk with back-off on 429),
a second rebuild swapped in atomically (new index, alias moved, old index dropped), then query percentiles.

Without ELASTICSEARCH_URL it runs against osmem-server (an in-process stand-in, the test extra): those figures are
NOT MEANINGFUL for Elasticsearch's speed, they show the path works at volume. With ELASTICSEARCH_URL (e.g.
http://localhost:9200) it measures the real cluster. The entries come from a SQLite catalog, e.g. one left by
benchmarks/scale.py --keep DIR:

    .venv/bin/python benchmarks/elasticsearch_scale.py --catalog sqlite:////tmp/scale/catalog.db --limit 20000
    ELASTICSEARCH_URL=http://localhost:9200 .venv/bin/python benchmarks/elasticsearch_scale.py --catalog ... --limit 0
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "search"))

from medal_catalog.catalog import Catalog  # noqa: E402
from medal_catalog.search import SearchRequest  # noqa: E402
from medal_catalog.search.elasticsearch import ElasticsearchIndex  # noqa: E402

FIVE = ["type", "modality", "body_part", "manufacturer", "model"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", required=True, help="sqlite:///path/catalog.db to read the entries from")
    parser.add_argument("--limit", type=int, default=20000, help="Entries to index (0: all).")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    real = os.environ.get("ELASTICSEARCH_URL")
    server = None
    options: dict = {}
    if real:
        node = real.rstrip("/")
        label = f"Elasticsearch at {node}"
    else:
        from osmem_server import OsmemServer
        from search_corpus import es_options

        server = OsmemServer.start(japanese=False)
        node, options = server.url, es_options()
        label = "osmem-server (NOT MEANINGFUL as Elasticsearch figures)"
    alias = f"medal-bench-{uuid.uuid4().hex[:8]}"
    index = ElasticsearchIndex(f"{node}/{alias}", timeout=120, **options)
    try:
        with Catalog.open(args.catalog) as catalog:
            entries = catalog.store.iter_current()
            if args.limit:
                entries = itertools.islice(entries, args.limit)
            docs = [catalog.document(v.document) for v in entries]
        print(
            f"{label}: {len(docs)} documents from {args.catalog}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
        )
        for round_ in (1, 2):
            before = set(index.client.indices.get_alias(name=alias).body) if round_ == 2 else set()
            start = time.perf_counter()
            problems = index.rebuild(iter(docs))
            seconds = time.perf_counter() - start
            after = set(index.client.indices.get_alias(name=alias).body)
            left = [i for i in before if index.client.indices.exists(index=i)]
            print(
                f"  rebuild {round_}: {len(docs)} docs in {seconds:.1f} s = {len(docs) / seconds:.0f} docs/s "
                f"(streaming bulk, retries on 429), {len(problems)} rejected; alias -> {sorted(after)}"
                + (f"; previous index {'still there!' if left else 'dropped'}" if round_ == 2 else "")
            )
        requests = [SearchRequest.make(q, facets=FIVE, size=10) for q in ("series", "lung", "CT", "phantom", "")]
        samples = []
        for i in range(args.queries):
            start = time.perf_counter()
            index.search(requests[i % len(requests)])
            samples.append((time.perf_counter() - start) * 1000)
        q = statistics.quantiles(samples, n=100, method="inclusive")
        print(f"  queries (5 facets, in process): p50 {q[49]:.1f} ms  p95 {q[94]:.1f} ms  p99 {q[98]:.1f} ms")
    finally:
        index.client.indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
        index.close()
        if server is not None:
            server.close()


if __name__ == "__main__":
    main()
