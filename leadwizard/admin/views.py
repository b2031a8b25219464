"""The lead's own pages in the admin: what it holds (inspect) and its workflow fields (edit)."""

from wagtail.admin.views.generic import EditView, InspectView
from wagtail.log_actions import log

from ..audit import LOG_VIEW
from ..criteria import labels as criterion_labels


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
    """Every stored match with criteria and option keys turned into the labels editors know."""
    roles = criterion_labels()
    definition = lead.questionnaire.definition if lead.questionnaire else None
    matches = []
    for match in lead.matches or []:
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
        matches.append(
            {
                "vendor_id": match.get("vendor_id"),
                "vendor": match.get("vendor"),
                "score": match.get("score"),
                "reasons": reasons,
            }
        )
    return matches
