"""Views around deliveries: a marketer's retry in the admin, and the reader's marketing opt-in confirmation."""

import uuid

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from . import deliveries
from .admin_urls import lead_admin_url
from .admin_views import LOG_RETRY
from .models import Delivery, Lead

OPTIN_TEMPLATE = "leadwizard/optin_confirm.html"


@require_POST
def retry_delivery(request, pk):
    """Attempt one delivery now, whatever its schedule, and go back to the lead with the outcome."""
    delivery = get_object_or_404(Delivery.objects.select_related("lead"), pk=pk)
    lead = delivery.lead
    # The error message of a failed attempt may quote the lead's address: the lead policy decides.
    if not policy_registry.get_by_type(Lead).user_has_permission_for_instance(request.user, "change", lead):
        raise PermissionDenied
    inspect_url = lead_admin_url("inspect", lead)
    if delivery.status == Delivery.Status.SUCCEEDED:
        messages.warning(request, _("This delivery has already succeeded; it was not sent again."))
        return redirect(inspect_url)

    result = deliveries.attempt(delivery, force=True)
    delivery.refresh_from_db()
    log(
        lead,
        LOG_RETRY,
        user=request.user,
        data={"delivery": delivery.pk, "kind": delivery.kind, "status": delivery.status},
    )
    kind = delivery.get_kind_display()
    if result is True:
        messages.success(request, _("%(kind)s: delivered.") % {"kind": kind})
    elif result is False:
        messages.error(
            request,
            _("%(kind)s: failed again (%(error)s). Status: %(status)s.")
            % {"kind": kind, "error": delivery.last_error, "status": delivery.get_status_display()},
        )
    else:
        messages.warning(
            request, _("%(kind)s: not retried, it is being delivered right now.") % {"kind": kind}
        )
    return redirect(inspect_url)


def lead_for_optin_token(token):
    """The lead a confirmation link belongs to, and the state to show: (lead, state)."""
    try:
        key = signing.loads(token, salt=deliveries.OPTIN_SALT, max_age=deliveries.OPTIN_MAX_AGE)
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
