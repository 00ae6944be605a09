"""Keeping the derived artefacts fresh (issue 29): after writes, what pages derive from the catalog is computed
again and kept in the store (api/derived.py), so that no visitor waits for it, in this process or the next.

:func:`refresh` computes every stale artefact: the campaign as an anonymous visitor and as the panel see it, each
leaderboard of a split with finished evaluations, and the first preview of every series whose dataset's pixels
may be previewed. `medal harvest` calls it after a harvest that changed something; the server runs it in one
background thread (:class:`Refresher`) at start-up and after each successful write request (a POST, PUT,
PATCH or DELETE answered below 400) or finished evaluation, never on a request's own time.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from medal_catalog.api.derived import poke, ranked
from medal_catalog.api.pages.campaign import KEPT_VIEWS, cached_campaign
from medal_catalog.api.pages.templating import environment
from medal_catalog.api.previews import Previews, prepare, previews_of
from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings
from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE

log = logging.getLogger(__name__)

#: Seconds a burst of writes is given to settle before the artefacts are computed again.
SETTLE = 0.2
#: After a refresh that took t seconds, the next one waits at least PACE x t: under a steady stream of writes the
#: refresher takes at most 1 / (1 + PACE) of the server's time from its requests (it is only a head start: a view
#: whose kept artefact is stale computes it itself).
PACE = 4.0


@dataclass
class Refreshed:
    """What one refresh did: views and leaderboards made sure of, preview images not kept before, seconds."""

    campaigns: int = 0
    leaderboards: int = 0
    previews: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def refresh(catalog: Catalog, settings: Settings, previews: Previews | None = None) -> Refreshed:
    """Compute and keep every derived artefact whose inputs changed since it was kept (the others cost one
    fingerprint query each)."""
    start = time.perf_counter()
    done = Refreshed()
    for caller in KEPT_VIEWS.values():
        cached_campaign(catalog, caller, settings.small_cell_threshold)
        done.campaigns += 1
    splits = sorted({(e.task, e.split) for e in catalog.list_evaluations(status="done")})
    for task, split in splits:
        ranked(catalog, task, split)
        done.leaderboards += 1
    previews = previews or Previews()
    holders, kept = preview_candidates(catalog)
    for dataset_id in sorted(holders | kept):
        dataset = catalog.get("ImagingDataset", dataset_id)
        if dataset is None or dataset.deleted:
            if dataset_id in kept:  # a write only when there is something to drop (a deleted dataset's files stay)
                catalog.drop_artefacts(f"preview:{dataset_id}:")
            continue
        done.previews += prepare(catalog, dataset.document or {}, previews)
    done.seconds = time.perf_counter() - start
    return done


def preview_candidates(catalog: Catalog) -> tuple[set[str], set[str]]:
    """The datasets a refresh looks at for previews, in two queries however many datasets the catalog holds:
    (those that keep a de-identified archive, those with previews kept, whose archive or dataset may have gone
    since). Every other dataset has nothing to preview and nothing to drop (a refresh once visited every
    dataset, two queries each: with thousands of datasets and a write every 0.1 s, a fifth of the server's time,
    measured: docs/performance.md)."""
    holders = set(catalog.files_at("ImagingDataset", DICOM_ARCHIVE))
    kept: set[str] = set()
    for key in catalog.artefact_fingerprints("preview:"):
        # previews.image_key: preview:{dataset}:{series}:{index}:{size}; an entry id holds no ':' (the schema's id)
        kept.add(key.removeprefix("preview:").split(":", 1)[0])
    return holders, kept


def warm_up(app: Any) -> float:
    """Before the server takes its first request: open the catalog, and do once what the first view of each page
    would otherwise do on a visitor's time (about 0.3-0.5 s on 2 cores, measured: benchmarks/pages.py): FastAPI's
    per-route state, which it builds lazily at the first request that walks the routes, the modules pages import
    when first used, and the page templates. Returns the seconds it took."""
    start = time.perf_counter()
    state = app.state
    try:
        with state.catalog_lock:
            if state.catalog is None:
                state.catalog = Catalog.open(settings=state.settings)
    except Exception:  # noqa: BLE001 - a catalog that cannot be opened now is reported by the requests, as before
        log.warning("the catalog could not be opened at start-up", exc_info=True)
    try:
        _build_routes(app.router.routes)
    except Exception:  # noqa: BLE001 - FastAPI's own lazy state (not a public API): built by the first request then
        log.debug("FastAPI's routes were not prepared ahead", exc_info=True)
    env = environment()
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
        env.get_template(name)
    return time.perf_counter() - start


def _build_routes(routes: list[Any]) -> None:
    """Build the effective routes FastAPI (0.16x) prepares lazily for included routers, recursively."""
    for route in routes:
        if hasattr(route, "effective_candidates"):
            route.effective_low_priority_routes()
            _build_routes(route.effective_candidates())


class Refresher:
    """One background thread that runs :func:`refresh` when poked, one refresh at a time, a burst of pokes
    giving one refresh (the app's: ``app.state.refresher``)."""

    def __init__(self, state: Any) -> None:
        self._state = state
        self._wanted = threading.Event()
        self._stopped = False
        self._stopping = threading.Event()  # wakes the pause between refreshes
        self._thread = threading.Thread(target=self._run, name="medal-refresh", daemon=True)
        #: Completed refreshes (tests wait on it).
        self.runs = 0
        self.last: Refreshed | None = None
        self.idle = threading.Event()

    def start(self) -> None:
        self._wanted.set()
        self._thread.start()

    def poke(self) -> None:
        self.idle.clear()
        self._wanted.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the refresh under way, if any (the app closes its catalog next)."""
        self._stopped = True
        self._stopping.set()
        self._wanted.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopped:
                return
            if self._stopping.wait(max(SETTLE, PACE * (self.last.seconds if self.last else 0.0))):
                return  # stopped during the pause: a shutdown does not wait out PACE x a long refresh
            self._wanted.clear()
            if self._stopped:
                return
            try:
                state = self._state
                with state.catalog_lock:
                    if state.catalog is None:
                        state.catalog = Catalog.open(settings=state.settings)
                self.last = refresh(state.catalog, state.settings, previews_of(state))
            except Exception:  # noqa: BLE001 - only a head start: a view computes what is missing itself
                log.warning("derived pages were not refreshed", exc_info=True)
            self.runs += 1
            if not self._wanted.is_set():
                self.idle.set()


class RefreshAfterWrites:
    """ASGI middleware: a write request answered below 400 pokes the app's refresher once it is answered."""

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in self.WRITES:
            await self.app(scope, receive, send)
            return
        status = [500]

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        await self.app(scope, receive, sending)
        if status[0] < 400:
            poke(scope["app"].state)
