"""The lead wizard plugin: a questionnaire in articles that turns readers into leads."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadWizardConfig(AppConfig):
    name = "leadwizard"
    label = "leadwizard"
    verbose_name = _("Lead wizard")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import checks  # noqa: F401 - importing registers the system checks
        from .wizard import questionnaires

        for signal in (post_save, post_delete):
            signal.connect(
                questionnaires.forget_all,
                sender="leadwizard.Questionnaire",
                dispatch_uid="leadwizard-questionnaires",
            )
