"""Cross-site request forgery protection for wizard steps that also works without cookies.

Django's CSRF protection needs its cookie, and readers who block cookies got a
bare 403 on the first step. The wizard's steps are therefore posted to a view of
their own (``views.wizard_step``) that checks where the request comes from with
the headers every current browser sends and no page can forge: ``Sec-Fetch-Site``
(Fetch Metadata), else ``Origin``, else ``Referer`` (as Django itself does for
HTTPS). A post from another site is refused by any of them. Where the reader's
browser sent Django's cookie and the form its token, Django's token check runs
as well, so nothing is weaker than before. A form without a token (a page served
from a cache to a reader who had no cookie yet, then shown again from the
browser's history after a fresh page set one) is judged by the headers alone,
like every post without the cookie. (OWASP's Cross-Site Request Forgery Prevention Cheat
Sheet names Fetch Metadata and origin verification as protections in their own
right.)
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.http import is_same_domain

SAME_ORIGIN = "same-origin"
# "none": the reader typed or bookmarked the address; a post cannot start that way from another site.
ACCEPTED_FETCH_SITES = {SAME_ORIGIN, "none"}


def _own_origin(request):
    return f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"


def _trusted(origin):
    """Whether ``origin`` is one the site trusts in CSRF_TRUSTED_ORIGINS (wildcard subdomains included)."""
    parts = urlsplit(origin)
    for trusted in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
        allowed = urlsplit(trusted)
        if allowed.scheme == parts.scheme and is_same_domain(parts.netloc, allowed.netloc):
            return True
    return False


def _same_origin(url, request):
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return False
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin == _own_origin(request) or _trusted(origin)


def _sent_token(request):
    return bool(request.POST.get("csrfmiddlewaretoken") or request.META.get(settings.CSRF_HEADER_NAME))


def forgery_reason(request):
    """Why this post must be refused as possibly forged, or None when it came from the site itself."""
    if getattr(request, "_dont_enforce_csrf_checks", False):
        return None  # Django's test client without enforce_csrf_checks, as for every Django view
    if settings.CSRF_COOKIE_NAME in request.COOKIES and _sent_token(request):
        # The reader's browser takes part in Django's protection: it must pass it.
        rejected = CsrfViewMiddleware(lambda req: None).process_view(request, None, (), {})
        if rejected is not None:
            return "token"
        return None
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return None if fetch_site in ACCEPTED_FETCH_SITES else "cross-site"
    origin = request.headers.get("Origin")
    if origin:
        return None if origin != "null" and _same_origin(origin, request) else "origin"
    referer = request.headers.get("Referer")
    if referer:
        return None if _same_origin(referer, request) else "referer"
    return "unknown-origin"
