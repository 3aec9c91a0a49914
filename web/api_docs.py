"""`/api/docs`: Swagger UI served by the app itself, so the API docs work with no network.

The assets (Swagger UI 5, which reads the OpenAPI 3.1 FastAPI writes) come from the
`swagger-ui-py` package; only its static folder is used. The page's Content-Security-Policy
(web.security.DOCS_CSP) allows scripts and styles from this site alone.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, swagger_ui_default_parameters
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/api/docs-assets"
DOCS_URL = "/api/docs"


def _assets_folder() -> Path:
    """swagger-ui-py's static folder, found without importing the package (it imports handlers)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        raise RuntimeError("swagger-ui-py is not installed: pip install -e . (it serves /api/docs)")
    return Path(spec.origin).parent / "static"


def mount_docs(app: FastAPI, openapi_url: str, title: str) -> None:
    """Serve the assets under ASSETS_URL and the page at DOCS_URL."""
    app.mount(ASSETS_URL, StaticFiles(directory=_assets_folder()), name="docs-assets")
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_URL, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} — Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
            # No badge from the online validator: nothing may load from another host.
            swagger_ui_parameters={**swagger_ui_default_parameters, "validatorUrl": None},
        )

    app.include_router(router)
