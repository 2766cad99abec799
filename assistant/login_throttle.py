"""Per-client back-off on the login route, so a password cannot be guessed at web-server speed.

`LoginLimiter` keeps, per client address, the run of failed logins: the first `free_attempts`
cost nothing, each further failure locks that client out for twice as long as the last
(from `base_delay` up to `max_delay` seconds), and a success clears the slate.
`LoginThrottle` is the ASGI middleware that applies it to `POST …/login`: a locked-out
client gets 429 with `Retry-After` before its password is even compared.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

MAX_CLIENTS = 10_000  # oldest entries are forgotten beyond this, so the table cannot grow without bound


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0


class LoginLimiter:
    """Failed-login counts and lock-outs by client address; `clock` is injectable so tests need not sleep."""

    def __init__(self, free_attempts: int = 5, base_delay: float = 1.0, max_delay: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free_attempts = free_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> float:
        """Seconds this client must still wait before it may try again (0 when it may try now)."""
        with self._lock:
            record = self._records.get(client)
            return max(0.0, record.blocked_until - self.clock()) if record else 0.0

    def failed(self, client: str) -> None:
        with self._lock:
            record = self._records.pop(client, None) or _Record()
            record.failures += 1
            excess = record.failures - self.free_attempts
            if excess > 0:
                delay = min(self.max_delay, self.base_delay * 2 ** min(excess - 1, 32))
                record.blocked_until = self.clock() + delay
            self._records[client] = record
            while len(self._records) > MAX_CLIENTS:
                self._records.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._records.pop(client, None)


class LoginThrottle:
    """ASGI middleware: refuses logins from a locked-out client, and tells the limiter how each login went."""

    def __init__(self, app: Any, limiter: LoginLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("method") != "POST" or \
                not scope.get("path", "").rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.limiter.retry_after(client)
        if wait > 0:
            await _too_many(send, math.ceil(wait))
            return
        status: dict[str, int] = {}

        async def watching(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watching)
        if status.get("code") == HTTPStatus.OK:
            self.limiter.succeeded(client)
        elif status.get("code") in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
            self.limiter.failed(client)


async def _too_many(send: Any, seconds: int) -> None:
    body = f"Too many failed logins from this address: try again in {seconds} s.".encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", str(seconds).encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
