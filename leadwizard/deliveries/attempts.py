"""Deliveries of a new lead: e-mails to the sales inbox and the reader, the marketing opt-in, webhooks.

Every side effect of a lead is a ``Delivery`` row, created after the lead has
been committed, and attempted by a task (``tasks.deliver``). An attempt never
raises: its outcome is recorded on the row. Failures are retried with
exponential backoff, either by a deferred task (when the tasks backend supports
``run_after``) or by ``manage.py retry_deliveries`` (cron), until
``LEADWIZARD_DELIVERY_MAX_ATTEMPTS`` is reached. So a failing mail server or
webhook never loses a lead, nor blocks the reader's request.

Before each attempt the row is claimed with a conditional UPDATE (a lease on
``next_attempt_at``), so a worker and the cron command never send the same
delivery twice at the same time.
"""

import hashlib
import hmac
import html
import http.client
import json
import logging
import re
import ssl
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from . import webhook_targets
from .admin_urls import lead_admin_url
from .models import Delivery, Lead, Webhook

logger = logging.getLogger(__name__)

OPTIN_SALT = "leadwizard.optin"
OPTIN_MAX_AGE = 14 * 24 * 3600
MAX_BACKOFF_SECONDS = 6 * 3600
# How long a claimed delivery is left alone by others (LEADWIZARD_DELIVERY_LEASE_SECONDS);
# longer than any mail or webhook timeout. A worker that dies during an attempt holds it this long.
LEASE_SECONDS = 300
EVENT_LEAD_CREATED = "lead.created"
SIGNATURE_HEADER = "X-LeadWizard-Signature"
DELIVERY_HEADER = "X-LeadWizard-Delivery"
TIMESTAMP_HEADER = "X-LeadWizard-Timestamp"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
OPEN_STATUSES = (Delivery.Status.PENDING, Delivery.Status.RETRYING)
ERROR_LIMIT = 1000


class DeliveryError(Exception):
    """A failed attempt that may succeed later (server down, HTTP 500, …)."""


class PermanentFailure(DeliveryError):
    """A failed attempt that retrying cannot fix (lead erased, webhook deleted or switched off)."""


def _setting(name, default):
    return getattr(settings, name, default)


# Scheduling -------------------------------------------------------------------------------


def schedule_deliveries_safely(lead):
    """Plan the lead's deliveries in a savepoint of the caller's transaction; never raises.

    The wizard calls this inside the transaction that saves the lead, so a lead
    and its deliveries are committed together: an app server that dies right
    after the commit leaves deliveries that ``retry_deliveries`` finds. An error
    here must not cost the reader's lead: it is logged, and
    ``schedule_missing_deliveries`` plans the deliveries later.
    """
    try:
        with transaction.atomic():
            return schedule_deliveries(lead)
    except Exception:
        logger.exception("Could not schedule the deliveries of lead %s", getattr(lead, "pk", None))
        return []


def schedule_missing_deliveries(now=None, min_age_seconds=60):
    """Plan deliveries for leads that have none (their planning failed); returns how many leads."""
    now = now or timezone.now()
    leads = Lead.objects.filter(
        deliveries__isnull=True,
        erased_at__isnull=True,
        created_at__lte=now - timedelta(seconds=min_age_seconds),
    ).select_related("questionnaire")
    count = 0
    for lead in leads.iterator(chunk_size=200):
        if schedule_deliveries_safely(lead):
            count += 1
    return count


def sales_address(lead):
    """The questionnaire's notification address, else the site's sales inbox."""
    questionnaire = lead.questionnaire
    return (questionnaire.notification_email if questionnaire else "") or settings.LEADWIZARD_SALES_EMAIL


def schedule_deliveries(lead):
    """Create the lead's deliveries and enqueue one task each once they are committed.

    Suspected spam gets no e-mail to the address it names (no backscatter); the
    sales inbox and webhooks still get it, marked by its status. Returns the new
    deliveries; a lead that already has deliveries gets no second set.
    """
    if lead.deliveries.exists():
        return []
    now = timezone.now()
    planned = [(Delivery.Kind.SALES_NOTIFICATION, sales_address(lead), None)]
    if not lead.is_spam and lead.email:
        planned.append((Delivery.Kind.READER_CONFIRMATION, lead.email, None))
        if lead.marketing_consent:
            planned.append((Delivery.Kind.MARKETING_OPT_IN, lead.email, None))
    for webhook in Webhook.objects.filter(active=True).prefetch_related("questionnaires"):
        if webhook.applies_to(lead):
            planned.append((Delivery.Kind.WEBHOOK, webhook.url, webhook))
    with transaction.atomic():
        created = [
            Delivery.objects.create(lead=lead, kind=kind, target=target, webhook=webhook, next_attempt_at=now)
            for kind, target, webhook in planned
        ]
    for delivery in created:
        transaction.on_commit(lambda pk=delivery.pk: enqueue(pk))
    return created


def enqueue(delivery_id, run_after=None):
    """Hand a delivery to the tasks backend; deferred to ``run_after`` only where the backend can defer.

    Returns whether a task was enqueued. When this fails, the row stays due and
    ``retry_deliveries`` picks it up.
    """
    from .tasks import deliver

    try:
        task = deliver
        if run_after is not None:
            if not deliver.get_backend().supports_defer:
                return False
            task = deliver.using(run_after=run_after)
        task.enqueue(delivery_id)
    except Exception:
        logger.exception("Could not enqueue delivery %s", delivery_id)
        return False
    return True


def backoff(attempts):
    """Seconds to wait after the ``attempts``-th failed attempt: doubling from the base, capped at 6 hours."""
    base = _setting("LEADWIZARD_DELIVERY_BACKOFF_SECONDS", 60)
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def due_deliveries(now=None):
    """Deliveries waiting for an attempt whose time has come (never attempted ones included)."""
    now = now or timezone.now()
    return (
        Delivery.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .order_by("next_attempt_at", "pk")
    )


# Attempts ---------------------------------------------------------------------------------


def _claim(delivery, now, force):
    """Take the delivery for one attempt; False when it is not due, finished or taken by someone else."""
    rows = Delivery.objects.filter(pk=delivery.pk)
    if force:
        rows = rows.exclude(status=Delivery.Status.SUCCEEDED)
    else:
        rows = rows.filter(status__in=OPEN_STATUSES).filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
        )
    lease = _setting("LEADWIZARD_DELIVERY_LEASE_SECONDS", LEASE_SECONDS)
    return rows.update(next_attempt_at=now + timedelta(seconds=lease)) == 1


def attempt(delivery, force=False):
    """Try one delivery once and record the outcome; never raises.

    Returns True when it succeeded, False when it failed (and is retried later
    or given up), None when it was not attempted: not due, already succeeded
    or being attempted elsewhere. ``force`` (a retry by hand) ignores the
    schedule and retries given-up deliveries too.
    """
    if not _claim(delivery, timezone.now(), force):
        return None
    delivery.refresh_from_db()
    error, permanent = "", False
    try:
        lead = delivery.lead
        if lead.erased_at:
            raise PermanentFailure("the personal data of the lead was erased")
        handler = HANDLERS.get(delivery.kind)
        if handler is None:
            raise PermanentFailure(f"unknown kind of delivery {delivery.kind!r}")
        handler(delivery, lead)
    except PermanentFailure as exc:
        error, permanent = str(exc), True
    except DeliveryError as exc:
        error = str(exc)
        logger.warning("Delivery %s (%s) failed: %s", delivery.pk, delivery.kind, error)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        logger.warning("Delivery %s (%s) failed: %s", delivery.pk, delivery.kind, error)
    _record(delivery, error, permanent)
    return not error


def _record(delivery, error, permanent):
    now = timezone.now()
    delivery.attempts += 1
    if not error:
        delivery.status = Delivery.Status.SUCCEEDED
        delivery.succeeded_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
    elif permanent or delivery.attempts >= _setting("LEADWIZARD_DELIVERY_MAX_ATTEMPTS", 6):
        delivery.status = Delivery.Status.GAVE_UP
        delivery.next_attempt_at = None
        delivery.last_error = error[:ERROR_LIMIT]
    else:
        delivery.status = Delivery.Status.RETRYING
        delivery.next_attempt_at = now + timedelta(seconds=backoff(delivery.attempts))
        delivery.last_error = error[:ERROR_LIMIT]
    fields = ["attempts", "status", "succeeded_at", "next_attempt_at", "last_error", "updated_at"]
    if delivery.kind == Delivery.Kind.WEBHOOK:
        fields.append("target")  # the webhook's URL may have been edited; e-mail targets stay as they are
    delivery.save(update_fields=fields)
    if delivery.status == Delivery.Status.RETRYING:
        enqueue(delivery.pk, run_after=delivery.next_attempt_at)


# E-mails ----------------------------------------------------------------------------------


def _one_line(value):
    """Header-safe: user input in a subject must not contain line breaks."""
    return " ".join(str(value).split())


def site_root_url(lead):
    """The public site the lead came from (scheme and host), for links in e-mails."""
    parts = urlsplit(lead.source_url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return _setting("WAGTAILADMIN_BASE_URL", "").rstrip("/")


def _absolute_links(markup, root):
    return re.sub(r'(href|src)="/(?!/)', lambda m: f'{m.group(1)}="{root}/', markup)


def rich_text_as_plain_text(markup):
    """Rich text for a text/plain e-mail: paragraphs and list items on lines of their own, links spelt out."""
    text = re.sub(
        r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>',
        lambda m: (
            m.group(2) if strip_tags(m.group(2)).strip() == m.group(1) else f"{m.group(2)} ({m.group(1)})"
        ),
        markup or "",
        flags=re.DOTALL,
    )
    text = re.sub(r"<li[^>]*>", "- ", text)
    text = re.sub(r"</(p|li|h[1-6]|ol|ul)>|<br\s*/?>", "\n", text)
    text = html.unescape(strip_tags(text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _send(template, subject, to, context, language, reply_to=None):
    """Render ``template`` as text and HTML in ``language`` and send it as one message with an alternative."""
    with translation.override(language):
        context = {"site_name": _setting("WAGTAIL_SITE_NAME", ""), **context}
        text = render_to_string(f"leadwizard/emails/{template}.txt", context)
        markup = render_to_string(f"leadwizard/emails/{template}.html", context)
        subject = _one_line(subject())
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], reply_to=[reply_to] if reply_to else None
    )
    message.attach_alternative(markup, "text/html")
    if message.send() != 1:
        raise DeliveryError("the mail backend accepted no message")


def _lead_context(lead):
    return {"lead": lead, "questionnaire": lead.questionnaire, "answer_groups": lead.answer_labels or []}


def send_sales_notification(delivery, lead):
    """Tells the sales inbox about the lead, in the site's language; replies go to the reader."""
    admin_root = _setting("WAGTAILADMIN_BASE_URL", "").rstrip("/")
    context = {
        **_lead_context(lead),
        "admin_url": f"{admin_root}{lead_admin_url('inspect', lead)}",
        "utm": [(name, getattr(lead, name)) for name in UTM_FIELDS if getattr(lead, name)],
    }

    def subject():
        values = {"company": lead.company, "name": lead.name}
        if lead.is_spam:
            return _("Suspected spam: new lead from %(company)s (%(name)s)") % values
        return _("New lead from %(company)s (%(name)s)") % values

    _send(
        "sales_notification",
        subject,
        delivery.target,
        context,
        settings.LANGUAGE_CODE,
        reply_to=lead.email or None,
    )


def send_reader_confirmation(delivery, lead):
    """Confirms the request to the reader in their language: what they asked, next steps, how to withdraw."""
    root = site_root_url(lead)
    questionnaire = lead.questionnaire
    next_steps = _absolute_links(expand_db_html(questionnaire.success_text) if questionnaire else "", root)
    consent = _absolute_links(lead.consent_text, root)
    contact_email = sales_address(lead)
    context = {
        **_lead_context(lead),
        # Both are editors' rich text (sanitised by Wagtail), as the reader saw them on the site.
        "next_steps_html": mark_safe(next_steps),  # noqa: S308
        "next_steps_text": rich_text_as_plain_text(next_steps),
        "consent_html": mark_safe(consent),  # noqa: S308
        "consent_text": rich_text_as_plain_text(consent),
        "contact_email": contact_email,
        "site_url": root,
    }
    _send(
        "reader_confirmation",
        lambda: _("We have received your request"),
        delivery.target,
        context,
        lead.locale or settings.LANGUAGE_CODE,
        reply_to=contact_email,
    )


def optin_token(lead):
    return signing.dumps(lead.submission_key.hex, salt=OPTIN_SALT)


def optin_url(lead):
    """The absolute confirmation link, in the lead's language."""
    with translation.override(lead.locale or settings.LANGUAGE_CODE):
        path = reverse("leadwizard:optin_confirm", args=[optin_token(lead)])
    return f"{site_root_url(lead)}{path}"


def send_marketing_opt_in(delivery, lead):
    """Asks the reader to confirm the marketing consent (double opt-in); sets the sent time."""
    if not lead.marketing_consent:
        raise PermanentFailure("the lead has no marketing consent to confirm")
    if lead.marketing_confirmed_at:
        return  # confirmed already: nothing to ask
    contact_email = sales_address(lead)
    context = {
        **_lead_context(lead),
        "confirm_url": optin_url(lead),
        "max_age_days": OPTIN_MAX_AGE // (24 * 3600),
        "contact_email": contact_email,
    }
    _send(
        "marketing_opt_in",
        lambda: _("Please confirm that you would like to receive news"),
        delivery.target,
        context,
        lead.locale or settings.LANGUAGE_CODE,
        reply_to=contact_email,
    )
    Lead.objects.filter(pk=lead.pk).update(marketing_confirmation_sent_at=timezone.now())


# Webhooks ---------------------------------------------------------------------------------


def sign(body, secret):
    """HMAC-SHA256 of the raw body with the webhook's secret, as hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_payload(lead):
    """The lead as JSON-ready data: answers by question key, contact, source and matches."""
    questionnaire = lead.questionnaire
    return {
        "event": EVENT_LEAD_CREATED,
        "lead": {
            "id": lead.pk,
            "submission_key": str(lead.submission_key),
            "created_at": lead.created_at.isoformat(),
            "locale": lead.locale,
            "status": lead.status,
            "questionnaire": (
                {"translation_key": str(questionnaire.translation_key), "title": questionnaire.title}
                if questionnaire
                else None
            ),
            "answers": lead.answers,
            "contact": lead.contact,
            "source": {
                "page_url": lead.source_url,
                "landing_url": lead.landing_url,
                "referrer": lead.referrer,
                "utm": {name: getattr(lead, name) for name in UTM_FIELDS},
            },
            "match_count": lead.match_count,
            "top_matches": lead.top_matches,
            "marketing_consent": {
                "requested": lead.marketing_consent,
                "confirmed_at": lead.marketing_confirmed_at.isoformat()
                if lead.marketing_confirmed_at
                else None,
            },
        },
    }


# The part of a failed reply kept as the error's detail: the body's first bytes and the status line's
# reason. The rest is never read; the whole error is cut to ERROR_LIMIT characters when recorded.
REPLY_LIMIT = 300
REASON_LIMIT = 100


def _in_english(exc):
    """A webhook_targets message as stored on the delivery: in English, like every other delivery error."""
    with translation.override(None):
        return str(exc)


def _one_line_limited(text, limit):
    return " ".join(text[:limit].split())


def _post(target, body, headers, timeout):
    """POST ``body`` to the checked target; (status, reason, detail), detail only for a non-2xx reply.

    Plain ``http.client`` with one hook rather than urllib, requests or urllib3:
    they all look the host name up again when they connect, so the address
    called could differ from the one checked, and making them connect to a
    given address takes custom adapters or connection classes deep in their
    internals (or another dependency). Here, replacing ``_create_connection``
    sends the connection to the checked addresses, while http.client still
    sends ``Host: <host>`` and ``HTTPSConnection.connect`` still wraps the
    socket with SNI and the certificate checked against the host name.
    http.client follows no redirects and uses no proxy from the environment
    (a proxy would look the name up itself).
    """
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    connection._create_connection = lambda _address, timeout, _source=None: webhook_targets.connect(
        target, timeout
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        if 200 <= response.status < 300:
            return response.status, "", ""
        detail = response.read(REPLY_LIMIT).decode(errors="replace")
        return (
            response.status,
            _one_line_limited(response.reason or "", REASON_LIMIT),
            _one_line_limited(detail, REPLY_LIMIT),
        )
    finally:
        connection.close()


def call_webhook(delivery, lead):
    """POST the signed payload to a checked target; anything but a 2xx answer is a failure.

    The URL is checked again here, with a fresh lookup, because DNS may now
    answer differently than when the webhook was saved; the request then goes
    to exactly the addresses checked. A refused target is given up at once.
    """
    webhook = delivery.webhook
    if webhook is None:
        raise PermanentFailure("the webhook was deleted")
    if not webhook.active:
        raise PermanentFailure("the webhook is switched off")
    delivery.target = webhook.url
    try:
        target = webhook_targets.check_url(webhook.url)
    except webhook_targets.HostNotFound as exc:
        raise DeliveryError(_in_english(exc)) from None  # DNS may be back at the next attempt
    except webhook_targets.RefusedTarget as exc:
        raise PermanentFailure(f"the target is refused: {_in_english(exc)}") from None
    body = json.dumps(
        webhook_payload(lead), cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "LeadWizard-Webhook/1.0",
        "Connection": "close",
        SIGNATURE_HEADER: f"sha256={sign(body, webhook.secret)}",
        DELIVERY_HEADER: str(delivery.pk),
        TIMESTAMP_HEADER: str(int(time.time())),
    }
    status, reason, detail = _post(target, body, headers, _setting("LEADWIZARD_WEBHOOK_TIMEOUT", 5))
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} {reason}".strip() + (f": {detail}" if detail else ""))


HANDLERS = {
    Delivery.Kind.SALES_NOTIFICATION: send_sales_notification,
    Delivery.Kind.READER_CONFIRMATION: send_reader_confirmation,
    Delivery.Kind.MARKETING_OPT_IN: send_marketing_opt_in,
    Delivery.Kind.WEBHOOK: call_webhook,
}
