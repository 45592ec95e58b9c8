"""CSRF protection: a synchronizer token in the (signed) session, required on every state-changing request.

Clients send it as the X-CSRF-Token header (the JSON API, htmx) or as the form field `csrf_token` (HTML forms,
urlencoded or multipart). GET, HEAD and OPTIONS never change state and are not checked. The token is compared in
constant time. The middleware also refuses request bodies larger than the configured limit (413).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from starlette.requests import Request as StarletteRequest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gainshare.interfaces.security.sessions import CSRF_KEY

HEADER = "X-CSRF-Token"
FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

ErrorResponder = Callable[[int, str, str], Awaitable[None]]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use: put it in forms (csrf_token) or the X-CSRF-Token header."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return token


def tokens_match(expected: object, given: object) -> bool:
    return (
        isinstance(expected, str)
        and isinstance(given, str)
        and bool(expected)
        and secrets.compare_digest(expected.encode(), given.encode())
    )


class CSRFMiddleware:
    """Pure ASGI middleware; must run inside the session middleware (add it to the app before the sessions)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive, self.max_body_bytes)
        if body is None:
            await _refuse(
                scope, send, 413, "request.too_large", f"the request body exceeds {self.max_body_bytes} bytes"
            )
            return
        replay = _replay(body)
        expected = scope.get("session", {}).get(CSRF_KEY)
        given = await _given_token(scope, replay)
        if not tokens_match(expected, given):
            message = f"missing or wrong CSRF token: send the {HEADER} header or the {FORM_FIELD} form field"
            await _refuse(scope, send, 403, "csrf.failed", message)
            return
        await self.app(scope, _replay(body), send)


async def _given_token(scope: Scope, receive: Receive) -> str | None:
    request = StarletteRequest(scope, receive)
    header = request.headers.get(HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(FORM_TYPES):
        return None
    try:
        form = await request.form()
    except Exception:  # a malformed form carries no usable token; the refusal says so
        return None
    value = form.get(FORM_FIELD)
    await form.close()
    return value if isinstance(value, str) else None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """The API's error envelope (pages get the same JSON; they should never trigger this with a valid form)."""
    payload: MutableMapping[str, Any] = {"error": {"code": code, "message": message, "issues": []}}
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
