"""The marketing double opt-in: the signed confirmation link a reader gets, and the page it opens."""

from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..models import Lead
from .links import lead_link, lead_token, submission_key_from_token
from .unsubscribe import UNSUBSCRIBE_TEMPLATE, clear_withdrawal

OPTIN_SALT = "leadwizard.optin"
OPTIN_MAX_AGE = 14 * 24 * 3600
OPTIN_TEMPLATE = "leadwizard/optin_confirm.html"


def optin_token(lead):
    return lead_token(lead, OPTIN_SALT)


def optin_url(lead):
    """The absolute confirmation link, in the lead's language."""
    return lead_link(lead, "leadwizard:optin_confirm", OPTIN_SALT)


def lead_for_optin_token(token):
    """The lead a confirmation link belongs to, and the state to show: (lead, state)."""
    key, state = submission_key_from_token(token, OPTIN_SALT, OPTIN_MAX_AGE)
    if key is None:
        return None, state
    lead = Lead.objects.filter(submission_key=key, marketing_consent=True, erased_at__isnull=True).first()
    if lead is None:
        return None, "invalid"
    if lead.marketing_withdrawn_at:
        # Withdrawn before it was confirmed, or after: only a new request opts in again.
        return lead, "withdrawn"
    return lead, "confirmed" if lead.marketing_confirmed_at else "confirm"


@never_cache
@require_http_methods(["GET", "POST"])
def optin_confirm(request, token):
    """Double opt-in: GET shows a button, only the POST confirms, so link scanners in mail filters never do."""
    lead, state = lead_for_optin_token(token)
    if lead is None:
        status = 410 if state == "expired" else 404
        return render(request, OPTIN_TEMPLATE, {"state": state}, status=status)
    if state == "withdrawn":
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "done", "lead": lead}, status=410)
    if request.method == "POST":
        with transaction.atomic():
            confirmed = Lead.objects.filter(
                pk=lead.pk, marketing_confirmed_at__isnull=True, marketing_withdrawn_at__isnull=True
            ).update(marketing_confirmed_at=timezone.now())
            if confirmed:
                # A new, confirmed opt-in lifts an earlier withdrawal of the address.
                clear_withdrawal(lead)
        # Post/redirect/get: a reload shows the confirmation instead of posting again.
        return redirect(request.path)
    return render(request, OPTIN_TEMPLATE, {"state": state, "lead": lead})
