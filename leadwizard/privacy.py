"""Data protection (DSGVO): erasing a lead's personal data and answering a reader's request for access.

Erasure anonymises a lead in place: the answers, matches, source page, UTM
parameters and consent record stay (they are statistics and proof of consent),
but nothing that identifies the reader does. ``personal_data_for_email`` gathers
everything held about one e-mail address for the right of access (Art. 15).
"""

from urllib.parse import urlsplit, urlunsplit

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from .audit import LOG_ERASE
from .models import Delivery, Lead, LeadNote, Shortlist

# Blanked on erasure; all are free text or contact details the reader typed in.
PERSONAL_FIELDS = ("name", "company", "email", "phone", "message")
# Kept as scheme, host and path only: query strings and fragments may carry e-mail addresses or ids.
URL_FIELDS = ("landing_url", "referrer")
ERASED_DELIVERY_NOTE = "Cancelled: the personal data of the lead was erased."


def strip_url(url):
    """``url`` without user info, query string and fragment; "" for anything that is not a plain URL."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return ""
    netloc = f"{host}:{port}" if host and port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def lead_title(lead):
    """A label for log entries that names no person."""
    return f"Lead {lead.pk}"


@transaction.atomic
def erase_lead(lead, user=None, reason=""):
    """Anonymise ``lead`` in place and record it in the audit log. Safe to call again.

    ``reason`` (e.g. "retention") goes into the log entry's data. Returns True when the lead was erased now, False when it had been erased before.
    """
    # Lock the row, then work on the caller's instance so that it shows the result.
    Lead.objects.select_for_update().filter(pk=lead.pk).exists()
    lead.refresh_from_db()
    first_time = lead.erased_at is None
    changed = []
    for name in PERSONAL_FIELDS:
        if getattr(lead, name):
            setattr(lead, name, "")
            changed.append(name)
    for name in URL_FIELDS:
        stripped = strip_url(getattr(lead, name))
        if stripped != getattr(lead, name):
            setattr(lead, name, stripped)
            changed.append(name)
    if first_time:
        lead.erased_at = timezone.now()
        changed.append("erased_at")
    if changed:
        lead.save(update_fields=[*changed, "updated_at"])

    now = timezone.now()
    deliveries = Delivery.objects.filter(lead=lead)
    # E-mail recipients are personal; webhook URLs are ours.
    deliveries.exclude(kind=Delivery.Kind.WEBHOOK).exclude(target="").update(target="", updated_at=now)
    # Nothing may go out for an erased lead any more.
    deliveries.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING]).update(
        status=Delivery.Status.GAVE_UP, next_attempt_at=None, last_error=ERASED_DELIVERY_NOTE, updated_at=now
    )
    # Errors may quote addresses or payloads.
    deliveries.exclude(last_error__in=["", ERASED_DELIVERY_NOTE]).update(last_error="", updated_at=now)

    # A consultant's message greets the reader by name; the vendors sent stay (they are statistics).
    Shortlist.objects.filter(lead=lead).exclude(message="").update(message="")
    # Notes are free text about the person.
    LeadNote.objects.filter(lead=lead).exclude(text="").update(text="")

    # Earlier log entries carry the lead's name and company as their label.
    scrub_log_labels(lead)
    if first_time:
        log(lead, LOG_ERASE, user=user, title=lead_title(lead), data={"reason": reason} if reason else None)
    return first_time


def scrub_log_labels(lead):
    """Replace the person's name in the labels of the lead's audit log entries."""
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Lead), object_id=str(lead.pk)
    ).update(label=lead_title(lead))


def _iso(value):
    return value.isoformat() if value else None


def lead_personal_data(lead):
    """One lead as JSON-serialisable data, as held: contact, answers, consent, source, deliveries."""
    return {
        "id": lead.pk,
        "created_at": _iso(lead.created_at),
        "updated_at": _iso(lead.updated_at),
        "status": lead.status,
        "language": lead.locale,
        "contact": lead.contact,
        "internal_notes": [
            {"created_at": _iso(note.created_at), "author": note.author_name, "text": note.text}
            for note in lead.lead_notes.order_by("created_at")
        ],
        "questionnaire": str(lead.questionnaire) if lead.questionnaire_id else None,
        "answers": lead.answers,
        "answers_as_shown": lead.answer_labels,
        "industry": lead.industry,
        "employees": lead.employees,
        "match_count": lead.match_count,
        "matches": lead.matches,
        "shortlists": [
            {
                "sent_at": _iso(shortlist.sent_at),
                "consultant": shortlist.consultant_name,
                "language": shortlist.language,
                "vendors": shortlist.vendor_names,
                "message": shortlist.message,
            }
            for shortlist in lead.shortlists.order_by("created_at")
        ],
        "handed_to_vendors": [
            {"vendor": item.vendor_name, "address": item.target, "at": _iso(item.created_at)}
            for item in lead.handovers.order_by("created_at")
        ],
        "vendor_consent": {
            "given": lead.vendor_consent,
            "text": lead.vendor_consent_text,
            "version": lead.vendor_consent_version,
            "given_at": _iso(lead.vendor_consent_given_at),
        },
        "spam_indicators": lead.spam_reasons,
        "consent": {
            "text": lead.consent_text,
            "version": lead.consent_version,
            "given_at": _iso(lead.consent_given_at),
        },
        "marketing_consent": {
            "requested": lead.marketing_consent,
            "text": lead.marketing_consent_text,
            "version": lead.marketing_consent_version,
            "confirmation_sent_at": _iso(lead.marketing_confirmation_sent_at),
            "confirmed_at": _iso(lead.marketing_confirmed_at),
            "valid": lead.has_marketing_consent,
        },
        "source": {
            "page_url": lead.source_url,
            "page_title": lead.source_page.title if lead.source_page_id and lead.source_page else "",
            "landing_url": lead.landing_url,
            "referrer": lead.referrer,
            "utm_source": lead.utm_source,
            "utm_medium": lead.utm_medium,
            "utm_campaign": lead.utm_campaign,
            "utm_term": lead.utm_term,
            "utm_content": lead.utm_content,
        },
        "deliveries": [
            {
                "kind": delivery.kind,
                "kind_label": str(delivery.get_kind_display()),
                "status": delivery.status,
                "created_at": _iso(delivery.created_at),
                "succeeded_at": _iso(delivery.succeeded_at),
            }
            for delivery in lead.deliveries.all()
        ],
    }


def leads_for_email(email):
    """Leads whose e-mail address is ``email``, ignoring case; none for an empty address."""
    email = (email or "").strip()
    if not email:
        # Erased leads have an empty address: they must never match.
        return Lead.objects.none()
    return (
        Lead.objects.filter(email__iexact=email)
        .select_related("questionnaire", "source_page")
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    )


def personal_data_for_email(email, leads=None):
    """Everything held about ``email`` as JSON-serialisable data (right of access)."""
    leads = leads_for_email(email) if leads is None else leads
    return {
        "email": (email or "").strip(),
        "generated_at": timezone.now().isoformat(),
        "leads": [lead_personal_data(lead) for lead in leads],
    }
