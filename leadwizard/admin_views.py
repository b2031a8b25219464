"""Admin views for leads beyond the generic ones: the detail page, bulk actions and the dashboard panel."""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.ui.components import Component
from wagtail.log_actions import log
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import InspectView

from .models import Lead

LOG_VIEW = "leadwizard.lead.view"
LOG_EXPORT = "leadwizard.lead.export"
LOG_ERASE = "leadwizard.lead.erase"
LOG_STATUS = "leadwizard.lead.status"
LOG_ASSIGN = "leadwizard.lead.assign"
LOG_RETRY = "leadwizard.delivery.retry"


def lead_staff():
    """Users who may work leads: superusers and holders of the change permission."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                groups__permissions__codename="change_lead",
                groups__permissions__content_type__app_label="leadwizard",
            )
            | Q(user_permissions__codename="change_lead")
        )
        .distinct()
        .order_by("username")
    )


class LeadInspectView(InspectView):
    """The lead with its answers by step, matches and reasons, consent record, source and deliveries."""

    template_name = "leadwizard/admin/lead_inspect.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Looking at personal data is itself recorded.
        log(self.object, LOG_VIEW, user=request.user)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lead = self.object
        context["lead"] = lead
        context["answer_groups"] = lead.answer_labels
        context["matches"] = lead.top_matches
        context["deliveries"] = lead.deliveries.select_related("webhook")
        user = self.request.user
        context["can_change"] = self.permission_policy.user_has_permission_for_instance(user, "change", lead)
        context["can_erase"] = self.permission_policy.user_has_permission_for_instance(user, "delete", lead)
        return context


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Lead.Status.choices)


class AssigneeForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=get_user_model().objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = lead_staff()


class LeadBulkAction(SnippetBulkAction):
    models = [Lead]

    def check_perm(self, obj):
        return self.permission_policy.user_has_permission_for_instance(self.request.user, "change", obj)


class SetStatusBulkAction(LeadBulkAction):
    display_name = _("Set status")
    action_type = "set_status"
    aria_label = _("Set the status of the selected leads")
    template_name = "leadwizard/admin/bulk_set_status.html"
    action_priority = 20
    form_class = StatusForm

    def get_execution_context(self):
        return {"status": self.cleaned_form.cleaned_data["status"], "user": self.request.user}

    @classmethod
    def execute_action(cls, objects, status=None, user=None, **kwargs):
        for lead in objects:
            if lead.status != status:
                lead.status = status
                lead.save(update_fields=["status", "updated_at"])
                log(lead, LOG_STATUS, user=user, data={"status": status})
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "Status of %(count)d lead set to %(status)s.",
            "Status of %(count)d leads set to %(status)s.",
            num_parent_objects,
        ) % {
            "count": num_parent_objects,
            "status": Lead.Status(self.cleaned_form.cleaned_data["status"]).label,
        }


class AssignBulkAction(LeadBulkAction):
    display_name = _("Assign")
    action_type = "assign"
    aria_label = _("Assign the selected leads")
    template_name = "leadwizard/admin/bulk_assign.html"
    action_priority = 25
    form_class = AssigneeForm

    def get_execution_context(self):
        return {"assignee": self.cleaned_form.cleaned_data["assignee"], "user": self.request.user}

    @classmethod
    def execute_action(cls, objects, assignee=None, user=None, **kwargs):
        for lead in objects:
            if lead.assignee_id != (assignee.pk if assignee else None):
                lead.assignee = assignee
                lead.save(update_fields=["assignee", "updated_at"])
                log(
                    lead,
                    LOG_ASSIGN,
                    user=user,
                    data={"assignee": assignee.get_username() if assignee else None},
                )
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext("%(count)d lead assigned.", "%(count)d leads assigned.", num_parent_objects) % {
            "count": num_parent_objects
        }


class LeadsDashboardPanel(Component):
    """New leads of the last 7 days and unassigned open leads, each linking to the filtered list."""

    name = "leadwizard_leads"
    template_name = "leadwizard/admin/dashboard_panel.html"
    order = 90

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        since = timezone.localdate() - timedelta(days=6)
        open_statuses = [Lead.Status.NEW, Lead.Status.IN_PROGRESS]
        leads = Lead.objects.exclude(status=Lead.Status.SPAM)
        index_url = reverse(Lead.snippet_viewset.get_url_name("list"))
        return {
            "new_count": leads.filter(created_at__date__gte=since).count(),
            "new_url": f"{index_url}?created_at_from={since.isoformat()}",
            "unassigned_count": leads.filter(assignee=None, status__in=open_statuses).count(),
            "unassigned_url": f"{index_url}?assignee=null&status={','.join(open_statuses)}",
        }
