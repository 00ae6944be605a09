"""The pages' Jinja2 environment (templates shipped in the package, autoescaped) and the one way to answer
with a page: the caller, the CSRF value of its forms and the cookies it needs."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from medal_catalog._version import __version__
from medal_catalog.api.pages.session import Visit, finish, session_token
from medal_catalog.api.pages.words import human_size
from medal_catalog.errors import MedalError

#: The site navigation: path and name.
NAV = (
    ("/", "Search"),
    ("/campaign", "Campaign"),
    ("/desk", "Panel desk"),
    ("/mine", "My submissions"),
    ("/api/docs", "API"),
)


def _highlight(text: str) -> Markup:
    """A search highlight: the index marks hits with ``<em>``; everything else is escaped."""
    out = str(escape(text))
    return Markup(out.replace("&lt;em&gt;", "<mark>").replace("&lt;/em&gt;", "</mark>"))


def _label(value: Any) -> str:
    return str(value).replace("_", " ") if value is not None else ""


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("medal_catalog.api.pages", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["highlight"] = _highlight
    env.filters["label"] = _label
    env.filters["query"] = lambda pairs: urlencode(pairs, doseq=True)
    env.filters["filesize"] = human_size
    env.globals["version"] = __version__
    env.globals["nav"] = NAV
    return env


def render(
    request: Request,
    current: Visit,
    name: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page ``name`` for this visit: its caller and the CSRF value its forms carry are in the context."""
    context.setdefault("title", "MEDAL catalog")
    html = (
        environment()
        .get_template(name)
        .render(
            request=request,
            user=current.caller,
            csrf=current.csrf(session_token(request)),
            path=request.url.path,
            **context,
        )
    )
    response = HTMLResponse(
        html,
        status_code=status,
        headers={"Cache-Control": "private, no-cache", "Vary": "Accept, Cookie, Authorization", **(headers or {})},
    )
    return finish(request, response, current)


HEADINGS = {
    400: "Not understood",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    406: "Not offered",
    409: "Not possible now",
    413: "Too large",
    422: "Not valid",
    500: "Something went wrong",
    503: "Not available now",
}


def error_page(request: Request, current: Visit, err: MedalError) -> HTMLResponse:
    """A catalog error as a page: its status and message, and what to do next."""
    heading = HEADINGS.get(err.http_status, "Something went wrong")
    return render(
        request,
        current,
        "error.html",
        status=err.http_status,
        title=heading,
        heading=heading,
        message=str(err),
        status_code=err.http_status,
        headers=err.headers,
    )
