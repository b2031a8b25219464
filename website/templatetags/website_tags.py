"""Template tags of the host site: language alternates, the language switcher and the page's metadata."""

from collections import defaultdict

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page, Site

from articles.models import image_url, without_view_restrictions

register = template.Library()

# The shared image: Open Graph's recommended 1.91:1, large enough for X/Twitter's large card.
SHARE_IMAGE_FILTER = "fill-1200x630"


def live_translations(pages):
    """The live, public versions of ``pages`` in every locale, themselves included.

    Returns {translation_key: {locale_id: page}}, in one query for all pages: the
    head's hreflang links (``page_alternates``) and the sitemap both read it.
    """
    found = defaultdict(dict)
    keys = {page.translation_key for page in pages}
    if keys:
        for page in (
            without_view_restrictions(Page.objects.filter(translation_key__in=keys).live())
            .select_related("locale")
            .only("id", "url_path", "locale__language_code", "translation_key", "path", "depth")
        ):
            found[page.translation_key][page.locale_id] = page
    return found


def locale_codes():
    """{locale id: language code} of every locale."""
    return {locale.pk: locale.language_code for locale in Locale.objects.all()}


def hreflang_alternates(translations, request=None, locales=None):
    """(language code, full URL) of each live translation in a page's ``live_translations`` entry.

    In the order of ``LANGUAGES``, followed by ``x-default`` for the site's default
    language (German) when the page exists in it. ``locales``: ``locale_codes()``,
    passed in when called for many pages.
    """
    locales = locale_codes() if locales is None else locales
    by_code = {locales.get(locale_id): page for locale_id, page in translations.items()}
    alternates = [
        (code, by_code[code].get_full_url(request)) for code, _name in settings.LANGUAGES if code in by_code
    ]
    default = dict(alternates).get(settings.LANGUAGE_CODE)
    if default:
        alternates.append(("x-default", default))
    return alternates


@register.simple_tag(takes_context=True)
def page_alternates(context, page=None):
    """One entry per site language: the URL of this page (or view) in that language.

    ``exists`` is False where the page has no live translation and the entry
    points to that language's home page instead (used by the switcher, never
    for hreflang). Cached on the request: the head and the header both use it.
    """
    request = context["request"]
    if context.get("language_alternates") is not None:
        # A view of a routable page (an author's or topic's listing) names its own translations.
        return context["language_alternates"]
    cache_key = f"_alternates_{getattr(page, 'pk', None)}"
    cached = getattr(request, cache_key, None)
    if cached is not None:
        return cached

    alternates = []
    if page is not None and getattr(page, "pk", None):
        # Each translation brings its locale: no query for the locales themselves.
        translations = {
            found.locale.language_code: found
            for found in live_translations([page])[page.translation_key].values()
        }
        homes = {}
        missing = [code for code, _name in settings.LANGUAGES if code not in translations]
        if missing:
            site = Site.find_for_request(request)
            site_root = site.root_page if site else None
            if site_root is not None:
                homes = {
                    home.locale.language_code: home
                    for home in Page.objects.filter(
                        translation_key=site_root.translation_key, locale__language_code__in=missing
                    )
                    .live()
                    .select_related("locale")
                }
        for code, _name in settings.LANGUAGES:
            target = translations.get(code)
            exists = target is not None
            target = target or homes.get(code)
            if target is None:
                continue  # no such locale on the site, or its home page is not live
            alternates.append(
                {
                    "code": code,
                    "name": get_language_info(code)["name_local"],
                    "url": target.get_url(request),
                    "full_url": target.get_full_url(request),
                    "exists": exists,
                    "default": code == settings.LANGUAGE_CODE,
                    "current": target.locale_id == page.locale_id,
                }
            )
    else:
        current = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else settings.LANGUAGE_CODE
        for code, _name in settings.LANGUAGES:
            url = translate_url(request.get_full_path(), code)
            alternates.append(
                {
                    "code": code,
                    "name": get_language_info(code)["name_local"],
                    "url": url,
                    "full_url": request.build_absolute_uri(url),
                    "exists": True,
                    "default": code == settings.LANGUAGE_CODE,
                    "current": code == current,
                }
            )
    setattr(request, cache_key, alternates)
    return alternates


def _is_home(page, site):
    """Whether ``page`` is the site's home page or one of its translations."""
    return site is not None and page.translation_key == site.root_page.translation_key


@register.simple_tag(takes_context=True)
def page_meta(context, page=None):
    """What the head tells search engines and sharing about the page: title, description, URL, image.

    ``title`` plus ``title_suffix`` make the document title "<page> | <site>"; the
    home page's is only the site name (or its SEO title), and no title reads "X | X".
    A plugin's page may set ``meta_title``, ``meta_description`` and ``canonical_url``
    in its context (the article index does per listing page); pages with
    ``get_meta_description()`` and ``get_meta_image()`` give their own fallbacks.
    """
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    site_name = (site.site_name if site else "") or getattr(settings, "WAGTAIL_SITE_NAME", "")
    meta = {
        "site_name": site_name,
        "title": "",
        "title_suffix": f" | {site_name}",
        "description": "",
        "canonical_url": "",
        "image_url": "",
        "image_alt": "",
    }
    if not page:  # a view without a page (search, errors): its template names itself
        return meta
    if _is_home(page, site):
        title = page.seo_title or site_name
    else:
        title = context.get("meta_title") or page.seo_title or page.title
    get_description = getattr(page, "get_meta_description", None)
    meta.update(
        title=title,
        title_suffix="" if title == site_name or _is_home(page, site) else f" | {site_name}",
        description=context.get("meta_description")
        or (get_description() if callable(get_description) else page.search_description),
        canonical_url=context.get("canonical_url") or (page.get_full_url(request) if page.pk else ""),
    )
    get_image = getattr(page, "get_meta_image", None)
    image = get_image() if callable(get_image) else None
    if image is not None:
        del meta["image_url"], meta["image_alt"]
        meta = ShareImageMeta(meta, image=image, request=request)
    return meta


class ShareImageMeta(dict):
    """``page_meta``'s dict whose ``image_url`` and ``image_alt`` are found when first read.

    The shared image's rendition costs a cache or database lookup; a page template
    that shows its own (articles do) never reads them.
    """

    def __init__(self, *args, image, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.image, self.request = image, request

    def __missing__(self, key):
        if key not in ("image_url", "image_alt"):
            raise KeyError(key)
        self["image_url"] = image_url(self.image, SHARE_IMAGE_FILTER, self.request) or ""
        self["image_alt"] = self.image.description or ""
        return self[key]
