"""Template tags of the articles plugin: fragment caching, "Read also" targets, JSON-LD and absolute URLs."""

import json

from django import template
from django.core.cache.utils import make_template_fragment_key
from django.core.serializers.json import DjangoJSONEncoder
from django.template import TemplateSyntaxError
from django.utils.safestring import mark_safe
from wagtail.templatetags.wagtail_cache import WagtailCacheNode

from .. import fragment_cache

register = template.Library()


class ArticleFragmentNode(WagtailCacheNode):
    """Wagtail's ``{% wagtailcache %}`` (previews are never cached), keyed and invalidated for articles.

    Adds ``fragment_cache.scope`` (generation, page, site, host, scheme, language)
    to the key, keeps the fragments it used last in the process as well
    (``fragment_cache.LOCAL``), and leaves per-reader blocks as holes filled for
    every request.
    """

    SCOPE_VAR = "articles_fragment_scope"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.vary_on.append(template.Variable(self.SCOPE_VAR))

    def render(self, context):
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        with context.push({self.SCOPE_VAR: fragment_cache.scope(context), fragment_cache.STORING: True}):
            key = make_template_fragment_key(
                self.fragment_name, [var.resolve(context) for var in self.vary_on]
            )
            content = fragment_cache.LOCAL.get(key)
            if content is None:
                content = super().render(context)
                fragment_cache.LOCAL.put(key, content)
        return fragment_cache.fill_holes(content, context)


@register.tag("articles_fragment")
def do_articles_fragment(parser, token):
    """``{% articles_fragment "<name>" [vary_on ...] %}…{% endarticles_fragment %}``: see ``fragment_cache``.

    Like Django's ``{% cache %}`` without the timeout: the generation ends a
    fragment's use. The fragment name is a literal.
    """
    nodelist = parser.parse(("endarticles_fragment",))
    parser.delete_first_token()
    tokens = token.split_contents()
    if len(tokens) < 2:
        raise TemplateSyntaxError(f"'{tokens[0]}' tag requires a fragment name.")
    return ArticleFragmentNode(
        nodelist,
        parser.compile_filter(str(fragment_cache.TIMEOUT)),
        tokens[1].strip("\"'"),
        [parser.compile_filter(each) for each in tokens[2:]],
        None,
    )


@register.filter
def renders_per_reader(block):
    """Whether a StreamField child (``block.block``) or a block definition shows one reader's data."""
    return fragment_cache.renders_per_reader(getattr(block, "block", block))


@register.simple_tag(takes_context=True)
def articles_reader_block(context, field_name, index):
    """Block ``index`` of the page's ``field_name``, rendered for this reader; a hole in a fragment being stored."""
    if context.get(fragment_cache.STORING):
        return fragment_cache.hole(field_name, index)
    return fragment_cache.render_block(context, field_name, index)


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
    if callable(targets):  # ArticleReading looks them up when the first link is rendered
        targets = targets()
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
