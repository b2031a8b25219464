"""Every setting of the articles plugin, with its default, read when it is used.

``ARTICLES_<NAME>`` in the site's settings overrides a default; nothing has to be
set. ``docs/settings.md`` is the reference; a test keeps it complete.

Use it as ``from articles.conf import app_settings`` and ``app_settings.PER_PAGE``.
"""

from django.conf import settings

PREFIX = "ARTICLES_"


class AppSettings:
    """The articles plugin's settings; each property documents one ``ARTICLES_*`` setting."""

    def _get(self, name, default):
        return getattr(settings, PREFIX + name, default)

    @property
    def PER_PAGE(self):
        """Articles per page of an article index. Default 10."""
        return self._get("PER_PAGE", 10)

    @property
    def RELATED_COUNT(self):
        """ "Read on" teasers below an article: the editor's choices, filled up by topic. Default 3."""
        return self._get("RELATED_COUNT", 3)

    @property
    def BASE_TEMPLATE(self):
        """The site template article pages extend. Default "base.html".

        The article templates fill its blocks ``title``, ``meta_description``,
        ``social_meta``, ``og_type``, ``extra_head``, ``body_class`` and ``content``;
        blocks the site's template lacks are simply not shown.
        """
        return self._get("BASE_TEMPLATE", "base.html")


app_settings = AppSettings()


def documented_settings():
    """The names of every setting above, with the prefix: what docs/settings.md must describe."""
    return sorted(
        PREFIX + name
        for name, value in vars(AppSettings).items()
        if isinstance(value, property) and not name.startswith("_")
    )
