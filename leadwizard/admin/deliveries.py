"""A marketer's "Retry now" for a delivery, on the lead's page."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from ..admin_urls import lead_admin_url
from ..audit import LOG_RETRY
from ..deliveries.tasks import attempt_and_requeue
from ..models import Delivery, Lead


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

    result = attempt_and_requeue(delivery, force=True)
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
