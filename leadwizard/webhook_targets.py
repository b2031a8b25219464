"""Which URLs a webhook may call, and the connection to exactly the address that was checked.

A marketer enters a webhook's URL, and every new lead is then POSTed there by
the server, from inside its network; part of a failed reply is shown on the
lead's admin page. So a URL that points at the server itself, the cloud's
metadata service (169.254.169.254) or anything else in a private network would
let an admin user reach what only the server can reach (SSRF). This module
refuses such targets:

- only ``http`` and ``https``, without a user name or password in the URL;
- every address the host resolves to must be globally routable: not loopback,
  private, link-local, shared (100.64/10), multicast, reserved or unspecified,
  nor one of those wrapped in an IPv6 form (IPv4-mapped, IPv4-compatible,
  6to4, NAT64, Teredo); ``localhost`` names are refused without a lookup;
- unless the operator allows the host in ``LEADWIZARD_WEBHOOK_ALLOWED_HOSTS``:
  host names (exact, case-insensitive) and IP addresses or networks, e.g.
  ``["crm.intern.example", "10.20.0.0/16"]``; read at call time, empty by default.

``Webhook.clean`` checks when the webhook is saved; ``deliveries.call_webhook``
checks again when it calls, because a DNS answer can change in between (DNS
rebinding). At call time the host is resolved once, every address checked,
and ``connect`` opens the TCP connection to those checked addresses only: no
second lookup that could answer differently.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

ALLOWED_SCHEMES = {"http": 80, "https": 443}
SETTING = "LEADWIZARD_WEBHOOK_ALLOWED_HOSTS"

# Ranges that ``is_global`` (Python 3.11) lets through but that carry an IPv4
# address inside an IPv6 one; the IPv4 address is checked instead.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class RefusedTarget(Exception):
    """The URL may not be called. ``message`` is translatable (lazy), with ``params``; ``code`` for forms."""

    def __init__(self, message, code, params=None):
        super().__init__(message, code, params)
        self.message, self.code, self.params = message, code, params or {}

    def __str__(self):
        return str(self.message) % self.params if self.params else str(self.message)


class HostNotFound(RefusedTarget):
    """The host did not resolve: refused when saving, a failure worth retrying when calling."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``addresses``, ``port``) and what to ask (``host``, ``path``)."""

    scheme: str
    host: str  # as in the URL, lower case, IPv6 without brackets: Host header, SNI and certificate check
    port: int
    path: str  # path and query string, as sent in the request line
    addresses: tuple  # ipaddress objects, every one of them checked


def is_public(ip):
    """Whether ``ip`` (an ``ipaddress`` address) is globally routable, looking through IPv6 wrappings."""
    if ip.version == 6:
        if ip.teredo:
            server, client = ip.teredo
            return is_public(server) and is_public(client)
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and (ip in _NAT64 or ip in _IPV4_COMPATIBLE):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
        if ip.ipv4_mapped or ip.sixtofour:
            # The IPv4 address decides, on every Python: before 3.13 every mapped address counted as
            # private, from 3.13 on every 6to4 address (2002::/16) does.
            return True
        if ip.is_site_local:
            return False
    # is_global alone misses multicast (224/4, ff00::/8) and parts of the reserved space.
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local or ip.is_unspecified
    )


def _allowed():
    """The operator's allow-list as (host names, networks)."""
    entries = getattr(settings, SETTING, ()) or ()
    if isinstance(entries, str):  # a comma-separated string rather than a list: still meant as a list
        entries = entries.split(",")
    names, networks = set(), []
    for entry in entries:
        entry = str(entry).strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return names, networks


def _in_networks(ip, networks):
    candidates = [ip] + ([ip.ipv4_mapped] if ip.version == 6 and ip.ipv4_mapped else [])
    return any(candidate in network for candidate in candidates for network in networks)


def _split(url):
    """(scheme, host, port, path) of ``url``, or RefusedTarget for what is never called."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedTarget(_("This URL cannot be read."), "invalid") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise RefusedTarget(_("Only http and https URLs can be called."), "scheme")
    if parts.username is not None or parts.password is not None:
        raise RefusedTarget(
            _("The URL must not contain a user name or password; send credentials another way."),
            "credentials",
        )
    host = parts.hostname or ""
    if not host:
        raise RefusedTarget(_("The URL has no host."), "invalid")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or ALLOWED_SCHEMES[scheme], path


def _literal(host):
    """The address a host that is an IP address stands for, in any form the C resolver accepts, else None.

    Besides ``127.0.0.1`` and ``::1`` that is ``2130706433``, ``0177.0.0.1`` or
    ``0x7f.1`` (inet_aton): these are read here, without asking a resolver.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def resolve(host, port):
    """Every address ``host`` stands for (one lookup at most), in the resolver's order; HostNotFound if none."""
    literal = _literal(host)
    if literal is not None:
        return (literal,)
    not_found = HostNotFound(_("The host %(host)s could not be found."), "not_found", {"host": host})
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise not_found from None
    addresses = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        try:
            ip = ipaddress.ip_address(sockaddr[0])
        except ValueError:
            continue
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise not_found
    return tuple(addresses)


def check_url(url):
    """The ``Target`` of ``url`` if it may be called; RefusedTarget (or HostNotFound) says why not."""
    scheme, host, port, path = _split(url)
    names, networks = _allowed()
    name = host.rstrip(".")
    allowed_by_name = name in names
    if not allowed_by_name and (name == "localhost" or name.endswith(".localhost")):
        raise RefusedTarget(
            _(
                "The host %(host)s is this server itself. Webhooks can only call public hosts, "
                "unless the operator allows the host (setting LEADWIZARD_WEBHOOK_ALLOWED_HOSTS)."
            ),
            "not_public",
            {"host": host},
        )
    addresses = resolve(host, port)
    if not allowed_by_name:
        for ip in addresses:
            if not is_public(ip) and not _in_networks(ip, networks):
                raise RefusedTarget(
                    _(
                        "The host %(host)s has the address %(address)s, which is not a public internet "
                        "address. Webhooks can only call public hosts, unless the operator allows the "
                        "host (setting LEADWIZARD_WEBHOOK_ALLOWED_HOSTS)."
                    ),
                    "not_public",
                    {"host": host, "address": str(ip)},
                )
    return Target(scheme, host, port, path, addresses)


def open_connection(ip, port, timeout):
    """A TCP connection to ``ip`` itself: a numeric address, so the socket looks nothing up."""
    sock = socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((str(ip), port))
    except BaseException:
        sock.close()
        raise
    return sock


def connect(target, timeout):
    """A TCP connection to the first of the target's checked addresses that answers, and to no other."""
    error = None
    for ip in target.addresses:
        try:
            return open_connection(ip, target.port, timeout)
        except OSError as exc:
            error = exc
    raise error
