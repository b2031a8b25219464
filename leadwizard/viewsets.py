"""Admin viewsets: the questionnaire and vendor snippets, and the leads listing."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Lead, Questionnaire, Vendor


class QuestionnaireViewSet(SnippetViewSet):
    model = Questionnaire
    icon = "form"
    menu_label = _("Questionnaires")
    list_display = ["title", "locale"]
    list_filter = ["locale"]
    search_fields = ["title"]


class VendorViewSet(SnippetViewSet):
    model = Vendor
    icon = "site"
    menu_label = _("Vendors")
    list_display = ["name", "market", "employees_min", "employees_max", "active", "locale"]
    list_filter = ["locale", "active", "market", "hosting", "questionnaire"]
    search_fields = ["name", "short_description"]
    list_per_page = 50


class LeadWizardSnippets(SnippetViewSetGroup):
    menu_label = _("CRM selection")
    menu_icon = "form"
    menu_order = 260
    items = (QuestionnaireViewSet, VendorViewSet)


class LeadPermissionPolicy(ModelPermissionPolicy):
    """Leads come only from readers: nobody adds them in the admin."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class LeadViewSet(ModelViewSet):
    model = Lead
    icon = "user"
    menu_label = _("Leads")
    menu_order = 270
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = [
        "created_at",
        "name",
        "company",
        "industry",
        "employees",
        "match_count",
        "source_page",
        "locale",
        "status",
    ]
    list_filter = ["status", "locale", "industry"]
    search_fields = ["name", "company", "email"]
    # Plain database search: personal data never goes into a search index.
    search_backend_name = None
    ordering = ["-created_at"]
    form_fields = ["status", "notes"]
    inspect_view_fields = [
        "created_at",
        "status",
        "name",
        "company",
        "email",
        "phone",
        "message",
        "questionnaire",
        "industry",
        "employees",
        "match_count",
        "source_url",
        "locale",
        "landing_url",
        "referrer",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "consent_version",
        "consent_given_at",
        "spam_reasons",
    ]
