"""``/id/{kind}/{id}`` and ``/id/{kind}/{id}/v{n}``: the resolvable identifiers used as ``@id``; they redirect
(303 See Other) to the API representation the Accept header asks for, or, for a browser (``text/html``), to the
entry's landing page (``/tasks/{id}``, ``/datasets/{id}``).

An object nested in an entry that has an ``id`` of its own (a dataset's harvest run, ``<dataset>.harvest-<time>``)
gets ``@id`` ``/id/{kind}/<that id>`` too: it redirects to the entry that holds it, with the id as fragment."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from collections.abc import Iterator
from typing import Any

from medal_catalog.api.envelope import errors
from medal_catalog.api.deps import CallerDep, CatalogDep
from medal_catalog.api.params import MAX_VERSION
from medal_catalog.api.render import kind_of, negotiate, prefers_html, visible, wants_datacite
from medal_catalog.errors import NotFound, Unprocessable

router = APIRouter(tags=["identifiers"])


#: Kinds with a landing page (``/tasks/{id}``, ``/datasets/{id}``): a browser is sent there.
PAGES = ("tasks", "datasets", "series")


def _redirect(request: Request, target: str, fragment: str = "") -> RedirectResponse:
    page = target.removeprefix("/api")
    datacite = wants_datacite(request)
    if datacite and page.split("/")[1] in PAGES:
        # DataCite metadata is written by the landing page, which knows the entry's PID and related entries.
        entry, _, number = page.partition("/versions/")
        version = f"&version={number}" if number else ""
        return RedirectResponse(f"{entry}?format={datacite}{version}", status_code=303, headers={"Vary": "Accept"})
    if prefers_html(request):
        page = target.removeprefix("/api")
        if page.split("/")[1] in PAGES and "/versions/" not in page:
            return RedirectResponse(
                page + (f"#{fragment}" if fragment else ""), status_code=303, headers={"Vary": "Accept"}
            )
        return RedirectResponse(
            target + (f"#{fragment}" if fragment else ""), status_code=303, headers={"Vary": "Accept"}
        )
    fmt = negotiate(request, request.query_params.get("format"))
    suffix = "" if fmt == "json" else f"?format={fmt}"
    return RedirectResponse(
        target + suffix + (f"#{fragment}" if fragment else ""), status_code=303, headers={"Vary": "Accept"}
    )


def _nested_ids(node: Any) -> Iterator[str]:
    """The ``id`` of every object nested (at any depth) in a document."""
    if isinstance(node, list):
        for item in node:
            yield from _nested_ids(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "id" and isinstance(value, str):
                yield value
            else:
                yield from _nested_ids(value)


_SEE_OTHER = {303: {"description": "See Other: the API URL of the representation asked for"}, **errors(406)}


@router.get("/id/{kind}/{entry_id}", responses=_SEE_OTHER)
def resolve(kind: str, entry_id: str, request: Request, catalog: CatalogDep, caller: CallerDep) -> RedirectResponse:
    """Redirect to the entry's current version, or to the visible entry holding a nested object of that id."""
    entry_kind = kind_of(kind)
    if catalog.get(entry_kind, entry_id) is None:
        # A nested object's id starts with its holder's: try each dotted prefix, the longest first.
        parts = entry_id.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            holder = ".".join(parts[:cut])
            if catalog.get(entry_kind, holder) is None:
                continue
            current, _ = visible(catalog, caller, entry_kind, holder)
            if entry_id in {
                i for key, value in (current.document or {}).items() if key != "id" for i in _nested_ids(value)
            }:
                return _redirect(request, f"/api/{kind}/{holder}", fragment=entry_id)
            break
    return _redirect(request, f"/api/{kind}/{entry_id}")


@router.get("/id/{kind}/{entry_id}/v{number}", responses=_SEE_OTHER)
def resolve_version(kind: str, entry_id: str, number: str, request: Request) -> RedirectResponse:
    """Redirect to one version of the entry."""
    kind_of(kind)
    if not (number.isascii() and number.isdigit()):
        raise NotFound(f"v{number} is not a version number")
    if len(number.lstrip("0")) > len(str(MAX_VERSION)) or int(number) > MAX_VERSION:
        raise Unprocessable(f"a version number is at most {MAX_VERSION}")
    return _redirect(request, f"/api/{kind}/{entry_id}/versions/{number}")
