"""A sitemap that lists every locale's pages, not only the default locale's tree."""

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class LocalizedSitemap(Sitemap):
    """Wagtail's sitemap covers the site root's tree; translations of the root live beside it."""

    def items(self):
        root = self.get_wagtail_site().root_page
        roots = Page.objects.filter(translation_key=root.translation_key, depth=root.depth)
        queryset = Page.objects.none()
        for translated_root in roots:
            queryset |= Page.objects.descendant_of(translated_root, inclusive=True)
        return queryset.live().public().order_by("path").defer_streamfields().specific()
