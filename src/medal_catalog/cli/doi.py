"""`medal doi`: register (or update) a dataset's DOI with DataCite, and record it in the catalog."""

from __future__ import annotations

import json

import click

from medal_catalog.cli.options import catalog_option, reports_errors
from medal_catalog.errors import UsageError


@click.command("doi")
@click.argument("dataset_id")
@click.option(
    "--event",
    type=click.Choice(["draft", "register", "publish"]),
    default="draft",
    show_default=True,
    help="draft: reserve the DOI at DataCite only; register: resolvable, not listed; publish: findable. "
    "Only a registered or published DOI is written into the dataset (and becomes its PID).",
)
@click.option(
    "--base-url",
    default=None,
    help="The catalog's public base URL, for the landing page the DOI resolves to (default: MEDAL_BASE_URL).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@catalog_option
@reports_errors("doi")
def doi(dataset_id: str, event: str, base_url: str | None, as_json: bool, catalog_url: str | None) -> None:
    """Register DATASET_ID's DOI (<MEDAL_DATACITE_PREFIX>/medal.<id>) with the DataCite REST API.

    Only a dataset an anonymous visitor may find gets a DOI, and the metadata sent is its DataCite 4.6 XML as
    that visitor sees it (no data location of a dataset that is not open). Running it again updates the metadata at DataCite. A dataset whose submission
    already names another DOI is refused: that DOI belongs to its registrant. Needs MEDAL_DATACITE_USER,
    MEDAL_DATACITE_PASSWORD and MEDAL_DATACITE_PREFIX; MEDAL_DATACITE_URL is DataCite's test API unless set.
    """
    # Imported here, not at the top: `medal doi --help` would pay about 960 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
    from medal_catalog.api.access import ANONYMOUS, listed, view_of
    from medal_catalog.api.pages.landing import Landing
    from medal_catalog.catalog import Catalog
    from medal_catalog.config import get_settings
    from medal_catalog.exports.datacite import to_xml
    from medal_catalog.exports.doi import doi_for, register
    from medal_catalog.exports.pid import Pid, doi_of

    settings = get_settings()
    base = (base_url or settings.base_url).rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise UsageError("the DOI must resolve to a public landing page: give --base-url or set MEDAL_BASE_URL")
    target = doi_for(settings, dataset_id)
    with Catalog.open(catalog_url) as catalog:
        current = catalog.get("ImagingDataset", dataset_id)
        if current is None:
            raise UsageError(f"no ImagingDataset {dataset_id!r} in the catalog")
        # A DOI makes its record findable by everyone: only what an anonymous visitor may already find gets one, and
        # the record is that visitor's view (never the panel's view of a dataset under review or a hidden test set).
        if not listed(view_of(catalog, ANONYMOUS, current)):
            raise UsageError(
                f"dataset {dataset_id!r} is not public (an anonymous visitor cannot find it): a DOI "
                "would publish its metadata; register it once an accepted task uses it, or it is open and "
                "published"
            )
        held = doi_of(current.document)
        if held and held.lower() != target:
            raise UsageError(f"dataset {dataset_id!r} already has DOI {held}: update its metadata with its registrant")
        landing = Landing(None, catalog, ANONYMOUS, "datasets", dataset_id, base=base, settings=settings)
        landing.persistent = Pid(f"https://doi.org/{target}", "DOI", target)
        landing.pid = landing.persistent.url
        record = landing.datacite()
        done = register(settings, target, landing.page, to_xml(record), None if event == "draft" else event)
        recorded = False
        if event != "draft" and not held:
            result = catalog.put(
                {**current.document, "doi": done.doi},
                author="medal doi",
                reason=f"DOI {done.doi} registered with DataCite ({done.state})",
            )
            recorded = result.changed
    outcome = {
        "dataset": dataset_id,
        "doi": done.doi,
        "state": done.state,
        "url": done.url,
        "recorded_in_catalog": recorded,
    }
    if as_json:
        click.echo(json.dumps(outcome))
    else:
        click.echo(
            f"{done.doi}: {done.state} at DataCite, resolving to {done.url}"
            + (" (recorded in the catalog: it is now the dataset's PID)" if recorded else "")
        )
