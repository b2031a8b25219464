"""Admin viewsets: the questionnaire and vendor snippets, and the leads.

Leads are personal data, so they are deliberately *not* a snippet. Registering a
model as a snippet makes Wagtail add views that know nothing of our permission
rule: the snippet chooser (which lists every lead's title to any editor), the
snippets bulk delete (whose confirmation lists the objects a user may not touch),
the translation APIs of wagtail-localize, and reference-index entries that put
leads on their source page's "Usage" tab. A plain ``ModelViewSet`` registers only
the views below, each of which checks ``LeadPermissionPolicy``.
"""

from django.contrib.admin.utils import quote
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from ..admin_urls import ADMIN_PREFIX, LEAD_ADMIN_NAMESPACE
from ..assignment import lead_staff
from ..exports.filters import SEARCH_FIELDS, LeadFilterSet
from ..models import Lead, Questionnaire, Vendor, Webhook
from .exports import LeadIndexView as ExportingLeadIndexView
from .forms import VendorAdminForm
from .views import LeadEditView, LeadInspectView
from .webhooks import edit_handler as webhook_edit_handler

#: The ``obj_type`` of the leads listing's bulk-action checkboxes; each checkbox is
#: described by the element with the id ``lead_<pk>_title`` (the lead's name).
BULK_OBJECT_TYPE = "lead"


class NamedBulkActionsCheckboxColumn(BulkActionsCheckboxColumn):
    """A bulk-action checkbox whose accessible name says what it selects.

    Wagtail's is named "Select" and only described by the row's title, so a screen
    reader going from box to box hears "Select, Select, ...".
    """

    cell_template_name = "leadwizard/admin/tables/bulk_checkbox_cell.html"

    def __init__(self, *args, get_label=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.get_label = get_label

    def get_cell_context_data(self, instance, parent_context):
        return {
            **super().get_cell_context_data(instance, parent_context),
            "row_label": self.get_label(instance),
        }


class NamedCheckboxesIndexView(SnippetIndexView):
    """A snippet listing whose bulk-action checkboxes carry the row's name."""

    @cached_property
    def columns(self):
        columns = list(super().columns)
        columns[0] = NamedBulkActionsCheckboxColumn("bulk_actions", obj_type="snippet")
        return columns


class QuestionnaireViewSet(SnippetViewSet):
    model = Questionnaire
    index_view_class = NamedCheckboxesIndexView
    icon = "form"
    menu_label = _("Questionnaires")
    list_display = ["title", "locale"]
    list_filter = ["locale"]
    search_fields = ["title"]


class VendorViewSet(SnippetViewSet):
    model = Vendor
    index_view_class = NamedCheckboxesIndexView
    icon = "site"
    menu_label = _("Vendors")
    list_display = ["name", "market", "employees_min", "employees_max", "active", "locale"]
    list_filter = ["locale", "active", "market", "hosting", "questionnaire"]
    search_fields = ["name", "short_description"]
    list_per_page = 50
    # The model's panels, with a form that offers the questionnaire's options instead of raw JSON.
    edit_handler = ObjectList(Vendor.panels, base_form_class=VendorAdminForm)


class WebhookViewSet(SnippetViewSet):
    model = Webhook
    icon = "link"
    menu_label = _("Webhooks")
    list_display = ["name", "url", "active"]
    list_filter = ["active"]
    # The model's panels, the secret's rotation and the receiver's verification code (webhooks.py).
    edit_handler = webhook_edit_handler
    # A copy would share its original's secret (and hand it to users who may only add webhooks).
    copy_view_enabled = False


class LeadWizardSnippets(SnippetViewSetGroup):
    menu_label = _("CRM selection")
    menu_icon = "form"
    menu_order = 260
    items = (QuestionnaireViewSet, VendorViewSet, WebhookViewSet)


class LeadPermissionPolicy(ModelPermissionPolicy):
    """Who may do what with leads.

    Every action needs ``view_lead`` as well as its own permission: a lead's
    name, company and address are on every lead screen (the edit form, the
    delete confirmation, the history), so a user who may not see personal data
    may do nothing with leads. Nobody adds leads in the admin; they come only
    from readers.
    """

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        if not super().user_has_permission(user, "view"):
            return False
        return action == "view" or super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if set(actions) <= {"add"}:
            return self.user_model._default_manager.none()
        users = super().users_with_any_permission([action for action in actions if action != "add"])
        return users.filter(pk__in=super().users_with_permission("view").values("pk"))


class LeadForm(WagtailAdminModelForm):
    """Marketers edit only the workflow fields; the assignee is someone who may work leads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = lead_staff()


class LeadIndexView(ExportingLeadIndexView):
    """The leads list with export buttons and bulk actions; a row's name opens the lead."""

    template_name = "leadwizard/admin/lead_index.html"

    @cached_property
    def columns(self):
        checkbox = NamedBulkActionsCheckboxColumn(
            "bulk_actions", obj_type=BULK_OBJECT_TYPE, get_label=lambda lead: lead.contact_label
        )
        return [checkbox, *super().columns]

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)
        return self._get_custom_column(
            field_name,
            column_class,
            get_url=self.get_inspect_url,
            # The checkbox of the row points here, so screen readers announce the lead's name.
            get_title_id=lambda lead: f"{BULK_OBJECT_TYPE}_{quote(lead.pk)}_title",
            **kwargs,
        )


class LeadViewSet(ModelViewSet):
    model = Lead
    icon = "user"
    menu_label = _("Leads")
    menu_order = 270
    add_to_admin_menu = True
    url_prefix = ADMIN_PREFIX + "leads"
    name = "leads"
    url_namespace = LEAD_ADMIN_NAMESPACE
    # Leads must never show up on their source page's "Usage" tab.
    add_to_reference_index = False
    inspect_view_enabled = True
    inspect_view_class = LeadInspectView
    edit_view_class = LeadEditView
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
    edit_handler = ObjectList([FieldPanel("status"), FieldPanel("assignee")], base_form_class=LeadForm)


#: The one instance registered with Wagtail (``wagtail_hooks.py``).
lead_viewset = LeadViewSet()
