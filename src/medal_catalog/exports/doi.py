"""DOI registration through the DataCite REST API (https://support.datacite.org/reference/post_dois), for a
catalog that has a DataCite repository account (MEDAL_DATACITE_*).

Only the calls needed are used: ``PUT /dois/{doi}`` with the DataCite XML (base64), the landing page URL and an
event (``draft``: none, ``register``, ``publish``); PUT creates the DOI when it does not exist yet and updates it
otherwise, so registering again after the metadata changed is the same call. The DOI is the configured prefix
plus ``medal.<dataset id>``: stable, so a retry never mints a second one.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx

from medal_catalog.config import Settings
from medal_catalog.errors import MedalError, UsageError


class RegistrationError(MedalError):
    """DataCite refused or could not be reached; the message says what it answered."""


@dataclass(frozen=True)
class Registered:
    doi: str
    state: str
    url: str


def doi_for(settings: Settings, dataset_id: str) -> str:
    """The DOI the catalog registers for a dataset: ``<MEDAL_DATACITE_PREFIX>/medal.<id>``."""
    if not settings.datacite_prefix:
        raise UsageError(
            "no DataCite prefix: set MEDAL_DATACITE_PREFIX (and MEDAL_DATACITE_USER, "
            "MEDAL_DATACITE_PASSWORD) to register DOIs"
        )
    return f"{settings.datacite_prefix}/medal.{dataset_id}".lower()


def register(
    settings: Settings, doi: str, url: str, xml: bytes, event: str | None, client: httpx.Client | None = None
) -> Registered:
    """Create or update ``doi`` at DataCite with this metadata and landing page URL; ``event`` ``None`` keeps
    (or makes) it a draft. Raises RegistrationError with DataCite's answer when it refuses."""
    if not (settings.datacite_user and settings.datacite_password):
        raise UsageError("no DataCite credentials: set MEDAL_DATACITE_USER and MEDAL_DATACITE_PASSWORD")
    attributes: dict[str, Any] = {"doi": doi, "url": url, "xml": base64.b64encode(xml).decode("ascii")}
    if event:
        attributes["event"] = event
    body = {"data": {"id": doi, "type": "dois", "attributes": attributes}}
    own = client is None
    client = client or httpx.Client(timeout=30)
    try:
        response = client.put(
            f"{settings.datacite_url.rstrip('/')}/dois/{doi}",
            json=body,
            auth=(settings.datacite_user, settings.datacite_password),
            headers={"Content-Type": "application/vnd.api+json"},
        )
    except httpx.HTTPError as err:
        raise RegistrationError(f"DataCite at {settings.datacite_url} could not be reached: {err}") from None
    finally:
        if own:
            client.close()
    if response.status_code not in (200, 201):
        raise RegistrationError(f"DataCite answered {response.status_code} for {doi}: {response.text[:500]}")
    data = response.json().get("data", {})
    attributes = data.get("attributes", {})
    return Registered(doi=data.get("id", doi), state=attributes.get("state", "draft"), url=attributes.get("url", url))
