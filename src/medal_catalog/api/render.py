"""One entry version as a response: visibility check, redaction, representation, ETag and Last-Modified."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime
from typing import Any

import orjson
from fastapi import Request, Response

from medal_catalog.api.access import KINDS, PATH_OF, Caller, View, not_visible, redact, view_of
from medal_catalog.api.deps import get_settings_of
from medal_catalog.api.models import EntryPublic
from medal_catalog.catalog import Catalog
from medal_catalog.errors import NotAcceptable, NotFound
from medal_catalog.exports.jsonld import to_jsonld, to_turtle
from medal_catalog.store import StoredVersion


def kind_of(path: str) -> str:
    """The entry class of a URL segment (tasks, datasets, series, reviews); 404 for any other."""
    kind = KINDS.get(path)
    if kind is None:
        raise NotFound(f"no such kind of entry: {path!r} (use {', '.join(KINDS)})")
    return kind


def visible(catalog: Catalog, caller: Caller, kind: str, entry_id: str) -> tuple[StoredVersion, View]:
    """The current version of an entry and the caller's view of it; 404 when absent or not visible (never 403:
    an entry one may not see does not exist for them)."""
    current = catalog.get(kind, entry_id)
    view = view_of(catalog, caller, current) if current is not None else None
    if current is None or view is None:
        raise not_visible(kind, entry_id)
    return current, view


def live_document(version: StoredVersion) -> dict[str, Any]:
    """The document of ``version``; 404 when that version records the entry's deletion."""
    if version.document is None:
        raise NotFound(f"{version.kind} {version.id!r} is deleted")
    return version.document


def entry_public(version: StoredVersion, view: View, caller: Caller, owner_view: bool) -> EntryPublic:
    document = redact(version.document, view)
    if document is not None and view != "full" and version.document is not None:
        # An older version may have been less restricted than the current one: the stricter of both applies.
        document = redact(document, "hidden" if version.document.get("access_level") == "hidden_test" else view)
    internal = caller.panel or owner_view
    return EntryPublic(
        kind=version.kind,
        id=version.id,
        version=version.version,
        recorded_at=version.recorded_at,
        author=version.author if internal else None,
        reason=version.reason if internal else None,
        view=view,
        identifier=f"/id/{PATH_OF[version.kind]}/{version.id}/v{version.version}",
        document=document,
    )


def http_date(recorded_at: str) -> str:
    return format_datetime(datetime.fromisoformat(recorded_at), usegmt=True)


def conditional(request: Request, body: bytes, media_type: str, recorded_at: str) -> Response:
    """A response with a strong ETag over its bytes and Last-Modified; 304 when If-None-Match matches."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(recorded_at),
        "Vary": "Accept, Authorization",
        "Cache-Control": "private, no-cache",
    }
    match = request.headers.get("if-none-match")
    if match and (match.strip() == "*" or etag in [m.strip().removeprefix("W/") for m in match.split(",")]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def json_bytes(model: EntryPublic) -> bytes:
    return orjson.dumps(model.model_dump(mode="json"))


#: Representations of an entry, by ``?format=`` name.
MEDIA = {"json": "application/json", "jsonld": "application/ld+json", "ttl": "text/turtle"}
_ALIASES = {"turtle": "ttl", "json-ld": "jsonld", "ld+json": "jsonld"}


def negotiate(request: Request, fmt: str | None) -> str:
    """The representation asked for: ``?format=`` first, then the Accept header by quality; JSON by default;
    406 when only unsupported types are acceptable."""
    if fmt:
        fmt = _ALIASES.get(fmt.lower(), fmt.lower())
        if fmt not in MEDIA:
            raise NotAcceptable(f"format {fmt!r} is not offered: use {', '.join(MEDIA)}")
        return fmt
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return "json"
    for media in accepted(accept):
        for name, offered in MEDIA.items():
            if media == offered:
                return name
        if media in ("*/*", "application/*"):
            return "json"
    raise NotAcceptable(f"none of {accept!r} is offered: use {', '.join(MEDIA.values())}")


#: Media types a browser asks for; an identifier answers them with the entry's web page.
HTML = ("text/html", "application/xhtml+xml")


def prefers_html(request: Request) -> bool:
    """Whether the Accept header's most wanted type (by quality, then order) is a web page rather than one of
    :data:`MEDIA` (``*/*`` alone is not: a script that accepts anything gets JSON, as before)."""
    if request.query_params.get("format"):
        return False
    for media in accepted(request.headers.get("accept", "")):
        if media in HTML:
            return True
        if media in MEDIA.values() or media in ("*/*", "application/*"):
            return False
    return False


#: DataCite media types (and plain XML, which means DataCite XML here) -> the landing page's ``?format=`` name.
DATACITE = {
    "application/vnd.datacite.datacite+json": "datacite",
    "application/vnd.datacite.datacite+xml": "datacite-xml",
    "application/xml": "datacite-xml",
    "text/xml": "datacite-xml",
}


def wants_datacite(request: Request) -> str | None:
    """``datacite`` or ``datacite-xml`` when that is what the request asks for first (``?format=`` or the Accept
    header's most wanted type), else None."""
    fmt = (request.query_params.get("format") or "").lower()
    if fmt:
        return {"datacite": "datacite", "datacite-json": "datacite", "datacite-xml": "datacite-xml"}.get(fmt)
    for media in accepted(request.headers.get("accept", "")):
        return DATACITE.get(media)
    return None


def accepted(accept: str) -> list[str]:
    """The media types of an Accept header, most wanted first (by quality, then order), without those it refuses
    (``q=0``); lower-case, parameters dropped."""
    choices = []
    for n, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = next((_quality(p[2:]) for p in params if p.startswith("q=")), 1.0)
        if q > 0 and media:
            choices.append((-q, n, media.lower()))
    return [media for _, _, media in sorted(choices)]


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def base_url(request: Request) -> str:
    return (get_settings_of(request).base_url or str(request.base_url)).rstrip("/")


def respond(request: Request, entry: EntryPublic, version: StoredVersion, fmt: str | None) -> Response:
    """The entry in the negotiated representation, with ETag / Last-Modified (304 when unchanged)."""
    name = negotiate(request, fmt)
    if name == "json":
        return conditional(request, json_bytes(entry), MEDIA["json"], version.recorded_at)
    if entry.document is None:
        raise NotFound(f"version {entry.version} of {entry.id!r} records its deletion")
    linked = to_jsonld(entry.document, base_url(request), entry.version if _older(version, request) else None)
    if name == "jsonld":
        return conditional(request, orjson.dumps(linked), MEDIA["jsonld"], version.recorded_at)
    return conditional(
        request, to_turtle(linked).encode("utf-8"), MEDIA["ttl"] + "; charset=utf-8", version.recorded_at
    )


def _older(version: StoredVersion, request: Request) -> bool:
    return "/versions/" in request.url.path
