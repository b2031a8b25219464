from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadWizardConfig(AppConfig):
    name = "leadwizard"
    label = "leadwizard"
    verbose_name = _("Lead wizard")
    default_auto_field = "django.db.models.BigAutoField"
