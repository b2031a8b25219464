"""The webhook channel: every new lead POSTed as signed JSON to each active webhook that applies.

The URL is checked when the webhook is saved and again at every call
(``webhook_targets``): only public addresses, connected to exactly the address
checked, so DNS rebinding cannot pass. Replies are read and kept bounded.
"""

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
SIGNATURE_HEADER = "X-LeadWizard-Signature"
DELIVERY_HEADER = "X-LeadWizard-Delivery"
TIMESTAMP_HEADER = "X-LeadWizard-Timestamp"


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
        SIGNATURE_HEADER: f"sha256={sign(body, webhook.secret)}",
        DELIVERY_HEADER: str(delivery.pk),
        TIMESTAMP_HEADER: str(int(time.time())),
    }
    status, reason, detail = _post(target, body, headers, app_settings.WEBHOOK_TIMEOUT)
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} {reason}".strip() + (f": {detail}" if detail else ""))
