from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadWizardConfig(AppConfig):
    name = "leadwizard"
    label = "leadwizard"
    verbose_name = _("Lead wizard")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Deliveries (e-mails, webhooks) follow every new lead once it is committed.
        from .deliveries import on_lead_submitted
        from .signals import lead_submitted

        lead_submitted.connect(on_lead_submitted, dispatch_uid="leadwizard.deliveries.on_lead_submitted")
