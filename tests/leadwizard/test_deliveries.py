"""Deliveries after a lead: e-mails, signed webhooks, retries with backoff, and the marketer's retry."""

import base64
import email
import hashlib
import hmac
import io
import ipaddress
import json
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
from datetime import timedelta

import pytest
from django.contrib import messages as message_levels
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry, Site

from leadwizard import webhook_targets
from leadwizard.audit import LOG_RETRY
from leadwizard.deliveries import attempts, planning
from leadwizard.deliveries.channels import channel_for
from leadwizard.deliveries.channels import webhook as webhook_channel
from leadwizard.deliveries.errors import DeliveryError
from leadwizard.models import Delivery, Lead, Webhook
from tests.factories import (
    LeadFactory,
    QuestionnaireFactory,
    build_wizard_page,
    translate_page,
    wizard_article,
)
from tests.leadwizard.test_webhook_targets import PUBLIC_V4, fake_dns
from tests.utils import WEBHOOK_SECRET, WebhookReceiver, sent, submit_lead

pytestmark = pytest.mark.django_db

SECRET = WEBHOOK_SECRET
Kind = Delivery.Kind
Status = Delivery.Status


def replace_send(monkeypatch, kind, send):
    """Make the channel of ``kind`` call ``send(delivery, lead)`` instead of sending."""
    monkeypatch.setattr(type(channel_for(kind)), "send", lambda self, delivery, lead: send(delivery, lead))


# Helpers: a wizard page, a webhook receiver and an SMTP server on 127.0.0.1 ----------------------


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.LEADWIZARD_MIN_SECONDS = 0


@pytest.fixture
def wizard_page(site_tree):
    return build_wizard_page(site_tree)


@pytest.fixture
def allow_loopback(settings):
    """Webhooks to 127.0.0.1 are refused unless the operator allows them; the receivers live there."""
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def receiver(allow_loopback):
    started = []

    def start(*statuses, secret=SECRET, **options):
        server = WebhookReceiver(statuses or [200], secret=secret, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 127.0.0.1 test SMTP")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-127.0.0.1\r\n250 8BITMIME\r\n")
            elif verb == "HELO":
                self.reply("250 127.0.0.1")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b""):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                self.server.messages.append(
                    {"from": sender, "to": recipients, "message": email.message_from_bytes(b"".join(data))}
                )
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port=0):
        super().__init__(("127.0.0.1", port), SMTPHandler)
        self.messages = []
        # A short poll: shutdown() waits up to one poll interval (half a second by default).
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def stop(self):
        self.shutdown()
        self.server_close()


def closed_port():
    """A port on 127.0.0.1 where nothing listens (just freed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def webhook(url, **kwargs):
    return Webhook.objects.create(name=kwargs.pop("name", "CRM"), url=url, secret=SECRET, **kwargs)


def by_kind(lead):
    return {delivery.kind: delivery for delivery in lead.deliveries.all()}


def inspect_url(lead):
    """The lead's page in the admin; its URL name is only spelt out here."""
    return reverse("leadwizard_leads:inspect", args=[lead.pk if hasattr(lead, "pk") else lead])


# Scheduling and the e-mails --------------------------------------------------------------------


def test_a_new_lead_notifies_sales_confirms_to_the_reader_and_calls_webhooks(
    client, wizard_page, receiver, mailoutbox, settings, django_capture_on_commit_callbacks
):
    questionnaire, page, block_id = wizard_page
    server = receiver(200)
    hook = webhook(server.url)
    webhook("Switched off", active=False)
    other = webhook(server.url + "other/", name="Other questionnaire")
    other.questionnaires.set([QuestionnaireFactory(title="Anderer Fragebogen")])

    response = submit_lead(
        client, page, block_id, capture=django_capture_on_commit_callbacks, message="Bitte um Rückruf."
    )
    assert sent(response)
    lead = Lead.objects.get()
    kinds = by_kind(lead)
    assert set(kinds) == {Kind.SALES_NOTIFICATION, Kind.READER_CONFIRMATION, Kind.WEBHOOK}
    assert lead.deliveries.count() == 3  # the inactive and the foreign webhook are not called
    for delivery in kinds.values():
        assert delivery.status == Status.SUCCEEDED
        assert delivery.attempts == 1
        assert delivery.succeeded_at is not None
        assert delivery.next_attempt_at is None
        assert delivery.last_error == ""
    assert kinds[Kind.SALES_NOTIFICATION].target == settings.LEADWIZARD_SALES_EMAIL
    assert kinds[Kind.READER_CONFIRMATION].target == "erika@muster.example"
    assert kinds[Kind.WEBHOOK].webhook == hook
    assert [r["path"] for r in server.requests] == ["/"]

    sales, reader = sorted(mailoutbox, key=lambda m: m.to != [settings.LEADWIZARD_SALES_EMAIL])
    assert sales.to == [settings.LEADWIZARD_SALES_EMAIL]
    assert sales.reply_to == ["erika@muster.example"]
    assert "Muster GmbH" in sales.subject and "Erika Mustermann" in sales.subject
    assert "Vertrieb, Kundenservice" in sales.body
    assert "Bitte um Rückruf." in sales.body
    assert f"/admin/leadwizard/leads/inspect/{lead.pk}/" in sales.body
    assert "Alpha CRM" in sales.body  # the sales team sees the matches
    assert sales.alternatives[0].mimetype == "text/html"

    assert reader.to == ["erika@muster.example"]
    # Without a display name in DEFAULT_FROM_EMAIL the sender is named after the site.
    site_name = Site.objects.get(is_default_site=True).site_name
    assert reader.from_email == f"{site_name} <{settings.DEFAULT_FROM_EMAIL}>"
    html, mimetype = reader.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="de">' in html
    for part in (reader.body, html):
        assert "In welcher Branche arbeiten Sie?" in part  # the answers as shown
        assert "Vertrieb, Kundenservice" in part
        assert "Wir prüfen Ihre Angaben." in part  # what happens next (the questionnaire's success text)
        assert "Ich willige in die Verarbeitung meiner Angaben ein." in part  # the consent given
        assert settings.LEADWIZARD_SALES_EMAIL in part  # whom to write to withdraw it
        assert "Alpha CRM" not in part  # no advertising
    assert "<" not in reader.body  # the text part has no markup
    # The editor's placeholders with the reader's numbers.
    shown = lead.match_count
    assert f"- Wir prüfen Ihre Angaben.\n- Sie erhalten {min(shown, 7)} von {shown} Anbietern." in reader.body
    assert shown and "/results/" in reader.body  # the signed link to the results page
    assert "Datenschutz (https://crm.example/datenschutz/)" in reader.body  # links spelt out
    assert '<a href="https://crm.example/datenschutz/">Datenschutz</a>' in html


def test_the_questionnaires_notification_address_wins(
    client, wizard_page, mailoutbox, django_capture_on_commit_callbacks
):
    questionnaire, page, block_id = wizard_page
    questionnaire.notification_email = "crm-team@crm-portal.example"
    questionnaire.save()
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    assert by_kind(Lead.objects.get())[Kind.SALES_NOTIFICATION].target == "crm-team@crm-portal.example"
    assert ["crm-team@crm-portal.example"] in [m.to for m in mailoutbox]


def test_the_reader_is_answered_in_their_language(
    client, wizard_page, site_tree, mailoutbox, settings, django_capture_on_commit_callbacks
):
    questionnaire, page, block_id = wizard_page
    english = questionnaire.copy_for_translation(site_tree.en)
    english.title = "Start your CRM selection"
    english.success_text = "<p>We check your answers.</p>"
    english.save()
    english_page = translate_page(page, site_tree.en, title="CRM guide")
    with translation.override("en"):
        submit_lead(client, english_page, block_id, capture=django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    assert lead.locale == "en"
    reader = next(m for m in mailoutbox if m.to == [lead.email])
    sales = next(m for m in mailoutbox if m.to == [settings.LEADWIZARD_SALES_EMAIL])
    assert reader.subject == "We have received your request"
    assert "Start your CRM selection" in reader.body
    assert "We check your answers." in reader.body
    assert "What happens next" in reader.body
    assert '<html lang="en">' in reader.alternatives[0][0]
    assert '<html lang="de">' in sales.alternatives[0][0]  # sales read German


def test_line_breaks_in_contact_fields_cannot_inject_headers(
    client, wizard_page, mailoutbox, settings, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    submit_lead(
        client,
        page,
        block_id,
        capture=django_capture_on_commit_callbacks,
        name="Erika\r\nBcc: opfer@example.org",
        company="Muster\nGmbH",
    )
    lead = Lead.objects.get()
    # Stored on one line (leadwizard.text); the subject is made one line when sent, too.
    assert lead.name == "Erika Bcc: opfer@example.org"
    assert {d.status for d in lead.deliveries.all()} == {Status.SUCCEEDED}
    sales = next(m for m in mailoutbox if m.reply_to == [lead.email])
    assert "Erika Bcc: opfer@example.org" in sales.subject  # one line
    assert sales.message()["Bcc"] is None
    assert all(
        m.recipients() in (["erika@muster.example"], [settings.LEADWIZARD_SALES_EMAIL]) for m in mailoutbox
    )


def test_suspected_spam_gets_no_mail_to_the_address_it_names(
    client, wizard_page, mailoutbox, settings, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    submit_lead(
        client, page, block_id, capture=django_capture_on_commit_callbacks, website="https://spam.example"
    )
    lead = Lead.objects.get()
    assert lead.is_spam
    assert set(by_kind(lead)) == {Kind.SALES_NOTIFICATION}
    assert [m.to for m in mailoutbox] == [[settings.LEADWIZARD_SALES_EMAIL]]
    with translation.override(settings.LANGUAGE_CODE):
        expected = gettext("Suspected spam: new lead from %(company)s (%(name)s)") % {
            "company": "Muster GmbH",
            "name": "Erika Mustermann",
        }
    assert mailoutbox[0].subject == expected


def test_deliveries_are_scheduled_once_per_lead(client, wizard_page, django_capture_on_commit_callbacks):
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    assert planning.schedule_deliveries(lead) == []
    assert lead.deliveries.count() == 2


# Webhooks ----------------------------------------------------------------------------------------


def test_webhook_fails_then_recovers_and_every_call_is_signed(
    client, wizard_page, receiver, django_capture_on_commit_callbacks
):
    questionnaire, page, block_id = wizard_page
    server = receiver(500, 200)
    webhook(server.url)

    response = submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    assert sent(response)
    lead = Lead.objects.get()
    delivery = by_kind(lead)[Kind.WEBHOOK]
    assert delivery.status == Status.RETRYING
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("HTTP 500")
    assert delivery.next_attempt_at is not None
    assert delivery.succeeded_at is None

    call_command("retry_deliveries", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert delivery.status == Status.SUCCEEDED
    assert delivery.attempts == 2
    assert delivery.last_error == ""

    assert len(server.requests) == 2
    for request in server.requests:
        assert request["signature_valid"]
        headers = request["headers"]
        assert headers["Content-Type"] == "application/json"
        # Standard Webhooks: the delivery's id on every attempt, each attempt's own (signed) time.
        assert headers["webhook-id"] == webhook_channel.message_id(delivery, lead)
        assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    payload = json.loads(server.requests[1]["body"])
    assert payload["event"] == "lead.created"
    data = payload["lead"]
    assert data["id"] == lead.pk
    assert data["submission_key"] == str(lead.submission_key)
    assert data["locale"] == "de"
    assert data["status"] == "new"
    assert data["questionnaire"] == {
        "translation_key": str(questionnaire.translation_key),
        "title": "Starten Sie Ihre CRM-Auswahl",
    }
    assert data["answers"] == {
        "industry": "handel",
        "employees": 25,
        "uses": ["sales", "service"],
        "german_hq": "yes",
        "market": "b2b",
    }
    assert data["contact"]["email"] == "erika@muster.example"
    assert data["contact"]["company"] == "Muster GmbH"
    assert data["source"]["page_url"].endswith("/magazin/crm-ratgeber/")
    assert set(data["source"]["utm"]) == {
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
    }
    assert data["match_count"] == 1
    assert data["top_matches"][0]["vendor"] == "Alpha CRM"
    assert timezone.datetime.fromisoformat(data["created_at"]) == lead.created_at


def test_a_wrong_secret_is_visible_to_the_receiver(
    client, wizard_page, receiver, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    server = receiver(200, secret=Webhook.generate_secret())
    webhook(server.url)
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    assert server.requests and not server.requests[0]["signature_valid"]


def test_sign_is_the_standard_hmac_sha256_of_id_timestamp_and_body():
    body = b'{"event":"lead.created"}'
    digest = hmac.new(b"s", b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert webhook_channel.sign("msg_1", 1700000000, body, b"s") == "v1," + base64.b64encode(digest).decode()
    # The deprecated X-LeadWizard-Signature, still sent for one release: the body alone, as hex.
    assert webhook_channel.legacy_sign(body, b"s") == hmac.new(b"s", body, hashlib.sha256).hexdigest()


def test_redirects_are_failures_and_not_followed(
    client, wizard_page, receiver, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    server = receiver(302)
    webhook(server.url)
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    assert delivery.status == Status.RETRYING
    assert delivery.last_error.startswith("HTTP 302")
    assert [r["path"] for r in server.requests] == ["/"]  # /elsewhere/ was never requested


def test_gives_up_after_the_maximum_number_of_attempts(
    client, wizard_page, receiver, settings, django_capture_on_commit_callbacks
):
    settings.LEADWIZARD_DELIVERY_MAX_ATTEMPTS = 3
    _questionnaire, page, block_id = wizard_page
    server = receiver(503)
    webhook(server.url)
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    for _ in range(4):
        call_command("retry_deliveries", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert delivery.status == Status.GAVE_UP
    assert delivery.attempts == 3
    assert delivery.next_attempt_at is None
    assert delivery.last_error.startswith("HTTP 503")
    assert len(server.requests) == 3


def test_unreachable_webhook_and_timeouts_are_recorded(
    client, wizard_page, allow_loopback, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    webhook(f"http://127.0.0.1:{closed_port()}/hook/")
    response = submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    assert sent(response)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    assert delivery.status == Status.RETRYING
    assert "refused" in delivery.last_error.lower()


def test_a_switched_off_or_deleted_webhook_is_given_up(
    client, wizard_page, receiver, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    server = receiver(500)
    hook = webhook(server.url)
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    hook.active = False
    hook.save()
    call_command("retry_deliveries", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert delivery.status == Status.GAVE_UP
    assert "switched off" in delivery.last_error
    assert len(server.requests) == 1


# Webhook targets: checked again at every call, then called at the checked address -----------------


def pin(monkeypatch, addresses):
    """Let the connection to each public address in ``addresses`` reach a local port instead.

    Returns the list of (address, port) the delivery connected to. Addresses
    not in ``addresses`` refuse the connection, so nothing leaves the machine.
    """
    connected = []
    real_open_connection = webhook_targets.open_connection

    def open_connection(ip, port, timeout):
        connected.append((str(ip), port))
        if str(ip) not in addresses:
            raise ConnectionRefusedError(f"{ip} is not reachable in this test")
        return real_open_connection(ipaddress.ip_address(addresses[str(ip)]), port, timeout)

    monkeypatch.setattr(webhook_targets, "open_connection", open_connection)
    return connected


def test_a_local_receiver_is_refused_without_the_allow_list(
    client, wizard_page, receiver, settings, django_capture_on_commit_callbacks
):
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = []
    _questionnaire, page, block_id = wizard_page
    server = receiver(200)
    urls = [
        server.url,
        f"http://2130706433:{server.port}/",  # 127.0.0.1, as the C resolver reads it
        f"http://0177.0.0.1:{server.port}/",
        f"http://[::ffff:127.0.0.1]:{server.port}/",
        f"http://localhost:{server.port}/",
    ]
    for number, url in enumerate(urls):
        webhook(url, name=f"Hook {number}")  # created in code: nothing checked when saving

    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    calls = Lead.objects.get().deliveries.filter(kind=Kind.WEBHOOK)
    assert sorted(d.target for d in calls) == sorted(urls)
    for delivery in calls:
        assert delivery.status == Status.GAVE_UP  # permanent: not retried
        assert delivery.attempts == 1
        assert delivery.last_error.startswith("the target is refused: "), delivery.last_error
    assert server.requests == []


def test_dns_rebinding_is_refused_at_delivery_time(
    client, wizard_page, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = []
    _questionnaire, page, block_id = wizard_page
    server = receiver(200)
    dns = fake_dns(monkeypatch, {"crm.example.com": [[PUBLIC_V4], ["127.0.0.1"]]})
    hook = Webhook(name="CRM", url=f"http://crm.example.com:{server.port}/hook", secret=SECRET)
    hook.full_clean()  # public when saved …
    hook.save()

    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    assert dns.lookups == ["crm.example.com", "crm.example.com"]  # … loopback when called
    assert delivery.status == Status.GAVE_UP
    assert delivery.attempts == 1
    assert "127.0.0.1" in delivery.last_error and "not a public internet address" in delivery.last_error
    assert server.requests == []


def test_the_call_goes_to_the_checked_address_after_one_lookup(
    client, wizard_page, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = []
    _questionnaire, page, block_id = wizard_page
    server = receiver(200)
    # A second lookup would answer with an address that is never reached.
    dns = fake_dns(monkeypatch, {"crm.example.com": [[PUBLIC_V4], ["8.8.4.4"]]})
    connected = pin(monkeypatch, {PUBLIC_V4: "127.0.0.1"})
    webhook(f"http://crm.example.com:{server.port}/hook?source=portal")

    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    assert delivery.status == Status.SUCCEEDED, delivery.last_error
    assert dns.lookups == ["crm.example.com"]
    assert connected == [(PUBLIC_V4, server.port)]
    [request] = server.requests
    assert request["path"] == "/hook?source=portal"
    assert request["headers"]["Host"] == f"crm.example.com:{server.port}"
    assert request["signature_valid"]


def test_the_checked_addresses_are_tried_in_turn(
    client, wizard_page, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = []
    _questionnaire, page, block_id = wizard_page
    server = receiver(200)
    public_v6 = "2606:4700::6810:84e5"
    fake_dns(monkeypatch, {"crm.example.com": [[public_v6, PUBLIC_V4]]})
    connected = pin(monkeypatch, {PUBLIC_V4: "127.0.0.1"})  # the IPv6 address does not answer
    webhook(f"http://crm.example.com:{server.port}/")

    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    assert by_kind(Lead.objects.get())[Kind.WEBHOOK].status == Status.SUCCEEDED
    assert connected == [(public_v6, server.port), (PUBLIC_V4, server.port)]
    assert len(server.requests) == 1


@pytest.fixture
def certificates(tmp_path):
    """A throwaway CA and, signed by it, a server certificate for crm.example.com (made with openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=LeadWizard test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=crm.example.com")
    (tmp_path / "server.ext").write_text(
        "subjectAltName=DNS:crm.example.com\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext")  # fmt: skip
    return tmp_path


@pytest.fixture
def https_receiver(receiver, certificates, monkeypatch):
    """An HTTPS receiver with the certificate for crm.example.com; the client trusts the test CA only."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))  # read by ssl.create_default_context()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / "server.pem", certificates / "server.key")
    return receiver(200, tls=context)


def test_https_keeps_the_host_name_for_sni_and_the_certificate(
    client, wizard_page, https_receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = []
    _questionnaire, page, block_id = wizard_page
    server = https_receiver
    fake_dns(monkeypatch, {"crm.example.com": [[PUBLIC_V4]]})
    connected = pin(monkeypatch, {PUBLIC_V4: "127.0.0.1"})
    webhook(f"https://crm.example.com:{server.port}/hook")

    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    assert delivery.status == Status.SUCCEEDED, delivery.last_error
    assert connected == [(PUBLIC_V4, server.port)]
    assert server.server_names == ["crm.example.com"]
    [request] = server.requests
    assert request["headers"]["Host"] == f"crm.example.com:{server.port}"


def test_https_checks_the_certificate_against_the_host_name(
    client, wizard_page, https_receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = []
    _questionnaire, page, block_id = wizard_page
    server = https_receiver
    fake_dns(monkeypatch, {"other.example.com": [[PUBLIC_V4]]})
    pin(monkeypatch, {PUBLIC_V4: "127.0.0.1"})
    webhook(f"https://other.example.com:{server.port}/hook")  # the certificate is for crm.example.com

    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    assert delivery.status == Status.RETRYING
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
    assert "other.example.com" in delivery.last_error  # Hostname mismatch … for 'other.example.com'
    assert server.requests == []


def test_only_a_bounded_part_of_a_failed_reply_is_kept(
    client, wizard_page, receiver, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    server = receiver(500, reply=b"x" * 20_000, reason="Kaputt " * 2000)
    webhook(server.url)
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    assert delivery.status == Status.RETRYING
    status_line, detail = delivery.last_error.split(": ", 1)
    assert status_line.startswith("HTTP 500 Kaputt Kaputt")
    assert len(status_line) <= len("HTTP 500 ") + webhook_channel.REASON_LIMIT
    assert detail == "x" * webhook_channel.REPLY_LIMIT
    assert len(delivery.last_error) <= attempts.ERROR_LIMIT


def test_a_reply_is_shown_escaped_on_the_leads_page(
    admin_client, client, wizard_page, receiver, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    server = receiver(500, reply=b'<script>alert("webhook")</script>')
    webhook(server.url)
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    assert by_kind(lead)[Kind.WEBHOOK].last_error.endswith('<script>alert("webhook")</script>')

    html = admin_client.get(inspect_url(lead)).content.decode()
    assert "&lt;script&gt;alert(&quot;webhook&quot;)&lt;/script&gt;" in html
    assert '<script>alert("webhook")' not in html


def test_backoff_doubles_and_is_capped(settings):
    settings.LEADWIZARD_DELIVERY_BACKOFF_SECONDS = 60
    assert [attempts.backoff(n) for n in range(1, 6)] == [60, 120, 240, 480, 960]
    assert attempts.backoff(30) == 6 * 3600


def test_a_failure_waits_for_its_backoff(
    client, wizard_page, receiver, settings, django_capture_on_commit_callbacks
):
    settings.LEADWIZARD_DELIVERY_BACKOFF_SECONDS = 60
    _questionnaire, page, block_id = wizard_page
    server = receiver(500, 200)
    webhook(server.url)
    before = timezone.now()
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.WEBHOOK]
    assert before + timedelta(seconds=59) < delivery.next_attempt_at < timezone.now() + timedelta(seconds=61)
    call_command("retry_deliveries", stdout=io.StringIO())  # not due yet
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and len(server.requests) == 1
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    call_command("retry_deliveries", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert delivery.status == Status.SUCCEEDED and delivery.attempts == 2


def test_retries_are_deferred_when_the_backend_can_defer(
    client, wizard_page, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LEADWIZARD_DELIVERY_BACKOFF_SECONDS = 120
    _questionnaire, page, block_id = wizard_page
    server = receiver(500, 200)
    webhook(server.url)
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    # Enqueued, not run: the worker does that.
    assert all(d.status == Status.PENDING and d.attempts == 0 for d in lead.deliveries.all())
    assert DBTaskResult.objects.filter(task_path="leadwizard.deliveries.tasks.deliver").count() == 3

    # The worker closes "old" connections; inside a test transaction that would be this test's one.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    kinds = by_kind(lead)
    assert kinds[Kind.SALES_NOTIFICATION].status == Status.SUCCEEDED
    assert kinds[Kind.READER_CONFIRMATION].status == Status.SUCCEEDED
    failed = kinds[Kind.WEBHOOK]
    assert failed.status == Status.RETRYING
    first, retry = sorted(
        (r for r in DBTaskResult.objects.all() if r.args_kwargs["args"] == [failed.pk]),
        key=lambda r: r.enqueued_at,
    )
    assert first.status == "SUCCESSFUL"  # the task ran; the delivery's failure is on the delivery
    assert retry.status == "READY"
    assert retry.run_after == failed.next_attempt_at > timezone.now() + timedelta(seconds=100)


# Mail servers that fail, then recover ----------------------------------------------------------------


def test_failing_mail_server_never_loses_the_lead_and_a_retry_delivers(
    client, wizard_page, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 5
    _questionnaire, page, block_id = wizard_page

    response = submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    assert sent(response)
    lead = Lead.objects.get()
    for delivery in lead.deliveries.all():
        assert delivery.status == Status.RETRYING
        assert delivery.attempts == 1
        assert "ConnectionRefusedError" in delivery.last_error

    server = SMTPServer()
    try:
        settings.EMAIL_PORT = server.port
        call_command("retry_deliveries", stdout=io.StringIO())
    finally:
        server.stop()
    assert {d.status for d in lead.deliveries.all()} == {Status.SUCCEEDED}
    assert sorted(m["to"][0] for m in server.messages) == sorted(
        [settings.LEADWIZARD_SALES_EMAIL, "erika@muster.example"]
    )
    reader = next(m["message"] for m in server.messages if m["to"] == ["erika@muster.example"])
    assert reader.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in reader.get_payload()] == ["text/plain", "text/html"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_readers_request_succeeds_while_everything_fails(client, settings, site_tree, receiver):
    """Real commits: deliveries run inside the request (immediate backend), and fail there."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    questionnaire = QuestionnaireFactory()
    page, block_id = wizard_article(site_tree.index, questionnaire, slug="ratgeber-echt")
    webhook(receiver(500).url)

    response = submit_lead(client, page, block_id)
    assert sent(response)
    lead = Lead.objects.get()
    assert lead.deliveries.count() == 3
    assert {d.status for d in lead.deliveries.all()} == {Status.RETRYING}


def test_an_exception_in_any_delivery_is_caught(
    client, wizard_page, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def explode(delivery, lead):
        raise RuntimeError("Vorlage kaputt")

    replace_send(monkeypatch, Kind.READER_CONFIRMATION, explode)
    _questionnaire, page, block_id = wizard_page
    response = submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    assert sent(response)
    kinds = by_kind(Lead.objects.get())
    assert kinds[Kind.READER_CONFIRMATION].status == Status.RETRYING
    assert kinds[Kind.READER_CONFIRMATION].last_error == "RuntimeError: Vorlage kaputt"
    assert kinds[Kind.SALES_NOTIFICATION].status == Status.SUCCEEDED  # one failure does not stop the others
    assert len(mailoutbox) == 1


def test_an_error_while_scheduling_does_not_reach_the_reader(
    client, wizard_page, monkeypatch, django_capture_on_commit_callbacks
):
    def explode(lead):
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr(planning, "schedule_deliveries", explode)
    _questionnaire, page, block_id = wizard_page
    response = submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    assert sent(response)
    assert Lead.objects.count() == 1


def test_deliveries_are_committed_with_the_lead(client, wizard_page, django_capture_on_commit_callbacks):
    """A crash right after the commit (no after-commit work runs) still leaves the deliveries to retry."""
    _questionnaire, page, block_id = wizard_page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sent(submit_lead(client, page, block_id))
    assert callbacks  # the tasks would have been enqueued after the commit
    lead = Lead.objects.get()
    assert {d.status for d in lead.deliveries.all()} == {Status.PENDING}
    assert set(by_kind(lead)) == {Kind.SALES_NOTIFICATION, Kind.READER_CONFIRMATION}

    call_command("retry_deliveries", stdout=io.StringIO())
    assert {d.status for d in lead.deliveries.all()} == {Status.SUCCEEDED}


def test_retry_deliveries_plans_the_deliveries_a_lead_is_missing(
    client, wizard_page, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(planning, "schedule_deliveries", lambda lead: 1 / 0)
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    assert not lead.deliveries.exists()
    monkeypatch.undo()

    out = io.StringIO()
    call_command("retry_deliveries", stdout=out)
    assert not lead.deliveries.exists()  # a lead of the last minute may still be planning

    Lead.objects.filter(pk=lead.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    call_command("retry_deliveries", stdout=out)
    assert "missing deliveries of 1 lead" in out.getvalue()
    assert {d.status for d in lead.deliveries.all()} == {Status.SUCCEEDED}
    assert len(mailoutbox) == 2

    erased = LeadFactory(erased_at=timezone.now(), created_at=timezone.now() - timedelta(days=1))
    call_command("retry_deliveries", stdout=io.StringIO())
    assert not erased.deliveries.exists()


def test_an_erased_lead_gets_nothing_more(
    client, wizard_page, monkeypatch, django_capture_on_commit_callbacks
):
    replace_send(monkeypatch, Kind.SALES_NOTIFICATION, _fail)
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    Lead.objects.filter(pk=lead.pk).update(erased_at=timezone.now())
    monkeypatch.undo()
    delivery = by_kind(lead)[Kind.SALES_NOTIFICATION]
    assert attempts.attempt(delivery) is False
    delivery.refresh_from_db()
    assert delivery.status == Status.GAVE_UP
    assert "erased" in delivery.last_error


def _fail(delivery, lead):
    raise DeliveryError("Postfach voll")


def test_a_delivery_is_never_attempted_twice_at_once(
    client, wizard_page, monkeypatch, django_capture_on_commit_callbacks
):
    replace_send(monkeypatch, Kind.SALES_NOTIFICATION, _fail)
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.SALES_NOTIFICATION]
    assert attempts.claim(delivery, timezone.now(), force=False)  # someone takes it …
    assert attempts.attempt(delivery) is None  # … so nobody else does
    assert list(attempts.due_deliveries()) == []


def test_retry_command_dry_run_lists_without_attempting(
    client, wizard_page, monkeypatch, django_capture_on_commit_callbacks
):
    replace_send(monkeypatch, Kind.SALES_NOTIFICATION, _fail)
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    delivery = by_kind(Lead.objects.get())[Kind.SALES_NOTIFICATION]
    out = io.StringIO()
    call_command("retry_deliveries", "--dry-run", stdout=out)
    assert out.getvalue().startswith(f"{delivery.pk}\t")
    assert "erika@muster.example" not in out.getvalue() and "vertrieb@" not in out.getvalue()
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    out = io.StringIO()
    call_command("retry_deliveries", stdout=out)
    assert out.getvalue().strip() == "1 due: 0 succeeded, 1 failed, 0 skipped (taken elsewhere)."


def test_retry_command_help_documents_both_ways():
    from leadwizard.management.commands.retry_deliveries import Command

    assert "db_worker" in Command.help and "cron" in Command.help


# The marketer's retry in the admin --------------------------------------------------------------


@pytest.fixture
def failed_delivery(client, wizard_page, monkeypatch, django_capture_on_commit_callbacks):
    """A lead whose sales notification failed; the handler works again afterwards."""
    replace_send(monkeypatch, Kind.SALES_NOTIFICATION, _fail)
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    monkeypatch.undo()
    delivery = by_kind(Lead.objects.get())[Kind.SALES_NOTIFICATION]
    assert delivery.status == Status.RETRYING
    return delivery


def retry_url(delivery):
    return reverse("leadwizard_admin:retry_delivery", args=[delivery.pk])


def test_inspect_page_offers_retry_for_failed_deliveries(admin_client, failed_delivery):
    html = admin_client.get(inspect_url(failed_delivery.lead_id)).content.decode()
    assert f'action="{retry_url(failed_delivery)}"' in html
    assert html.count('action="/admin/leadwizard/deliveries/') == 1  # not for the succeeded ones


def test_marketer_retries_by_hand(admin_client, failed_delivery, mailoutbox):
    Delivery.objects.filter(pk=failed_delivery.pk).update(status=Status.GAVE_UP, next_attempt_at=None)
    mailoutbox.clear()
    response = admin_client.post(retry_url(failed_delivery), follow=True)
    lead = failed_delivery.lead
    assert response.redirect_chain[0][0] == inspect_url(lead)
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == Status.SUCCEEDED
    assert failed_delivery.attempts == 2
    assert len(mailoutbox) == 1
    assert [m.level for m in response.context["messages"]] == [message_levels.SUCCESS]
    entry = ModelLogEntry.objects.get(action=LOG_RETRY, object_id=str(lead.pk))
    assert entry.data["delivery"] == failed_delivery.pk
    assert entry.data["status"] == Status.SUCCEEDED


def test_a_failed_retry_by_hand_says_so(admin_client, failed_delivery, monkeypatch):
    replace_send(monkeypatch, Kind.SALES_NOTIFICATION, _fail)
    response = admin_client.post(retry_url(failed_delivery), follow=True)
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == Status.RETRYING
    assert failed_delivery.attempts == 2
    [message] = response.context["messages"]
    assert message.level == message_levels.ERROR
    assert "Postfach voll" in str(message)
    assert ModelLogEntry.objects.filter(action=LOG_RETRY).count() == 1


def test_a_succeeded_delivery_is_not_sent_again(admin_client, failed_delivery, mailoutbox):
    succeeded = by_kind(failed_delivery.lead)[Kind.READER_CONFIRMATION]
    mailoutbox.clear()
    response = admin_client.post(retry_url(succeeded))
    assert response.status_code == 302
    assert mailoutbox == []
    assert not ModelLogEntry.objects.filter(action=LOG_RETRY).exists()


def test_retry_needs_post_csrf_and_the_change_permission(failed_delivery, django_user_model, admin_user):
    url = retry_url(failed_delivery)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post(url).status_code == 403  # no CSRF token
    assert csrf_client.get(url).status_code == 405

    viewer = django_user_model.objects.create_user("leser", password="pw")
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_lead")
    )
    client = Client()
    client.force_login(viewer)
    response = client.post(url)  # Wagtail turns PermissionDenied into a redirect with a message
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    failed_delivery.refresh_from_db()
    assert failed_delivery.attempts == 1

    viewer.user_permissions.add(Permission.objects.get(codename="change_lead"))
    viewer = django_user_model.objects.get(pk=viewer.pk)  # fresh permission cache
    client.force_login(viewer)
    assert client.post(url).status_code == 302
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == Status.SUCCEEDED


def test_retry_is_admin_only(client, failed_delivery):
    response = client.post(retry_url(failed_delivery))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_without_a_sales_inbox_the_reader_is_still_confirmed_and_the_site_is_warned(
    client, wizard_page, mailoutbox, settings, django_capture_on_commit_callbacks
):
    from leadwizard.checks import required_configuration

    del settings.LEADWIZARD_SALES_EMAIL
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    assert set(by_kind(lead)) == {Kind.READER_CONFIRMATION}
    assert [message.to for message in mailoutbox] == [["erika@muster.example"]]
    assert "leadwizard.W003" in [message.id for message in required_configuration()]
