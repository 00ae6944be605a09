"""One visibility rule (issue 13): over generated catalogs holding every access level, task status and owner, for
every role, GET of each entry agrees with the rule as api/access.py states it, and search (hits, totals, facet
counts, the ``access_level`` filter), /api/datasets, /api/tasks, a dataset's series list, /api/catalog (DCAT) and
the dataset Croissant all show exactly the entries GET shows in a listed view (``full`` or ``public``).

MEDAL_PROPERTY_EXAMPLES sets the number of generated catalogs (default 8; stress runs use more)."""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from api.conftest import CONTROLLED_DATASET, OPEN_TASK

LEVELS = ("open", "registered", "controlled", "hidden_test")
STATUSES = ("submitted", "under_review", "accepted", "rejected")
OWNERS = ("alice", "bob", "medal harvest")
#: The callers: (token name or None, role).
CALLERS = (
    (None, "anonymous"),
    ("alice", "contributor"),
    ("bob", "contributor"),
    ("rita", "reviewer"),
    ("chair", "admin"),
)
PATHS = {
    "BenchmarkTask": "tasks",
    "ImagingDataset": "datasets",
    "ImagingSeries": "series",
    "ReviewAssessment": "reviews",
}
REVIEW_ID = "cxr-pneumothorax-triage.review-1"


@dataclass
class Entry:
    kind: str
    id: str
    owner: str
    level: str | None = None  # datasets
    published: bool = False  # datasets: publication_status published (with open: a reference dataset)
    status: str | None = None  # tasks
    uses: tuple[str, ...] = ()  # a task's datasets_used
    dataset: str | None = None  # a series' dataset
    document: dict = field(default_factory=dict)


@st.composite
def worlds(draw) -> list[tuple]:
    """A catalog plan: datasets (level, owner, series count), tasks (status, owner, datasets used), reviews."""
    datasets = draw(
        st.lists(
            st.tuples(st.sampled_from(LEVELS), st.sampled_from(OWNERS), st.integers(0, 2), st.booleans()),
            min_size=1,
            max_size=4,
        )
    )
    tasks = draw(
        st.lists(
            st.tuples(
                st.sampled_from(STATUSES),
                st.sampled_from(OWNERS),
                st.sets(st.integers(0, len(datasets) - 1), min_size=1),
                st.booleans(),
            ),
            max_size=3,
        )
    )
    return [datasets, tasks]


#: Every access level, every status, each owner, series everywhere, a hidden dataset used by an accepted task, and
#: published datasets: open (a reference dataset no task uses) and controlled (not public for that).
EVERY_LEVEL = [
    [
        ("open", "alice", 1, False),
        ("registered", "bob", 1, False),
        ("controlled", "medal harvest", 2, True),
        ("hidden_test", "alice", 1, False),
        ("hidden_test", "medal harvest", 1, False),
        ("open", "medal harvest", 2, True),
    ],
    [
        ("accepted", "bob", {0, 3}, True),
        ("accepted", "medal harvest", {2, 4}, False),
        ("submitted", "alice", {1}, True),
        ("rejected", "bob", {1, 2}, False),
    ],
]


def _templates(db: Path) -> dict[str, dict]:
    from medal_catalog.store import open_store

    store = open_store(f"sqlite:///{db}")
    try:
        series = next(
            v for v in store.iter_current(["ImagingSeries"]) if (v.document or {}).get("dataset") == CONTROLLED_DATASET
        )
        return {
            "BenchmarkTask": store.get("BenchmarkTask", OPEN_TASK).document,
            "ImagingDataset": store.get("ImagingDataset", CONTROLLED_DATASET).document,
            "ImagingSeries": series.document,
            "ReviewAssessment": store.get("ReviewAssessment", REVIEW_ID).document,
        }
    finally:
        store.close()


def _build(plan: list, templates: dict[str, dict]) -> list[Entry]:
    datasets, tasks = plan
    entries: list[Entry] = []
    for i, (level, owner, series_count, published) in enumerate(datasets):
        published = published and level != "hidden_test"  # hidden-test data are never published
        ds = Entry("ImagingDataset", f"ds-{i}", owner, level=level, published=published)
        ds.document = {
            **templates["ImagingDataset"],
            "id": ds.id,
            "access_level": level,
            "title": f"Dataset {i} {level}",
            "publication_status": "published" if published else "unpublished",
        }
        if published:
            ds.document["doi"] = f"10.5555/medal.ds-{i}"
        entries.append(ds)
        for n in range(series_count):
            series = Entry("ImagingSeries", f"ds-{i}.s{n}", owner, dataset=ds.id)
            series.document = {**templates["ImagingSeries"], "id": series.id, "dataset": ds.id}
            entries.append(series)
    for i, (status, owner, used, reviewed) in enumerate(tasks):
        uses = tuple(f"ds-{d}" for d in sorted(used))
        task = Entry("BenchmarkTask", f"task-{i}", owner, status=status, uses=uses)
        document = {k: v for k, v in templates["BenchmarkTask"].items() if k != "labels"}
        task.document = {**document, "id": task.id, "status": status, "datasets_used": list(uses)}
        entries.append(task)
        if reviewed:
            review = Entry("ReviewAssessment", f"task-{i}.review-1", "rita")
            review.document = {**templates["ReviewAssessment"], "id": review.id, "task": task.id}
            entries.append(review)
    return entries


def expected_view(entries: list[Entry], name: str | None, role: str, entry: Entry) -> str | None:
    """The rule of api/access.py, written again from its docstring."""
    if role == "admin" or (name is not None and entry.owner == name):
        return "full"
    accepted = {d for e in entries if e.kind == "BenchmarkTask" and e.status == "accepted" for d in e.uses}
    accepted |= {e.id for e in entries if e.kind == "ImagingDataset" and e.level == "open" and e.published}
    if entry.kind == "ImagingDataset":
        if role == "reviewer" or entry.id in accepted:
            return "hidden" if entry.level == "hidden_test" else "public"
        return None
    if entry.kind == "ImagingSeries":
        level = next(e.level for e in entries if e.id == entry.dataset)
        if level == "hidden_test":
            return None
        return "public" if role == "reviewer" or entry.dataset in accepted else None
    if role == "reviewer":
        return "public"
    return "public" if entry.kind == "BenchmarkTask" and entry.status == "accepted" else None


def _check(client, tokens: dict[str, str], entries: list[Entry]) -> None:
    by_key = {(e.kind, e.id): e for e in entries}
    for name, role in CALLERS:
        headers = {"Authorization": f"Bearer {tokens[name]}"} if name else {}
        who = f"{role} {name}"
        views = {}
        for e in entries:
            got = client.get(f"/api/{PATHS[e.kind]}/{e.id}", headers=headers)
            want = expected_view(entries, name, role, e)
            assert got.status_code == (200 if want else 404), (who, e.kind, e.id, got.text)
            if want:
                assert got.json()["view"] == want, (who, e.kind, e.id)
            else:
                assert got.json() == {"detail": f"no {e.kind} {e.id!r} visible to you"}
            views[(e.kind, e.id)] = want
        listed = {key for key, view in views.items() if view in ("full", "public")}

        found = client.get(
            "/api/search", params={"size": 100, "facet": ["type", "access_level", "dataset"]}, headers=headers
        ).json()
        hits = {(h["kind"], h["id"]) for h in found["hits"]}
        assert hits == listed, (who, hits ^ listed)
        assert found["total"] == len(listed)
        assert {b["value"]: b["count"] for b in found["facets"]["type"]} == {
            kind: n for kind in PATHS if (n := sum(k == kind for k, _ in listed))
        }, who
        for level in LEVELS:
            only = client.get(
                "/api/search", params={"size": 100, "type": "ImagingDataset", "access_level": level}, headers=headers
            ).json()
            assert {h["id"] for h in only["hits"]} == {
                i for k, i in listed if k == "ImagingDataset" and by_key[(k, i)].level == level
            }, (who, level)
        for kind, url in (("ImagingDataset", "/api/datasets"), ("BenchmarkTask", "/api/tasks")):
            page = client.get(url, params={"size": 100}, headers=headers).json()
            assert {i["id"] for i in page["items"]} == {i for k, i in listed if k == kind}, (who, url)
            assert page["total"] == len(page["items"])
        dcat = client.get("/api/catalog", headers=headers).json()["dcat:dataset"]
        assert {d["@id"].rsplit("/", 1)[1] for d in dcat} == {i for k, i in listed if k == "ImagingDataset"}, who
        for e in entries:
            if e.kind != "ImagingDataset":
                continue
            view = views[(e.kind, e.id)]
            series = client.get(f"/api/datasets/{e.id}/series", params={"size": 100}, headers=headers)
            if view in (None, "hidden"):
                assert series.status_code == 404, (who, e.id)
            else:
                assert {i["id"] for i in series.json()["items"]} == {
                    i for k, i in listed if k == "ImagingSeries" and by_key[(k, i)].dataset == e.id
                }, (who, e.id)
            croissant = client.get(f"/api/datasets/{e.id}/croissant", headers=headers)
            assert croissant.status_code == (200 if view else 404), (who, e.id)


@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("MEDAL_PROPERTY_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(plan=EVERY_LEVEL)
@given(plan=worlds())
def test_get_search_lists_and_exports_apply_one_rule(harvested, plan):
    """For every role, GET agrees with the stated rule and every listing shows exactly GET's listed entries."""
    from medal_catalog.api import create_app
    from medal_catalog.api.tokens import create_token
    from medal_catalog.catalog import Catalog
    from medal_catalog.config import Settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    entries = _build(plan, _templates(harvested.db))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'catalog.db'}"
        with Catalog.open(settings=Settings(catalog=url)) as catalog:
            for e in entries:
                result = catalog.put(e.document, author=e.owner, reason="generated")
                assert not result.problems, (e.kind, e.id, result.problems)
            tokens = {name: create_token(catalog.store, name, role) for name, role in CALLERS if name}
        with TestClient(create_app(Settings(catalog=url))) as client:
            _check(client, tokens, entries)
