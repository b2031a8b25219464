"""Content-Security-Policy header for every response (Django 5.2 has no CSP support of its own).

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

from django.conf import settings
from django.urls import NoReverseMatch, reverse

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
