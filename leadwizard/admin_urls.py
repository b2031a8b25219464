"""Names of the leads admin's URLs, in one place for views, templates, mails and tests."""

from django.contrib.admin.utils import quote
from django.urls import reverse

#: The namespace of every view the leads viewset registers (``LeadViewSet.admin_url_namespace``).
LEAD_ADMIN_NAMESPACE = "leadwizard_leads"


def lead_admin_url(view_name, lead=None):
    """The admin URL of the leads listing (``"index"``) or of one lead's ``view_name`` (``"inspect"``, ...)."""
    args = [quote(lead.pk if hasattr(lead, "pk") else lead)] if lead is not None else []
    return reverse(f"{LEAD_ADMIN_NAMESPACE}:{view_name}", args=args)
