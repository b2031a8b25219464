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
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from . import checks  # noqa: F401 - importing registers the system checks
        from .wizard import pages, questionnaires

        # What a process keeps for a while (LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS, LEADWIZARD_PAGE_LOCAL_SECONDS)
        # is forgotten at once when it changes through this process. A kept questionnaire carries its
        # vendors, a kept page its questionnaires.
        for signal in (post_save, post_delete):
            for model in ("leadwizard.Questionnaire", "leadwizard.Vendor"):
                signal.connect(
                    questionnaires.forget_all, sender=model, dispatch_uid=f"leadwizard-kept-{model}"
                )
                signal.connect(pages.forget_all, sender=model, dispatch_uid=f"leadwizard-kept-pages-{model}")
            signal.connect(
                pages.forget_all,
                sender="wagtailcore.PageViewRestriction",
                dispatch_uid="leadwizard-kept-pages-restrictions",
            )
        # Wagtail unpublishes a live page before deleting it: page_unpublished covers deletion too.
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(pages.forget_all, dispatch_uid="leadwizard-kept-pages")
