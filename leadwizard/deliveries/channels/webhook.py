"""The webhook channel: every new lead POSTed as signed JSON to each active webhook that applies.

Signed as the Standard Webhooks specification (https://www.standardwebhooks.com/)
says, so a receiver checks a call with its ``standardwebhooks`` library:

- ``webhook-id``: the delivery's own id, the same on every attempt of it, so a
  receiver can drop a call it has already handled;
- ``webhook-timestamp``: when this attempt was made, in whole seconds since
  1970; signed, so a receiver can refuse a recorded call replayed later;
- ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of
  ``{id}.{timestamp}.{body}``, one for each valid secret, separated by spaces
  (two while a rotated secret's predecessor is still valid).

``X-LeadWizard-Signature`` (``sha256=`` and the hex HMAC of the body with the
current secret), ``X-LeadWizard-Delivery`` and ``X-LeadWizard-Timestamp`` are
still sent in this release for receivers of old; they are deprecated and go in
the next one: that signature does not cover the timestamp, so it cannot stop a replay.

The URL is checked when the webhook is saved and again at every call
(``webhook_targets``): only public addresses, connected to exactly the address
checked, so DNS rebinding cannot pass. Replies are read and kept bounded.
"""

import base64
import hashlib
import hmac
import http.client
import json
import ssl
import time

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from ... import webhook_targets
from ...conf import app_settings
from ...models import Delivery, Lead, Webhook
from ..errors import DeliveryError, PermanentFailure
from .base import DeliveryChannel, PlannedDelivery

EVENT_LEAD_CREATED = "lead.created"
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
# Deprecated, sent for one more release (see the module's docstring).
LEGACY_SIGNATURE_HEADER = "X-LeadWizard-Signature"
LEGACY_DELIVERY_HEADER = "X-LeadWizard-Delivery"
LEGACY_TIMESTAMP_HEADER = "X-LeadWizard-Timestamp"


class WebhookChannel(DeliveryChannel):
    """One delivery per active webhook whose questionnaires include the lead's."""

    kind = Delivery.Kind.WEBHOOK
    label = Delivery.Kind.WEBHOOK.label

    def plan(self, lead):
        return [
            PlannedDelivery(webhook.url, webhook)
            for webhook in Webhook.objects.filter(active=True).prefetch_related("questionnaires")
            if webhook.applies_to(lead)
        ]

    def send(self, delivery, lead):
        call_webhook(delivery, lead)


def message_id(delivery, lead):
    """The ``webhook-id``: the same on every attempt of a delivery, different for every other delivery.

    The delivery's primary key alone would repeat across installations and after
    a database is rebuilt (staging and production calling one receiver, say), and
    a receiver that drops ids it has seen would then drop new leads; the lead's
    random submission key makes it unique everywhere.
    """
    return f"msg_{lead.submission_key.hex}_{delivery.pk}"


def attempt_time():
    """The ``webhook-timestamp`` of an attempt: now, in whole seconds (the standard's unit)."""
    return int(time.time())


def sign(msg_id, timestamp, body, key):
    """One Standard Webhooks signature: ``v1,`` and the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def legacy_sign(body, key):
    """The deprecated ``X-LeadWizard-Signature``: HMAC-SHA256 of the body alone, as hex."""
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def signed_headers(webhook, msg_id, timestamp, body, now=None):
    """The standard's three headers, with a signature for each of the webhook's valid secrets, and the old ones."""
    keys = webhook.signing_keys(now)
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: " ".join(sign(msg_id, timestamp, body, key) for key in keys),
        LEGACY_SIGNATURE_HEADER: f"sha256={legacy_sign(body, keys[0])}",
        LEGACY_TIMESTAMP_HEADER: str(timestamp),
    }


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
                "utm": {name: getattr(lead, name) for name in Lead.UTM_FIELDS},
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
        # A fresh timestamp for every attempt: a receiver refuses one older than a few minutes.
        **signed_headers(webhook, message_id(delivery, lead), attempt_time(), body),
        LEGACY_DELIVERY_HEADER: str(delivery.pk),
    }
    status, reason, detail = _post(target, body, headers, app_settings.WEBHOOK_TIMEOUT)
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} {reason}".strip() + (f": {detail}" if detail else ""))
