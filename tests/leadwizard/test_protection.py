"""Whose address the wizard's rate limits count: trusted proxies, X-Forwarded-For from the right, IPv6 per /64.

Most tests compare fingerprints: a request that came through proxies must be
counted exactly like a request sent straight from the address we expect to be
the client's, and unlike one from any other address.
"""

import logging

import pytest
from django.core.checks import run_checks
from django.test import RequestFactory, override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from leadwizard.wizard import protection
from leadwizard.wizard.protection import client_fingerprint, hit_rate_limit

TRUSTED = ["10.0.0.0/8", "192.0.2.10", "2001:db8:ffff::/48"]


@pytest.fixture
def proxies(settings):
    settings.LEADWIZARD_TRUSTED_PROXIES = TRUSTED
    # A deployment that still has the old switch on: it must change nothing.
    settings.LEADWIZARD_TRUST_X_FORWARDED_FOR = True


def fingerprint(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_fingerprint(RequestFactory().post("/", **extra))


def counted_as(remote_addr, forwarded, expected):
    """Whether the request is counted as a request straight from ``expected``."""
    return fingerprint(remote_addr, forwarded) == fingerprint(expected)


@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "expected"),
    [
        # A client that reaches the app server directly cannot choose its address.
        ("198.51.100.1", "203.0.113.5", "198.51.100.1"),
        ("198.51.100.1", "10.0.0.3, 203.0.113.5", "198.51.100.1"),
        # From a trusted proxy the address it appended is the client.
        ("10.0.0.2", "203.0.113.5", "203.0.113.5"),
        ("192.0.2.10", "203.0.113.5", "203.0.113.5"),
        # A spoofed left-most entry is ignored: the right-most untrusted one counts.
        ("10.0.0.2", "1.1.1.1, 203.0.113.5", "203.0.113.5"),
        # Chained trusted proxies (CDN -> load balancer -> nginx) are skipped.
        ("10.0.0.2", "1.1.1.1, 203.0.113.5, 192.0.2.10, 10.1.2.3", "203.0.113.5"),
        ("10.0.0.2", "203.0.113.5,2001:db8:ffff:1::7", "203.0.113.5"),
        # Only proxies in the list: the left-most of them is as close to the client as we get.
        ("10.0.0.2", "10.9.9.9", "10.9.9.9"),
        # Malformed entries end the walk; the last trusted hop stands, never the garbage.
        ("10.0.0.2", "203.0.113.5, not-an-address", "10.0.0.2"),
        ("10.0.0.2", "203.0.113.5, bogus, 10.1.2.3", "10.1.2.3"),
        ("10.0.0.2", "203.0.113.5,,", "10.0.0.2"),
        ("10.0.0.2", "203.0.113.5, 10.1.2.3/8", "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", " , ", "10.0.0.2"),
        ("10.0.0.2", "x" * 10_000, "10.0.0.2"),
        # Proxies that write ports.
        ("10.0.0.2", "203.0.113.5:4711", "203.0.113.5"),
        ("10.0.0.2", "[2001:db8:5::5]:443", "2001:db8:5::5"),
        ("10.0.0.2", "203.0.113.5:http", "10.0.0.2"),
        # IPv4-mapped IPv6 addresses are IPv4, for clients and for proxies.
        ("::ffff:198.51.100.1", None, "198.51.100.1"),
        ("::ffff:10.0.0.2", "203.0.113.5", "203.0.113.5"),
        ("10.0.0.2", "::ffff:203.0.113.5", "203.0.113.5"),
    ],
)
def test_the_client_is_the_right_most_untrusted_address(proxies, remote_addr, forwarded, expected):
    assert counted_as(remote_addr, forwarded, expected)


def test_a_spoofed_header_does_not_make_a_new_client(proxies):
    assert fingerprint("198.51.100.1", "203.0.113.5") == fingerprint("198.51.100.1", "203.0.113.6")
    assert fingerprint("10.0.0.2", "1.1.1.1, 203.0.113.5") == fingerprint("10.0.0.2", "8.8.8.8, 203.0.113.5")
    # ... while the address our proxy saw does.
    assert fingerprint("10.0.0.2", "203.0.113.5") != fingerprint("10.0.0.2", "203.0.113.6")


def test_the_old_setting_no_longer_trusts_every_peer(settings):
    settings.LEADWIZARD_TRUST_X_FORWARDED_FOR = True
    settings.LEADWIZARD_TRUSTED_PROXIES = []
    assert counted_as("198.51.100.1", "203.0.113.5", "198.51.100.1")
    assert not counted_as("198.51.100.1", "203.0.113.5", "203.0.113.5")


def test_without_trusted_proxies_forwarded_addresses_are_ignored(settings):
    settings.LEADWIZARD_TRUSTED_PROXIES = []
    assert counted_as("127.0.0.1", "203.0.113.5", "127.0.0.1")


def test_invalid_entries_are_skipped_at_run_time(settings):
    settings.LEADWIZARD_TRUSTED_PROXIES = ["not-a-network", "10.0.0.1/8", "10.0.0.2"]
    assert counted_as("10.0.0.2", "203.0.113.5", "203.0.113.5")
    # 10.0.0.1/8 has host bits: not silently widened to all of 10/8.
    assert counted_as("10.0.0.3", "203.0.113.5", "10.0.0.3")
    settings.LEADWIZARD_TRUSTED_PROXIES = "10.0.0.2"  # a string, not a list
    assert counted_as("10.0.0.2", "203.0.113.5", "10.0.0.2")


@given(forwarded=st.text(max_size=200))
@hypothesis_settings(max_examples=200, deadline=None)
def test_any_header_from_an_untrusted_peer_is_ignored_and_never_breaks(forwarded):
    # override_settings, not the settings fixture: hypothesis runs many examples per test call.
    with override_settings(LEADWIZARD_TRUSTED_PROXIES=TRUSTED):
        assert counted_as("198.51.100.1", forwarded, "198.51.100.1")
        fingerprint("10.0.0.2", forwarded)  # from a proxy: any answer, but no exception


def test_unix_socket_peers_are_trusted_only_when_listed(settings, caplog, monkeypatch):
    # gunicorn bound to a unix socket sets REMOTE_ADDR to "".
    settings.LEADWIZARD_TRUSTED_PROXIES = ["unix"]
    assert fingerprint("", "203.0.113.5") == fingerprint("203.0.113.5")
    assert fingerprint("", "203.0.113.5") != fingerprint("", "203.0.113.6")
    assert fingerprint("", "1.1.1.1, 203.0.113.5") == fingerprint("203.0.113.5")

    # Not listed: the header is ignored, every reader shares the empty address, and the log says why.
    settings.LEADWIZARD_TRUSTED_PROXIES = ["127.0.0.1"]
    monkeypatch.setattr(protection, "_warned_unix_socket", False)
    with caplog.at_level(logging.WARNING, logger="leadwizard.wizard.protection"):
        assert fingerprint("", "203.0.113.5") == fingerprint("", "203.0.113.6")
    assert len(caplog.records) == 1
    assert "LEADWIZARD_TRUSTED_PROXIES" in caplog.text


def test_ipv6_clients_are_limited_per_64(settings):
    settings.LEADWIZARD_TRUSTED_PROXIES = []
    same_64 = [f"2001:db8:1:2:{n:x}::{n}" for n in range(1, 21)]
    assert len({fingerprint(address) for address in same_64}) == 1
    assert fingerprint("2001:db8:1:2::1") != fingerprint("2001:db8:1:3::1")


def test_one_64_shares_a_limit_another_64_does_not(settings):
    settings.LEADWIZARD_TRUSTED_PROXIES = ["unix"]
    factory = RequestFactory()

    def over_limit(client):
        request = factory.post("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=client)
        return hit_rate_limit(request, "test", 3, 600)

    # 20 addresses of one /64: the first three are allowed, the rest are over the limit.
    results = [over_limit(f"2001:db8:1:2::{n:x}") for n in range(1, 21)]
    assert results == [False] * 3 + [True] * 17
    assert over_limit("2001:db8:1:3::1") is False
    # IPv4 stays per address.
    assert [over_limit("203.0.113.5") for _ in range(4)] == [False, False, False, True]
    assert over_limit("203.0.113.6") is False


def check_ids(settings, **overrides):
    for name, value in overrides.items():
        setattr(settings, name, value)
    return [message.id for message in run_checks() if message.id.startswith("leadwizard.")]


def test_system_check_accepts_addresses_networks_and_unix(settings):
    assert (
        check_ids(settings, LEADWIZARD_TRUSTED_PROXIES=[*TRUSTED, "::1", "unix", "::ffff:10.0.0.0/104"]) == []
    )


@pytest.mark.parametrize("entry", ["not-an-address", "10.0.0.1/8", "10.0.0.0/33", "localhost", "", 42])
def test_system_check_reports_a_bad_entry(settings, entry):
    settings.LEADWIZARD_TRUSTED_PROXIES = ["127.0.0.1", entry]
    errors = [message for message in run_checks() if message.id == "leadwizard.E002"]
    assert len(errors) == 1
    assert repr(entry) in errors[0].msg
    assert errors[0].is_serious()


def test_system_check_reports_a_string_instead_of_a_list(settings):
    assert check_ids(settings, LEADWIZARD_TRUSTED_PROXIES="10.0.0.1") == ["leadwizard.E001"]


def test_system_check_warns_that_the_old_setting_is_ignored(settings):
    settings.LEADWIZARD_TRUST_X_FORWARDED_FOR = True
    warnings = [message for message in run_checks() if message.id == "leadwizard.W001"]
    assert len(warnings) == 1
    assert "LEADWIZARD_TRUST_X_FORWARDED_FOR" in warnings[0].msg
    assert "LEADWIZARD_TRUSTED_PROXIES" in warnings[0].hint
    assert not warnings[0].is_serious()


def test_a_count_started_by_another_request_in_between_goes_on(monkeypatch):
    """The first hit of a window finds no count; when a parallel request of the client starts it first,
    this hit is counted on top."""
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    started_by_the_other = protection.cache.add

    def add_after_the_other(key, value, timeout=None):
        started_by_the_other(key, 3, timeout)  # three hits of the other request were counted meanwhile
        return False

    monkeypatch.setattr(protection.cache, "add", add_after_the_other)
    assert hit_rate_limit(request, "parallel", 3, 600) is True  # the fourth hit
