"""Several processes' first writes to one fresh Elasticsearch alias, at once (`medal serve --workers N` over an empty
index): one first index behind the alias, every document written and found."""

from __future__ import annotations

import threading
import uuid

from medal_catalog.search import SearchRequest, open_index

from search_corpus import corpus_docs, es_options, es_url  # noqa: F401 - es_url is a fixture

WRITERS = 6


def test_first_writes_at_once_make_one_index_behind_the_alias(es_url):  # noqa: F811
    """Six index clients (one per worker), each making its first write at the same moment: the alias ends on one
    index and holds every document (each client making an index of its own left the alias on several indices,
    where every write failed)."""
    docs = corpus_docs()[:WRITERS]
    for _ in range(3):
        url = f"{es_url}/first-{uuid.uuid4().hex[:10]}"
        clients = [open_index(url, **es_options()) for _ in range(WRITERS)]
        start, failures = threading.Barrier(WRITERS), []

        def write(n: int) -> None:
            start.wait()
            try:
                clients[n].index(docs[n])
            except Exception as err:  # noqa: BLE001 - collected and asserted below
                failures.append(repr(err))

        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        try:
            assert not failures, failures
            assert len(clients[0].client.indices.get_alias(name=clients[0].alias).body) == 1
            assert clients[0].search(SearchRequest.make("", size=50)).total == WRITERS
        finally:
            clients[0].client.indices.delete(
                index=f"{clients[0].alias}-*", ignore_unavailable=True, allow_no_indices=True
            )
            for client in clients:
                client.close()
