"""Staff record a withdrawal of the marketing consent they received by phone, letter or e-mail."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permissions import policy_registry

from ..admin_urls import admin_url, lead_admin_url
from ..consent import LOG_MARKETING_WITHDRAWN
from ..deliveries.unsubscribe import withdraw_marketing
from ..models import Lead, WithdrawalSource
from ..timeline import NOTE_MAX_LENGTH, add_note

#: The ways staff hear of a withdrawal; the link and one-click sources are the reader's own.
STAFF_SOURCES = (
    WithdrawalSource.PHONE,
    WithdrawalSource.LETTER,
    WithdrawalSource.EMAIL,
    WithdrawalSource.OTHER,
)


@hooks.register("register_log_actions")
def register_withdrawal_log_action(actions):
    # Registered here, beside the only admin screen that records it, so the history and
    # the site history report name the action instead of "Unknown".
    actions.register_action(
        LOG_MARKETING_WITHDRAWN,
        gettext_lazy("Withdraw marketing consent"),
        gettext_lazy("Marketing consent withdrawn"),
    )


class WithdrawalForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("How did the reader withdraw?"),
        choices=[(source.value, source.label) for source in STAFF_SOURCES],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Goes into the lead's timeline as a note, e.g. the date of the letter."),
    )


class WithdrawMarketingView(WagtailAdminTemplateMixin, FormView):
    """GET asks how the withdrawal came in; POST records it for every lead of the address."""

    template_name = "leadwizard/admin/withdraw_marketing.html"
    form_class = WithdrawalForm
    page_title = gettext_lazy("Record withdrawal of marketing consent")
    header_icon = "cross"

    def dispatch(self, request, *args, **kwargs):
        self.lead = get_object_or_404(Lead, pk=kwargs["pk"])
        policy = policy_registry.get_by_type(Lead)
        if not policy.user_has_permission_for_instance(request.user, "change", self.lead):
            raise PermissionDenied
        if self.lead.erased_at:
            # No address left to withdraw for; the withdrawal of its address, if any, stays.
            raise Http404
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lead"] = self.lead
        context["inspect_url"] = lead_admin_url("inspect", self.lead)
        context["action_url"] = admin_url("withdraw_marketing", self.lead.pk)
        return context

    def form_valid(self, form):
        user = self.request.user
        marked = withdraw_marketing(self.lead, form.cleaned_data["source"], user=user)
        note = form.cleaned_data["note"].strip()
        if note:
            add_note(self.lead, user, note)
        if marked:
            messages.success(
                self.request,
                ngettext(
                    "Withdrawal recorded for %(count)d lead of this e-mail address.",
                    "Withdrawal recorded for %(count)d leads of this e-mail address.",
                    len(marked),
                )
                % {"count": len(marked)},
            )
        else:
            messages.warning(self.request, _("The marketing consent had already been withdrawn."))
        return redirect(lead_admin_url("inspect", self.lead))
