"""A dataset's JSON-LD as a DCAT-AP 3.0 dataset (the catalog's DCAT feed conforms to the official SHACL shapes):
codes our entries hold become the IRIs DCAT-AP wants (EU access rights and data themes, IANA media types, SPDX)."""

from __future__ import annotations

import re
from typing import Any

from medal_catalog.schema.facts import enum_meanings

#: EU vocabularies and the IANA media-type registry, for the IRIs DCAT-AP wants where our entries hold codes.
_EU = "http://publications.europa.eu/resource/authority/"
_IANA = "http://www.iana.org/assignments/media-types/"
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")
_SPDX_LIST_ID = re.compile(r"^[A-Za-z0-9.+-]+$")
#: The theme of every MEDAL dataset (EU data themes), with its concept scheme.
THEME_SCHEME = {"@id": f"{_EU}data-theme", "@type": "skos:ConceptScheme",
                "dcterms:title": {"@value": "Data theme", "@language": "en"}}
HEALTH_THEME = {"@id": f"{_EU}data-theme/HEAL", "@type": "skos:Concept",
                "skos:prefLabel": {"@value": "Health", "@language": "en"},
                "skos:inScheme": {"@id": THEME_SCHEME["@id"]}}


def access_rights() -> dict[str, str]:
    """Access level -> its ``meaning`` in the schema's AccessLevelEnum (EU access-right IRIs)."""
    return enum_meanings("AccessLevelEnum")


def _media_type(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, str) or not _MEDIA_TYPE.match(value):
        return None
    return {"@id": _IANA + value, "@type": ["dcterms:MediaType", "dcterms:MediaTypeOrExtent"]}


def _license(value: dict[str, Any]) -> dict[str, Any]:
    out = {**value, "@type": "dcterms:LicenseDocument"}
    spdx = value.get("spdx_id")
    if value.get("url"):
        out["@id"] = value["url"]
    elif isinstance(spdx, str) and not spdx.startswith("LicenseRef-") and _SPDX_LIST_ID.match(spdx):
        out["@id"] = f"http://spdx.org/licenses/{spdx}"
    return out


def _distribution(item: dict[str, Any], landing: str, license_: dict[str, Any] | None) -> dict[str, Any]:
    """A distribution as DCAT-AP wants it. Its access URL is the dataset's landing page (its identifier), never a
    data location; a download URL only where the (already redacted) item itself holds a web address."""
    out: dict[str, Any] = {"@type": "dcat:Distribution", **item, "dcat:accessURL": {"@id": landing}}
    media = _media_type(item.get("media_type"))
    out.pop("media_type", None)
    if media is not None:
        out["media_type"] = media
        out["dcterms:format"] = {"@id": media["@id"]}
    url = item.get("url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        out["dcat:downloadURL"] = {"@id": url}
    if isinstance(item.get("byte_size"), int):
        # DCAT-AP wants an xsd:decimal; "n.0" is its canonical form (and what Turtle writes back).
        out["byte_size"] = {"@value": f"{item['byte_size']}.0", "@type": "xsd:decimal"}
    if isinstance(item.get("sha256"), str):
        out["spdx:checksum"] = {"@type": "spdx:Checksum", "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                                "spdx:checksumValue": {"@value": item["sha256"], "@type": "xsd:hexBinary"}}
    if license_ is not None:
        out["dcterms:license"] = license_
    return out


def to_dcat(linked: dict[str, Any]) -> dict[str, Any]:
    """A dataset's JSON-LD (from :func:`to_jsonld`, of an already redacted document) as a DCAT-AP 3.0 dataset:
    access rights, places, periods, licence, media types and distributions become typed nodes. It only reshapes
    what the document holds (plus the dataset's own identifier as landing page); it adds nothing about the data."""
    out = dict(linked)
    level = out.get("access_level")
    if isinstance(level, str):
        meaning = access_rights().get(level)
        if meaning is None:
            out.pop("access_level")
        else:
            out["access_level"] = {"@id": meaning, "@type": "dcterms:RightsStatement"}
    if isinstance(out.get("countries"), list):
        out["countries"] = [{"@type": "dcterms:Location", "dcterms:identifier": code} for code in out["countries"]]
    if isinstance(out.get("collection_period"), dict):
        out["collection_period"] = {**out["collection_period"], "@type": "dcterms:PeriodOfTime"}
    license_ = _license(out["license"]) if isinstance(out.get("license"), dict) else None
    if license_ is not None:
        out["license"] = license_
    if isinstance(out.get("distribution"), list):
        out["distribution"] = [_distribution(item, out["@id"], license_) for item in out["distribution"]]
    out["dcat:landingPage"] = {"@id": out["@id"], "@type": "foaf:Document"}
    out["dcat:theme"] = HEALTH_THEME
    return out
