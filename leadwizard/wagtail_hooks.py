"""Wagtail hooks of the lead wizard: admin viewsets, bulk actions, dashboard, log actions, wizard serving."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

# Importing these registers their admin URLs, report menu items and listing buttons.
from . import delivery_hooks, export_hooks, report_hooks  # noqa: F401
from .admin_views import (
    LOG_ASSIGN,
    LOG_ERASE,
    LOG_EXPORT,
    LOG_RETRY,
    LOG_STATUS,
    LOG_VIEW,
    AssignBulkAction,
    NewLeadsSummaryItem,
    SetStatusBulkAction,
    UnassignedLeadsSummaryItem,
)
from .models import Lead
from .serving import serve_with_wizard
from .viewsets import LeadPermissionPolicy, LeadWizardSnippets, lead_viewset

register_permission_policy(Lead, LeadPermissionPolicy(Lead))
register_snippet(LeadWizardSnippets)


@hooks.register("register_admin_viewset")
def register_lead_viewset():
    return lead_viewset


hooks.register("register_bulk_action", SetStatusBulkAction)
hooks.register("register_bulk_action", AssignBulkAction)

# After Wagtail's own view-restriction check (order 0), so private pages stay private.
hooks.register("on_serve_page", serve_with_wizard, order=100)


@hooks.register("construct_homepage_summary_items")
def add_lead_summary_items(request, summary_items):
    summary_items.extend([NewLeadsSummaryItem(request), UnassignedLeadsSummaryItem(request)])


@hooks.register("register_log_actions")
def register_lead_log_actions(actions):
    actions.register_action(LOG_VIEW, _("View lead"), _("Lead viewed"))
    actions.register_action(LOG_EXPORT, _("Export leads"), _("Leads exported"))
    actions.register_action(LOG_ERASE, _("Erase lead"), _("Personal data of the lead erased"))
    actions.register_action(LOG_STATUS, _("Change lead status"), _("Lead status changed"))
    actions.register_action(LOG_ASSIGN, _("Assign lead"), _("Lead assigned"))
    actions.register_action(LOG_RETRY, _("Retry delivery"), _("Delivery retried by hand"))
