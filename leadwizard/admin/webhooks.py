"""The webhook editor: its signing secret, the secret's rotation, and the code a receiver checks calls with.

The secret is never a form field: it is generated when the webhook is saved and
shown, read-only, in the verification panel, and only to users who may change
webhooks (whoever may change the URL could send the leads elsewhere anyway).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, Panel
from wagtail.permission_policies import ModelPermissionPolicy

from ..models import Webhook

# Shown instead of the secret to whoever may not see it.
SECRET_PLACEHOLDER = "whsec_…"  # noqa: S105 - not a secret, where one would be


class WebhookAdminForm(WagtailAdminModelForm):
    """The webhook's fields, and two choices about its secret: rotate it, or drop the previous one."""

    rotate_secret = forms.BooleanField(
        label=_("Rotate the secret"),
        required=False,
        help_text=_(
            "Generates a new secret that signs from now on. The current one stays valid until "
            "the time below, or until you remove it: meanwhile every call carries both signatures."
        ),
    )
    remove_previous_secret = forms.BooleanField(
        label=_("Remove the previous secret"),
        required=False,
        help_text=_("Calls are signed with the current secret only, from now on."),
    )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("rotate_secret") and cleaned_data.get("remove_previous_secret"):
            self.add_error(
                "remove_previous_secret",
                forms.ValidationError(
                    _("Rotate the secret or remove the previous one, not both at once."),
                    code="rotate_and_remove",
                ),
            )
        return cleaned_data

    def save(self, commit=True):
        webhook = self.instance
        if self.cleaned_data.get("rotate_secret") and webhook.secret:
            webhook.rotate_secret(self.cleaned_data.get("previous_secret_expires_at"))
        elif self.cleaned_data.get("remove_previous_secret") or not webhook.previous_secret:
            # Without a previous secret a time of expiry would only confuse the next rotation.
            webhook.remove_previous_secret()
        return super().save(commit)


class WebhookVerificationPanel(Panel):
    """Read-only: the secret, the previous secret's state, and receiver code in Python and Node."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "leadwizard/admin/webhook_verification_panel.html"

        def may_see_secret(self):
            return ModelPermissionPolicy(Webhook).user_has_permission(self.request.user, "change")

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            webhook = self.instance
            shows_secret = self.may_see_secret()
            context.update(
                webhook=webhook,
                shows_secret=shows_secret,
                secret=webhook.receiver_secret if shows_secret else SECRET_PLACEHOLDER,
                previous_secret_valid=webhook.previous_secret_valid(),
                previous_secret_expired=bool(webhook.previous_secret) and not webhook.previous_secret_valid(),
            )
            return context


class SecretPanel(MultiFieldPanel):
    """The secret and its rotation; only for a saved webhook, whose secret exists."""

    class BoundPanel(MultiFieldPanel.BoundPanel):
        def is_shown(self):
            return self.instance.pk is not None and super().is_shown()


edit_handler = ObjectList(
    [
        *Webhook.panels,
        SecretPanel(
            [
                WebhookVerificationPanel(heading=_("Checking calls")),
                FieldPanel("rotate_secret"),
                FieldPanel(
                    "previous_secret_expires_at",
                    help_text=_(
                        "When rotating: until when the secret used so far stays valid. "
                        "Empty: until you remove it."
                    ),
                ),
                FieldPanel("remove_previous_secret"),
            ],
            heading=_("Signing secret"),
        ),
    ],
    base_form_class=WebhookAdminForm,
)
