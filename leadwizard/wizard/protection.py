"""Abuse protection for the public wizard: rate limits per client and spam indicators.

Clients are told apart by a keyed hash of their address that lives only in the
cache; no IP address is ever stored with a lead.

Which address is the client's
-----------------------------
``REMOTE_ADDR`` is the client unless it is one of the proxies the operator runs,
listed in ``LEADWIZARD_TRUSTED_PROXIES`` (IP addresses and CIDR networks; default
empty: no forwarded header is believed). Only a request that arrives from such a
proxy has its ``X-Forwarded-For`` read, and then from the right: every proxy
appends the address it received the request from, so the right-most entries are
written by our own proxies and the left-most ones by whoever sent the request.
The first address that is not a trusted proxy is the client; a client that puts
an address of its choice at the left is simply ignored. An entry that is not an
IP address ends the walk, and the last trusted hop counts as the client.

An app server reached over a unix socket (gunicorn behind nginx on the same host)
gets an empty ``REMOTE_ADDR``: it only counts as a trusted proxy when the list
contains the entry ``"unix"``. Without it every reader shares one empty address
and therefore one limit, which is logged once per process.

IPv6 clients are counted per /64, since one subscriber usually holds a whole
/64 and picks addresses from it at will (django-ratelimit does the same); IPv4
clients per address. IPv4-mapped IPv6 addresses (``::ffff:192.0.2.1``) count as
the IPv4 address they carry.

The setting is validated at start-up by the system check in ``leadwizard.checks``;
here an invalid entry is skipped, so that a reader never gets an error for it.
"""

import functools
import hashlib
import hmac
import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache

from ..conf import app_settings
from .forms import HONEYPOT_FIELD

logger = logging.getLogger(__name__)

TRUSTED_PROXIES_SETTING = "LEADWIZARD_TRUSTED_PROXIES"
# The entry of LEADWIZARD_TRUSTED_PROXIES that stands for "the peer of a unix socket".
UNIX_SOCKET = "unix"
IPV6_PREFIX = 64

_warned_unix_socket = False


def parse_ip(value):
    """The IP address in ``value`` (IPv4-mapped IPv6 as IPv4), or None when it is none.

    Accepts the forms proxies write into X-Forwarded-For: ``192.0.2.1``,
    ``2001:db8::1``, and with a port ``192.0.2.1:443`` or ``[2001:db8::1]:443``.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("["):
        text, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest[:1] == ":" and rest[1:].isdigit())):
            return None
    elif text.count(":") == 1:
        text, _colon, port = text.partition(":")
        if not port.isdigit():
            return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def parse_proxy_entry(entry):
    """One entry of LEADWIZARD_TRUSTED_PROXIES as a network, ``UNIX_SOCKET``, or raise ValueError."""
    if not isinstance(entry, str):
        raise ValueError(f"{entry!r} is not a string")
    text = entry.strip()
    if text.lower() == UNIX_SOCKET:
        return UNIX_SOCKET
    # strict: "10.0.0.1/8" is more likely a typo than a way to write 10.0.0.0/8.
    network = ipaddress.ip_network(text, strict=True)
    if network.version == 6 and network.prefixlen >= 96 and network.network_address.ipv4_mapped is not None:
        # Addresses are compared as IPv4 once unmapped, so the network must be too.
        network = ipaddress.ip_network(f"{network.network_address.ipv4_mapped}/{network.prefixlen - 96}")
    return network


class TrustedProxies:
    """The proxies of LEADWIZARD_TRUSTED_PROXIES: which peers may tell us the client's address."""

    def __init__(self, entries):
        self.networks = []
        self.unix_socket = False
        for entry in entries:
            try:
                parsed = parse_proxy_entry(entry)
            except ValueError:
                continue  # reported by the system check; never trusted
            if parsed == UNIX_SOCKET:
                self.unix_socket = True
            else:
                self.networks.append(parsed)

    def contains(self, address):
        """Whether ``address`` (an ip_address object) is a trusted proxy."""
        return any(address in network for network in self.networks)


@functools.lru_cache(maxsize=8)
def _trusted_proxies(entries):
    return TrustedProxies(entries)


def trusted_proxies():
    """LEADWIZARD_TRUSTED_PROXIES as read now (tests and deployments may change it)."""
    entries = app_settings.TRUSTED_PROXIES
    if not isinstance(entries, list | tuple):
        return _trusted_proxies(())  # a plain string and the like: the system check reports it
    try:
        return _trusted_proxies(tuple(entries))
    except TypeError:  # unhashable entries
        return TrustedProxies(entries)


def _warn_unix_socket_once():
    global _warned_unix_socket
    if not _warned_unix_socket:
        _warned_unix_socket = True
        logger.warning(
            "A request arrived without a client address (a unix socket), but %s does not contain "
            "%r: every reader shares one rate limit. Add %r when nginx connects over a unix socket.",
            TRUSTED_PROXIES_SETTING,
            UNIX_SOCKET,
            UNIX_SOCKET,
        )


def client_address(request):
    """The client's address as an ip_address object, or the raw REMOTE_ADDR string when it is none."""
    proxies = trusted_proxies()
    remote = request.META.get("REMOTE_ADDR", "") or ""
    address = parse_ip(remote)
    if address is None:
        if remote.strip():
            return remote
        # gunicorn on a unix socket sets REMOTE_ADDR to "".
        if not proxies.unix_socket:
            _warn_unix_socket_once()
            return remote
    elif not proxies.contains(address):
        return address

    # The peer is one of our proxies: walk X-Forwarded-For from the right.
    client = address if address is not None else remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded.strip():
        return client
    for hop in reversed(forwarded.split(",")):
        hop_address = parse_ip(hop)
        if hop_address is None:
            break  # garbage: the last trusted hop stands
        client = hop_address
        if not proxies.contains(hop_address):
            break
    return client


def rate_limit_key(address):
    """What one limit counts: an IPv4 address, the /64 of an IPv6 address, else the raw value."""
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((int(address), IPV6_PREFIX), strict=False))
    return str(address)


def client_fingerprint(request):
    """A keyed, non-reversible identifier of the client for rate limiting."""
    key = rate_limit_key(client_address(request))
    return hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]


def hit_rate_limit(request, bucket, limit, window):
    """Count one hit in ``bucket`` for this client; True when the client is over ``limit`` per ``window`` seconds.

    A fixed window per client in the cache (Redis when REDIS_URL is set, so all
    app servers share it).
    """
    now = int(time.time())
    key = f"leadwizard:rl:{bucket}:{client_fingerprint(request)}:{now // window}"
    # Counting first: a reader's every step after the first in a window finds the count there,
    # and on Redis ``add`` then ``incr`` were three round trips where ``incr`` is two.
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first hit, or the count expired
        if cache.add(key, 1, timeout=window + 5):
            count = 1
        else:  # another request of this client started the count in between
            try:
                count = cache.incr(key)
            except ValueError:
                count = 1
    return count > limit


def seconds_until_reset(window, now=None):
    """Seconds until the current fixed window of ``hit_rate_limit`` ends: how long a stopped reader waits."""
    now = int(time.time()) if now is None else int(now)
    return window - now % window


def step_limit():
    return app_settings.STEP_RATE_LIMIT


def submit_limit():
    return app_settings.SUBMIT_RATE_LIMIT


def spam_indicators(form_data, started_at, now=None):
    """Reasons to suspect a bot: the honeypot is filled, or the wizard was finished implausibly fast."""
    reasons = []
    if (form_data.get(HONEYPOT_FIELD) or "").strip():
        reasons.append("honeypot")
    minimum = app_settings.MIN_SECONDS
    now = time.time() if now is None else now
    if started_at is None or now - started_at < minimum:
        reasons.append("too_fast")
    return reasons
