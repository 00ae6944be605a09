"""`medal serve` (the HTTP API under uvicorn) and `medal token create|list|revoke` (API tokens, shown once)."""

from __future__ import annotations

import click

from medal_catalog.api.tokens import ROLES
from medal_catalog.cli.options import catalog_option, index_option, reports_errors


@click.command()
@catalog_option
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="API worker processes. More than one needs a store and an index that several processes may "
                   "write at once: PostgreSQL (postgresql://) and Elasticsearch (elasticsearch://); the SQLite "
                   "store and its FTS5 index serve from one process.")
@reports_errors("serve")
def serve(catalog_url: str | None, index_url: str | None, host: str, port: int, workers: int) -> None:
    """Serve the catalog over HTTP: web pages at / (search, landing pages, the panel's desk, /campaign), the API
    under /api (OpenAPI at /api/openapi.json, docs at /api/docs) and resolvable identifiers under /id.

    Other settings come from the environment: MEDAL_CORS_ORIGINS (JSON list), MEDAL_MAX_BODY_BYTES,
    MEDAL_BASE_URL, MEDAL_SMALL_CELL_THRESHOLD. Anonymous callers see accepted entries only; tokens from `medal token create` give the
    contributor, reviewer and admin roles.
    """
    import os

    import uvicorn

    from medal_catalog.config import get_settings

    # Workers are separate processes that build the app from the environment; so does this one.
    if catalog_url:
        os.environ["MEDAL_CATALOG"] = catalog_url
    if index_url:
        os.environ["MEDAL_INDEX"] = index_url
    get_settings.cache_clear()
    from medal_catalog.catalog import Catalog

    settings = get_settings()
    if workers > 1:
        refuse_workers(workers, settings.catalog, settings.index)
    # Fail here, with a one-line error and the exit code, rather than in the first request.
    Catalog.open(settings=settings).close()
    uvicorn.run("medal_catalog.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info")


def refuse_workers(workers: int, catalog_url: str, index_url: str | None) -> None:
    """Refuse ``--workers N`` (N > 1) over what several processes cannot share safely: a SQLite store (one
    writer at a time, and per-process caches of what the API has checked) or the FTS5 index (each process would
    hold its own column view of one file written by all of them)."""
    from medal_catalog.errors import UsageError

    problems = []
    if not catalog_url.startswith(("postgresql", "postgres")):
        problems.append(f"the store {catalog_url} is not PostgreSQL")
    index = index_url or (catalog_url if catalog_url.startswith("sqlite") else "")
    if not index.startswith(("elasticsearch", "http://", "https://")):
        problems.append(f"the index {index or '(none)'} is not Elasticsearch")
    if problems:
        raise UsageError(f"--workers {workers} needs PostgreSQL and Elasticsearch: {'; '.join(problems)}. Serve "
                         "with --workers 1 (one process answers many requests at once), or move the catalog to "
                         "--catalog postgresql://user@host/db --index elasticsearch://host:9200/medal "
                         "(docs/deployment.md).")


@click.group()
def token() -> None:
    """API tokens (stored hashed in the catalog database)."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="contributor: submit and edit their own entries; reviewer: see everything under review and "
                   "review tasks; admin: everything, and accept or reject tasks.")
@click.option("--name", required=True, help="Who holds it; the author of the versions they write (no spaces).")
@catalog_option
@reports_errors("token create")
def token_create(role: str, name: str, catalog_url: str | None) -> None:
    """Make a token and print it once: only its sha256 is kept, so it cannot be shown again."""
    from medal_catalog.api.tokens import create_token
    from medal_catalog.config import get_settings
    from medal_catalog.store import open_store

    settings = get_settings()
    store = open_store(catalog_url or settings.catalog, busy_timeout=settings.busy_timeout)
    try:
        click.echo(create_token(store, name, role))
    finally:
        store.close()


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the tokens as JSON.")
@catalog_option
@reports_errors("token list")
def token_list(as_json: bool, catalog_url: str | None) -> None:
    """List the tokens: digest (what `medal token revoke` takes; the token itself is never kept), name, role and
    when made."""
    import json

    from medal_catalog.config import get_settings
    from medal_catalog.store import open_store

    settings = get_settings()
    store = open_store(catalog_url or settings.catalog, busy_timeout=settings.busy_timeout)
    try:
        tokens = store.list_tokens()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([{"digest": t.digest, "name": t.name, "role": t.role, "created_at": t.created_at}
                               for t in tokens], indent=2))
        return
    for t in tokens:
        click.echo(f"{t.digest[:16]}  {t.role:<11} {t.name}  {t.created_at}")


@token.command("revoke")
@click.argument("digest")
@click.option("--json", "as_json", is_flag=True, help="Print the revoked token as JSON.")
@catalog_option
@reports_errors("token revoke")
def token_revoke(digest: str, as_json: bool, catalog_url: str | None) -> None:
    """Revoke the token whose digest is DIGEST (or starts with it, at least 8 characters, as `medal token list`
    shows): the API refuses it from the next request on."""
    import json

    from medal_catalog.config import get_settings
    from medal_catalog.errors import UsageError
    from medal_catalog.store import open_store

    settings = get_settings()
    store = open_store(catalog_url or settings.catalog, busy_timeout=settings.busy_timeout)
    try:
        if len(digest) < 8:
            raise UsageError("give at least 8 characters of the digest")
        found = [t for t in store.list_tokens() if t.digest.startswith(digest.lower())]
        if len(found) != 1:
            raise UsageError(f"{'no' if not found else len(found)} tokens match {digest!r}")
        store.revoke_token(found[0].digest)
    finally:
        store.close()
    t = found[0]
    if as_json:
        click.echo(json.dumps({"revoked": {"digest": t.digest, "name": t.name, "role": t.role}}, indent=2))
    else:
        click.echo(f"revoked the {t.role} token of {t.name} ({t.digest[:16]})")
