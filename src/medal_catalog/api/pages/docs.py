"""``/api/docs``: Swagger UI served offline (5.x, vendored unchanged from npm ``swagger-ui-dist`` in
``static/swagger/``, see its VENDORED.md: it renders the OpenAPI 3.1 document FastAPI writes), and the pages' own
static files under ``/static/``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).with_name("static")


@router.get("/api/docs", response_class=HTMLResponse)
async def swagger() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="MEDAL catalog API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/swagger/favicon-32x32.png",
    )


def mount_static(app: FastAPI) -> None:
    """Serve the pages' CSS and scripts and Swagger UI's files (``/static/swagger/``)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
