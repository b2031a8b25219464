"""Operations on leads that every front end shares: create a lead.

The wizard calls ``create_lead`` for a finished request; a headless API or a
command would call the same function, so every lead is saved the same way:
in one transaction with its deliveries, once per submission key, announced
only after the commit. Erasing and the right of access are in ``privacy``.
"""

import logging
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .assignment import assign_new_lead
from .conf import app_settings
from .consent import MARKETING_CONSENT_TEXT, consent_version, questionnaire_consent_html
from .deliveries.planning import schedule_deliveries_safely
from .matching import answers_by_role
from .models import Lead
from .signals import lead_submitted
from .text import clean_line

#: The spam reason of a request sent above LEADWIZARD_SUBMIT_RATE_LIMIT: kept, for a person to judge.
RATE_LIMIT_REASON = "rate_limit"

logger = logging.getLogger(__name__)


def utm_parameters(landing_url):
    """The UTM parameters of the URL the reader arrived with; a URL that cannot be parsed has none."""
    try:
        query = parse_qs(urlsplit(landing_url or "").query)
    except ValueError:  # e.g. "http://[" : the reader's finished request must not fail on it
        query = {}
    return {name: clean_line((query.get(name) or [""])[0], 200) for name in Lead.UTM_FIELDS}


def create_lead(
    *,
    questionnaire,
    answers,
    contact,
    matches,
    submission_key=None,
    source_page=None,
    source_url="",
    locale=None,
    landing_url="",
    referrer="",
    spam_reasons=(),
):
    """Save one reader's request; returns ``(lead, created)``. Safe to call twice with one submission key.

    ``contact``: the cleaned contact form (name, company, email, phone, message,
    marketing_consent). ``matches``: the vendors as matched when the reader
    submitted, best first. The consent texts stored are those the reader saw.
    The lead and its deliveries are committed together; ``lead_submitted`` is
    sent after the commit.
    """
    definition = questionnaire.definition
    by_role = answers_by_role(definition, answers)
    # As the contact step showed them (the same expansion, kept with the questionnaire).
    consent_html = str(questionnaire_consent_html(questionnaire, "consent_text"))
    marketing = bool(contact.get("marketing_consent"))
    marketing_text = str(MARKETING_CONSENT_TEXT) if marketing else ""
    spam_reasons = list(spam_reasons)
    # The vendor consent exists only where the questionnaire asks for it.
    vendor_text = (
        str(questionnaire_consent_html(questionnaire, "vendor_consent_text"))
        if questionnaire.vendor_consent_text
        else ""
    )
    vendor_consent = bool(contact.get("vendor_consent")) and bool(vendor_text)
    # The whole snapshot: the consultant chooses from every vendor the reader was shown.
    snapshot = [match.as_dict() for match in matches]
    with transaction.atomic():
        lead, created = Lead.objects.get_or_create(
            submission_key=submission_key or uuid.uuid4(),
            defaults={
                "questionnaire": questionnaire,
                "answers": answers,
                "answer_labels": definition.labelled_answers(answers),
                "industry": clean_line(by_role.get("industry") or "", 50),
                "employees": by_role.get("employees"),
                "name": contact["name"],
                "company": contact["company"],
                "email": contact["email"],
                "phone": contact.get("phone", ""),
                "message": contact.get("message", ""),
                "consent_text": consent_html,
                "consent_version": consent_version(consent_html),
                "consent_given_at": timezone.now(),
                "marketing_consent": marketing,
                "marketing_consent_text": marketing_text,
                "marketing_consent_version": consent_version(marketing_text) if marketing else "",
                "vendor_consent": vendor_consent,
                "vendor_consent_text": vendor_text if vendor_consent else "",
                "vendor_consent_version": consent_version(vendor_text) if vendor_consent else "",
                "vendor_consent_given_at": timezone.now() if vendor_consent else None,
                "source_page": source_page,
                "source_url": clean_line(source_url, 500),
                "locale": locale or settings.LANGUAGE_CODE,
                "landing_url": clean_line(landing_url, 1000),
                "referrer": clean_line(referrer, 1000),
                **utm_parameters(landing_url),
                "match_count": len(matches),
                "matches": snapshot,
                "top_matches": snapshot[: app_settings.TOP_MATCHES],
                "status": Lead.Status.SPAM if spam_reasons else Lead.Status.NEW,
                "spam_reasons": spam_reasons,
            },
        )
        if created:
            mark_likely_duplicate(lead)
            # Planned with the lead, so no commit can leave a lead without its deliveries;
            # their tasks are enqueued once this transaction commits.
            schedule_deliveries_safely(lead)
            assign_new_lead_safely(lead)
            transaction.on_commit(lambda: lead_submitted.send(sender=Lead, lead=lead))
    return lead, created


def assign_new_lead_safely(lead):
    """Round-robin assignment in a savepoint; a failure is logged and must never cost the reader's lead."""
    try:
        with transaction.atomic():
            assign_new_lead(lead)
    except Exception:
        logger.exception("Could not assign lead %s round-robin", lead.pk)


def mark_likely_duplicate(lead):
    """Link ``lead`` to the first lead of the same address within the window; returns that lead or None.

    Every later request of a group points to its first one, so the consultant finds them together.
    """
    window = app_settings.DUPLICATE_WINDOW_HOURS
    if not window or not lead.email:
        return None
    earlier = (
        Lead.objects.filter(
            email__iexact=lead.email,
            erased_at__isnull=True,
            created_at__gte=lead.created_at - timedelta(hours=window),
            created_at__lte=lead.created_at,
        )
        .exclude(pk=lead.pk)
        .order_by("-created_at", "-pk")
        .first()
    )
    if earlier is None:
        return None
    first = earlier.duplicate_of or earlier
    Lead.objects.filter(pk=lead.pk).update(duplicate_of=first)
    lead.duplicate_of = first
    return first
