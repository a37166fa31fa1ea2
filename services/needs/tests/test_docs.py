"""Each service's own /docs and /redoc work offline: every asset is served by the service."""


def test_the_service_serves_its_docs_with_local_assets(client):
    html = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in html and "/openapi.json" in html
    assert "cdn." not in html and "https://" not in html
    redoc = client.get("/redoc").text
    assert "/docs/assets/redoc.standalone.js" in redoc and "fonts.googleapis" not in redoc
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        asset = client.get(f"/docs/assets/{name}")
        assert asset.status_code == 200 and len(asset.content) > 100_000
