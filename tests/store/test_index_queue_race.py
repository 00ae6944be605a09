"""The index queue under several writers (`medal serve --workers N` over PostgreSQL): PostgreSQL numbers an update
when it is inserted, not when it commits, so an update numbered below the newest one a drainer read can commit
while the drainer is indexing; the drainer must not clear it unapplied."""

from __future__ import annotations

from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings
from medal_catalog.search.sqlite_fts import SqliteFtsIndex
from medal_catalog.store import open_store

from test_store_contract import task


class _Interleaving(SqliteFtsIndex):
    """The FTS5 index, which lets another writer commit while a drainer is between reading the queue and
    clearing it (the interleaving two workers produce by chance, made to happen here every time)."""

    meanwhile = None

    def bulk_index(self, docs):
        docs = list(docs)
        self.written.append([d["key"] for d in docs])
        if self.meanwhile is not None:
            self.meanwhile()
            self.meanwhile = None
        return super().bulk_index(docs)


def test_an_update_that_commits_late_with_a_lower_number_stays_queued(postgresql_url, tmp_path):
    """Another writer takes queue number n, this one n+1 and drains the queue (reading only n+1); the other
    commits while the drain indexes: the drain does not clear its update unapplied, but applies it too."""
    import psycopg

    store = open_store(postgresql_url)
    index = _Interleaving(f"sqlite:///{tmp_path / 'index.db'}")
    index.written = []
    catalog = Catalog(store, index, Settings())
    try:
        catalog.put(task(1), "ada", "first")  # the entry the late writer changes; queue drained
        assert store.pending_count() == 0
        other = psycopg.connect(postgresql_url)  # another worker's transaction, still open
        other.execute(
            "INSERT INTO index_queue (key, op, queued_at) VALUES ('BenchmarkTask:task-001', 'index', "
            "'2026-01-01T00:00:00Z')"
        )
        index.meanwhile = other.commit
        catalog.put(task(2), "bob", "second")  # numbered after the other's update; drains while it commits
        other.close()
        assert index.written[1:] == [["BenchmarkTask:task-002"], ["BenchmarkTask:task-001"]]
        assert store.pending_count() == 0
    finally:
        catalog.close()
