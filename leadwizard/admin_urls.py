"""Names of the lead wizard's admin URLs, in one place for views, templates, mails and tests.

All of them live below ``/admin/leadwizard/``: the leads viewset's views in the
namespace ``leadwizard_leads``, everything else (exports, reports, privacy,
deliveries) in ``leadwizard_admin`` from ``admin/urls.py``.
"""

from django.contrib.admin.utils import quote
from django.urls import reverse

#: The URL prefix of every admin view of the app, below Wagtail's admin.
ADMIN_PREFIX = "leadwizard/"
#: The namespace of every view the leads viewset registers (``LeadViewSet.url_namespace``).
LEAD_ADMIN_NAMESPACE = "leadwizard_leads"
#: The namespace of ``admin/urls.py``.
ADMIN_NAMESPACE = "leadwizard_admin"
#: The consultant's workspace (``consult/urls.py``), below ``ADMIN_PREFIX + CONSULT_PREFIX``.
CONSULT_NAMESPACE = "leadwizard_consult"
CONSULT_PREFIX = "consult/"


def lead_admin_url(view_name, lead=None):
    """The admin URL of the leads listing (``"index"``) or of one lead's ``view_name`` (``"inspect"``, ...)."""
    args = [quote(lead.pk if hasattr(lead, "pk") else lead)] if lead is not None else []
    return reverse(f"{LEAD_ADMIN_NAMESPACE}:{view_name}", args=args)


def admin_url(view_name, *args):
    """The URL of one of ``admin/urls.py``'s views (``"export_leads"``, ``"report_funnel"``, ...)."""
    return reverse(f"{ADMIN_NAMESPACE}:{view_name}", args=args)


def consult_url(view_name, *args):
    """The URL of one of ``consult/urls.py``'s views (``"queue"``, ``"shortlist"``, ...)."""
    return reverse(f"{CONSULT_NAMESPACE}:{view_name}", args=args)
