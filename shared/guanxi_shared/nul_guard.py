"""Refuses the NUL character (U+0000) in paths, query strings and JSON bodies with a 422.

No client means one, and no database keeps one: PostgreSQL refuses it in text, SQLite's
full-text search stops at it. Refused at the door, it cannot reach a query halfway through a
request and turn into a 500.
"""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import Invalid, problem

NUL_ESCAPE = b"\\u0000"


class NulInBody(Invalid, HTTPException):
    """Also an HTTPException, which FastAPI lets through from reading a body (anything else
    raised there becomes a 400 "error parsing the body"); answered as an Invalid all the same."""

    def __init__(self) -> None:
        Invalid.__init__(self, "NUL characters (\\u0000) are not accepted in the body")
        self.status_code = Invalid.status


def has_nul_escape(data: bytes) -> bool:
    """A JSON \\u0000 escape, not a written backslash followed by "u0000" (an even run of
    backslashes before the u)."""
    start = data.find(NUL_ESCAPE)
    while start != -1:
        before = start
        while before >= 0 and data[before] == ord("\\"):
            before -= 1
        if (start - before) % 2:
            return True
        start = data.find(NUL_ESCAPE, start + 1)
    return False


class NulGuardMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = ("the path" if "\x00" in scope["path"]
                 else "the query string" if b"%00" in scope["query_string"] else None)
        if where is not None:
            refusal = problem(Invalid.status, f"NUL characters are not accepted in {where}",
                              title=Invalid.title)
            await refusal(scope, receive, send)
            return
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
        if b"json" in content_type:
            receive = refusing_nul_escapes(receive)
        await self.app(scope, receive, send)


def refusing_nul_escapes(receive: Receive) -> Receive:
    """Raises NulInBody (answered as a 422) when the body holds \\u0000;
    the end of each chunk is kept, as an escape may straddle two."""
    tail = b""

    async def checked() -> Message:
        nonlocal tail
        message = await receive()
        if message["type"] == "http.request":
            data = tail + message.get("body", b"")
            if has_nul_escape(data):
                raise NulInBody
            tail = data[-16:]
        return message
    return checked
