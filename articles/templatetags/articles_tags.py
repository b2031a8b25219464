"""Template tags of the articles plugin: "Read also" targets, JSON-LD and absolute URLs."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

register = template.Library()

# "<", ">" and "&" escaped, so that no text can close the <script> element it is in.
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def read_also_target(context, page):
    """The page a "Read also" link should point to for this reader.

    ArticlePage.get_context resolves all such links in one query and puts the
    map in the context; without it (e.g. a block rendered elsewhere), the chosen
    page is used as long as it is live.
    """
    if page is None:
        return None
    targets = context.get("read_also_targets")
    if targets is not None:
        return targets.get(page.pk)
    return page if page.live else None


@register.filter
def json_ld(value):
    """Serialise ``value`` for a ``<script type="application/ld+json">`` element, safely escaped."""
    return mark_safe(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308


@register.filter
def absolute_url(url, request):
    """``url`` made absolute for the current request's host (absolute URLs, e.g. a CDN's, stay as they are)."""
    return request.build_absolute_uri(url) if request else url
