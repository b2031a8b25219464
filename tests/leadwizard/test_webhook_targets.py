"""What a webhook may call (leadwizard/webhook_targets.py), checked when the webhook is saved.

No test here touches the network: ``socket.getaddrinfo`` of the module under
test is replaced by ``FakeDNS``, which knows a few names and finds no other.
The checks at delivery time (DNS rebinding, the pinned address, TLS) are in
test_deliveries.py, next to the local webhook receiver.
"""

import ipaddress
import socket

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadwizard import webhook_targets
from leadwizard.models import Webhook

pytestmark = pytest.mark.django_db

# Globally routable addresses (example.com's); the documentation ranges (192.0.2/24, 2001:db8::/32) are not.
PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


class FakeDNS:
    """Stands in for ``socket.getaddrinfo``: fixed answers per name, every lookup recorded.

    ``answers`` maps a name to a list of answers (each a list of addresses),
    given out in turn, the last one repeating. Other names are not found.
    """

    def __init__(self, answers):
        self.answers = {name: list(replies) for name, replies in answers.items()}
        self.lookups = []

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        self.lookups.append(host)
        replies = self.answers.get(host)
        if not replies:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = replies.pop(0) if len(replies) > 1 else replies[0]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]


def fake_dns(monkeypatch, answers):
    dns = FakeDNS(answers)
    monkeypatch.setattr(webhook_targets.socket, "getaddrinfo", dns)
    return dns


@pytest.fixture
def dns(monkeypatch):
    return fake_dns(
        monkeypatch,
        {
            "crm.example.com": [[PUBLIC_V4]],
            "v6.example.com": [[PUBLIC_V6]],
            "intern.example.com": [["10.1.2.3"]],
            "metadata.example.com": [["169.254.169.254"]],
            "mixed.example.com": [[PUBLIC_V4, "127.0.0.1"]],
            "localhost": [["127.0.0.1", "::1"]],
        },
    )


def webhook(url):
    return Webhook(name="CRM", url=url, secret="geheim")


def form_data(url):
    return {"name": "CRM", "url": url, "secret": "geheim", "active": "on"}


def codes(errors, field="url"):
    return [error.code for error in errors[field]]


# (URL, code of the refusal). Numeric hosts and localhost are refused without a lookup;
# a name is refused when any of its addresses is not public.
REFUSED = [
    ("http://127.0.0.1/", "not_public"),
    ("http://localhost/", "not_public"),
    ("http://169.254.169.254/latest/meta-data/", "not_public"),
    ("http://10.0.0.1/", "not_public"),
    ("http://[::1]/", "not_public"),
    ("http://[::ffff:127.0.0.1]/", "not_public"),
    ("http://0.0.0.0/", "not_public"),
    ("http://2130706433/", "not_public"),  # 127.0.0.1 in decimal, as the C resolver reads it
    ("http://0177.0.0.1/", "not_public"),  # … and in octal
    ("http://100.64.0.1/", "not_public"),
    ("http://[fd00::1]/", "not_public"),
    ("http://intern.example.com/", "not_public"),
    ("http://metadata.example.com/latest/meta-data/", "not_public"),
    ("https://mixed.example.com/", "not_public"),
    ("ftp://crm.example.com/", "scheme"),
    ("http://user:pass@crm.example.com/", "credentials"),
]


@pytest.mark.parametrize("url, code", REFUSED)
def test_full_clean_refuses_targets_that_are_not_public(dns, url, code):
    with pytest.raises(ValidationError) as info:
        webhook(url).full_clean()
    assert code in codes(info.value.error_dict)


@pytest.mark.parametrize("url, code", REFUSED)
def test_the_admin_refuses_to_add_such_a_webhook(admin_client, dns, url, code):
    response = admin_client.post(reverse("wagtailsnippets_leadwizard_webhook:add"), form_data(url))
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert not Webhook.objects.exists()


def test_the_admin_refuses_to_point_a_webhook_at_the_metadata_service(admin_client, dns):
    hook = Webhook.objects.create(name="CRM", url="https://crm.example.com/hook", secret="geheim")
    response = admin_client.post(
        reverse("wagtailsnippets_leadwizard_webhook:edit", args=[hook.pk]),
        form_data("http://169.254.169.254/latest/meta-data/"),
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["url"]
    assert error.code == "not_public"
    assert "169.254.169.254" in response.content.decode()
    hook.refresh_from_db()
    assert hook.url == "https://crm.example.com/hook"


def test_localhost_is_refused_without_asking_the_resolver(dns):
    with pytest.raises(ValidationError):
        webhook("http://api.localhost:8080/").full_clean()
    assert dns.lookups == []


@pytest.mark.parametrize(
    "url",
    [
        "https://crm.example.com/hooks/lead?source=portal",
        "http://crm.example.com:8080/",
        "https://v6.example.com/",
        f"http://{PUBLIC_V4}/",
        f"https://[{PUBLIC_V6}]:8443/",
    ],
)
def test_public_hosts_are_accepted(dns, url):
    webhook(url).full_clean()


def test_the_admin_saves_a_webhook_to_a_public_host(admin_client, dns):
    response = admin_client.post(
        reverse("wagtailsnippets_leadwizard_webhook:add"), form_data("https://crm.example.com/hook")
    )
    assert response.status_code == 302
    assert Webhook.objects.get().url == "https://crm.example.com/hook"
    assert dns.lookups == ["crm.example.com"]


def test_a_host_that_cannot_be_found_is_refused(admin_client, dns):
    response = admin_client.post(
        reverse("wagtailsnippets_leadwizard_webhook:add"), form_data("https://nowhere.example.com/")
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["url"]
    assert error.code == "not_found"
    assert "nowhere.example.com" in str(error.message % error.params)
    assert not Webhook.objects.exists()


# The operator's allow-list -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "allowed, url",
    [
        (["127.0.0.1"], "http://127.0.0.1:8000/hook"),
        (["127.0.0.0/8"], "http://127.0.0.2:8000/"),
        (["127.0.0.0/8"], "http://[::ffff:127.0.0.1]/"),
        (["10.0.0.0/8"], "http://intern.example.com/"),
        (["INTERN.example.com."], "http://intern.example.com/"),
        (["localhost"], "http://localhost:8000/"),
        ("127.0.0.1, ::1", "http://[::1]/"),  # a comma-separated string counts as a list
    ],
)
def test_the_allow_list_lets_a_host_through(settings, dns, allowed, url):
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = allowed
    webhook(url).full_clean()


@pytest.mark.parametrize(
    "allowed, url",
    [
        (["10.0.0.0/8"], "http://127.0.0.1/"),
        (["127.0.0.1"], "http://localhost/"),  # localhost also means ::1, which is not allowed
        (["crm.example.com"], "ftp://crm.example.com/"),
        (["crm.example.com"], "http://user:pass@crm.example.com/"),
        (["intern.example.com"], "http://mixed.example.com/"),
    ],
)
def test_the_allow_list_lets_nothing_else_through(settings, dns, allowed, url):
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = allowed
    with pytest.raises(ValidationError):
        webhook(url).full_clean()


# The address rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "0.0.0.0",  # noqa: S104 - an address that is refused, nothing binds to it
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "192.0.0.1",
        "192.0.2.1",
        "198.18.0.1",
        "224.0.0.251",  # multicast: is_global says yes
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fec0::1",  # site-local: is_global says yes
        "fd00::1",
        "ff02::1",  # multicast: is_global says yes
        "2001:db8::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",  # IPv4-compatible
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1: is_global says yes
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    ],
)
def test_addresses_that_are_not_public(address):
    assert not webhook_targets.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [PUBLIC_V4, "8.8.8.8", PUBLIC_V6, "::ffff:8.8.8.8", "2002:808:808::1"])
def test_public_addresses(address):
    assert webhook_targets.is_public(ipaddress.ip_address(address))


def test_a_refused_target_says_why():
    with pytest.raises(webhook_targets.RefusedTarget) as info:
        webhook_targets.check_url("http://169.254.169.254/latest/meta-data/")
    assert "169.254.169.254" in str(info.value)
    assert "LEADWIZARD_WEBHOOK_ALLOWED_HOSTS" in str(info.value)


def test_a_target_keeps_host_port_and_path_and_the_checked_addresses(dns):
    target = webhook_targets.check_url("https://CRM.example.com/hooks/lead?source=portal#ignored")
    assert target == webhook_targets.Target(
        "https", "crm.example.com", 443, "/hooks/lead?source=portal", (ipaddress.ip_address(PUBLIC_V4),)
    )
