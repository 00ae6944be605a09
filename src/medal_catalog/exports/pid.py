"""Persistent identifiers of catalog entries: the DOI an entry holds, else the configured resolver base
(MEDAL_PID_BASE: w3id.org, an ARK resolver, a Handle proxy, a PURL), else the catalog's own ``/id/`` URL.

Every metadata format the catalog writes (DataCite, DCAT, schema.org, oai_dc) and the landing page's ``cite-as``
link give the same PID, with its scheme named as DataCite's ``identifierType`` spells it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from medal_catalog.exports.jsonld import identifier
from medal_catalog.schema import KIND_PATHS

_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.[0-9]{4,9}/\S+)$", re.IGNORECASE)
_ARK = re.compile(r"(ark:/?[0-9]+/.*)$")


@dataclass(frozen=True)
class Pid:
    """A persistent identifier: ``url`` resolves it, ``scheme`` is DataCite's identifierType (DOI, ARK, w3id,
    Handle, PURL, URL), ``value`` is the identifier as that scheme writes it (a DOI without resolver)."""

    url: str
    scheme: str
    value: str

    def to_schemaorg(self) -> dict[str, Any]:
        return {"@type": "PropertyValue", "propertyID": self.scheme, "value": self.value, "url": self.url}


def doi_of(document: dict[str, Any] | None) -> str | None:
    """The bare DOI (``10.x/y``) an entry holds, if any."""
    match = _DOI.match(str((document or {}).get("doi") or "").strip())
    return match.group(1) if match else None


def scheme_of(url: str) -> tuple[str, str]:
    """The scheme of a resolver URL and the identifier as the scheme writes it."""
    ark = _ARK.search(url)
    if ark:
        return "ARK", ark.group(1)
    if url.startswith(("https://w3id.org/", "http://w3id.org/")):
        return "w3id", url
    if "hdl.handle.net/" in url:
        return "Handle", url.split("hdl.handle.net/", 1)[1]
    if url.startswith(("https://purl.org/", "http://purl.org/", "https://purl.")):
        return "PURL", url
    return "URL", url


def pid_of(pid_base: str, base: str, kind: str, document: dict[str, Any] | None, entry_id: str) -> Pid:
    """The PID of an entry: its DOI, else ``pid_base`` + ``<kind path>/<id>``, else ``{base}/id/...``."""
    doi = doi_of(document)
    if doi:
        return Pid(f"https://doi.org/{doi}", "DOI", doi)
    if pid_base:
        url = f"{pid_base.rstrip('/')}/{KIND_PATHS[kind]}/{entry_id}"
        scheme, value = scheme_of(url)
        return Pid(url, scheme, value)
    url = identifier(base, kind, entry_id)
    return Pid(url, "URL", url)
