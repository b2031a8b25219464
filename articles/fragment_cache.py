"""Fragments of article pages, cached until anything they show is published, changed or removed.

Why: a reader whose request cannot be served from a whole-page cache (a wizard
step without JavaScript, a site without a page cache) still gets the parts of
the article that only change on publish (body, byline, "Lesen Sie weiter"
teasers, structured data) without their queries and rendering.

Why a generation: publishing, unpublishing, moving or deleting any page, and
saving or deleting a model fragments show (authors, topics, images, sites,
locales, view restrictions), sets a new generation after the transaction
commits. Every fragment key carries it, so all app servers stop using old
fragments at once, and a teaser showing another article's title is never stale.
The plugin keeps its own (a host's page cache may have one too): it installs
alone.

Keys: the fragment's name and ``vary_on`` values, the generation, the code's
release (``invalidation.code_release``: fragments of the previous deploy are not
used), the page's
``cache_key`` (id, address, last publication), the site, the request's host and
scheme (absolute URLs) and the active language. Previews and requests without
a request object are rendered fresh.

Per-reader blocks: a block that shows one reader's data (the lead wizard, with
its CSRF token and the reader's answers) is never stored. Inside a fragment it
is rendered as a hole, ``{% articles_reader_block %}``, and filled for each
request, cached or not.

The cache is Django's ``template_fragments`` alias when the site defines one
(as Django's ``{% cache %}`` tag uses it), else ``default``; a ``DummyCache``
there turns fragment caching off.
"""

import re
import threading
import uuid
from collections import OrderedDict

from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.backends.dummy import DummyCache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .conf import app_settings
from .invalidation import code_release, invalidate_on_change

GENERATION_KEY = "articles:fragments:generation"
# Long: the generation ends a fragment's use, the timeout only frees memory.
TIMEOUT = 24 * 60 * 60
HOLE = re.compile(r"\x00articles-block:([A-Za-z_][A-Za-z0-9_]*):(\d+)\x00")
# Set in the context while a fragment is rendered to be stored: per-reader blocks leave a hole.
STORING = "articles_fragment_storing"


def get_cache():
    try:
        return caches["template_fragments"]
    except InvalidCacheBackendError:
        return caches["default"]


class LocalFragments:
    """The fragments this process used last, by key (``ARTICLES_FRAGMENT_LOCAL_ENTRIES``).

    Keys carry the generation (``scope``), so an entry is only found while it is
    current: asking the shared cache for a fragment was a round trip per fragment
    of every article. Thread-safe: the development server answers in threads.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = OrderedDict()

    def get(self, key):
        with self._lock:
            content = self._entries.get(key)
            if content is not None:
                self._entries.move_to_end(key)
            return content

    def put(self, key, content):
        size = app_settings.FRAGMENT_LOCAL_ENTRIES
        if size <= 0 or isinstance(get_cache(), DummyCache):  # nothing is cached, so nothing is kept
            return
        with self._lock:
            self._entries[key] = content
            self._entries.move_to_end(key)
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()

    def get_count(self):
        with self._lock:
            return len(self._entries)


LOCAL = LocalFragments()


def current_generation(request=None):
    """The generation fragments must carry to be used; read once per request."""
    generation = getattr(request, "_articles_fragment_generation", None)
    if generation is None:
        cache = get_cache()
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY) or ""
        if request is not None:
            request._articles_fragment_generation = generation
    return generation


def invalidate_all():
    """Make every cached fragment outdated, on every app server sharing the cache."""
    # Random rather than a counter: an evicted counter could start again at a number old fragments carry.
    get_cache().set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def scope(context):
    """What every fragment key varies on besides its own ``vary_on``: see the module's docstring."""
    from wagtail.models import Site

    request = context["request"]
    page = context.get("page")
    site = Site.find_for_request(request)
    return [
        current_generation(request),
        code_release(app_settings.FRAGMENT_CACHE_RELEASE),
        page.cache_key if page is not None and getattr(page, "pk", None) else "",
        site.pk if site is not None else "",
        request.get_host(),
        request.scheme,
        get_language() or "",
    ]


def renders_per_reader(block):
    """Whether ``block`` (a block definition) or a block inside it shows one reader's data.

    The lead wizard says so with ``is_lead_wizard``; any block may with ``renders_per_reader``.
    """
    if getattr(block, "is_lead_wizard", False) or getattr(block, "renders_per_reader", False):
        return True
    children = list(getattr(block, "child_blocks", {}).values())
    if getattr(block, "child_block", None) is not None:
        children.append(block.child_block)
    return any(renders_per_reader(child) for child in children)


def hole(field_name, index):
    """The marker a stored fragment keeps where block ``index`` of the page's ``field_name`` goes."""
    return mark_safe(f"\x00articles-block:{field_name}:{int(index)}\x00")  # noqa: S308 - no outside text


def render_block(context, field_name, index):
    """Block ``index`` of the page's StreamField ``field_name``, as ``{% include_block %}`` renders it."""
    page = context.get("page")
    stream = getattr(page, field_name, None)
    try:
        child = stream[index]
    except (IndexError, KeyError, TypeError):
        return ""
    return child.render_as_block(context=context.flatten())


def fill_holes(content, context):
    """``content`` with each hole filled with its block rendered for this request."""
    if "\x00" not in content:
        return content
    return mark_safe(  # noqa: S308 - stored fragments and blocks rendered by templates
        HOLE.sub(lambda match: str(render_block(context, match.group(1), int(match.group(2)))), content)
    )


# Invalidation ---------------------------------------------------------------------

#: Models whose saving or deletion changes what fragments show (pages invalidate on publish).
INVALIDATE_ON = (
    "articles.Author",
    "articles.Topic",
    "wagtailcore.Site",
    "wagtailcore.Locale",
    "wagtailcore.PageViewRestriction",
)


def connect_signals():
    """Invalidate on every change a cached fragment could show; called from ``ArticlesConfig.ready``."""
    from wagtail.images import get_image_model

    invalidate_on_change(invalidate_all, "articles.fragment_cache", [*INVALIDATE_ON, get_image_model()])
