"""Error answers as web pages for browsers: a request whose Accept header prefers HTML, outside the API
(``/api/``, ``/dicomweb/``) and the static files, gets the site's error page (404 no such page, 403, 401, 500...)
with its status; API clients keep the JSON envelope (api/envelope.py asks :func:`page_for` first)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from medal_catalog.api.pages.session import visit
from medal_catalog.api.pages.templating import HEADINGS, render
from medal_catalog.api.render import prefers_html

#: Path prefixes whose errors stay JSON whatever the Accept header: the API, DICOMweb and static files.
MACHINE_PREFIXES = ("/api/", "/dicomweb", "/static/")
_log = logging.getLogger("medal_catalog.api")


def wants_page(request: Request) -> bool:
    """Whether an error for this request is answered as a page."""
    return not request.url.path.startswith(MACHINE_PREFIXES) and prefers_html(request)


def _message(status: int, detail: object, path: str) -> str:
    if status == 404 and detail in ("Not Found", None):
        return f"There is no page at {path}. Search the catalog, or check the address."
    if status == 405:
        return f"{path} cannot be used that way (HTTP method not allowed)."
    if status >= 500:
        return "Something went wrong on our side; it has been logged. Try again, or tell the catalog's operators."
    if isinstance(detail, list):  # FastAPI's parameter errors
        return (
            "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', [])[1:])}: {e.get('msg')}"
                for e in detail
                if isinstance(e, dict)
            )
            or "The request's parameters are not valid."
        )
    return str(detail)


async def page_for(
    request: Request, status: int, detail: object, headers: dict[str, str] | None = None
) -> Response | None:
    """The error page for ``request``, or None when it should get the JSON envelope."""
    if not wants_page(request):
        return None
    message = _message(status, detail, request.url.path)
    heading = HEADINGS.get(status, "Something went wrong")
    try:
        current = await visit(request)
        return render(
            request,
            current,
            "error.html",
            status=status,
            title=heading,
            heading=heading,
            message=message,
            status_code=status,
            headers=headers,
        )
    except Exception:  # the catalog itself may be what failed: a page without the session still says what
        _log.exception("the error page could not be rendered with the session")
        html = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(heading)}'
            f'</title><link rel="stylesheet" href="/static/style.css"></head><body><main id="main">'
            f'<h1>{escape(heading)}</h1><p class="error" role="alert">{escape(message)}</p>'
            f'<p><a href="/">Back to the search</a></p></main></body></html>'
        )
        return HTMLResponse(html, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Let the error handlers answer browsers with pages (api/envelope.py reads ``app.state.error_page``)."""
    app.state.error_page = page_for
