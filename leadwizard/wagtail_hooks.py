"""Wagtail hooks of the lead wizard: admin viewsets and wizard serving on any page."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .models import Lead
from .serving import serve_with_wizard
from .viewsets import LeadPermissionPolicy, LeadViewSet, LeadWizardSnippets

register_snippet(LeadWizardSnippets)
register_permission_policy(Lead, LeadPermissionPolicy(Lead))


@hooks.register("register_admin_viewset")
def register_lead_viewset():
    return LeadViewSet("leads")


# After Wagtail's own view-restriction check (order 0), so private pages stay private.
hooks.register("on_serve_page", serve_with_wizard, order=100)
