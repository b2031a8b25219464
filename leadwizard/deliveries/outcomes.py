"""What follows once a consultant's mail was accepted: the record and the lead's status say so."""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from ..audit import LOG_SHORTLIST, LOG_STATUS
from ..models import Lead, Shortlist

#: A lead in one of these states moves to "Shortlist sent" when its shortlist went out;
#: a lead already won or lost keeps its outcome.
OPEN_STATUSES = (Lead.Status.NEW, Lead.Status.IN_PROGRESS)


@transaction.atomic
def shortlist_accepted(shortlist, lead):
    """Mark ``shortlist`` sent, move the lead to "Shortlist sent" and record both in the audit log."""
    now = timezone.now()
    if not Shortlist.objects.filter(pk=shortlist.pk, sent_at__isnull=True).update(sent_at=now):
        return  # recorded by an earlier attempt
    shortlist.sent_at = now
    user = shortlist.consultant
    log(
        lead,
        LOG_SHORTLIST,
        user=user,
        data={"shortlist": shortlist.pk, "vendors": shortlist.vendor_names, "language": shortlist.language},
    )
    if Lead.objects.filter(pk=lead.pk, status__in=OPEN_STATUSES).update(
        status=Lead.Status.SHORTLIST_SENT, updated_at=now
    ):
        lead.status = Lead.Status.SHORTLIST_SENT
        log(lead, LOG_STATUS, user=user, data={"status": Lead.Status.SHORTLIST_SENT})
