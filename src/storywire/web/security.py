"""Defences every response and every form shares (one ASGI middleware plus form tokens).

- **Host allow-list** (against DNS rebinding, where a hostile name resolves to
  127.0.0.1): loopback names, the listening address unless it is a wildcard, and the
  host of ``base_url``. A server on a wildcard address without ``base_url`` cannot know
  its public names and accepts any Host (feed management then needs the admin token).
- **Origin / Referer** on every unsafe method (POST...): must be this site exactly;
  ``Origin: null`` (sandboxed frames, data: URLs) and foreign origins get 403 with the
  reason.
- **Per-form CSRF tokens**: a random secret in a cookie, and in each form
  HMAC(secret, form name); the handler checks it (``check_form``). A request with a
  valid ``Authorization: Bearer`` token needs none (browsers never add that header).
- **Security headers** on every response: a Content-Security-Policy with no inline or
  foreign scripts and no framing, X-Frame-Options DENY, X-Content-Type-Options
  nosniff, Referrer-Policy.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings

CSRF_COOKIE = "storywire_csrf"
CSRF_FIELD = "csrf"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD = frozenset({"0.0.0.0", "::", ""})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' https: http: data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def allowed_hosts(settings: Settings) -> frozenset[str] | None:
    """Host names this server answers to (None: any, see the module docstring)."""
    base = (urlsplit(settings.base_url).hostname or "") if settings.base_url else ""
    listen = settings.host.strip("[]").lower()
    if listen in WILDCARD and not base:
        return None
    names = set(LOOPBACK) | {base.lower()} - {""}
    if listen not in WILDCARD:
        names.add(listen)
    return frozenset(names)


def host_name(host: str) -> str | None:
    """'example.org' from a Host header ('example.org:8000', '[::1]:80'); None if malformed."""
    try:
        parts = urlsplit("//" + host)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return None
    return parts.hostname


def origin_problem(scope: Scope, headers: Headers, base_url: str) -> str | None:
    """Why an unsafe request did not come from this site (None: it did, or cannot tell)."""
    own = {f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"}
    if base_url:
        b = urlsplit(base_url)
        own.add(f"{b.scheme}://{b.netloc}")
    origin = headers.get("origin")
    if origin is not None:
        if origin == "null":
            return "form sent from an opaque origin (Origin: null), e.g. a sandboxed frame"
        return None if origin in own else f"form sent from another site ({origin[:100]})"
    referer = headers.get("referer")
    if referer:
        r = urlsplit(referer)
        if f"{r.scheme}://{r.netloc}" not in own:
            return f"form sent from another site (Referer {r.scheme}://{r.netloc[:100]})"
    return None


class SecurityMiddleware:
    """Host allow-list, Origin check for unsafe methods, CSRF cookie, security headers."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app, self.settings = app, settings
        self.hosts = allowed_hosts(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        problem = self._problem(scope, headers)
        if problem is not None:
            status, reason = problem
            await _refuse(scope, send, status, reason)
            return
        state = scope.setdefault("state", {})
        secret = Request(scope).cookies.get(CSRF_COOKIE, "")
        state["csrf_new"] = not (16 <= len(secret) <= 100)
        state["csrf_secret"] = secrets.token_urlsafe(24) if state["csrf_new"] else secret
        state["csrf_used"] = False
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(HEADERS)
                if state["csrf_new"] and state["csrf_used"]:
                    cookie = f"{CSRF_COOKIE}={state['csrf_secret']}; Path=/; HttpOnly; SameSite=Lax"
                    extra.append(
                        (b"set-cookie", (cookie + ("; Secure" if secure else "")).encode())
                    )
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _problem(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        host = headers.get("host")
        if host is not None and self.hosts is not None:
            name = host_name(host)
            if name is None or name.lower() not in self.hosts:
                return 400, (
                    f"unknown Host {host[:100]!r}: this server answers to "
                    f"{', '.join(sorted(self.hosts))} (set base_url for a public name)"
                )
        if scope.get("method", "GET") not in SAFE_METHODS:
            reason = origin_problem(scope, headers, self.settings.base_url)
            if reason is not None:
                return 403, reason
        return None


async def _refuse(scope: Scope, send: Send, status: int, reason: str) -> None:
    if scope.get("path", "").startswith("/api/"):
        import json

        body = json.dumps({"status": status, "reason": reason}).encode()
        media = b"application/json"
    else:
        body, media = (reason + "\n").encode(), b"text/plain; charset=utf-8"
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode())]
        + HEADERS,
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


def _token(secret: str, form: str) -> str:
    return hmac.new(secret.encode(), form.encode(), hashlib.sha256).hexdigest()[:32]


def form_tokens(request: Request) -> Callable[[str], str]:
    """``csrf(form_name)`` for templates: the token that form must send back."""
    state = request.scope.setdefault("state", {})

    def token(form: str) -> str:
        secret = state.get("csrf_secret")
        if not secret:  # an app without the middleware (never in create_app)
            return ""
        state["csrf_used"] = True
        return _token(secret, form)

    return token


def check_form(request: Request, form: str, given: str) -> None:
    """403 unless ``given`` is the token of ``form`` for this browser's cookie."""
    if request.scope.get("state", {}).get("bearer_ok"):
        return
    secret = request.cookies.get(CSRF_COOKIE, "")
    if not secret:
        raise HTTPException(403, "missing CSRF cookie: reload the form and send it again")
    if not given or not hmac.compare_digest(given.encode(), _token(secret, form).encode()):
        raise HTTPException(403, "missing or wrong CSRF token: reload the form and send it again")
