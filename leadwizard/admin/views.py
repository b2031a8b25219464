"""Admin views for leads beyond the generic ones: the detail page, bulk actions and the dashboard panel."""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property, classproperty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.site_summary import SummaryItem
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import EditView, InspectView
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from .admin_urls import lead_admin_url
from .blocks import MATCHING_ROLES
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


class PersonTitleMixin:
    """Headers and breadcrumbs name the person; only users who may see the lead get this far.

    ``str(lead)`` names no person, so that generic places (audit log labels, the
    site history report) never carry personal data.
    """

    def get_page_subtitle(self):
        return self.object.contact_label


class LeadInspectView(PersonTitleMixin, InspectView):
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
        context["matches"] = readable_matches(lead)
        context["deliveries"] = lead.deliveries.select_related("webhook")
        user = self.request.user
        context["can_change"] = self.permission_policy.user_has_permission_for_instance(user, "change", lead)
        context["can_erase"] = self.permission_policy.user_has_permission_for_instance(user, "delete", lead)
        return context


class LeadEditView(PersonTitleMixin, EditView):
    """Status, assignee and notes of a lead."""


def readable_matches(lead):
    """The stored top matches with criteria and option keys turned into the labels editors know."""
    roles = dict(MATCHING_ROLES)
    definition = lead.questionnaire.definition if lead.questionnaire else None
    matches = []
    for match in lead.top_matches or []:
        reasons = []
        for reason in match.get("reasons", []):
            criterion = reason.get("criterion", "")
            question = definition.question_for_role(criterion) if definition else None
            labels = {option.key: option.label for option in question.choices} if question else {}
            reasons.append(
                {
                    "label": roles.get(criterion, criterion),
                    "values": [labels.get(key, key) for key in reason.get("keys", [])],
                    "met": reason.get("met", False),
                    "points": reason.get("points", 0),
                }
            )
        matches.append({"vendor": match.get("vendor"), "score": match.get("score"), "reasons": reasons})
    return matches


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
    intro = _("Assign these leads:")
    icon = "user"
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


class _LeadsSummaryItem(SummaryItem):
    """A figure in the dashboard's site summary that links to the filtered leads list."""

    template_name = "leadwizard/admin/summary_item.html"

    def is_shown(self):
        return self.request.user.has_perm("leadwizard.view_lead")

    def list_url(self, query):
        return f"{lead_admin_url('index')}?{query}"


class NewLeadsSummaryItem(_LeadsSummaryItem):
    """New leads of the last 7 days (spam excluded)."""

    order = 400

    def get_context_data(self, parent_context):
        since = timezone.localdate() - timedelta(days=6)
        statuses = [status for status in Lead.Status.values if status != Lead.Status.SPAM]
        count = Lead.objects.filter(created_at__date__gte=since).exclude(status=Lead.Status.SPAM).count()
        return {
            "icon": "user",
            "url": self.list_url(
                f"created_at_from={since.isoformat()}&" + "&".join(f"status={s}" for s in statuses)
            ),
            "text": ngettext("%(count)s new lead in 7 days", "%(count)s new leads in 7 days", count)
            % {"count": count},
        }


class UnassignedLeadsSummaryItem(_LeadsSummaryItem):
    """Open leads nobody has taken yet."""

    order = 410

    def get_context_data(self, parent_context):
        statuses = [Lead.Status.NEW, Lead.Status.IN_PROGRESS]
        count = Lead.objects.filter(assignee=None, status__in=statuses).count()
        return {
            "icon": "warning",
            "url": self.list_url("assignee=null&" + "&".join(f"status={s}" for s in statuses)),
            "text": ngettext("%(count)s open lead unassigned", "%(count)s open leads unassigned", count)
            % {"count": count},
        }
