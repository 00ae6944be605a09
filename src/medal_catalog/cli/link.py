"""`medal link`: ask a running catalog for a signed, short-lived Croissant link that stock mlcroissant loads."""

from __future__ import annotations

import json
import sys

import click


@click.command("link")
@click.argument("entry_id")
@click.option("--dataset", "is_dataset", is_flag=True, help="ENTRY_ID is a dataset (default: a task).")
@click.option(
    "--server",
    envvar="MEDAL_SERVER",
    default="http://127.0.0.1:8000",
    show_default=True,
    metavar="URL",
    help="The catalog's base URL [env: MEDAL_SERVER].",
)
@click.option(
    "--token",
    envvar="MEDAL_TOKEN",
    required=True,
    metavar="TOKEN",
    help="Your token from `medal token create` [env: MEDAL_TOKEN].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the URL, caller and expiry as JSON.")
def link(entry_id: str, is_dataset: bool, server: str, token: str, as_json: bool) -> None:
    """Print a signed link to the Croissant of task (or --dataset) ENTRY_ID, acting for TOKEN's holder.

    The link, and every file link in the Croissant it serves, carries the holder's rights until it expires
    (MEDAL_LINK_TTL on the server, default an hour): `mlcroissant.Dataset(jsonld=LINK).records("labels")` needs no
    credentials. Exit status 1 when the catalog refuses (unknown token, entry not visible).
    """
    # Imported here, not at the top: `medal link --help` would pay about 130 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
    import httpx

    path = f"/api/{'datasets' if is_dataset else 'tasks'}/{entry_id}/croissant-link"
    try:
        answer = httpx.get(server.rstrip("/") + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    except httpx.HTTPError as err:
        click.echo(f"medal link: cannot reach {server}: {err}", err=True)
        sys.exit(1)
    if answer.status_code != 200:
        try:
            detail = answer.json().get("detail")
        except ValueError:
            detail = answer.text[:200]
        click.echo(f"medal link: {answer.status_code}: {detail}", err=True)
        sys.exit(1)
    body = answer.json()
    click.echo(json.dumps(body, indent=2) if as_json else body["url"])
