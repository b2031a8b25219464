"""Template tags of the host site: language alternates and the language switcher."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def page_alternates(context, page=None):
    """One entry per site language: the URL of this page (or view) in that language.

    ``exists`` is False where the page has no live translation and the entry
    points to that language's home page instead (used by the switcher, never
    for hreflang). Cached on the request: the head and the header both use it.
    """
    request = context["request"]
    cache_key = f"_alternates_{getattr(page, 'pk', None)}"
    cached = getattr(request, cache_key, None)
    if cached is not None:
        return cached

    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    alternates = []
    if page is not None and getattr(page, "pk", None):
        translations = {
            p.locale_id: p
            for p in page.get_translations(inclusive=True)
            .live()
            .public()
            .only("id", "url_path", "locale_id", "translation_key", "path", "depth")
        }
        homes = {}
        missing = [
            locales[code].pk
            for code, _name in settings.LANGUAGES
            if code in locales and locales[code].pk not in translations
        ]
        if missing:
            site = Site.find_for_request(request)
            site_root = site.root_page if site else None
            if site_root is not None:
                homes = {
                    p.locale_id: p
                    for p in Page.objects.filter(
                        translation_key=site_root.translation_key, locale_id__in=missing
                    ).live()
                }
        for code, _name in settings.LANGUAGES:
            locale = locales.get(code)
            if locale is None:
                continue
            target = translations.get(locale.pk)
            exists = target is not None
            target = target or homes.get(locale.pk)
            if target is None:
                continue
            alternates.append(
                {
                    "code": code,
                    "name": get_language_info(code)["name_local"],
                    "url": target.get_url(request),
                    "full_url": target.get_full_url(request),
                    "exists": exists,
                    "current": locale.pk == page.locale_id,
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
                    "current": code == current,
                }
            )
    setattr(request, cache_key, alternates)
    return alternates
