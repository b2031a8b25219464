"""The consultant's shortlist: what can be picked for a lead, checking a pick, and sending it.

The consultant's views, a command or an API call the same functions, so every
shortlist is checked the same way and goes out the same way: saved with its
delivery in one transaction, once per request key (a double click sends one
mail), then handed to the delivery machinery, which retries and logs it. The
lead's status follows only once the mail was accepted (``deliveries.outcomes``).
"""

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.utils import get_user_display_name
from wagtail.log_actions import log
from wagtail.models import Locale

from .audit import LOG_HANDOVER
from .catalogue import catalogue_of, lead_locale, localized_matches, readable_reasons, vendors_by_id
from .conf import app_settings
from .deliveries.tasks import enqueue
from .models import Delivery, Lead, Shortlist, Vendor, VendorHandover
from .text import clean_line, clean_text

MESSAGE_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 300
SEARCH_LIMIT = 20


class ShortlistRefused(Exception):
    """A shortlist that must not be sent; ``message`` says why, in the active language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Pick:
    """One vendor the consultant picked: its place on the list and, for a vendor outside the matches, why."""

    vendor_id: int
    position: int
    outside_reason: str = ""


def shortlist_size():
    return app_settings.SHORTLIST_SIZE


def candidates(lead):
    """Every vendor that matched, best first, in the lead's language; the first ones are preselected."""
    size = shortlist_size()
    rows, preselected = [], 0
    for match in localized_matches(lead):
        vendor = match["catalogue_vendor"]
        rows.append(
            {
                **match,
                "name": vendor.name if vendor else match["vendor"],
                "description": vendor.short_description if vendor else "",
                "in_catalogue": vendor is not None,
                "matched": True,
                "preselected": vendor is not None and preselected < size,
            }
        )
        preselected += vendor is not None
    return rows


def pickable_vendors(lead):
    """The vendors a consultant may add beyond the matches: the lead's catalogue, active, source language."""
    if lead.questionnaire is None:
        return Vendor.objects.none()
    return catalogue_of(lead.questionnaire).filter(active=True, locale=Locale.get_default())


def search_catalogue(lead, query, exclude=()):
    """Vendors of the lead's catalogue that did not match, whose name or description contains ``query``."""
    query = clean_line(query or "", 100).strip()
    if not query:
        return []
    matched = {match.get("vendor_id") for match in lead.matches or [] if isinstance(match, dict)}
    found = (
        pickable_vendors(lead)
        .filter(Q(name__icontains=query) | Q(short_description__icontains=query))
        .exclude(pk__in=[*matched, *exclude])
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )
    localized = vendors_by_id([vendor.pk for vendor in found], lead_locale(lead))
    return [
        {
            "vendor_id": vendor.pk,
            "name": localized[vendor.pk].name,
            "description": localized[vendor.pk].short_description,
            "matched": False,
        }
        for vendor in found
    ]


def check_sendable(lead):
    """Refuse leads that must get no shortlist: erased, without address, suspected spam."""
    if lead.erased_at:
        raise ShortlistRefused(_("The personal data of this lead was erased; nothing can be sent."))
    if not lead.email:
        raise ShortlistRefused(_("This lead has no e-mail address."))
    if lead.is_spam:
        raise ShortlistRefused(
            _("This lead is marked as spam. Change its status before sending a shortlist.")
        )


def checked_vendors(lead, picks):
    """The picked vendors in order, as the shortlist records and the mail shows them; raises ``ShortlistRefused``."""
    picks = list(picks)
    size = shortlist_size()
    if not picks:
        raise ShortlistRefused(_("Pick at least one vendor."))
    if len(picks) > size:
        raise ShortlistRefused(
            ngettext(
                "A shortlist holds at most %(max)d vendor; %(count)d are picked.",
                "A shortlist holds at most %(max)d vendors; %(count)d are picked.",
                size,
            )
            % {"max": size, "count": len(picks)}
        )
    ids = [pick.vendor_id for pick in picks]
    if len(set(ids)) != len(ids):
        raise ShortlistRefused(_("Each vendor can be on the shortlist only once."))

    matches = {match.get("vendor_id"): match for match in lead.matches or [] if isinstance(match, dict)}
    allowed = set(pickable_vendors(lead).filter(pk__in=ids).values_list("pk", flat=True))
    # A matched vendor stays pickable while it exists, even if it was switched off since.
    existing = vendors_by_id(ids, lead_locale(lead))
    definition = lead.questionnaire.definition if lead.questionnaire else None
    entries = []
    with translation.override(lead.locale or None):
        for pick in sorted(picks, key=lambda pick: pick.position):
            vendor = existing.get(pick.vendor_id)
            match = matches.get(pick.vendor_id)
            if vendor is None or (match is None and pick.vendor_id not in allowed):
                raise ShortlistRefused(
                    _("Vendor %(id)s is not in the catalogue of this lead's questionnaire.")
                    % {"id": pick.vendor_id}
                )
            reason = clean_line(pick.outside_reason or "", REASON_MAX_LENGTH).strip()
            if match is None and not reason:
                raise ShortlistRefused(
                    _("Say why %(vendor)s is added although it did not match the answers.")
                    % {"vendor": vendor.name}
                )
            reasons = readable_reasons(definition, match.get("reasons")) if match else []
            entries.append(
                {
                    "vendor_id": pick.vendor_id,
                    "name": vendor.name,
                    "description": vendor.short_description,
                    "website": vendor.website,
                    "matched": match is not None,
                    "score": match.get("score") if match else None,
                    "reasons": list(match.get("reasons") or []) if match else [],
                    "reasons_shown": [
                        f"{item['label']} ({', '.join(item['values'])})" if item["values"] else item["label"]
                        for item in reasons
                        if item["met"]
                    ],
                    "outside_reason": "" if match else reason,
                }
            )
    return entries


def new_shortlist(lead, consultant, picks, message):
    """An unsaved shortlist, checked: what a preview shows and what sending saves."""
    check_sendable(lead)
    return Shortlist(
        lead=lead,
        consultant=consultant,
        consultant_name=clean_line(get_user_display_name(consultant), 150),
        reply_to=(getattr(consultant, "email", "") or "")[:254],
        language=lead.locale,
        message=clean_text(message or "")[:MESSAGE_MAX_LENGTH].strip(),
        vendors=checked_vendors(lead, picks),
    )


def send_shortlist(lead, consultant, picks, message, request_key):
    """Save the shortlist with its e-mail delivery and queue the mail; returns ``(shortlist, created)``.

    One ``request_key`` (one click) makes one shortlist, however often it arrives.
    """
    request_key = request_key if isinstance(request_key, uuid.UUID) else uuid.UUID(str(request_key))
    existing = Shortlist.objects.filter(request_key=request_key).first()
    if existing is not None:
        return existing, False
    shortlist = new_shortlist(lead, consultant, picks, message)
    shortlist.request_key = request_key
    try:
        with transaction.atomic():
            Lead.objects.select_for_update().filter(pk=lead.pk).exists()
            shortlist.delivery = Delivery.objects.create(
                lead=lead, kind=Delivery.Kind.SHORTLIST, target=lead.email, next_attempt_at=timezone.now()
            )
            shortlist.save()
    except IntegrityError:
        # The same click arrived twice at once; the other request saved it.
        return Shortlist.objects.get(request_key=request_key), False
    delivery_id = shortlist.delivery_id
    transaction.on_commit(lambda: enqueue(delivery_id))
    return shortlist, True


def waiting_leads():
    """Leads waiting for a shortlist, oldest first: open, not erased, no shortlist sent yet."""
    return (
        Lead.objects.filter(status__in=[Lead.Status.NEW, Lead.Status.IN_PROGRESS], erased_at__isnull=True)
        .exclude(shortlists__sent_at__isnull=False)
        .order_by("created_at", "pk")
    )


def can_hand_over(lead):
    """Only a lead whose reader gave the separate vendor consent can be handed to vendors."""
    return (
        lead.vendor_consent and bool(lead.vendor_consent_version) and not lead.erased_at and not lead.is_spam
    )


def handover_candidates(shortlist):
    """The vendors of a sent shortlist with their hand-over address and whether they have the lead already."""
    ids = [vendor.get("vendor_id") for vendor in shortlist.vendors]
    vendors = Vendor.objects.in_bulk([vendor_id for vendor_id in ids if isinstance(vendor_id, int)])
    done = set(shortlist.lead.handovers.values_list("vendor_id", flat=True))
    return [
        {
            "vendor_id": vendor_id,
            "name": entry.get("name", ""),
            "address": vendors[vendor_id].handover_email if vendor_id in vendors else "",
            "handed_over": vendor_id in done,
        }
        for vendor_id, entry in zip(ids, shortlist.vendors, strict=True)
    ]


def hand_over(shortlist, vendor_ids, consultant):
    """Hand the lead to vendors of its sent shortlist; returns the new ``VendorHandover`` rows.

    Refused without the reader's vendor consent, for a vendor not on the shortlist
    or without a hand-over address; a vendor that has the lead already is skipped.
    """
    lead = shortlist.lead
    if not can_hand_over(lead):
        raise ShortlistRefused(_("The reader did not agree to be contacted by vendors."))
    if shortlist.sent_at is None:
        raise ShortlistRefused(_("Only the vendors of a shortlist that was sent can be given the lead."))
    candidates = {row["vendor_id"]: row for row in handover_candidates(shortlist)}
    vendor_ids = list(dict.fromkeys(vendor_ids))
    if not vendor_ids:
        raise ShortlistRefused(_("Pick at least one vendor."))
    for vendor_id in vendor_ids:
        row = candidates.get(vendor_id)
        if row is None:
            raise ShortlistRefused(_("Vendor %(id)s is not on this shortlist.") % {"id": vendor_id})
        if not row["address"]:
            raise ShortlistRefused(
                _("%(vendor)s has no contact address for hand-overs.") % {"vendor": row["name"]}
            )
    created = []
    with transaction.atomic():
        Lead.objects.select_for_update().filter(pk=lead.pk).exists()
        for vendor_id in vendor_ids:
            row = candidates[vendor_id]
            if lead.handovers.filter(vendor_id=vendor_id).exists():
                continue
            delivery = Delivery.objects.create(
                lead=lead,
                kind=Delivery.Kind.VENDOR_HANDOVER,
                target=row["address"],
                next_attempt_at=timezone.now(),
            )
            created.append(
                VendorHandover.objects.create(
                    lead=lead,
                    vendor_id=vendor_id,
                    vendor_name=row["name"],
                    target=row["address"],
                    shortlist=shortlist,
                    consultant=consultant,
                    consent_version=lead.vendor_consent_version,
                    delivery=delivery,
                )
            )
        if created:
            log(lead, LOG_HANDOVER, user=consultant, data={"vendors": [item.vendor_name for item in created]})
    for item in created:
        transaction.on_commit(lambda pk=item.delivery_id: enqueue(pk))
    return created
