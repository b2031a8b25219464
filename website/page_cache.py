"""Whole-page cache for anonymous readers of Wagtail pages, shared by every app server.

A cached page is keyed by host and full path, so each locale (``/`` German,
``/en/`` English) has its own entries. Only GET and HEAD requests without a
session cookie, without unknown query parameters and to pages served by Wagtail
are cached; a page that says ``Cache-Control: private``/``no-cache`` (private
pages, wizard steps) or sets a cookie is never stored.

Why holes: the wizard's forms carry a CSRF token, and a token in cached HTML would
be one reader's token handed to every other reader. So the stored HTML keeps a
hole where each per-request hidden input's value goes (the CSRF token and the
wizard's referrer field); every response, cached or fresh, fills the holes for
the reader it goes to.

A reader without Django's CSRF cookie (a first visit) gets an empty token and no
cookie: minting a secret and a masked token for each of them was a fifth of a
cached page's time, and the only form on the site's cached pages, the wizard,
posts to a view that checks where a post comes from with or without the cookie
(``leadwizard.wizard.forgery``). A reader who has the cookie gets the token that
belongs to it, so Django's check passes as on a fresh page.

Why a generation: publishing, unpublishing, moving or deleting a page, and
saving or deleting any model that pages show (``PAGE_CACHE_INVALIDATE_ON``), sets
a new generation after the transaction commits. Entries carry the generation they
were rendered under, so all app servers stop using old entries at once, and a
page showing another page's title (related teasers, "Lesen Sie auch") is never
stale.

Why a copy in each process: asking Redis for the entry and the generation was a
third of a cached page's time. With ``PAGE_CACHE_LOCAL_SECONDS`` above 0 each
process keeps its ``PAGE_CACHE_LOCAL_ENTRIES`` most recently served entries and
the generation it last read, and asks Redis again once that reading is older than
``PAGE_CACHE_LOCAL_SECONDS``: a change made through another process shows after
at most that long (one second in production), one made through this process at
once. Off (0) unless set, so that development and tests see every change at once.

Why a reader's wizard address is served from the stored page: without
JavaScript every wizard step ends on the page at the reader's new place (the
page's address with the wizard's parameters), which belongs to one reader and is
never stored. Rendering that whole page anew for every step was most of a step's
time. The entry of the same address without the wizard's parameters holds the
page every reader shares, and the wizard's part of it is marked; such an address
is served from that entry with only the wizard rendered for the reader
(``leadwizard.wizard.serving.serve_place``), privately, and nothing of it is
stored. Without an entry, the page is rendered the usual way.

Why a release in every key: entries are kept in Redis across deploys, and a page
rendered by the previous code may hold a form the new code no longer takes (a
field renamed, a step posted to another address): after such a deploy every
reader's first wizard step from a cached page failed until the entries expired.
Entries are keyed by ``release()``: ``PAGE_CACHE_RELEASE`` where the deployment
sets one (say, the commit), else a fingerprint of the code that renders pages,
taken once per process. App servers running the same code share entries; during a
rolling deploy old and new processes each use their own.
"""

import re
import threading
import time
import uuid
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.html import escape

from articles.invalidation import code_release, invalidate_on_change
from leadwizard.wizard.flow import WIZARD_PARAMETERS
from leadwizard.wizard.serving import is_place_address, serve_place

GENERATION_KEY = "pagecache:generation"
HEADER = "X-Page-Cache"

# Headers worth keeping with a stored page; cookies and Vary are set again per response.
STORED_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "Link", "X-Robots-Tag")

# What a per-request hidden input can be filled with, by name.
FILLERS = {
    "csrf": lambda request: get_token(request) if settings.CSRF_COOKIE_NAME in request.COOKIES else "",
    "referrer": lambda request: request.META.get("HTTP_REFERER", "")[:1000],
}
_INPUT_TAG = re.compile(rb"<input\b[^>]*>")
_NAME = re.compile(rb'\bname="([^"]*)"')
_VALUE = re.compile(rb'\bvalue="[^"]*"')
_HOLE = re.compile(rb"\x00pagecache:([a-z-]+)\x00")


def _setting(name, default):
    return getattr(settings, name, default)


def per_request_inputs():
    """Hidden inputs whose value belongs to one request, by field name, with their filler.

    ``PAGE_CACHE_PER_REQUEST_INPUTS`` maps input names to a name of ``FILLERS``;
    the CSRF token is always one. Their values are cut out before a page is
    stored and filled in for each reader.
    """
    inputs = {"csrfmiddlewaretoken": "csrf", **_setting("PAGE_CACHE_PER_REQUEST_INPUTS", {})}
    return {name: FILLERS[filler] for name, filler in inputs.items()}


def is_enabled():
    return _setting("PAGE_CACHE_ENABLED", False)


def get_cache():
    return caches[_setting("PAGE_CACHE_ALIAS", "default")]


def current_generation(cache=None):
    """The generation entries must carry to be used; created when the cache has none."""
    cache = cache or get_cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def invalidate_all():
    """Make every cached page outdated, on every app server sharing the cache."""
    # A random value rather than a counter: an evicted counter could start again
    # at a number that old entries still carry.
    get_cache().set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    LOCAL.clear()


class LocalEntries:
    """This process's copies of the entries it served last, and the generation it last read from the cache.

    Thread-safe: the development server and the live test server answer in threads.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = OrderedDict()
        self._generation = None
        self._read_at = 0.0

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._generation = None

    def generation(self, max_age):
        """The generation read less than ``max_age`` seconds ago, or None."""
        with self._lock:
            if self._generation is not None and time.monotonic() - self._read_at < max_age:
                return self._generation
            return None

    def read(self, generation):
        with self._lock:
            self._generation, self._read_at = generation, time.monotonic()

    def get(self, key, generation):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry["generation"] != generation:
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key, entry, size):
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > size:
                self._entries.popitem(last=False)


LOCAL = LocalEntries()


def mark_cacheable(request, page=None):
    """Called while Wagtail serves ``page``: this response may be stored if nothing else forbids it."""
    request.page_cache_candidate = True
    request.page_cache_page_id = getattr(page, "pk", None)


def release():
    """What renders the pages, as a short text: ``PAGE_CACHE_RELEASE``, else a digest of the code."""
    return code_release(_setting("PAGE_CACHE_RELEASE", ""))


def _key(request, params):
    return f"pagecache:page:{release()}:{request.get_host()}:{request.path}?{urlencode(sorted(params))}"


def _may_use_cache(request):
    # Logged-in staff and readers with a session (password-protected pages) get fresh pages;
    # the wizard's script asks for its own part only.
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.headers.get("X-LeadWizard")
    )


def _key_without(request, left_out=()):
    """The entry of this address without the query parameters ``left_out``; None when another is not allowed."""
    allowed = _setting("PAGE_CACHE_QUERY_PARAMETERS", ())
    params = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    params = [(name, value) for name, value in params if name not in left_out]
    if any(name not in allowed for name, _value in params):
        return None
    return _key(request, params)


def cache_key(request):
    """The entry for this request, or None when the request must not use the cache."""
    return _key_without(request) if _may_use_cache(request) else None


def place_cache_key(request):
    """For a reader's wizard address: the entry of the same address without the wizard's parameters, else None."""
    if not _may_use_cache(request) or not is_place_address(request):
        return None
    return _key_without(request, WIZARD_PARAMETERS)


def may_store(request, response):
    if not getattr(request, "page_cache_candidate", False) or getattr(request, "is_preview", False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-cache", "no-store"))


def cut_holes(content):
    """``content`` with the value of every per-request hidden input replaced by a hole."""

    inputs = per_request_inputs()

    def cut(match):
        tag = match.group(0)
        name = _NAME.search(tag)
        if name is None or name.group(1).decode() not in inputs:
            return tag
        hole = b'value="\x00pagecache:' + name.group(1) + b'\x00"'
        if _VALUE.search(tag):
            return _VALUE.sub(lambda _m: hole, tag, count=1)
        return tag[:-1].rstrip(b"/ ") + b" " + hole + b">"

    return _INPUT_TAG.sub(cut, content)


def fill_holes(content, request):
    """``content`` with every hole filled with this request's (escaped) value."""
    values = {}
    inputs = per_request_inputs()

    def fill(match):
        name = match.group(1).decode()
        if name not in values:
            fill_value = inputs.get(name)
            values[name] = escape(fill_value(request) if fill_value else "").encode()
        return values[name]

    return _HOLE.sub(fill, content)


class PageCacheMiddleware:
    """Serve anonymous Wagtail pages from the cache; store the ones that may be shared.

    Sits after ``CsrfViewMiddleware`` so that the CSRF cookie is set on cached
    responses too, and after the security and locale middleware so their headers
    apply to every response; before authentication and messages, which a cached
    page never needs (a session cookie bypasses the cache).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_enabled():
            return self.get_response(request)
        key = cache_key(request)
        if key is None:
            place_key = place_cache_key(request)
            entry = self.find(place_key)[0] if place_key is not None else None
            response = self.place_response(request, entry) if entry is not None else None
            return response if response is not None else self.get_response(request)

        entry, generation = self.find(key)
        if entry is not None:
            return self.cached_response(request, entry)

        response = self.get_response(request)
        if may_store(request, response):
            entry = {
                "generation": generation,
                "status": response.status_code,
                "content": cut_holes(response.content),
                "headers": [(name, response[name]) for name in STORED_HEADERS if name in response],
                # Where a reader's wizard address finds its page (``place_response``).
                "page_id": getattr(request, "page_cache_page_id", None),
            }
            get_cache().set(key, entry, timeout=_setting("PAGE_CACHE_SECONDS", 600))
            if _setting("PAGE_CACHE_LOCAL_SECONDS", 0) > 0:
                LOCAL.put(key, entry, _setting("PAGE_CACHE_LOCAL_ENTRIES", 64))
            response[HEADER] = "miss"
        return response

    def find(self, key):
        """``(entry, generation)``: the current entry under ``key`` (None when there is none) and the generation."""
        local_seconds = _setting("PAGE_CACHE_LOCAL_SECONDS", 0)
        local_size = _setting("PAGE_CACHE_LOCAL_ENTRIES", 64)
        if local_seconds > 0:
            generation = LOCAL.generation(local_seconds)
            entry = LOCAL.get(key, generation) if generation is not None else None
            if entry is not None:
                return entry, generation

        cache = get_cache()
        found = cache.get_many([key, GENERATION_KEY])
        generation = found.get(GENERATION_KEY) or current_generation(cache)
        if local_seconds > 0:
            LOCAL.read(generation)
        entry = found.get(key)
        if entry is None or entry["generation"] != generation:
            return None, generation
        if local_seconds > 0:
            LOCAL.put(key, entry, local_size)
        return entry, generation

    def place_response(self, request, entry):
        """A reader's wizard address from the stored page with the wizard rendered for them; None: render it all."""
        if entry.get("page_id") is None:
            return None
        response = serve_place(request, entry["page_id"], fill_holes(entry["content"], request))
        if response is None:
            return None
        if not response.has_header("Location"):  # the page, not a redirect the wizard answered with
            for name, value in entry["headers"]:
                response[name] = value
            response[HEADER] = "place"
        patch_vary_headers(response, ("Cookie",))
        return response

    def cached_response(self, request, entry):
        response = HttpResponse(fill_holes(entry["content"], request), status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response[HEADER] = "hit"
        patch_vary_headers(response, ("Cookie",))
        return response


def connect_signals():
    """Invalidate on every change a cached page could show; called from ``WebsiteConfig.ready``."""
    invalidate_on_change(invalidate_all, "website.page_cache", _setting("PAGE_CACHE_INVALIDATE_ON", ()))
