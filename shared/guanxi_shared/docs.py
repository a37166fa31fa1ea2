"""API documentation that works without internet: /docs (Swagger UI) and /redoc (ReDoc).

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so they are blank on a machine with
no internet access (and slow on many networks in China). The assets here come from the pinned
`fastapi-offline` wheel, which ships swagger-ui-bundle.js, swagger-ui.css and
redoc.standalone.js; they are served by the app itself under /docs/assets/.
"""
from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/assets"
# ReDoc's sidebar shows a logo fetched from redoc.ly's CDN (hidden again when that fails): the
# one request these pages would make beyond the server. It is pointed at the local favicon.
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_redoc: bytes | None = None


def redoc_script() -> bytes:
    global _redoc
    if _redoc is None:
        _redoc = (ASSETS_DIR / "redoc.standalone.js").read_bytes().replace(
            REDOC_LOGO, f"{ASSETS_URL}/favicon.png".encode())
    return _redoc


def add_offline_docs(app: FastAPI, *, openapi_url: str, title: str) -> None:
    """/docs and /redoc for `app`, reading `openapi_url`, with every asset served locally."""
    @app.get(f"{ASSETS_URL}/redoc.standalone.js", include_in_schema=False)
    async def redoc_js() -> Response:  # before the mount, which would answer it otherwise
        return Response(redoc_script(), media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=86400"})

    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    favicon = f"{ASSETS_URL}/favicon.png"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url, title=f"{title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css", swagger_favicon_url=favicon)

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=openapi_url, title=f"{title} - ReDoc",
                              redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                              redoc_favicon_url=favicon, with_google_fonts=False)
