"""The FastAPI application: ``create_app(settings)`` wires the routers, the one error envelope and middleware."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from medal_catalog._version import __version__
from medal_catalog.api import oai
from medal_catalog.api.envelope import DocumentedApp, document_errors, install_handlers
from medal_catalog.api.head import HeadAsGet
from medal_catalog.api.limits import BodyLimit
from medal_catalog.api.pages import account, campaign, desk, docs, errors, landing, leaderboard
from medal_catalog.api.pages import search as search_page
from medal_catalog.api.pages import series as series_page
from medal_catalog.api.routes import (
    catalog,
    datasets,
    dicomweb,
    entries,
    evaluations,
    health,
    identifiers,
    links,
    panel,
    search,
    submissions,
    tasks,
)
from medal_catalog.api.refresh import Refresher, RefreshAfterWrites, warm_up
from medal_catalog.config import Settings, get_settings


def from_environment() -> FastAPI:
    """The app with the process's settings, read from the environment: the factory ``medal serve`` gives uvicorn
    (each worker process builds its own), the one place under api/ that reads the environment."""
    return create_app(get_settings())


def create_app(settings: Settings) -> FastAPI:
    """The API app serving with ``settings``: everything under api/ reads them from the app (``app.state``,
    :data:`~medal_catalog.api.deps.SettingsDep`, the catalog it opens), never from the environment."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Derived pages are computed in the background at start and after writes, and what a first view would
        # prepare is prepared before the first request: no visitor waits for either (issue 29).
        await run_in_threadpool(warm_up, app)
        app.state.refresher = Refresher(app.state)
        app.state.refresher.start()
        yield
        app.state.refresher.stop()
        jobs = getattr(app.state, "evaluation_jobs", None)
        if jobs is not None:  # a grading in progress finishes and records its result before the catalog closes
            jobs.shutdown(wait=True, cancel_futures=False)
        catalog = getattr(app.state, "catalog", None)
        if catalog is not None:
            catalog.close()

    app = DocumentedApp(
        title="MEDAL catalog",
        version=__version__,
        lifespan=lifespan,
        description="Search, read, submit and review MEDAL benchmark tasks and imaging datasets.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.catalog = None
    app.state.settings = settings
    app.state.catalog_lock = threading.Lock()
    # Not app.dependency_overrides: with any override present FastAPI re-inspects every dependency of every
    # request (about 1 ms each here); the settings dependency reads app.state instead.

    install_handlers(app)

    app.add_middleware(
        GZipMiddleware, minimum_size=1000, compresslevel=6
    )  # 9 (its default) cost twice the CPU for 1-2% smaller JSON
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RefreshAfterWrites)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
            expose_headers=["ETag", "Last-Modified", "Link"],
        )
    # panel before entries: /api/panel/ranking is not an entry of a kind "panel".
    routers = [
        (module.router, "/api")
        for module in (health, search, catalog, tasks, evaluations, panel, datasets, links, entries, submissions)
    ]
    routers += [(identifiers.router, ""), (oai.router, ""), (dicomweb.router, "")]
    document_errors(app, routers)
    for router, prefix in routers:
        app.include_router(router, prefix=prefix)
    for module in (docs, search_page, landing, series_page, desk, account, campaign, leaderboard):
        app.include_router(module.router)
    docs.mount_static(app)
    errors.install(app)
    return app
