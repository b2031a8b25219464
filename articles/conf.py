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
        ``canonical_url``, ``social_meta``, ``social_image``, ``og_type``,
        ``extra_head``, ``body_class`` and ``content``; blocks the site's template
        lacks are simply not shown.
        """
        return self._get("BASE_TEMPLATE", "base.html")

    @property
    def PUBLISHER_LOGO(self):
        """The publisher's logo in articles' structured data: a static file path or an absolute URL.

        Default "website/favicon.svg", the demo site's icon. Search engines want a
        logo of at least 112 pixels; a static path the site does not have is left out.
        """
        return self._get("PUBLISHER_LOGO", "website/favicon.svg")

    @property
    def FRAGMENT_CACHE_RELEASE(self):
        """The code release cached fragments belong to (say, the deployed commit). Default "": a digest
        of the installed packages' versions and of the project's own files, taken once per process.

        Fragment keys carry it, so after a deploy no reader gets markup the previous code rendered.
        """
        return self._get("FRAGMENT_CACHE_RELEASE", "")

    @property
    def FRAGMENT_LOCAL_ENTRIES(self):
        """Cached fragments each process also keeps in memory, the ones it used last. Default 128; 0: none.

        A fragment's key carries the generation, which is still read from the
        shared cache on every request, so a copy is never used after a change:
        this only saves asking the shared cache for the fragment itself. Nothing
        is kept while fragment caching is off (a ``DummyCache``).
        """
        return self._get("FRAGMENT_LOCAL_ENTRIES", 128)

    @property
    def SERVER_PREPARED_QUERIES(self):
        """On PostgreSQL, an article's routing and link queries are prepared once per connection. Default True.

        The database then plans them once instead of on every request (planning the
        link query took longer than running it). Connections a pooler shares between
        clients in transaction mode (PgBouncer) cannot keep a prepared statement: such
        databases set Django's ``DISABLE_SERVER_SIDE_CURSORS``, and nothing is prepared
        for them; False prepares nothing anywhere.
        """
        return self._get("SERVER_PREPARED_QUERIES", True)

    @property
    def URL_WORDS(self):
        """The word before the slug in author and topic page addresses, per language.

        Default ``{"de": {"author": "autor", "topic": "thema"}, "en": {"author": "author",
        "topic": "topic"}}``: ``/magazin/autor/lena-hoffmann/``, ``/en/magazine/topic/sales/``.
        A language missing here uses the English words.
        """
        return self._get("URL_WORDS", DEFAULT_URL_WORDS)

    def url_words(self, language_code):
        """``{"author": ..., "topic": ...}`` for ``language_code`` (``de-at`` falls back to ``de``)."""
        words = self.URL_WORDS
        found = words.get(language_code) or words.get(language_code.split("-")[0]) or {}
        return {**DEFAULT_URL_WORDS["en"], **found}


# Readers see these words in the address bar: German for the German magazine.
DEFAULT_URL_WORDS = {
    "de": {"author": "autor", "topic": "thema"},
    "en": {"author": "author", "topic": "topic"},
}


app_settings = AppSettings()


def documented_settings():
    """The names of every setting above, with the prefix: what docs/settings.md must describe."""
    return sorted(
        PREFIX + name
        for name, value in vars(AppSettings).items()
        if isinstance(value, property) and not name.startswith("_")
    )
