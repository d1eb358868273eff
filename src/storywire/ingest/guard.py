"""Server-side request forgery guard and robots.txt rules.

A URL is fetched only when its scheme is http(s) and every address its host
resolves to is a public unicast address. Loopback, private (RFC 1918, ULA),
link-local (which holds the 169.254.169.254 cloud-metadata endpoint), multicast,
reserved and unspecified addresses are refused, as are the metadata names some
clouds resolve internally. The check runs after DNS resolution and again on
every redirect hop, and the connection goes to the checked addresses (no second
lookup, so DNS rebinding cannot slip a private address in between).
``allow_private_addresses`` turns it off (tests, intranets).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.robotparser
from urllib.parse import urlsplit

from ..errors import FetchError

_METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}
_METADATA_IPS = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}


def check_scheme(url: str) -> None:
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FetchError(f"refused: {url!r} is not an http(s) URL")


def forbidden_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address may not be fetched, or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in _METADATA_IPS:
        return "a cloud-metadata address"
    for test, name in (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "a non-public address"),
    ):
        if test:
            return name
    return None


async def check_host(url: str) -> list[str]:
    """The addresses the URL's host resolves to, all public; raise FetchError when the
    host is, or resolves to, a forbidden address. The Fetcher connects to exactly these
    addresses (see transport.py), so a second DNS answer cannot swap in a private one."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise FetchError(f"refused: {url!r} has no host")
    if host in _METADATA_HOSTS:
        raise FetchError(f"refused: {host} is a cloud-metadata host")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise FetchError(
            f"cannot resolve host {host} (no network, or the name does not exist)"
        ) from exc
    addresses: list[str] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        reason = forbidden_reason(ip)
        if reason:
            what = f"{host} is" if host.strip("[]") == str(ip) else f"{host} resolves to {ip},"
            raise FetchError(f"refused: {what} {reason} (set allow_private_addresses to fetch it)")
        if str(ip) not in addresses:
            addresses.append(str(ip))
    return addresses


class Robots:
    """Parsed robots.txt of one origin. A missing file (4xx) allows everything; one the
    server could not give (5xx, 429, a network error) blocks the origin's pages until
    the next cycle tries again, as RFC 9309 asks: ``unavailable`` says why."""

    def __init__(self, text: str | None, unavailable: str | None = None):
        self.unavailable = unavailable
        self._parser: urllib.robotparser.RobotFileParser | None = None
        if text:
            parser = urllib.robotparser.RobotFileParser()
            parser.parse(text.splitlines())
            self._parser = parser

    def allowed(self, user_agent: str, url: str) -> bool:
        if self.unavailable:
            return False
        return self._parser is None or self._parser.can_fetch(user_agent, url)
