"""The lead wizard plugin: a questionnaire in articles that turns readers into leads."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadWizardConfig(AppConfig):
    name = "leadwizard"
    label = "leadwizard"
    verbose_name = _("Lead wizard")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 - importing registers the system checks
