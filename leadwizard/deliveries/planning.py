"""Planning a lead's deliveries: one row per target of every channel, saved with the lead."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import Delivery, Lead, MarketingSuppression
from .channels import get_channels
from .tasks import enqueue

logger = logging.getLogger(__name__)


def withholds_from_withdrawn(channel):
    """Whether ``channel`` sends nothing to an address that withdrew marketing consent.

    Channels that send because of the marketing consent say so with ``marketing = True``.
    Only the double opt-in mail (``reaches_withdrawn_addresses``) still goes out: a
    new lead ticked the box, and confirming is how the address opts in again.
    """
    return getattr(channel, "marketing", False) and not getattr(channel, "reaches_withdrawn_addresses", False)


def schedule_deliveries(lead):
    """Create the lead's deliveries and enqueue one task each once they are committed.

    Returns the new deliveries; a lead that already has deliveries gets no second set.
    """
    if lead.deliveries.exists():
        return []
    now = timezone.now()
    channels = get_channels()
    # Asked only when a channel would hold back: no query on the submit path otherwise.
    withdrawn = any(withholds_from_withdrawn(channel) for channel in channels) and (
        lead.marketing_withdrawn_at is not None or MarketingSuppression.is_withdrawn(lead.email)
    )
    with transaction.atomic():
        created = [
            Delivery.objects.create(
                lead=lead,
                kind=channel.kind,
                target=planned.target,
                webhook=planned.webhook,
                next_attempt_at=now,
            )
            for channel in channels
            if not (withdrawn and withholds_from_withdrawn(channel))
            for planned in channel.plan(lead)
        ]
    for delivery in created:
        transaction.on_commit(lambda pk=delivery.pk: enqueue(pk))
    return created


def schedule_deliveries_safely(lead):
    """Plan the lead's deliveries in a savepoint of the caller's transaction; never raises.

    Lead creation calls this inside the transaction that saves the lead, so a lead
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
