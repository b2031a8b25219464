"""The host project's app: home page, standard pages, site-wide views and the page cache."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    name = "website"
    label = "website"
    verbose_name = _("Website")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, page_cache  # noqa: F401 - importing registers the deploy checks

        page_cache.connect_signals()
