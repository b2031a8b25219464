"""Withdrawing the marketing consent: the operation, the signed unsubscribe link in mails and its page.

``withdraw_marketing`` is the one way a withdrawal is recorded: by the reader's
link (page and button), by a mail client's one-click unsubscribe (RFC 8058) and
by staff who received it by phone or letter. It is about the address, not one
lead: every lead of the address is marked, and the address's keyed hash is
kept (``MarketingSuppression``) so that no later lead from it gets marketing mail
until it confirms a new opt-in (``clear_withdrawal``).
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods
from wagtail.log_actions import log

from ..consent import LOG_MARKETING_WITHDRAWN, address_hash, normalise_email
from ..models import Delivery, Lead, MarketingSuppression, WithdrawalSource
from .links import lead_link, submission_key_from_token

UNSUBSCRIBE_SALT = "leadwizard.unsubscribe"
# Long: people unsubscribe from mails they kept. An older link shows how else to withdraw.
UNSUBSCRIBE_MAX_AGE = 2 * 365 * 24 * 3600
UNSUBSCRIBE_TEMPLATE = "leadwizard/unsubscribe.html"
#: The form field and value a mail client posts for a one-click unsubscribe (RFC 8058, section 3.1).
ONE_CLICK_FIELD = "List-Unsubscribe"
ONE_CLICK_VALUE = "One-Click"
#: Deliveries sent because of the marketing consent; still pending ones are cancelled on withdrawal.
MARKETING_KINDS = (Delivery.Kind.MARKETING_OPT_IN,)
WITHDRAWN_NOTE = "Cancelled: the reader withdrew the marketing consent."


def unsubscribe_url(lead):
    """The absolute unsubscribe link of ``lead``, in the lead's language."""
    return lead_link(lead, "leadwizard:unsubscribe", UNSUBSCRIBE_SALT)


def lead_for_unsubscribe_token(token):
    """``(lead, "ok")``, or ``(None, "expired" | "invalid")``; erased leads have no working link."""
    key, state = submission_key_from_token(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_MAX_AGE)
    if key is None:
        return None, state
    lead = Lead.objects.filter(submission_key=key, erased_at__isnull=True).exclude(email="").first()
    return (lead, "ok") if lead else (None, "invalid")


def is_withdrawn(lead):
    """Whether the lead's address stands withdrawn now (a later confirmed opt-in lifts it)."""
    return lead.marketing_withdrawn_at is not None and MarketingSuppression.is_withdrawn(lead.email)


@transaction.atomic
def withdraw_marketing(lead, source, user=None, now=None):
    """Record that the reader of ``lead`` withdrew marketing consent; returns the leads marked now.

    Marks every lead of the address that is not marked yet (time and ``source``),
    writes an audit-log entry for each, remembers the address's keyed hash and
    cancels marketing mails still waiting. Idempotent: calling it again, by any
    route, changes nothing and returns ``[]``; the first time and source stay.
    """
    source = WithdrawalSource(source)
    now = now or timezone.now()
    email = normalise_email(lead.email)
    same_address = Q(pk=lead.pk) | Q(email__iexact=email) if email else Q(pk=lead.pk)
    leads = list(
        Lead.objects.select_for_update()
        .filter(same_address, erased_at__isnull=True, marketing_withdrawn_at__isnull=True)
        .order_by("pk")
    )
    if email and not MarketingSuppression.for_email(email).exists():
        try:
            with transaction.atomic():
                MarketingSuppression.objects.create(
                    email_hash=address_hash(email), withdrawn_at=now, source=source
                )
        except IntegrityError:
            pass  # a concurrent request (the mail client's one-click and the reader's button) was first
    if not leads:
        return []
    Lead.objects.filter(pk__in=[item.pk for item in leads]).update(
        marketing_withdrawn_at=now, marketing_withdrawal_source=source, updated_at=now
    )
    Delivery.objects.filter(
        lead__in=leads,
        kind__in=MARKETING_KINDS,
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
    ).update(status=Delivery.Status.GAVE_UP, next_attempt_at=None, last_error=WITHDRAWN_NOTE, updated_at=now)
    for item in leads:
        item.marketing_withdrawn_at, item.marketing_withdrawal_source = now, source
        log(
            item,
            LOG_MARKETING_WITHDRAWN,
            user=user,
            data={"source": source.value, "via_lead": lead.pk},
        )
    if lead.pk in {item.pk for item in leads}:
        lead.marketing_withdrawn_at, lead.marketing_withdrawal_source = now, source
    return leads


def clear_withdrawal(lead):
    """The address of ``lead`` opted in again (a confirmed double opt-in): marketing may reach it again.

    Earlier leads keep their withdrawal: it is the record of what the reader said then.
    """
    MarketingSuppression.for_email(lead.email).delete()


# The public page --------------------------------------------------------------------------------


def is_one_click(request):
    """A mail client's RFC 8058 request: a POST whose body is ``List-Unsubscribe=One-Click``."""
    return request.method == "POST" and request.POST.get(ONE_CLICK_FIELD) == ONE_CLICK_VALUE


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button; the button's POST (with CSRF token) or a one-click POST withdraws.

    Exempt from CSRF only for the one-click form of request: mail clients send it
    without cookies or token (RFC 8058), and all it can do is withdraw consent for
    the address the signed link names. Every other POST is checked as usual.
    """
    if is_one_click(request):
        return one_click_unsubscribe(request, token)
    return unsubscribe_page(request, token)


def one_click_unsubscribe(request, token):
    lead, state = lead_for_unsubscribe_token(token)
    if lead is None:
        return HttpResponse(state, status=410 if state == "expired" else 404, content_type="text/plain")
    withdraw_marketing(lead, WithdrawalSource.ONE_CLICK)
    return HttpResponse("unsubscribed", content_type="text/plain")


@csrf_protect
def unsubscribe_page(request, token):
    lead, state = lead_for_unsubscribe_token(token)
    if lead is None:
        status = 410 if state == "expired" else 404
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": state}, status=status)
    if request.method == "POST":
        withdraw_marketing(lead, WithdrawalSource.LINK)
        # Post/redirect/get: a reload shows the result instead of posting again.
        return redirect(request.path)
    state = "done" if is_withdrawn(lead) else "ask"
    return render(request, UNSUBSCRIBE_TEMPLATE, {"state": state, "lead": lead})
