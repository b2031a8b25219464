"""The consultant's views: the queue, and composing, previewing and sending a lead's shortlist."""

import uuid

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permissions import policy_registry

from ..admin_urls import consult_url, lead_admin_url
from ..deliveries.channels.email import shortlist_mail
from ..models import Lead
from ..shortlists import (
    ShortlistRefused,
    hand_over,
    new_shortlist,
    send_shortlist,
    shortlist_size,
    waiting_leads,
)
from ..timeline import add_note
from .forms import ShortlistForm, int_or_none

QUEUE_PER_PAGE = 50
QUEUE_VIEWS = {
    "all": gettext_lazy("All waiting"),
    "mine": gettext_lazy("Mine"),
    "unassigned": gettext_lazy("Unassigned"),
}


def may_work_leads(user):
    """Consultants see and change leads: both permissions, as ``LeadPermissionPolicy`` checks them."""
    return policy_registry.get_by_type(Lead).user_has_permission(user, "change")


class ConsultantView(WagtailAdminTemplateMixin, TemplateView):
    def dispatch(self, request, *args, **kwargs):
        if not may_work_leads(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class QueueView(ConsultantView):
    """Leads waiting for a shortlist, oldest first, with their age: all, mine, unassigned."""

    template_name = "leadwizard/consult/queue.html"
    page_title = gettext_lazy("Shortlist queue")
    header_icon = "list-ol"

    def filtered(self, view):
        leads = waiting_leads()
        if view == "mine":
            return leads.filter(assignee=self.request.user)
        if view == "unassigned":
            return leads.filter(assignee__isnull=True)
        return leads

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        view = self.request.GET.get("view")
        view = view if view in QUEUE_VIEWS else "all"
        leads = (
            self.filtered(view).select_related("assignee").annotate(later_requests=Count("likely_duplicates"))
        )
        page = Paginator(leads, QUEUE_PER_PAGE).get_page(self.request.GET.get("p"))
        now = timezone.now()
        context.update(
            view=view,
            views=[
                {"key": key, "label": label, "count": self.filtered(key).count(), "url": f"?view={key}"}
                for key, label in QUEUE_VIEWS.items()
            ],
            page_obj=page,
            rows=[
                {
                    "lead": lead,
                    "age": now - lead.created_at,
                    "inspect_url": lead_admin_url("inspect", lead),
                    "shortlist_url": consult_url("shortlist", lead.pk),
                }
                for lead in page
            ],
        )
        return context


class ShortlistView(ConsultantView):
    """Pick up to seven vendors, order them, add one from the catalogue with a reason, preview, send."""

    template_name = "leadwizard/consult/shortlist.html"
    page_title = gettext_lazy("Shortlist")
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        self.lead = get_object_or_404(Lead.objects.select_related("questionnaire"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.lead.contact_label

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": lead_admin_url("index"), "label": capfirst(Lead._meta.verbose_name_plural)},
            {"url": lead_admin_url("inspect", self.lead), "label": self.lead.contact_label},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        form = ShortlistForm(self.lead, initial={"request_key": uuid.uuid4()})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        form = ShortlistForm(self.lead, request.POST, search=action == "search")
        if action == "search":
            return self.render_to_response(self.get_context_data(form=form))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        picks, message = form.cleaned_data["picks"], form.cleaned_data["message"]
        try:
            if action == "send":
                shortlist, created = send_shortlist(
                    self.lead, request.user, picks, message, form.cleaned_data["request_key"]
                )
            else:
                preview = shortlist_mail(new_shortlist(self.lead, request.user, picks, message), self.lead)
                return self.render_to_response(self.get_context_data(form=form, preview=preview))
        except ShortlistRefused as refused:
            form.add_error(None, refused.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        shortlist.refresh_from_db()
        if not created:
            messages.warning(request, _("This shortlist was already sent; it was not sent again."))
        elif shortlist.sent_at:
            messages.success(
                request,
                _("Shortlist sent to %(email)s: %(vendors)s.")
                % {"email": self.lead.email, "vendors": ", ".join(shortlist.vendor_names)},
            )
        else:
            messages.warning(
                request,
                _(
                    "The shortlist is saved; its e-mail could not be sent yet and is retried. See Deliveries below."
                ),
            )
        return redirect(lead_admin_url("inspect", self.lead))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        preview = kwargs.get("preview")
        context.update(
            lead=self.lead,
            max_vendors=shortlist_size(),
            previous=self.lead.shortlists.filter(sent_at__isnull=False).order_by("-sent_at").first(),
            preview_html=preview.alternatives[0][0] if preview else "",
            action_url=consult_url("shortlist", self.lead.pk),
        )
        return context


class AddNoteView(View):
    """POST only: adds a note to the lead's timeline and goes back to the lead."""

    http_method_names = ["post"]

    def post(self, request, pk):
        if not may_work_leads(request.user):
            raise PermissionDenied
        lead = get_object_or_404(Lead, pk=pk)
        try:
            add_note(lead, request.user, request.POST.get("text", ""))
        except ValueError:
            messages.error(request, _("The note is empty; nothing was added."))
        else:
            messages.success(request, _("Note added."))
        return redirect(lead_admin_url("inspect", lead) + "#lead-timeline")


class HandOverView(View):
    """POST only: hands the lead to the picked vendors of one of its sent shortlists."""

    http_method_names = ["post"]

    def post(self, request, pk):
        if not may_work_leads(request.user):
            raise PermissionDenied
        lead = get_object_or_404(Lead, pk=pk)
        shortlist = lead.shortlists.filter(pk=int_or_none(request.POST.get("shortlist"))).first()
        vendor_ids = [int_or_none(value) for value in request.POST.getlist("vendor")]
        try:
            if shortlist is None or None in vendor_ids:
                raise ShortlistRefused(_("This hand-over does not match a shortlist of this lead."))
            created = hand_over(shortlist, vendor_ids, request.user)
        except ShortlistRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Lead handed to: %(vendors)s.")
                % {"vendors": ", ".join(item.vendor_name for item in created) or "–"},
            )
        return redirect(lead_admin_url("inspect", lead) + "#lead-shortlists")
