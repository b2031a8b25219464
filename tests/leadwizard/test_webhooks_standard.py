"""Webhooks signed as the Standard Webhooks specification says, checked by its reference library.

Real calls go to a local receiver (``tests.utils.WebhookReceiver``) that checks
them with ``standardwebhooks.Webhook(secret).verify``, as a receiver in the
wild would; the secret's format, its rotation, the migration of secrets of old
and the admin's verification panel are here too.
"""

import base64
import hashlib
import hmac
import importlib
import json
import re
import time
from datetime import datetime, timedelta

import pytest
import standardwebhooks
from django.apps import apps
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from leadwizard.admin.webhooks import SECRET_PLACEHOLDER, WebhookVerificationPanel
from leadwizard.deliveries import attempts
from leadwizard.deliveries.channels import webhook as webhook_channel
from leadwizard.models import Delivery, Webhook
from tests.factories import LeadFactory
from tests.utils import WebhookReceiver

pytestmark = pytest.mark.django_db

# The standard's forms: a secret is whsec_ and base64; a signature v1, and base64 (of 32 bytes).
SECRET_RE = re.compile(r"^whsec_[A-Za-z0-9+/]+={0,2}$")
SIGNATURE_RE = re.compile(r"^v1,[A-Za-z0-9+/]{43}=$")
TOLERANCE = timedelta(minutes=5)  # the library's, fixed in standardwebhooks.Webhook


@pytest.fixture
def receiver(settings):
    """Start receivers on 127.0.0.1, which webhooks may call only when the operator allows it."""
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    started = []

    def start(*statuses, secret):
        server = WebhookReceiver(statuses or [200], secret=secret)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def deliver(hook):
    """One webhook delivery of a new lead, attempted once; the delivery, refreshed."""
    lead = LeadFactory()
    delivery = Delivery.objects.create(lead=lead, kind=Delivery.Kind.WEBHOOK, webhook=hook, target=hook.url)
    attempts.attempt(delivery)
    delivery.refresh_from_db()
    return delivery


def verify(secret, request):
    """What a receiver's library makes of a recorded request (raises WebhookVerificationError)."""
    return standardwebhooks.Webhook(secret).verify(request["body"], dict(request["headers"]))


class LaterClock(datetime):
    """``datetime`` for the library, its clock just past the tolerance after now: a replay arriving late."""

    @classmethod
    def now(cls, tz=None):
        return datetime.now(tz) + TOLERANCE + timedelta(seconds=1)


# Deliveries -------------------------------------------------------------------------------------


def test_a_delivery_carries_the_standard_headers_and_the_library_accepts_it(receiver):
    hook = Webhook.objects.create(name="CRM", url="http://127.0.0.1/")
    server = receiver(200, secret=hook.receiver_secret)
    hook.url = server.url
    hook.save()

    delivery = deliver(hook)

    assert delivery.status == Delivery.Status.SUCCEEDED, delivery.last_error
    [request] = server.requests
    assert request["signature_valid"], request["verification_error"]
    headers = request["headers"]
    assert headers["webhook-id"] == f"msg_{delivery.lead.submission_key.hex}_{delivery.pk}"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert SIGNATURE_RE.match(headers["webhook-signature"])  # one secret: one signature
    # verify() hands back the payload it checked: the lead, as sent.
    assert verify(hook.receiver_secret, request)["lead"]["id"] == delivery.lead.pk


def test_another_secret_is_refused_by_the_library(receiver):
    server = receiver(200, secret=Webhook.generate_secret())
    hook = Webhook.objects.create(name="CRM", url=server.url)

    deliver(hook)

    [request] = server.requests
    assert request["verification_error"] == "No matching signature found"


def test_the_deprecated_signature_is_still_sent_for_receivers_of_old(receiver):
    """One more release: a receiver that checks X-LeadWizard-Signature with its secret of old keeps working."""
    server = receiver(200, secret=Webhook.standard_form("geheim"))
    hook = Webhook.objects.create(name="CRM", url=server.url, secret="geheim")  # stored before 0016

    deliver(hook)

    [request] = server.requests
    assert request["signature_valid"]  # the same key, in whsec_ form, for the library
    expected = hmac.new(b"geheim", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-LeadWizard-Signature"] == f"sha256={expected}"


def test_a_retry_keeps_the_webhook_id_and_is_signed_with_a_fresh_timestamp(receiver, monkeypatch):
    hook = Webhook.objects.create(name="CRM", url="http://127.0.0.1/")
    server = receiver(500, 200, secret=hook.receiver_secret)
    hook.url = server.url
    hook.save()
    first_try = int(time.time()) - 90  # within the tolerance, so the library accepts both calls
    clock = iter([first_try, first_try + 90])
    monkeypatch.setattr(webhook_channel, "attempt_time", lambda: next(clock))

    delivery = deliver(hook)
    assert delivery.status == Delivery.Status.RETRYING
    attempts.attempt(delivery)
    delivery.refresh_from_db()

    assert delivery.status == Delivery.Status.SUCCEEDED, delivery.last_error
    first, retry = server.requests
    assert first["signature_valid"] and retry["signature_valid"]
    assert first["headers"]["webhook-id"] == retry["headers"]["webhook-id"]  # the receiver can drop a repeat
    assert [first["headers"]["webhook-timestamp"], retry["headers"]["webhook-timestamp"]] == [
        str(first_try),
        str(first_try + 90),
    ]
    assert first["headers"]["webhook-signature"] != retry["headers"]["webhook-signature"]


def test_a_call_older_than_the_tolerance_is_refused_by_the_library(receiver, monkeypatch):
    hook = Webhook.objects.create(name="CRM", url="http://127.0.0.1/")
    server = receiver(200, secret=hook.receiver_secret)
    hook.url = server.url
    hook.save()
    monkeypatch.setattr(webhook_channel, "attempt_time", lambda: int(time.time()) - 6 * 60)

    deliver(hook)

    [request] = server.requests
    assert request["verification_error"] == "Message timestamp too old"


def test_a_recorded_call_replayed_later_is_refused_and_its_timestamp_cannot_be_refreshed(
    receiver, monkeypatch
):
    hook = Webhook.objects.create(name="CRM", url="http://127.0.0.1/")
    server = receiver(200, secret=hook.receiver_secret)
    hook.url = server.url
    hook.save()
    deliver(hook)
    [request] = server.requests
    assert request["signature_valid"]

    # The same bytes, replayed just past the tolerance: the library's clock moved on.
    with monkeypatch.context() as later:
        later.setattr(standardwebhooks.webhooks, "datetime", LaterClock)
        with pytest.raises(standardwebhooks.WebhookVerificationError, match="too old"):
            verify(hook.receiver_secret, request)

    # A fresh timestamp does not help the replay: the signature covers it.
    headers = {**dict(request["headers"]), "webhook-timestamp": str(int(time.time()) + 1)}
    with pytest.raises(standardwebhooks.WebhookVerificationError, match="No matching signature"):
        standardwebhooks.Webhook(hook.receiver_secret).verify(request["body"], headers)


# Rotation ---------------------------------------------------------------------------------------


def test_during_a_rotation_both_secrets_verify_and_after_expiry_only_the_new_one(receiver):
    hook = Webhook.objects.create(name="CRM", url="http://127.0.0.1/")
    old_secret = hook.receiver_secret
    hook.rotate_secret(previous_valid_until=timezone.now() + timedelta(hours=1))
    server = receiver(200, secret=hook.receiver_secret)
    hook.url = server.url
    hook.save()
    new_secret = hook.receiver_secret
    assert new_secret != old_secret

    deliver(hook)
    during = server.requests[-1]
    signatures = during["headers"]["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(SIGNATURE_RE.match(s) for s in signatures)
    verify(new_secret, during)
    verify(old_secret, during)  # a receiver not yet switched keeps accepting calls

    hook.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    hook.save()
    deliver(hook)
    after = server.requests[-1]
    assert SIGNATURE_RE.match(after["headers"]["webhook-signature"])
    verify(new_secret, after)
    with pytest.raises(standardwebhooks.WebhookVerificationError, match="No matching signature"):
        verify(old_secret, after)


def test_a_previous_secret_without_expiry_is_signed_with_until_removed():
    hook = Webhook.objects.create(name="CRM", url="https://crm.example.com/")
    old_key = Webhook.secret_key(hook.secret)
    hook.rotate_secret(previous_valid_until=None)
    far_future = timezone.now() + timedelta(days=3650)
    assert hook.signing_keys(far_future) == [Webhook.secret_key(hook.secret), old_key]

    hook.remove_previous_secret()
    assert hook.signing_keys() == [Webhook.secret_key(hook.secret)]


def test_the_previous_secret_stops_signing_at_its_expiry():
    hook = Webhook.objects.create(name="CRM", url="https://crm.example.com/")
    until = timezone.now() + timedelta(minutes=10)
    hook.rotate_secret(previous_valid_until=until)
    assert len(hook.signing_keys(until - timedelta(seconds=1))) == 2
    assert hook.signing_keys(until) == [Webhook.secret_key(hook.secret)]


def test_a_new_rotation_drops_the_secret_before_last():
    """Only two secrets are ever signed with: the header stays short and old secrets really end."""
    hook = Webhook.objects.create(name="CRM", url="https://crm.example.com/")
    first = hook.secret
    hook.rotate_secret()
    second = hook.secret
    hook.rotate_secret()
    assert hook.previous_secret == second
    assert Webhook.secret_key(first) not in hook.signing_keys()


# The secret's format and the migration of secrets of old -----------------------------------------


def test_a_new_webhook_gets_a_random_secret_in_the_standard_format():
    one = Webhook.objects.create(name="CRM", url="https://crm.example.com/")
    other = Webhook.objects.create(name="ERP", url="https://erp.example.com/")

    assert SECRET_RE.match(one.secret)
    key = base64.b64decode(one.secret.removeprefix("whsec_"))
    assert 24 <= len(key) <= 64  # the standard's range
    assert one.secret != other.secret
    assert standardwebhooks.Webhook(one.secret)._whsecret == key  # the library reads it as we do


def test_the_migration_rewrites_secrets_of_old_keeping_their_key_and_back():
    migration = importlib.import_module("leadwizard.migrations.0016_webhook_standard_signatures")
    hook = Webhook.objects.create(name="Alt", url="https://crm.example.com/", secret="geheim")

    migration.to_standard_form(apps, None)
    hook.refresh_from_db()
    assert hook.secret == "whsec_" + base64.b64encode(b"geheim").decode()
    assert Webhook.secret_key(hook.secret) == b"geheim"  # receivers of old still match

    migration.to_old_form(apps, None)
    hook.refresh_from_db()
    assert hook.secret == "geheim"


def test_going_back_keeps_a_secret_generated_since():
    """Its random bytes are no text to go back to; the code of old would sign with the whsec_ text."""
    migration = importlib.import_module("leadwizard.migrations.0016_webhook_standard_signatures")
    hook = Webhook.objects.create(name="Neu", url="https://crm.example.com/")
    hook.secret = "whsec_" + base64.b64encode(b"\xff" * 32).decode()  # not UTF-8, as random bytes mostly are
    hook.save()

    migration.to_old_form(apps, None)
    hook.refresh_from_db()
    assert hook.secret == "whsec_" + base64.b64encode(b"\xff" * 32).decode()


def test_a_secret_of_old_that_looks_like_whsec_keeps_its_text_as_the_key():
    """Before 0016 the text itself was the key, whatever it looked like; rewriting keeps that."""
    migration = importlib.import_module("leadwizard.migrations.0016_webhook_standard_signatures")
    hook = Webhook.objects.create(name="Alt", url="https://crm.example.com/", secret="x")
    Webhook.objects.filter(pk=hook.pk).update(secret="whsec_abcd")

    migration.to_standard_form(apps, None)
    hook.refresh_from_db()
    assert Webhook.secret_key(hook.secret) == b"whsec_abcd"


# The admin --------------------------------------------------------------------------------------


@pytest.fixture
def hook():
    return Webhook.objects.create(name="CRM", url="https://crm.example.com/hook")


@pytest.fixture
def dns(monkeypatch):
    """crm.example.com resolves to a public address, so the admin may save a webhook pointing there."""
    from tests.leadwizard.test_webhook_targets import PUBLIC_V4, fake_dns

    return fake_dns(monkeypatch, {"crm.example.com": [[PUBLIC_V4]] * 5})


def staff(django_user_model, username, *codenames):
    user = django_user_model.objects.create_user(username, password="pw")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    return user


def edit_url(hook):
    return reverse("wagtailsnippets_leadwizard_webhook:edit", args=[hook.pk])


def test_the_edit_view_shows_the_verification_code_with_the_secret(client, django_user_model, hook):
    client.force_login(staff(django_user_model, "marketing", "change_webhook"))

    html = client.get(edit_url(hook)).content.decode()

    assert 'Webhook("' + hook.receiver_secret + '")' in html  # Python
    assert 'new Webhook("' + hook.receiver_secret + '")' in html  # Node
    assert "pip install standardwebhooks" in html and "npm install standardwebhooks" in html
    assert 'name="secret"' not in html  # shown, never a field to type over


def test_a_short_secret_of_old_is_shown_in_whsec_form_with_a_call_to_rotate(admin_client):
    hook = Webhook.objects.create(name="Alt", url="https://crm.example.com/", secret="geheim")

    html = admin_client.get(edit_url(hook)).content.decode()

    assert "whsec_" + base64.b64encode(b"geheim").decode() in html  # what the receiver's library needs
    assert "data-secret-too-short" in html  # 6 bytes, where the standard asks for 24 at least


def test_the_panel_shows_no_secret_to_a_user_who_may_not_change_webhooks(django_user_model, hook):
    """The edit view needs the change permission anyway; the panel does not rely on that."""
    viewer = staff(django_user_model, "leser", "view_webhook", "add_webhook")
    request = RequestFactory().get("/")
    request.user = viewer
    panel = WebhookVerificationPanel().bind_to_model(Webhook)

    html = panel.get_bound_panel(instance=hook, request=request, form=None).render_html()

    assert hook.receiver_secret not in html
    assert base64.b64encode(Webhook.secret_key(hook.secret)).decode() not in html
    assert f'Webhook("{SECRET_PLACEHOLDER}")' in html  # the code itself is still there to copy


def test_users_who_may_not_change_webhooks_reach_no_page_with_the_secret(client, django_user_model, hook):
    client.force_login(staff(django_user_model, "leser", "view_webhook", "add_webhook"))

    assert client.get(edit_url(hook)).status_code in (302, 403)
    add = client.get(reverse("wagtailsnippets_leadwizard_webhook:add"))
    assert add.status_code == 200 and hook.receiver_secret not in add.content.decode()
    # A copy would open the add form on the original, secret and all: there is none.
    with pytest.raises(NoReverseMatch):
        reverse("wagtailsnippets_leadwizard_webhook:copy", args=[hook.pk])


def form_data(hook, **extra):
    return {"name": hook.name, "url": hook.url, "active": "on", **extra}


def test_the_admin_generates_the_secret_of_a_new_webhook(admin_client, dns):
    response = admin_client.post(
        reverse("wagtailsnippets_leadwizard_webhook:add"),
        {"name": "CRM", "url": "https://crm.example.com/hook", "active": "on", "secret": "mein-eigenes"},
    )
    assert response.status_code == 302
    assert SECRET_RE.match(Webhook.objects.get().secret)  # a posted secret is ignored


def test_the_admin_rotates_the_secret_keeping_the_old_one_until_the_chosen_time(admin_client, dns, hook):
    old = hook.secret
    response = admin_client.post(
        edit_url(hook),
        form_data(hook, rotate_secret="on", previous_secret_expires_at="2099-01-01 12:00"),
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert SECRET_RE.match(hook.secret) and hook.secret != old
    assert hook.previous_secret == old
    assert hook.previous_secret_expires_at.year == 2099

    html = admin_client.get(edit_url(hook)).content.decode()
    assert hook.receiver_secret in html  # the code shows the new secret
    assert 'data-previous-secret="valid"' in html  # the editor says the old one still signs

    admin_client.post(edit_url(hook), form_data(hook, remove_previous_secret="on"))
    hook.refresh_from_db()
    assert hook.previous_secret == "" and hook.previous_secret_expires_at is None


def test_rotating_and_removing_at_once_is_refused(admin_client, dns, hook):
    old = hook.secret
    response = admin_client.post(
        edit_url(hook), form_data(hook, rotate_secret="on", remove_previous_secret="on")
    )
    assert response.status_code == 200
    assert "remove_previous_secret" in response.context["form"].errors
    hook.refresh_from_db()
    assert hook.secret == old


def test_saving_without_rotating_keeps_the_secret(admin_client, dns, hook):
    old = hook.secret
    admin_client.post(edit_url(hook), form_data(hook, name="CRM neu"))
    hook.refresh_from_db()
    assert hook.name == "CRM neu" and hook.secret == old


def test_a_payload_verified_by_the_library_is_the_body_sent(receiver):
    """verify() parses the body it checked: a receiver needs no second parse of unchecked bytes."""
    hook = Webhook.objects.create(name="CRM", url="http://127.0.0.1/")
    server = receiver(200, secret=hook.receiver_secret)
    hook.url = server.url
    hook.save()
    deliver(hook)
    [request] = server.requests
    assert verify(hook.receiver_secret, request) == json.loads(request["body"])
