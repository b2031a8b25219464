"""Request and response hygiene: the Content-Security-Policy header, and a charset check on request bodies.

Content-Security-Policy header for every response (Django 5.2 has no CSP support of its own).

The policy comes from ``CONTENT_SECURITY_POLICY``: a dict of directive names to
lists of sources (``{"default-src": ["'self'"]}``); a directive whose value is
``True`` or an empty list is sent without sources (``upgrade-insecure-requests``).
Responses under the Wagtail admin get ``CONTENT_SECURITY_POLICY_ADMIN`` instead
when it is set. ``CONTENT_SECURITY_POLICY_REPORT_ONLY = True`` sends the policy as
``Content-Security-Policy-Report-Only``, to try a stricter policy on live traffic
without breaking anything.

A response that already carries a policy keeps it: Wagtail's image and document
views send a stricter one of their own.
"""

import codecs

from django.conf import settings
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext

HEADER = "Content-Security-Policy"
REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"


def render_policy(directives):
    """The header value for a dict of directives; empty when there are none."""
    parts = []
    for name, sources in (directives or {}).items():
        if sources is None or sources is False:
            continue
        if sources is True:
            sources = []
        elif isinstance(sources, str):
            sources = [sources]
        parts.append(" ".join([name, *sources]))
    return "; ".join(parts)


def admin_prefix():
    try:
        return reverse("wagtailadmin_home")
    except NoReverseMatch:
        return None


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = render_policy(getattr(settings, "CONTENT_SECURITY_POLICY", None))
        admin_policy = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", None)
        self.admin_policy = render_policy(admin_policy) if admin_policy else self.policy
        self.header = (
            REPORT_ONLY_HEADER if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", False) else HEADER
        )
        # Resolved on the first request: URLconfs cannot be loaded while middleware is built.
        self._admin_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER in response.headers or REPORT_ONLY_HEADER in response.headers:
            return response
        if settings.DEBUG and response.status_code >= 400:
            # Django's debug pages (404, 500, CSRF failure) inline their CSS and JavaScript.
            return response
        policy = self.admin_policy if self._is_admin(request) else self.policy
        if policy:
            response.headers[self.header] = policy
        return response

    def _is_admin(self, request):
        if self._admin_prefix is None:
            self._admin_prefix = admin_prefix() or ""
        return bool(self._admin_prefix) and request.path.startswith(self._admin_prefix)


def declared_charset(request):
    """The charset a request's Content-Type declares, or None."""
    content_type = request.META.get("CONTENT_TYPE", "")
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"')
    return None


def is_utf8(charset):
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


class RequestCharsetMiddleware:
    """Answer 400 to a request body that declares any charset but UTF-8.

    Every form on the site is sent as UTF-8. Another declared charset either
    makes Django fail while decoding the body (``charset=base64`` on a
    multipart form is a 500 in CSRF checking, before any view runs) or
    silently turns "Müller" into "MÃ¼ller" in a stored lead. Spellings of
    UTF-8 that Django does not recognise ("UTF8", "utf_8") are accepted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = declared_charset(request)
        if charset is not None:
            if not is_utf8(charset):
                return self.refuse(request)
            request.encoding = "utf-8"
        return self.get_response(request)

    def refuse(self, request):
        # Runs before LocaleMiddleware: the language comes from the URL, as it would there.
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        with translation.override(language):
            message = gettext(
                "Your browser sent this form in a character encoding we cannot read. "
                "Please reload the page and send the form again."
            )
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
