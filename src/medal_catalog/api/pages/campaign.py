"""``/campaign``: what MEDAL's organisers steer the crowdsourcing with. Coverage of accepted and submitted tasks by
specialty × modality; the datasets behind them by world region and country, scanner vendor and model; the sex
and age of the people in them; task types; and the gaps (specialties and regions without an accepted task).

Everything counted is what the caller may see, each entry in the caller's view of it (the API's search scope,
:func:`view_of` and :func:`redact`): an anonymous visitor's campaign counts accepted tasks and their datasets
only. Counts from 1 to MEDAL_SMALL_CELL_THRESHOLD - 1 are shown as "< N", in the tables and in the plots.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from medal_catalog.api.access import ANONYMOUS, Caller
from medal_catalog.api.deps import CatalogDep, SettingsDep
from medal_catalog.api.derived import fingerprint, kept_json
from medal_catalog.api.listing import listed_documents
from medal_catalog.api.pages import plots
from medal_catalog.api.pages.session import Visit, visit
from medal_catalog.api.pages.templating import render
from medal_catalog.catalog import Catalog
from medal_catalog.schema.facts import enum_values

router = APIRouter(include_in_schema=False)
ACCEPTED = ("accepted",)
SUBMITTED = ("submitted", "under_review")


@lru_cache(maxsize=1)
def regions() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> world region (data/world_regions.json)."""
    text = resources.files("medal_catalog.data").joinpath("world_regions.json").read_text("utf-8")
    found: dict[str, str] = json.loads(text)["regions"]
    return found


def visible_documents(catalog: Catalog, caller: Caller, kind: str) -> list[dict[str, Any]]:
    """Every entry of ``kind`` the caller's search finds, each as the caller's view shows it."""
    return listed_documents(catalog, caller, kind)


class Cells:
    """Counts shown under the small-cell rule: 0 stays 0, 1..threshold-1 becomes "< threshold"."""

    def __init__(self, threshold: int):
        self.threshold = threshold

    def value(self, count: int) -> int | None:
        return None if 0 < count < self.threshold else count

    def text(self, count: int) -> str:
        return f"< {self.threshold}" if 0 < count < self.threshold else str(count)


def _label(value: Any) -> str:
    return str(value).replace("_", " ")


class Plots:
    """The plots of one page view, drawn together at the end (api/pages/plots.py)."""

    def __init__(self) -> None:
        self._wanted: list[tuple[dict[str, Any], str, tuple[Any, ...]]] = []

    def bars(self, block: dict[str, Any], *args: Any) -> None:
        self._wanted.append((block, "bars", args))

    def heatmap(self, block: dict[str, Any], *args: Any) -> None:
        self._wanted.append((block, "heatmap", args))

    def draw(self) -> int:
        """Fill in every block's ``svg``; returns how many plots were drawn."""
        for block, kind, args in self._wanted:
            block["svg"] = getattr(plots, kind)(*args)
        return len(self._wanted)


def _bar_block(name: str, title: str, counter: Counter[str], cells: Cells, unit: str, drawer: Plots) -> dict[str, Any]:
    items = counter.most_common()
    block = {
        "name": name,
        "title": title,
        "unit": unit,
        "rows": [(_label(k), cells.text(v)) for k, v in items],
        "svg": None,
    }
    if items:
        drawer.bars(
            block, name, title, [_label(k) for k, _ in items], [cells.value(v) for _, v in items], cells.threshold
        )
    return block


def campaign(catalog: Catalog, caller: Caller, threshold: int) -> dict[str, Any]:
    """The campaign page's blocks (a plot and its table each) and the gaps."""
    cells = Cells(threshold)
    drawer = Plots()
    tasks = visible_documents(catalog, caller, "BenchmarkTask")
    datasets = {d["id"]: d for d in visible_documents(catalog, caller, "ImagingDataset")}
    blocks = []

    # Specialty x modality, accepted and submitted (under review counts as submitted).
    for group, statuses in (("accepted", ACCEPTED), ("submitted", SUBMITTED)):
        chosen = [t for t in tasks if t.get("status") in statuses]
        grid = Counter(
            (str(t.get("clinical_specialty") or "unknown"), str(m))
            for t in chosen
            for m in (t.get("modalities") or ["unknown"])
        )
        rows = sorted({r for r, _ in grid})
        columns = sorted({c for _, c in grid})
        matrix = [[grid[(r, c)] for c in columns] for r in rows]
        title = f"{group.capitalize()} tasks by specialty and modality"
        block = {
            "name": f"specialty-{group}",
            "title": title,
            "kind": "grid",
            "unit": "tasks",
            "columns": columns,
            "rows": [(_label(r), [cells.text(x) for x in row]) for r, row in zip(rows, matrix, strict=True)],
            "total": len(chosen),
            "svg": None,
        }
        if matrix:
            drawer.heatmap(
                block,
                f"specialty-{group}",
                title,
                [_label(r) for r in rows],
                columns,
                [[cells.value(x) for x in row] for row in matrix],
                threshold,
            )
        blocks.append(block)

    # The datasets behind accepted and submitted tasks: where, which scanners, whom.
    used = {
        group: {d for t in tasks if t.get("status") in statuses for d in t.get("datasets_used") or []}
        for group, statuses in (("accepted", ACCEPTED), ("submitted", SUBMITTED))
    }
    behind = [datasets[d] for d in sorted(used["accepted"] | used["submitted"]) if d in datasets]
    countries = Counter(c for d in behind for c in d.get("countries") or [])
    region_of = regions()
    by_region: Counter[str] = Counter()
    for d in behind:
        for region in {region_of.get(c, "unknown") for c in d.get("countries") or []}:
            by_region[region] += 1
    blocks.append(_bar_block("regions", "Datasets by world region", by_region, cells, "datasets", drawer))
    blocks.append(_bar_block("countries", "Datasets by country", countries, cells, "datasets", drawer))
    vendors = Counter(v for d in behind for v in (d.get("acquisition") or {}).get("manufacturers") or [])
    models = Counter(v for d in behind for v in (d.get("acquisition") or {}).get("models") or [])
    blocks.append(_bar_block("vendors", "Datasets by scanner vendor", vendors, cells, "datasets", drawer))
    blocks.append(_bar_block("models", "Datasets by scanner model", models, cells, "datasets", drawer))
    sex: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    for d in behind:
        population = d.get("population") or {}
        for key, count in (population.get("sex_counts") or {}).items():
            if isinstance(count, int):
                sex[key] += count
        for bin_ in population.get("age_bins") or []:
            if isinstance(bin_, dict) and isinstance(bin_.get("count"), int):
                ages[f"{bin_.get('minimum')}–{bin_.get('maximum')}"] += bin_["count"]
    blocks.append(_bar_block("sex", "People in the data by sex", sex, cells, "people", drawer))
    blocks.append(
        _bar_block(
            "age",
            "People in the data by age (years)",
            Counter(dict(sorted(ages.items(), key=lambda kv: _age_key(kv[0])))),
            cells,
            "people",
            drawer,
        )
    )
    types = Counter(
        f"{t.get('task_type') or 'unknown'} ({t.get('status')})"
        for t in tasks
        if t.get("status") in ACCEPTED + SUBMITTED
    )
    blocks.append(_bar_block("task-types", "Tasks by task type (status)", types, cells, "tasks", drawer))

    accepted_specialties = {t.get("clinical_specialty") for t in tasks if t.get("status") in ACCEPTED}
    accepted_regions = {
        region_of.get(c) for d in used["accepted"] if d in datasets for c in datasets[d].get("countries") or []
    }
    gaps = {
        "specialties": [_label(s) for s in enum_values("ClinicalSpecialtyEnum") if s not in accepted_specialties],
        "regions": sorted(r for r in set(region_of.values()) - {"Antarctica"} if r not in accepted_regions),
    }
    drawn = drawer.draw()
    return {
        "blocks": blocks,
        "gaps": gaps,
        "threshold": threshold,
        "drawn": drawn,
        "counted": {"tasks": len(tasks), "datasets": len(behind)},
    }


#: The views of the campaign kept in the store (api/derived.py): they depend on the entries only, not on who asks.
#: A signed-in member's or reviewer's view also counts their own entries, and is computed on each view.
KEPT_VIEWS = {"anonymous": ANONYMOUS, "admin": Caller(role="admin", name="medal")}
#: The kinds of entry the campaign counts (its fingerprint is theirs).
COUNTED = ("BenchmarkTask", "ImagingDataset")


def kept_view(caller: Caller) -> str | None:
    """The name of the kept view that ``caller`` sees, or None when their view is their own."""
    if caller.role == "admin":
        return "admin"
    if caller.role == "anonymous" and caller.name is None:
        return "anonymous"
    return None


def cached_campaign(catalog: Catalog, caller: Caller, threshold: int) -> dict[str, Any]:
    """The campaign as :func:`campaign` counts it, from the store when the tasks and datasets did not change since
    it was kept (read-only: the same value may be shared by concurrent requests). Kept only when the search index
    has caught up with the store (the counts go through the caller's search scope)."""
    view = kept_view(caller)
    if view is None:
        return campaign(catalog, caller, threshold)
    print_ = fingerprint(catalog.entries_version(COUNTED), threshold)
    settled = catalog.pending_count() == 0
    return kept_json(
        catalog, f"campaign:{view}", print_, lambda: campaign(catalog, KEPT_VIEWS[view], threshold), keep=settled
    )


def _age_key(label: str) -> float:
    try:
        return float(label.split("–")[0])
    except ValueError:
        return float("inf")


@router.get("/campaign", response_class=HTMLResponse)
async def campaign_page(
    request: Request, catalog: CatalogDep, settings: SettingsDep, current: Annotated[Visit, Depends(visit)]
) -> Response:
    """The campaign dashboard, counted over what the caller may see."""
    data = await run_in_threadpool(cached_campaign, catalog, current.caller, settings.small_cell_threshold)
    return render(request, current, "campaign.html", title="Campaign", **data)
