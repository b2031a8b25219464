"""Admin viewsets: the questionnaire and vendor snippets, and the leads listing."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_views import LeadInspectView, lead_staff
from .export_views import LeadIndexView as ExportingLeadIndexView
from .filters import SEARCH_FIELDS, LeadFilterSet
from .models import Lead, Questionnaire, Vendor, Webhook


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


class WebhookViewSet(SnippetViewSet):
    model = Webhook
    icon = "link"
    menu_label = _("Webhooks")
    list_display = ["name", "url", "active"]
    list_filter = ["active"]


class LeadWizardSnippets(SnippetViewSetGroup):
    menu_label = _("CRM selection")
    menu_icon = "form"
    menu_order = 260
    items = (QuestionnaireViewSet, VendorViewSet, WebhookViewSet)


class LeadPermissionPolicy(ModelPermissionPolicy):
    """Leads come only from readers: nobody adds them in the admin."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class LeadForm(WagtailAdminModelForm):
    """Marketers edit only the workflow fields; the assignee is someone who may work leads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = lead_staff()


class LeadIndexView(ExportingLeadIndexView):
    """The leads list with export buttons; a row's title opens the lead (answers, matches, deliveries)."""

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)
        return self._get_custom_column(field_name, column_class, get_url=self.get_inspect_url, **kwargs)


class LeadViewSet(SnippetViewSet):
    model = Lead
    icon = "user"
    menu_label = _("Leads")
    menu_order = 270
    add_to_admin_menu = True
    url_prefix = "leads"
    admin_url_namespace = "leadwizard_leads"
    inspect_view_enabled = True
    inspect_view_class = LeadInspectView
    copy_view_enabled = False
    filterset_class = LeadFilterSet
    index_view_class = LeadIndexView
    list_display = [
        "name",
        "company",
        DateColumn("created_at", label=_("Date")),
        Column("industry_label", label=_("Industry"), sort_key="industry"),
        "employees",
        "match_count",
        "source_page",
        "locale",
        "status",
        "assignee",
    ]
    list_per_page = 50
    search_fields = list(SEARCH_FIELDS)
    # Plain database search: personal data never goes into a search index.
    search_backend_name = None
    ordering = ["-created_at"]
    sort_order_field = None
    panels = [FieldPanel("status"), FieldPanel("assignee"), FieldPanel("notes")]
    base_form_class = LeadForm
