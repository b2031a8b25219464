"""The marketing double opt-in: the signed confirmation link a reader gets, and the page it opens."""

import uuid

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..models import Lead
from .links import site_root_url

OPTIN_SALT = "leadwizard.optin"
OPTIN_MAX_AGE = 14 * 24 * 3600
OPTIN_TEMPLATE = "leadwizard/optin_confirm.html"


def optin_token(lead):
    return signing.dumps(lead.submission_key.hex, salt=OPTIN_SALT)


def optin_url(lead):
    """The absolute confirmation link, in the lead's language."""
    with translation.override(lead.locale or settings.LANGUAGE_CODE):
        path = reverse("leadwizard:optin_confirm", args=[optin_token(lead)])
    return f"{site_root_url(lead)}{path}"


def lead_for_optin_token(token):
    """The lead a confirmation link belongs to, and the state to show: (lead, state)."""
    try:
        key = signing.loads(token, salt=OPTIN_SALT, max_age=OPTIN_MAX_AGE)
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "invalid"
    try:
        key = uuid.UUID(hex=key)
    except (TypeError, ValueError, AttributeError):
        return None, "invalid"
    lead = Lead.objects.filter(submission_key=key, marketing_consent=True, erased_at__isnull=True).first()
    if lead is None:
        return None, "invalid"
    return lead, "confirmed" if lead.marketing_confirmed_at else "confirm"


@never_cache
@require_http_methods(["GET", "POST"])
def optin_confirm(request, token):
    """Double opt-in: GET shows a button, only the POST confirms, so link scanners in mail filters never do."""
    lead, state = lead_for_optin_token(token)
    if lead is None:
        status = 410 if state == "expired" else 404
        return render(request, OPTIN_TEMPLATE, {"state": state}, status=status)
    if request.method == "POST":
        Lead.objects.filter(pk=lead.pk, marketing_confirmed_at__isnull=True).update(
            marketing_confirmed_at=timezone.now()
        )
        # Post/redirect/get: a reload shows the confirmation instead of posting again.
        return redirect(request.path)
    return render(request, OPTIN_TEMPLATE, {"state": state, "lead": lead})
