"""The lean HTTP/1.1 transport against a scripted raw-socket server on 127.0.0.1.

Each case sends exact bytes (framings httpcore also accepts), so the transport's parsing,
keep-alive and error paths are checked directly; tests/test_faults.py covers the Fetcher
on top of it (resets, drips, gzip bombs, redirects, stale connections).
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
from collections.abc import Callable

import httpx
import pytest

from storywire import load_settings
from storywire.errors import FetchError
from storywire.ingest.http import Fetcher
from storywire.ingest.transport import ADDRESSES, LeanTransport

Script = Callable[[bytes], bytes | None]  # request head -> response bytes (None: hang up)


class RawServer:
    """Answers each request on a connection with ``script(request head)``; counts the
    connections accepted. A response with "Connection: close" ends its connection."""

    def __init__(self, script: Script):
        self.script = script
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    more = conn.recv(65536)
                    if not more:
                        return
                    data += more
                head, _, data = data.partition(b"\r\n\r\n")
                answer = self.script(head)
                if answer is None:
                    return
                conn.sendall(answer)
                if b"connection: close" in answer.split(b"\r\n\r\n")[0].lower():
                    return

    def close(self) -> None:
        self.sock.close()


async def _get(url: str, **kw: object) -> httpx.Response:
    async with httpx.AsyncClient(transport=LeanTransport(), timeout=5) as client:
        return await client.get(url, **kw)  # type: ignore[arg-type]


def _serve(script: Script) -> RawServer:
    return RawServer(script)


def test_keep_alive_reuses_one_connection_for_sequential_requests():
    server = _serve(lambda head: b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    try:

        async def run() -> list[bytes]:
            async with httpx.AsyncClient(transport=LeanTransport()) as client:
                return [(await client.get(server.url + f"/{i}")).content for i in range(5)]

        assert asyncio.run(run()) == [b"hello"] * 5
        assert server.connections == 1
    finally:
        server.close()


def test_chunked_body_with_trailers_and_interim_response():
    body = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    server = _serve(lambda head: body)
    try:
        resp = asyncio.run(_get(server.url))
        assert resp.status_code == 200 and resp.content == b"hello, world"
    finally:
        server.close()


def test_body_to_end_of_connection_and_gzip_decoding():
    payload = gzip.compress(b"<html>" + b"x" * 10000 + b"</html>")
    server = _serve(
        lambda head: (
            b"HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n" + payload
        )
    )
    try:
        resp = asyncio.run(_get(server.url))
        assert resp.content == b"<html>" + b"x" * 10000 + b"</html>"
        assert resp.reason_phrase == "OK"
    finally:
        server.close()


def test_request_line_and_headers_reach_the_server():
    seen: list[bytes] = []

    def script(head: bytes) -> bytes:
        seen.append(head)
        return b"HTTP/1.1 204 No Content\r\n\r\n"

    server = _serve(script)
    try:
        resp = asyncio.run(_get(server.url + "/a/b?x=1&y=%20", headers={"X-Test": "yes"}))
        assert resp.status_code == 204 and resp.content == b""
        assert seen[0].startswith(b"GET /a/b?x=1&y=%20 HTTP/1.1\r\n")
        assert b"\r\nX-Test: yes" in seen[0] and b"\r\nHost: 127.0.0.1:" in seen[0]
    finally:
        server.close()


@pytest.mark.parametrize(
    "answer, error",
    [
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort",
            httpx.RemoteProtocolError,
        ),
        (b"garbage\r\n\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", httpx.RemoteProtocolError),
        (None, httpx.RemoteProtocolError),  # hung up without answering
    ],
)
def test_broken_responses_raise_httpx_errors(answer, error):
    server = _serve(lambda head: answer)
    try:
        with pytest.raises(error):
            asyncio.run(_get(server.url))
    finally:
        server.close()


def test_refused_connection_is_a_connect_error():
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(httpx.ConnectError):
        asyncio.run(_get(f"http://127.0.0.1:{port}/"))


def test_fetcher_reuses_connections_and_retries_a_stale_one(tmp_path):
    """The server closes every kept-alive connection after one answer without saying so:
    the next request on it fails before any answer and the Fetcher retries once."""
    answers = 0

    def script(head: bytes) -> bytes:
        nonlocal answers
        answers += 1
        return b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok"

    server = _serve(script)
    settings = load_settings(db=tmp_path / "x.db", allow_private_addresses=True)
    try:

        async def run() -> list[bytes]:
            async with Fetcher(settings) as fetcher:
                return [(await fetcher.get(server.url + f"/{i}")).body for i in range(3)]

        assert asyncio.run(run()) == [b"ok"] * 3
        assert server.connections == 1
    finally:
        server.close()

    def once(head: bytes) -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    flaky = _serve(once)

    def serve_one(conn: socket.socket) -> None:  # answer once, then drop the connection
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                more = conn.recv(65536)
                if not more:
                    return
                data += more
            conn.sendall(once(data))
            conn.recv(65536)  # the next request arrives; close without answering

    flaky._serve = serve_one  # type: ignore[method-assign]
    try:

        async def again() -> list[bytes]:
            async with Fetcher(settings) as fetcher:
                first = (await fetcher.get(flaky.url + "/1")).body
                await asyncio.sleep(0.05)
                return [first, (await fetcher.get(flaky.url + "/2")).body]

        assert asyncio.run(again()) == [b"ok", b"ok"]
        assert flaky.connections == 2
    finally:
        flaky.close()


def test_fetcher_error_for_a_body_cut_short(tmp_path):
    server = _serve(
        lambda head: b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: close\r\n\r\nonly this"
    )
    settings = load_settings(db=tmp_path / "x.db", allow_private_addresses=True)
    try:

        async def run() -> None:
            async with Fetcher(settings) as fetcher:
                await fetcher.get(server.url)

        with pytest.raises(FetchError, match="connection lost mid-response"):
            asyncio.run(run())
    finally:
        server.close()


def test_https_with_certificate_verification(tmp_path):
    """TLS on 127.0.0.1 with a self-signed certificate (made with the openssl command):
    verified against it, the page arrives; with the default trust store it is refused."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    plain = socket.create_server(("127.0.0.1", 0))
    port = plain.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = plain.accept()
            except OSError:
                return
            try:
                with server_ctx.wrap_socket(conn, server_side=True) as tls:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += tls.recv(65536)
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure")
                    tls.recv(65536)  # until the client closes
            except (OSError, ssl.SSLError):
                continue

    threading.Thread(target=serve, daemon=True).start()
    client_ctx = ssl.create_default_context(cafile=str(cert))
    try:

        async def fetch(transport: LeanTransport) -> bytes:
            async with httpx.AsyncClient(transport=transport, timeout=5) as client:
                return (await client.get(f"https://localhost:{port}/")).content

        assert asyncio.run(fetch(LeanTransport(verify=client_ctx))) == b"secure"
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            asyncio.run(fetch(LeanTransport()))
    finally:
        plain.close()


def test_connects_to_the_checked_address_without_resolving_again():
    """The Fetcher hands the addresses its SSRF guard checked to the transport, which
    connects to them (DNS rebinding defence): a name that does not resolve at all is
    reached at the pinned address, and the Host header still names the host."""
    seen: list[bytes] = []

    def script(head: bytes) -> bytes:
        seen.append(head)
        return b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    server = _serve(script)
    port = server.url.rsplit(":", 1)[1]
    try:
        url = f"http://rebind.invalid:{port}/page"
        resp = asyncio.run(_get(url, extensions={ADDRESSES: ["127.0.0.1"]}))
        assert resp.content == b"ok"
        assert b"host: rebind.invalid:" + port.encode() in seen[0].lower()
        with pytest.raises(httpx.ConnectError):  # without the pinned address: a DNS error
            asyncio.run(_get(url))
        # An address that refuses (nothing listens on 127.0.0.2) is skipped for the next.
        resp = asyncio.run(_get(url, extensions={ADDRESSES: ["127.0.0.2", "127.0.0.1"]}))
        assert resp.content == b"ok"
    finally:
        server.close()


def test_guard_returns_the_addresses_it_checked():
    from storywire.ingest.guard import check_host

    assert asyncio.run(check_host("http://93.184.215.14/x")) == ["93.184.215.14"]
    with pytest.raises(FetchError, match="loopback"):
        asyncio.run(check_host("http://127.0.0.1/x"))
