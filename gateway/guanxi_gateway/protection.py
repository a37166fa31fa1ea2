"""Front-door protection as one ASGI middleware: security headers, body size, rate limits."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from guanxi_shared.errors import PayloadTooLarge, TooManyRequests, problem

from .domain.client_address import client_address
from .domain.rate_limit import retry_after_header
from .limits import LocalLimits, SharedLimits
from .settings import Settings

IMPORT_PATHS = ("/api/v1/registry/imports", "/api/v1/registry/customers/import")


def request_ip(scope: Scope) -> str:
    """The client's address as the middleware resolved it (X-Forwarded-For only from trusted
    proxies), else the connection's peer."""
    ip = scope.get("state", {}).get("client_ip")
    if ip is None:
        ip = scope["client"][0] if scope.get("client") else ""
    return ip


class ProtectionMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings,
                 limits: LocalLimits | SharedLimits | None = None):
        self.app = app
        self.settings = settings
        self.limits = limits or LocalLimits(settings)
        self.trusted = settings.trusted_networks()
        headers = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                   (b"content-security-policy", b"frame-ancestors 'none'"),
                   (b"referrer-policy", b"no-referrer")]
        if settings.behind_https:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        self.security_headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.security_headers
            await send(message)

        refusal = await self.refuse(scope)
        if refusal is not None:
            await refusal(scope, receive, send_secure)
            return
        await self.app(scope, self.limit_body(scope, receive), send_secure)

    async def refuse(self, scope: Scope):
        headers = dict(scope["headers"])
        credential = headers.get(b"authorization")
        wait = await self.limits.take(self.resolve_ip(scope),
                                      credential.decode("latin-1") if credential else None)
        if wait:
            return problem(TooManyRequests.status, "Too many requests; slow down",
                           title=TooManyRequests.title,
                           headers={"Retry-After": retry_after_header(wait)})
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body(scope):
            return self.too_large(scope)
        return None

    def resolve_ip(self, scope: Scope) -> str:
        peer = scope["client"][0] if scope.get("client") else ""
        ip = peer
        if self.trusted:
            forwarded = [value.decode("latin-1") for name, value in scope["headers"]
                         if name == b"x-forwarded-for"]
            ip = client_address(peer, forwarded, self.trusted)
        scope.setdefault("state", {})["client_ip"] = ip
        return ip

    def max_body(self, scope: Scope) -> int:
        if scope["path"].startswith(IMPORT_PATHS):
            return self.settings.max_import_body_bytes
        return self.settings.max_body_bytes

    def too_large(self, scope: Scope):
        return problem(PayloadTooLarge.status,
                       f"The request body is larger than {self.max_body(scope)} bytes",
                       title=PayloadTooLarge.title)

    def limit_body(self, scope: Scope, receive: Receive) -> Receive:
        """Chunked uploads carry no Content-Length: count the bytes as they arrive."""
        limit = self.max_body(scope)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(f"The request body is larger than {limit} bytes")
            return message
        return counted
