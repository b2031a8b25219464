"""Attempting one delivery: claim it, hand it to its channel, record the outcome; never raises.

Before each attempt the row is claimed with a conditional UPDATE (a lease on
``next_attempt_at``), so a worker and the cron command never send the same
delivery twice at the same time. Failures get a next attempt with exponential
backoff until ``LEADWIZARD_DELIVERY_MAX_ATTEMPTS``; who runs that next attempt
(a deferred task or ``retry_deliveries``) is ``tasks``' business.
"""

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ..conf import app_settings
from ..models import Delivery
from .channels import channel_for
from .errors import DeliveryError, PermanentFailure

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 6 * 3600
OPEN_STATUSES = (Delivery.Status.PENDING, Delivery.Status.RETRYING)
ERROR_LIMIT = 1000


def backoff(attempts):
    """Seconds to wait after the ``attempts``-th failed attempt: doubling from the base, capped at 6 hours."""
    return min(app_settings.DELIVERY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def due_deliveries(now=None):
    """Deliveries waiting for an attempt whose time has come (never attempted ones included)."""
    now = now or timezone.now()
    return (
        Delivery.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .order_by("next_attempt_at", "pk")
    )


def claim(delivery, now, force):
    """Take the delivery for one attempt; False when it is not due, finished or taken by someone else."""
    rows = Delivery.objects.filter(pk=delivery.pk)
    if force:
        rows = rows.exclude(status=Delivery.Status.SUCCEEDED)
    else:
        rows = rows.filter(status__in=OPEN_STATUSES).filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
        )
    lease = app_settings.DELIVERY_LEASE_SECONDS
    return rows.update(next_attempt_at=now + timedelta(seconds=lease)) == 1


def attempt(delivery, force=False):
    """Try one delivery once and record the outcome; never raises.

    Returns True when it succeeded, False when it failed (and is retried later
    or given up), None when it was not attempted: not due, already succeeded
    or being attempted elsewhere. ``force`` (a retry by hand) ignores the
    schedule and retries given-up deliveries too.
    """
    if not claim(delivery, timezone.now(), force):
        return None
    delivery.refresh_from_db()
    error, permanent = "", False
    try:
        lead = delivery.lead
        if lead.erased_at:
            raise PermanentFailure("the personal data of the lead was erased")
        channel = channel_for(delivery.kind)
        if channel is None:
            raise PermanentFailure(f"no delivery channel for {delivery.kind!r}")
        channel.send(delivery, lead)
    except PermanentFailure as exc:
        error, permanent = str(exc), True
    except DeliveryError as exc:
        error = str(exc)
        logger.warning("Delivery %s (%s) failed: %s", delivery.pk, delivery.kind, error)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        logger.warning("Delivery %s (%s) failed: %s", delivery.pk, delivery.kind, error)
    record(delivery, error, permanent)
    return not error


def record(delivery, error, permanent):
    """Store an attempt's outcome: succeeded, retrying at the next backoff time, or given up."""
    now = timezone.now()
    delivery.attempts += 1
    if not error:
        delivery.status = Delivery.Status.SUCCEEDED
        delivery.succeeded_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
    elif permanent or delivery.attempts >= app_settings.DELIVERY_MAX_ATTEMPTS:
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
