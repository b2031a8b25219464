"""A sitemap that lists every locale's pages, not only the default locale's tree, with their translations."""

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from .templatetags.website_tags import hreflang_alternates, live_translations, locale_codes


class LocalizedSitemap(Sitemap):
    """Wagtail's sitemap covers the site root's tree; translations of the root live beside it."""

    def items(self):
        root = self.get_wagtail_site().root_page
        roots = Page.objects.filter(translation_key=root.translation_key, depth=root.depth)
        queryset = Page.objects.none()
        for translated_root in roots:
            queryset |= Page.objects.descendant_of(translated_root, inclusive=True)
        return queryset.live().public().order_by("path").defer_streamfields().specific()

    def _urls(self, page, protocol, domain):
        """Wagtail's entries, each with ``alternates``: the page in every language it is live in.

        Search engines read them as hreflang links (``xhtml:link`` in Django's
        sitemap template), the same ones the page's head declares; each language's
        entry lists the others, so they confirm one another. Wagtail's own loop is
        repeated here because it does not hand out the pages its entries come from.
        """
        pages = list(self.paginator.page(page).object_list)
        translations = live_translations(pages)
        locales = locale_codes()
        urls = []
        for item in pages:
            alternates = [
                {"lang_code": code, "location": url}
                for code, url in hreflang_alternates(
                    translations[item.translation_key], self.request, locales
                )
            ]
            for entry in item.get_sitemap_urls(self.request):
                entry.setdefault("alternates", alternates)
                urls.append(entry)
        last_mods = {entry.get("lastmod") for entry in urls}
        # As Wagtail's: no latest lastmod when the whole site is private or a page has none.
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls
