"""A lead's timeline: what happened to it, newest first, gathered from where each thing is recorded.

Notes, shortlists and deliveries are rows of their own; the confirmation of the
marketing consent is a field of the lead; status and assignee changes, retries,
withdrawals of the marketing consent and erasure are in Wagtail's audit log. Nothing is stored
twice: the timeline is read from those places each time.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.admin.utils import get_user_display_name
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from .audit import LOG_ASSIGN, LOG_ERASE, LOG_NOTE, LOG_RETRY, LOG_STATUS
from .consent import LOG_MARKETING_WITHDRAWN
from .models import Lead, LeadNote, WithdrawalSource
from .text import clean_text

NOTE_MAX_LENGTH = 4000
#: Audit log actions that are events in the lead's life (looking at a lead is not).
TIMELINE_ACTIONS = (LOG_STATUS, LOG_ASSIGN, LOG_RETRY, LOG_ERASE, LOG_MARKETING_WITHDRAWN)


@dataclass
class Event:
    time: datetime
    kind: str
    title: str
    actor: str = ""
    text: str = ""
    items: list = field(default_factory=list)
    state: str = ""


@transaction.atomic
def add_note(lead, author, text):
    """Add a note to the lead's timeline; returns it. Empty notes are refused with ``ValueError``."""
    text = clean_text(text or "").strip()[:NOTE_MAX_LENGTH]
    if not text:
        raise ValueError("empty note")
    note = LeadNote.objects.create(
        lead=lead, author=author, author_name=get_user_display_name(author)[:150], text=text
    )
    log(lead, LOG_NOTE, user=author, data={"note": note.pk})
    return note


def status_label(value):
    try:
        return str(Lead.Status(value).label)
    except ValueError:
        return str(value)


def withdrawal_source_label(value):
    try:
        return str(WithdrawalSource(value).label)
    except ValueError:
        return str(value)


def log_event(entry):
    data = entry.data or {}
    actor = get_user_display_name(entry.user)
    if entry.action == LOG_STATUS:
        return Event(
            entry.timestamp,
            "status",
            _("Status: %(status)s") % {"status": status_label(data.get("status"))},
            actor,
        )
    if entry.action == LOG_ASSIGN:
        assignee = data.get("assignee_name") or data.get("assignee")
        title = _("Assigned to %(user)s") % {"user": assignee} if assignee else _("Assignee removed")
        return Event(entry.timestamp, "assign", title, actor)
    if entry.action == LOG_RETRY:
        return Event(entry.timestamp, "retry", _("Delivery retried by hand"), actor)
    if entry.action == LOG_MARKETING_WITHDRAWN:
        return Event(
            entry.timestamp,
            "marketing_withdrawn",
            _("Marketing consent withdrawn: %(source)s")
            % {"source": withdrawal_source_label(data.get("source"))},
            actor,
        )
    return Event(entry.timestamp, "erase", _("Personal data erased"), actor, text=data.get("reason", ""))


def lead_timeline(lead):
    """Every event of the lead, newest first. A fixed number of queries, whatever the number of events."""
    events = [Event(lead.created_at, "created", _("Request received"), text=lead.source_url)]
    if lead.marketing_confirmed_at:
        events.append(
            Event(lead.marketing_confirmed_at, "marketing_confirmed", _("Marketing consent confirmed"))
        )
    for note in lead.lead_notes.select_related("author"):
        events.append(
            Event(
                note.created_at,
                "note",
                _("Note"),
                note.author_name or get_user_display_name(note.author),
                note.text,
            )
        )
    for shortlist in lead.shortlists.all():
        title = _("Shortlist sent") if shortlist.sent_at else _("Shortlist saved, e-mail not sent yet")
        events.append(
            Event(
                shortlist.sent_at or shortlist.created_at,
                "shortlist",
                title,
                shortlist.consultant_name,
                shortlist.message,
                items=[
                    f"{vendor.get('name')}"
                    + (f" — {vendor['outside_reason']}" if vendor.get("outside_reason") else "")
                    for vendor in shortlist.vendors
                ],
            )
        )
    for handover in lead.handovers.select_related("consultant"):
        events.append(
            Event(
                handover.created_at,
                "handover",
                _("Lead handed to %(vendor)s") % {"vendor": handover.vendor_name},
                get_user_display_name(handover.consultant),
                handover.target,
            )
        )
    for delivery in lead.deliveries.all():
        events.append(
            Event(
                delivery.succeeded_at or delivery.updated_at,
                "delivery",
                f"{delivery.get_kind_display()}: {delivery.get_status_display()}",
                text=delivery.last_error,
                state=delivery.status,
            )
        )
    entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Lead),
        object_id=str(lead.pk),
        action__in=TIMELINE_ACTIONS,
    ).select_related("user")
    events.extend(log_event(entry) for entry in entries)
    events.sort(key=lambda event: event.time, reverse=True)
    return events
