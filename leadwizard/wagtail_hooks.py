"""Wagtail hooks of the lead wizard: registrations only; what they register lives in the sub-packages."""

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from . import audit
from .admin import menu
from .admin import urls as admin_urls
from .admin.bulk_actions import AssignBulkAction, SetStatusBulkAction
from .admin.dashboard import add_summary_items
from .admin.viewsets import LeadPermissionPolicy, LeadWizardSnippets, lead_viewset
from .admin_urls import ADMIN_NAMESPACE, ADMIN_PREFIX, CONSULT_NAMESPACE, CONSULT_PREFIX
from .consult import urls as consult_urls
from .consult.panels import add_queue_panel
from .models import Lead
from .wizard.serving import serve_with_wizard

register_permission_policy(Lead, LeadPermissionPolicy(Lead))
register_snippet(LeadWizardSnippets)
hooks.register("register_admin_viewset", lambda: lead_viewset)
hooks.register(
    "register_admin_urls",
    lambda: [
        path(ADMIN_PREFIX + CONSULT_PREFIX, include(consult_urls, namespace=CONSULT_NAMESPACE)),
        path(ADMIN_PREFIX, include(admin_urls, namespace=ADMIN_NAMESPACE)),
    ],
)
hooks.register("register_admin_menu_item", menu.shortlist_queue_item)
hooks.register("construct_homepage_panels", add_queue_panel)
hooks.register("register_bulk_action", SetStatusBulkAction)
hooks.register("register_bulk_action", AssignBulkAction)
hooks.register("construct_homepage_summary_items", add_summary_items)
hooks.register("register_log_actions", audit.register_actions)
hooks.register("register_reports_menu_item", menu.conversion_report_item)
hooks.register("register_reports_menu_item", menu.funnel_report_item)
hooks.register("register_reports_menu_item", menu.handover_report_item)
hooks.register("register_reports_menu_item", menu.personal_data_item)
# After Wagtail's own view-restriction check (order 0), so private pages stay private.
hooks.register("on_serve_page", serve_with_wizard, order=100)
