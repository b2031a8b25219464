"""Admin views for data protection: erase one lead's personal data, and answer a request for access."""

import json

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from ..admin_urls import admin_url, lead_admin_url
from ..audit import LOG_EXPORT
from ..models import Lead
from ..privacy import erase_lead, leads_for_email, personal_data_for_email

ACCESS_PERMISSIONS = ("leadwizard.view_lead", "leadwizard.export_lead")


def lead_index_url():
    return lead_admin_url("index")


def lead_inspect_url(lead):
    return lead_admin_url("inspect", lead)


class LeadEraseView(WagtailAdminTemplateMixin, TemplateView):
    """GET asks for confirmation, POST anonymises the lead and returns to its detail page."""

    template_name = "leadwizard/privacy/erase_confirm.html"
    page_title = gettext_lazy("Erase personal data")
    header_icon = "bin"

    def dispatch(self, request, *args, **kwargs):
        self.lead = get_object_or_404(Lead, pk=kwargs["pk"])
        policy = policy_registry.get_by_type(Lead)
        if not policy.user_has_permission_for_instance(request.user, "delete", self.lead):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.lead.contact_label

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": lead_index_url(), "label": capfirst(Lead._meta.verbose_name_plural)},
            {"url": lead_inspect_url(self.lead), "label": self.lead.contact_label},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lead"] = self.lead
        context["inspect_url"] = lead_inspect_url(self.lead)
        context["erase_url"] = admin_url("erase_lead", self.lead.pk)
        return context

    def post(self, request, *args, **kwargs):
        if erase_lead(self.lead, user=request.user):
            messages.success(
                request, _("The personal data of lead %(id)s was erased.") % {"id": self.lead.pk}
            )
        else:
            messages.warning(
                request, _("The personal data of lead %(id)s had already been erased.") % {"id": self.lead.pk}
            )
        return redirect(lead_inspect_url(self.lead))


class AccessRequestForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        help_text=gettext_lazy("Upper and lower case do not matter."),
    )


class PersonalDataAccessView(WagtailAdminTemplateMixin, FormView):
    """Right of access: everything held about one e-mail address as a JSON download.

    The address travels in a POST body, so it never lands in URLs or server logs.
    """

    template_name = "leadwizard/privacy/access_request.html"
    form_class = AccessRequestForm
    page_title = gettext_lazy("Personal data request")
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perms(ACCESS_PERMISSIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        leads = list(leads_for_email(email))
        data = personal_data_for_email(email, leads=leads)
        for lead in leads:
            log(lead, LOG_EXPORT, user=self.request.user, data={"reason": "access_request"})
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"personal-data-{timezone.localdate().isoformat()}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
