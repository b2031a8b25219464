"""Bulk actions of the leads listing: set the status, assign to someone who may work leads."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.functional import cached_property, classproperty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.permissions import policy_registry

from ..admin_urls import lead_admin_url
from ..assignment import assign_lead, lead_staff, set_status
from ..models import Lead


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Lead.Status.choices)


class AssigneeForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=get_user_model().objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = lead_staff()


class LeadBulkAction(BulkAction):
    """A bulk action on leads: only for users who may change leads, on the confirmation page too."""

    template_name = "leadwizard/admin/bulk_confirm.html"
    icon = "tag"
    intro = ""

    @classproperty
    def models(cls):
        return [Lead]

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(Lead)

    def dispatch(self, request, *args, **kwargs):
        # Wagtail's bulk actions list the selected objects on their confirmation page,
        # including those the user may not act on; refuse before anything is listed.
        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_title=self.display_name,
            action_intro=self.intro,
            action_icon=self.icon,
            header_icon=self.icon,
        )
        return context

    def object_context(self, lead):
        return {"item": lead, "label": lead.contact_label, "url": lead_admin_url("inspect", lead)}

    def check_perm(self, obj):
        return self.permission_policy.user_has_permission_for_instance(self.request.user, "change", obj)


class SetStatusBulkAction(LeadBulkAction):
    display_name = _("Set status")
    action_type = "set_status"
    aria_label = _("Set the status of the selected leads")
    intro = _("Set the status of these leads:")
    action_priority = 20
    form_class = StatusForm

    def get_execution_context(self):
        return {"status": self.cleaned_form.cleaned_data["status"], "user": self.request.user}

    @classmethod
    def execute_action(cls, objects, status=None, user=None, **kwargs):
        for lead in objects:
            set_status(lead, status, by=user)
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
    intro = _("Assign these leads:")
    icon = "user"
    action_priority = 25
    form_class = AssigneeForm

    def get_execution_context(self):
        return {"assignee": self.cleaned_form.cleaned_data["assignee"], "user": self.request.user}

    @classmethod
    def execute_action(cls, objects, assignee=None, user=None, **kwargs):
        for lead in objects:
            assign_lead(lead, assignee, by=user)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext("%(count)d lead assigned.", "%(count)d leads assigned.", num_parent_objects) % {
            "count": num_parent_objects
        }
