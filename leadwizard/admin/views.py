"""The lead's own pages in the admin: what it holds (inspect) and its workflow fields (edit)."""

from wagtail.admin.views.generic import EditView, InspectView
from wagtail.log_actions import log

from ..admin_urls import consult_url, lead_admin_url
from ..assignment import assign_lead, set_status
from ..audit import LOG_VIEW
from ..catalogue import readable_matches
from ..models import Lead
from ..shortlists import can_hand_over, handover_candidates
from ..timeline import lead_timeline


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
        handing_over = can_hand_over(lead)
        context["shortlists"] = [
            {
                "record": shortlist,
                "handover": handover_candidates(shortlist) if handing_over and shortlist.sent_at else None,
            }
            for shortlist in lead.shortlists.select_related("lead")
        ]
        context["handover_url"] = consult_url("hand_over", lead.pk)
        context["timeline"] = lead_timeline(lead)
        if lead.duplicate_of_id:
            context["duplicate_of_url"] = lead_admin_url("inspect", lead.duplicate_of_id)
        context["later_duplicates"] = [
            {"created_at": created_at, "url": lead_admin_url("inspect", pk)}
            for pk, created_at in lead.likely_duplicates.order_by("created_at").values_list(
                "pk", "created_at"
            )
        ]
        context["note_url"] = consult_url("add_note", lead.pk)
        context["shortlist_url"] = consult_url("shortlist", lead.pk)
        user = self.request.user
        context["can_change"] = self.permission_policy.user_has_permission_for_instance(user, "change", lead)
        context["can_erase"] = self.permission_policy.user_has_permission_for_instance(user, "delete", lead)
        return context


class LeadEditView(PersonTitleMixin, EditView):
    """Status and assignee of a lead; each change is recorded and a new assignee is told by mail."""

    def save_instance(self):
        lead = Lead.objects.get(pk=self.object.pk)
        data = self.form.cleaned_data
        user = self.request.user
        # Atomic with the caller's transaction (Wagtail's form_valid); the mail goes after the commit.
        if "status" in data:
            set_status(lead, data["status"], by=user)
        if "assignee" in data:
            assign_lead(lead, data["assignee"], by=user)
        return lead
