"""Serving the app: any loopback spelling counts as loopback, IPv6 literals bind, uploads are capped by the web
server itself, and failed logins are throttled per client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant import Assistant, Settings
from assistant.login_throttle import LoginLimiter
from assistant.ui import is_loopback, launch, server_name

from .conftest import BUNDLED_SOURCES, free_port


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "127.0.0.53", "0x7f.0.0.1", "2130706433", "::1", "[::1]",
                                  "::ffff:127.0.0.1", "localhost", "LOCALHOST.", "app.localhost"])
def test_every_loopback_spelling_is_loopback(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "[::]", "10.0.0.1", "192.168.1.10", "1.2.3.4", "example.org",
                                  "localhost.example.org", "fe80::1", ""])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_ipv6_literals_are_bracketed_for_the_server() -> None:
    assert server_name("::") == "[::]" and server_name("::1") == "[::1]" and server_name("[::1]") == "[::1]"
    assert server_name("127.1") == "127.0.0.1" and server_name("localhost") == "localhost"


@pytest.fixture(scope="module")
def small_bot(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    root = tmp_path_factory.mktemp("serving")
    shutil.copytree(BUNDLED_SOURCES, root / "sources")
    return Assistant(Settings(sources_dir=root / "sources", index_dir=root / "index", max_file_bytes=50_000),
                     embedder=embedder)


@pytest.fixture
def ipv6_app(small_bot: Assistant) -> Iterator[str]:
    port = free_port()
    app = launch(small_bot, "::1", port, block=False)
    try:
        yield f"http://[::1]:{port}"
    finally:
        app.close()


def test_an_ipv6_host_serves_and_oversized_uploads_are_refused_and_not_kept(ipv6_app: str, small_bot) -> None:
    from gradio.utils import get_upload_folder

    assert httpx.get(ipv6_app + "/", timeout=30).status_code == 200
    upload_dir = Path(get_upload_folder())
    before = set(upload_dir.rglob("*")) if upload_dir.exists() else set()
    big = httpx.post(ipv6_app + "/gradio_api/upload", files={"files": ("big.txt", b"x" * 200_000)}, timeout=30)
    assert big.status_code == 413
    after = set(upload_dir.rglob("*")) if upload_dir.exists() else set()
    assert not {p for p in after - before if p.is_file() and p.name == "big.txt"}
    small = httpx.post(ipv6_app + "/gradio_api/upload", files={"files": ("small.txt", b"word " * 100)}, timeout=30)
    assert small.status_code == 200


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_login_limiter_backs_off_each_client_and_forgets_on_success() -> None:
    clock = FakeClock()
    limiter = LoginLimiter(free_attempts=3, base_delay=2.0, max_delay=60.0, clock=clock)
    for _ in range(3):
        limiter.failed("a")
    assert limiter.retry_after("a") == 0
    limiter.failed("a")
    assert limiter.retry_after("a") == 2.0 and limiter.retry_after("b") == 0
    limiter.failed("a")
    assert limiter.retry_after("a") == 4.0
    for _ in range(20):
        limiter.failed("a")
    assert limiter.retry_after("a") == 60.0
    clock.now += 60
    assert limiter.retry_after("a") == 0
    limiter.succeeded("a")
    limiter.failed("a")
    assert limiter.retry_after("a") == 0


def test_repeated_wrong_passwords_are_throttled_per_client(small_bot: Assistant) -> None:
    clock = FakeClock()
    port = free_port()
    app = launch(small_bot, "127.0.0.1", port, auth="ann:right", block=False,
                 limiter=LoginLimiter(free_attempts=5, base_delay=30.0, clock=clock))
    url = f"http://127.0.0.1:{port}/login"
    try:
        with httpx.Client(timeout=30) as guesser:
            codes = [guesser.post(url, data={"username": "ann", "password": f"guess{n}"}).status_code
                     for n in range(8)]
            assert codes[:6] == [400] * 6 and codes[6:] == [429, 429]
            blocked = guesser.post(url, data={"username": "ann", "password": "right"})
            assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) == 30
            assert "try again in 30 s" in blocked.text
        # another client on this machine (another loopback source address) is not held back by the guesser
        with httpx.Client(timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as other:
            assert other.post(url, data={"username": "ann", "password": "right"}).status_code == 200
        clock.now += 31
        with httpx.Client(timeout=30) as guesser:
            assert guesser.post(url, data={"username": "ann", "password": "right"}).status_code == 200
            assert guesser.post(url, data={"username": "ann", "password": "wrong"}).status_code == 400
    finally:
        app.close()
